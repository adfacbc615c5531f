import WiretaleCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// What one `capture` run carries from packet to packet: the shared per-packet printer (the same
/// path `read` takes), the `-w` writer, and the connection events so far.
public struct CaptureSession {
    public var printer: PacketPrinter
    public let printing: Bool
    public let writer: CaptureWriter?
    public private(set) var frame = 0
    public private(set) var events = ConnectionEventCounts()
    /// Standard output could not be written (a closed pipe): the capture stops.
    public private(set) var outputClosed = false

    /// `-w` to pcapng with `--annotate`: each packet written with `Annotation.comment` of its note.
    public var annotate = false
    public var language = NotesLanguage.en

    public init(printer: PacketPrinter, printing: Bool, writer: CaptureWriter?) {
        self.printer = printer
        self.printing = printing
        self.writer = writer
    }

    /// Writes, decodes, tracks and prints one packet and any event it causes. False when the
    /// capture should stop (standard output is gone); throws the writer's error.
    public mutating func handle(_ packet: CapturedPacket) throws -> Bool {
        frame += 1
        var alive = printer.handle(
            bytes: packet.bytes, linkType: packet.linkType, frame: frame, timestamp: packet.timestamp,
            originalLength: packet.originalLength)
        if let writer {
            // After following it, so an annotation is the remark `read` prints for this frame.
            try writer.write(packet, comment: annotate ? Annotation.comment(printer.note, lang: language) : nil)
        }
        if let event = ConnectionEvent.detect(
            printer.note, packet: printer.packet, frame: frame, time: packet.timestamp, tracker: printer.tracker)
        {
            events.add(event)
            if printing && !(printer.quiet && printer.format == .text) {
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
    public mutating func summarize(statistics s: CaptureStatistics?, stop: String, lang: NotesLanguage, json: Bool) {
        let tcp = printer.tracker.tcpStreamCount
        let udp = printer.tracker.udpStreamCount
        let e = events
        if let s { Diagnostics.note(s.description) }
        Diagnostics.note(
            CaptureLabel.summary(
                tcpConnections: tcp, handshakes: e.handshakes, teardowns: e.teardowns, resets: e.resets,
                refused: e.refused, udpFlows: udp, lang: lang))
        let evictions = printer.tracker.evictions
        let maxFlows = printer.tracker.configuration.maxFlows
        noteEvictions(evictions, maxFlows: maxFlows)
        guard json && !outputClosed else { return }
        var o = printer.output
        o.beginObject()
        o.field("event", "summary" as StaticString)
        o.field("stopped_by", stop)
        o.field("packets_captured", Int(s?.delivered ?? UInt64(frame)))
        o.field("received_by_filter", s?.received)
        o.field("dropped_by_kernel", s?.droppedByKernel)
        o.field("dropped_by_interface", s?.droppedByInterface)
        o.field("tcp_connections", tcp)
        o.field("handshakes", e.handshakes)
        o.field("teardowns", e.teardowns)
        o.field("resets", e.resets)
        o.field("refused", e.refused)
        o.field("udp_flows", udp)
        evictions.appendJSONFields(maxFlows: maxFlows, to: &o)
        o.endObject()
        o.endRecord()
        o.flush()
    }
}

/// Everything `wiretale capture` was asked for, as the command line gave it.
public struct CaptureRequest: Sendable {
    /// The interface; nil for the default (`DefaultInterface.choose`).
    public var interface: String?
    /// The BPF filter, "" for none.
    public var filter = ""
    public var count: Int?
    /// Seconds, fractions allowed.
    public var duration: Double?
    public var snapshotLength = 262_144
    public var promiscuous = true
    /// The `-w` path, "-" for standard output.
    public var write: String?
    /// With `-w`, also print each packet and the events.
    public var print = false
    /// With `write` to pcapng: each packet carries wiretale's remarks on it as its comment.
    public var annotate = false
    public var maxFlows = ConnectionTracker.Configuration.defaultMaxFlows
    public var format = OutputFormat.text
    public var lang = NotesLanguage.en
    /// The kernel's buffer in KiB; nil for libpcap's default as `LiveCapture.Options` sets it.
    public var bufferKiB: Int?
    /// Immediate mode; nil for "when printing to a terminal".
    public var immediate: Bool?
    /// Text: only the tcpdump-like line per packet, no remarks and no event lines (`-q`).
    public var quiet = false
    /// The IP header's fields on each line (tcpdump's `-v`).
    public var verbose = false
    /// Text: how each line's time is printed (tcpdump's `-t` formats).
    public var time = TimeFormat.time
    /// Text: the bytes after each line (tcpdump's `-A`, `-X`).
    public var dump = PacketDump.none

    public init() {}
}

/// `wiretale capture`, start to end.
///
/// The order follows tcpdump's (with `-Z` implied under sudo): check the privileges, open the
/// interface, drop to the user who ran sudo, then create the `-w` file as that user; capture until
/// `count`, `duration`, SIGINT/SIGTERM or a closed output; finish the file, then the summary.
public enum CaptureCommandRunner {
    public static func run(_ r: CaptureRequest) throws(CommandExit) {
        signal(SIGPIPE, SIG_IGN)
        let expression = r.filter
        let printing = r.write == nil || r.print
        let invocation = Self.invocation()

        // 1. Which interface, and may this process capture at all.
        let device: String
        if let i = r.interface {
            device = i
        } else {
            let list = (try? Interfaces.list(probeLinkTypes: false)) ?? []
            guard let d = DefaultInterface.choose(from: list) else {
                let names = list.map(\.name).joined(separator: ", ")
                Diagnostics.error(
                    "no interface is up apart from loopback; name one with -i (interfaces: \(names)); "
                        + "-i lo captures loopback traffic")
                throw .failure
            }
            device = d
        }
        guard captureAllowed() else {
            var message = CaptureError.permissionDenied(device: device, invocation: invocation).description
            if let exe = Self.executablePath() {
                message +=
                    "\n  for this binary:            sudo setcap cap_net_raw,cap_net_admin+eip \(Self.shellQuoted(exe))"
            }
            Diagnostics.error(message)
            throw .failure
        }

        // 2. Open the interface (the only step that needs the privileges).
        // Like tcpdump: immediate mode when a person watches the lines; otherwise the kernel fills
        // blocks (packed tightly, so a burst fits) and hands a partly filled one over after the
        // read timeout. In immediate mode every packet takes a slot sized for the interface's MTU:
        // on lo (MTU 65536) the 32 MiB buffer holds only a few hundred packets.
        let immediateMode = r.immediate ?? (printing && r.write == nil && isatty(1) != 0)
        var options = LiveCapture.Options(
            device: device, snapshotLength: r.snapshotLength, promiscuous: r.promiscuous, immediate: immediateMode,
            readTimeout: .milliseconds(printing ? 10 : 100), filter: expression, invocation: invocation)
        if let kib = r.bufferKiB { options.bufferSize = kib * 1024 }
        let capture: LiveCapture
        do {
            capture = try LiveCapture(options)
        } catch {
            Diagnostics.error(error.description)
            throw .failure
        }

        // 3. Drop to the user who ran sudo; 4. create the file as that user.
        do {
            let drop = try dropPrivilegesToSudoUser()
            if case .dropped = drop { Diagnostics.note(drop.description) }
        } catch {
            Diagnostics.error(error.description)
            throw .failure
        }
        var writer: CaptureWriter? = nil
        if let path = r.write {
            do {
                let precision = CaptureWriter.Precision(digits: capture.timestampDigits)
                if path == "-" {
                    writer = try CaptureWriter(
                        fileDescriptor: 1, name: "-", linkType: capture.linkType,
                        snapshotLength: capture.snapshotLength, precision: precision)
                } else {
                    writer = try CaptureWriter(
                        path: path, linkType: capture.linkType, snapshotLength: capture.snapshotLength,
                        precision: precision, container: .init(forPath: path),
                        application: r.annotate ? Annotation.application : nil)
                }
            } catch {
                Diagnostics.error(error.description)
                throw .failure
            }
        }

        var banner = "capturing on \(device), link type \(capture.linkType.name), snapshot \(capture.snapshotLength)"
        if !expression.allSatisfy(\.isWhitespace) { banner += ", filter '\(expression)'" }
        if let path = r.write { banner += ", writing \(path == "-" ? "standard output" : path)" }
        Diagnostics.note(banner)
        for w in capture.warnings { Diagnostics.error("warning: \(w)") }

        // 5. Capture until --count, --duration, Ctrl-C / SIGTERM, or a closed output.
        let signals = SignalStop(stopper: capture.stopper)
        var printer = PacketPrinter(format: printing ? r.format : .none, language: r.lang, maxFlows: r.maxFlows)
        printer.quiet = r.quiet
        printer.verbose = r.verbose
        printer.time = PacketTime(r.time)
        printer.dump = r.dump
        var session = CaptureSession(printer: printer, printing: printing, writer: writer)
        session.annotate = r.annotate
        session.language = r.lang
        var failure: String? = nil
        var stop = "signal"
        do {
            let reason = try capture.run(count: r.count, duration: r.duration.map { .nanoseconds(Int64($0 * 1e9)) }) {
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
        if printing && r.format == .none {
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
            Diagnostics.error("note: \(error.description)")
        }
        session.summarize(statistics: statistics, stop: stop, lang: r.lang, json: printing && r.format == .json)
        if let failure {
            Diagnostics.error(failure)
            throw .failure
        }
    }

    /// The command line as the user typed it, shell-quoted, for the "run it as root" hint.
    public static func invocation() -> String {
        (["wiretale"] + CommandLine.arguments.dropFirst()).map(shellQuoted).joined(separator: " ")
    }

    /// `s` as a POSIX shell word: unchanged when it holds only safe characters, else in single quotes.
    public static func shellQuoted(_ s: String) -> String {
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
