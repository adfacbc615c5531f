import ArgumentParser
import WiretaleCapture
import WiretaleCore

#if canImport(Glibc)
    import Glibc
#endif

/// `wiretale capture [-i IFACE] [FILTER]`: live capture through libpcap, each packet explained as
/// `read` explains it, connection events as they happen, and a summary when it stops.
///
/// The order follows tcpdump's (with `-Z` implied under sudo): check the privileges, open the
/// interface, drop to the user who ran sudo, then create the `-w` file as that user.
struct CaptureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capture",
        abstract: "Capture live packets and explain them in the notes' terms, as they arrive.",
        discussion: """
            Needs root or CAP_NET_RAW: run it with sudo, or once give the binary the capability with \
            `sudo setcap cap_net_raw,cap_net_admin+eip $(command -v wiretale)`. Under sudo it drops \
            to the invoking user (SUDO_UID/SUDO_GID) as soon as the interface is open, and the -w \
            file is created by, and belongs to, that user.

            Each packet is printed as `wiretale read` prints it (same line, same remarks, same JSON \
            object) as the packets arrive: in immediate mode on a terminal, otherwise within 10 ms \
            (--immediate / --no-immediate choose). Connection events get \
            lines of their own, prefixed with the stream number: `#3 handshake complete, rtt 0.041 ms`, \
            `#3 closed by client, four segments, client in TIME-WAIT`, `#4 refused: nothing listens \
            on …`, `#5 aborted by RST from the server`; in JSON they are objects whose first key is \
            "event" (handshake, closed, reset, \
            refused; and a final "summary"), while packet objects start with "frame".

            With -w FILE the packets go to a pcap file (nanosecond timestamps) that tcpdump, tshark \
            and `wiretale read` open, and, as with tcpdump, nothing is printed per packet unless \
            --print is given; -w - writes the pcap to standard output. With -w alone, packets are delivered \
            in blocks (at most 100 ms late), which keeps up with bursts.

            Ctrl-C, SIGTERM, --count and --duration all stop cleanly: the -w file is complete, and a \
            summary goes to standard error: packets captured, received by the filter, dropped by \
            the kernel and by the interface (pcap_stats), TCP connections seen, handshakes \
            completed, teardowns, resets, UDP flows.

            Without -i: the first interface that is up and not loopback (see `wiretale interfaces`, \
            where it is marked "default"). `-i any` captures on every interface (link type \
            linux-sll2, decoded too).
            """
    )

    @Option(
        name: [.short, .customLong("interface")], help: "The interface (see `wiretale interfaces`); `any` for all.")
    var interface: String?

    @Argument(help: ArgumentHelp("A BPF filter, as tcpdump takes it (e.g. 'tcp port 80').", valueName: "filter"))
    var filter: [String] = []

    @Option(name: [.short, .customLong("count")], help: "Stop after this many packets (after the filter).")
    var count: Int?

    @Option(help: ArgumentHelp("Stop after this many seconds (fractions allowed).", valueName: "seconds"))
    var duration: Double?

    @Option(name: [.short, .customLong("snaplen")], help: "Bytes kept per packet; longer packets are cut.")
    var snaplen: Int = 262_144

    @Flag(name: .customLong("no-promisc"), help: "Do not put the interface in promiscuous mode.")
    var noPromisc = false

    @Option(
        name: [.short, .customLong("write")],
        help: ArgumentHelp(
            "Write the packets to this pcap file (- for standard output); prints no packet lines unless --print.",
            valueName: "file"))
    var write: String?

    @Flag(help: "With -w, also print each packet and the connection events.")
    var print = false

    @OptionGroup var caps: FlowCapOptions

    @Option(
        help:
            "text (default), json (one object per packet or event per line), or none (decode and track, print counts).")
    var format: PacketPrinter.Format = .text

    @Option(help: "The language of the remarks and events: en, or zh for the notes' Chinese terms.")
    var lang: NotesLanguage = .en

    @Option(
        name: [.customShort("B"), .customLong("buffer-size")],
        help: ArgumentHelp(
            "The kernel's capture buffer in KiB (default 32768).", valueName: "KiB"))
    var bufferSize: Int?

    @Flag(
        inversion: .prefixedNo,
        help: ArgumentHelp(
            "Deliver each packet the moment it arrives (default: when printing to a terminal); with "
                + "--no-immediate the kernel hands packets over in blocks, at most 10 ms late when printing, "
                + "which keeps up with bursts."
        ))
    var immediate: Bool? = nil

    func validate() throws {
        if let c = count, c < 0 { throw ValidationError("--count must be zero or more") }
        if let d = duration, !(d > 0 && d < 1e9) {
            throw ValidationError("--duration must be a number of seconds above 0")
        }
        if snaplen < 1 || snaplen > 262_144 { throw ValidationError("--snaplen must be between 1 and 262144") }
        if let b = bufferSize, b < 1 || b > 4 << 20 {
            throw ValidationError("--buffer-size must be between 1 and 4194304 KiB")
        }
        if print && write == nil {
            throw ValidationError("--print only makes sense with -w (without -w every packet is printed)")
        }
        if print && write == "-" { throw ValidationError("--print cannot share standard output with -w -") }
    }

    func run() throws {
        signal(SIGPIPE, SIG_IGN)
        let expression = filter.joined(separator: " ")
        let printing = write == nil || print
        let invocation = Self.invocation()

        // 1. Which interface, and may this process capture at all.
        let device: String
        if let i = interface {
            device = i
        } else {
            let list = (try? Interfaces.list(probeLinkTypes: false)) ?? []
            guard let d = DefaultInterface.choose(from: list) else {
                let names = list.map(\.name).joined(separator: ", ")
                printError(
                    "no interface is up apart from loopback; name one with -i (interfaces: \(names)); "
                        + "-i lo captures loopback traffic")
                throw ExitCode(1)
            }
            device = d
        }
        guard captureAllowed() else {
            var message = CaptureError.permissionDenied(device: device, invocation: invocation).description
            if let exe = Self.executablePath() {
                message +=
                    "\n  for this binary:            sudo setcap cap_net_raw,cap_net_admin+eip \(Self.shellQuoted(exe))"
            }
            printError(message)
            throw ExitCode(1)
        }

        // 2. Open the interface (the only step that needs the privileges).
        // Like tcpdump: immediate mode when a person watches the lines; otherwise the kernel fills
        // blocks (packed tightly, so a burst fits) and hands a partly filled one over after the
        // read timeout. In immediate mode every packet takes a slot sized for the interface's MTU:
        // on lo (MTU 65536) the 32 MiB buffer holds only a few hundred packets.
        let immediateMode = immediate ?? (printing && write == nil && isatty(1) != 0)
        var options = LiveCapture.Options(
            device: device, snapshotLength: snaplen, promiscuous: !noPromisc, immediate: immediateMode,
            readTimeout: .milliseconds(printing ? 10 : 100), filter: expression, invocation: invocation)
        if let kib = bufferSize { options.bufferSize = kib * 1024 }
        let capture: LiveCapture
        do {
            capture = try LiveCapture(options)
        } catch {
            printError(error.description)
            throw ExitCode(1)
        }

        // 3. Drop to the user who ran sudo; 4. create the file as that user.
        do {
            let drop = try dropPrivilegesToSudoUser()
            if case .dropped = drop { Self.note(drop.description) }
        } catch {
            printError(error.description)
            throw ExitCode(1)
        }
        var writer: CaptureWriter? = nil
        if let path = write {
            do {
                let precision = CaptureWriter.Precision(digits: capture.timestampDigits)
                if path == "-" {
                    writer = try CaptureWriter(
                        fileDescriptor: 1, name: "-", linkType: capture.linkType,
                        snapshotLength: capture.snapshotLength, precision: precision)
                } else {
                    writer = try CaptureWriter(
                        path: path, linkType: capture.linkType, snapshotLength: capture.snapshotLength,
                        precision: precision)
                }
            } catch {
                printError(error.description)
                throw ExitCode(1)
            }
        }

        var banner = "capturing on \(device), link type \(capture.linkType.name), snapshot \(capture.snapshotLength)"
        if !expression.allSatisfy(\.isWhitespace) { banner += ", filter '\(expression)'" }
        if let path = write { banner += ", writing \(path == "-" ? "standard output" : path)" }
        Self.note(banner)
        for w in capture.warnings { printError("warning: \(w)") }

        // 5. Capture until --count, --duration, Ctrl-C / SIGTERM, or a closed output.
        let signals = SignalStop(stopper: capture.stopper)
        var session = CaptureSession(
            printer: PacketPrinter(format: printing ? format : .none, language: lang, maxFlows: caps.maxFlows),
            printing: printing,
            writer: writer)
        var failure: String? = nil
        var stop = "signal"
        do {
            let reason = try capture.run(count: count, duration: duration.map { .nanoseconds(Int64($0 * 1e9)) }) {
                packet in
                if try !session.handle(packet) { capture.stop() }
            }
            switch reason {
            case .count: stop = "count"
            case .duration: stop = "duration"
            case .stopped: stop = session.outputClosed ? "output-closed" : "signal"
            }
        } catch let e as CaptureWriteError {
            failure = e.description
            stop = "error"
        } catch let e as CaptureError {
            failure = e.description
            stop = "error"
        } catch {
            failure = "\(error)"
            stop = "error"
        }
        signals.cancel()

        // 6. Finish the file, then the summary.
        if printing && format == .none {
            session.printer.finish()
        } else {
            session.printer.output.flush()
        }
        if let w = writer {
            do {
                try w.close()
            } catch {
                if failure == nil { failure = error.description }
            }
        }
        var statistics: CaptureStatistics? = nil
        do {
            statistics = try capture.stats()
        } catch {
            printError("note: \(error.description)")
        }
        session.summarize(statistics: statistics, stop: stop, lang: lang, json: printing && format == .json)
        if let failure {
            printError(failure)
            throw ExitCode(1)
        }
    }

    /// The command line as the user typed it, shell-quoted, for the "run it as root" hint.
    static func invocation() -> String {
        (["wiretale"] + CommandLine.arguments.dropFirst()).map(shellQuoted).joined(separator: " ")
    }

    static func shellQuoted(_ s: String) -> String {
        let safe = s.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
                || "-_./:=@%+,".utf8.contains(c)
        }
        if safe && !s.isEmpty { return s }
        return "'" + s.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
    }

    /// This binary's path (`/proc/self/exe`), for the setcap hint.
    static func executablePath() -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension CaptureCommand {
    /// Writes an informational line (no `wiretale:` prefix, as tcpdump's "listening on") to standard error.
    static func note(_ message: String) {
        var line = message + "\n"
        line.withUTF8 { _ = Glibc.write(2, $0.baseAddress, $0.count) }
    }
}

/// What one capture run carries from packet to packet: the shared per-packet printer (the same
/// path `read` takes), the `-w` writer, and the connection events so far.
struct CaptureSession {
    var printer: PacketPrinter
    let printing: Bool
    let writer: CaptureWriter?
    var frame = 0
    var events = ConnectionEventCounts()
    /// Standard output could not be written (a closed pipe): the capture stops.
    var outputClosed = false

    /// Writes, decodes, tracks and prints one packet and any event it causes. False when the
    /// capture should stop (standard output is gone); throws the writer's error.
    mutating func handle(_ packet: CapturedPacket) throws -> Bool {
        frame += 1
        if let writer { try writer.write(packet) }
        var alive = printer.handle(
            bytes: packet.bytes, linkType: packet.linkType, frame: frame, timestamp: packet.timestamp,
            originalLength: packet.originalLength)
        if let event = ConnectionEvent.detect(
            printer.note, packet: printer.packet, frame: frame, time: packet.timestamp, tracker: printer.tracker)
        {
            events.add(event)
            if printing {
                switch printer.format {
                case .text:
                    event.appendText(to: &printer.output, lang: printer.language)
                    printer.output.append(byte: 0x0A)
                case .json:
                    event.appendJSON(to: &printer.output)
                    printer.output.append(byte: 0x0A)
                case .none:
                    break
                }
            }
        }
        if printing && printer.format != .none {
            // Live: each line as its packet arrives.
            printer.output.flush()
            alive = printer.output.failed == 0
        }
        if !alive { outputClosed = true }
        return alive
    }

    /// The closing summary on standard error (and, for JSON, a `"summary"` event on standard output).
    mutating func summarize(statistics s: CaptureStatistics?, stop: String, lang: NotesLanguage, json: Bool) {
        let tcp = printer.tracker.tcpStreamCount
        let udp = printer.tracker.udpStreamCount
        let e = events
        if let s { CaptureCommand.note(s.description) }
        if lang == .zh {
            CaptureCommand.note(
                "\(tcp) 个TCP连接, \(e.handshakes) 次握手完成, \(e.teardowns) 次挥手关闭, "
                    + "\(e.resets) 次RST终止, \(e.refused) 次连接被拒绝; \(udp) 个UDP流")
        } else {
            func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }
            CaptureCommand.note(
                "\(plural(tcp, "TCP connection")) seen, \(plural(e.handshakes, "handshake")) completed, "
                    + "\(plural(e.teardowns, "teardown")) (FIN), \(plural(e.resets, "reset")) (RST), "
                    + "\(e.refused) refused; \(plural(udp, "UDP flow"))")
        }
        let evictions = printer.tracker.evictions
        let maxFlows = printer.tracker.configuration.maxFlows
        noteEvictions(evictions, maxFlows: maxFlows)
        guard json && !outputClosed else { return }
        var o = printer.output
        o.append("{\"event\":\"summary\",\"stopped_by\":\"")
        o.append(stop)
        o.append("\",\"packets_captured\":")
        o.append(Int(s?.delivered ?? UInt64(frame)))
        for (key, value) in [
            ("received_by_filter", s?.received), ("dropped_by_kernel", s?.droppedByKernel),
            ("dropped_by_interface", s?.droppedByInterface),
        ] {
            o.append(",\"\(key)\":")
            if let value { o.append(value) } else { o.append("null") }
        }
        o.append(",\"tcp_connections\":\(tcp),\"handshakes\":\(e.handshakes),\"teardowns\":\(e.teardowns)")
        o.append(",\"resets\":\(e.resets),\"refused\":\(e.refused),\"udp_flows\":\(udp)")
        evictions.appendJSONKeys(maxFlows: maxFlows, to: &o)
        o.append("}\n")
        o.flush()
    }
}
