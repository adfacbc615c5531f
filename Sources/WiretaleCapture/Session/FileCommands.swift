import WiretaleCore
import WiretaleSystem

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The file-reading commands (`read`, `conversations`, `explain`) as functions: each scans a
/// capture with `CaptureScan`, writes its report to standard output and its notes and errors to
/// standard error. A damaged or cut-off file is reported as far as it was read, then its error is
/// printed and `CommandExit.failure` thrown.
public enum FileCommands {
    /// The columns of the terminal standard output is, or nil when it is not one (a pipe, a file):
    /// the default `--width` of `conversations` and `explain`.
    public static var standardOutputColumns: Int? { Terminal.columns(of: 1) }

    /// What `read` prints and writes, besides its input.
    public struct ReadOptions: Sendable {
        /// Stop after this many packets shown (or written).
        public var count: Int?
        public var format = OutputFormat.text
        public var lang = NotesLanguage.en
        /// `-w`: copy the packets that pass the filter to this file (pcap, or pcapng for a name
        /// ending in `.pcapng`; `-` for standard output) and, as tcpdump, print none of them.
        public var write: String?
        /// With `write`, also print each packet.
        public var print = false
        /// With `write` to pcapng: each packet carries wiretale's remarks on it as its comment.
        public var annotate = false
        /// Text: only the tcpdump-like line, no remarks.
        public var quiet = false
        /// The IP header's fields on each line (tcpdump's `-v`).
        public var verbose = false
        public var time = TimeFormat.time
        /// Text: the bytes after each line (tcpdump's `-A`, `-X`).
        public var dump = PacketDump.none

        public init() {}
    }

    /// `read`: one line (or one JSON object) per packet, at most `count`; with several files a
    /// line (`-- file 2 of 2: b.pcap, from frame 13`) or, in JSON, a `file` key (0-based) tells
    /// them apart.
    public static func read(_ input: CaptureInput, _ options: ReadOptions) throws(CommandExit) {
        signal(SIGPIPE, SIG_IGN)
        // The output file first: an unwritable path fails before anything is read.
        var writer: CaptureWriter? = nil
        if let path = options.write {
            if let input = input.files.first(where: { sameFile($0, path) }) {
                Diagnostics.error("-w \(path) is the input \(input): writing would erase it before it is read")
                throw .failure
            }
            do {
                writer = try CaptureWriter(
                    copyingTo: path, container: .init(forPath: path),
                    application: options.annotate ? Annotation.application : nil)
            } catch {
                Diagnostics.error(error.description)
                throw .failure
            }
        }
        let scan = try CaptureScan(input)
        let printing = writer == nil || options.print
        var printer = PacketPrinter(
            format: printing ? options.format : .none, language: options.lang, maxFlows: input.maxFlows)
        printer.quiet = options.quiet
        printer.verbose = options.verbose
        printer.time = PacketTime(options.time)
        printer.dump = options.dump
        var shown = 0
        var writeFailure: CaptureWriteError? = nil
        let limit = options.count ?? Int.max
        let several = scan.paths.count > 1
        var file = -1
        defer { if printing { printer.finish() } }
        // Every frame is followed, the filter only chooses what is shown: stream numbers and the
        // notes' remarks are the file's, as tshark's are under a display filter.
        let failure = scan.runAll(
            { record, frame, passes in
                guard passes else {
                    if printing || options.annotate {
                        printer.follow(
                            bytes: record.bytes, linkType: record.linkType, frame: frame, timestamp: record.timestamp,
                            originalLength: record.originalLength)
                    }
                    return true
                }
                guard shown < limit else { return false }
                shown += 1
                if let w = writer {
                    var comment: String? = nil
                    if options.annotate {
                        // Followed here, so the remark is the one `read` prints for this frame.
                        if printing {
                            if !printer.handle(
                                bytes: record.bytes, linkType: record.linkType, frame: frame,
                                timestamp: record.timestamp, originalLength: record.originalLength,
                                interfaceIndex: record.interfaceIndex, file: several ? file : -1)
                            {
                                return false
                            }
                        } else {
                            printer.follow(
                                bytes: record.bytes, linkType: record.linkType, frame: frame,
                                timestamp: record.timestamp, originalLength: record.originalLength)
                        }
                        comment = Annotation.comment(printer.note, lang: options.lang)
                    }
                    do throws(CaptureWriteError) {
                        try w.write(
                            timestamp: record.timestamp, originalLength: record.originalLength, bytes: record.bytes,
                            linkType: record.linkType, snapLength: record.snapLength, comment: comment)
                    } catch {
                        writeFailure = error
                        return false
                    }
                    if !printing || options.annotate { return true }
                }
                return printer.handle(
                    bytes: record.bytes, linkType: record.linkType, frame: frame,
                    timestamp: record.timestamp, originalLength: record.originalLength,
                    interfaceIndex: record.interfaceIndex, file: several ? file : -1)
            },
            starting: { index, path, nextFrame in
                file = index
                guard shown < limit else { return false }
                guard several && printing && options.format == .text else { return true }
                printer.output.append("-- file ")
                printer.output.append(index + 1)
                printer.output.append(" of ")
                printer.output.append(scan.paths.count)
                printer.output.append(": ")
                printer.output.append(path)
                printer.output.append(", from frame ")
                printer.output.append(nextFrame)
                printer.output.append(" --\n")
                return true
            })
        if printing { noteEvictions(printer.tracker.evictions, maxFlows: input.maxFlows) }
        if let w = writer {
            if let first = scan.reader.interfaces.first {
                w.setEmptyFileLinkType(first.linkType, snapshotLength: first.snapLength)
            }
            do {
                try w.close()
            } catch {
                if writeFailure == nil { writeFailure = error }
            }
            if let e = writeFailure {
                Diagnostics.error(e.description)
                throw .failure
            }
            if !printing && w.path != "-" {
                Diagnostics.error("note: wrote \(w.packetsWritten) packet(s) to \(w.path)")
            }
        }
        try scan.finish(failure)
    }

    /// `conversations`: every TCP conversation, UDP flow and DNS transaction, as tables (`.text`)
    /// or one JSON object per flow as it ends (`.json`). `.none` follows the flows and prints only
    /// what `.json` prints at the end.
    ///
    /// `width`: the text fits that many columns (nil: the tables as wide as they are).
    public static func conversations(
        _ input: CaptureInput, format: OutputFormat, lang: NotesLanguage, maxRows: Int, width: Int? = nil
    ) throws(CommandExit) {
        signal(SIGPIPE, SIG_IGN)
        let scan = try CaptureScan(input)
        var out = OutputBuffer()
        var follower = input.tableFollower
        var totals = FlowTotals()
        var tcp = ConversationTable.tcpRows(cap: maxRows)
        var udp = ConversationTable.udpRows(cap: maxRows)
        var dns = ConversationTable.dnsRows(cap: maxRows)
        var http = HTTPTable.rows(cap: maxRows)
        var tls = TLSTable.rows(cap: maxRows)
        var mysqlSessions = MySQLTable.sessionRows(cap: maxRows)
        var mysqlCommands = MySQLTable.commandRows(cap: maxRows)
        var origin: Timestamp? = nil
        defer { out.flush() }

        func take(_ r: FlowReport) {
            totals.add(r)
            switch (format, r) {
            case (.json, .tcp(let c)): c.appendJSON(to: &out)
            case (.json, .udp(let u)): u.appendJSON(to: &out)
            case (.json, .dns(let d)): d.appendJSON(to: &out)
            case (.json, .http(let stream, let t)):
                // Each interim (1xx) status first, as a response of its own (tshark lists it so), then the transaction.
                t.appendInterimJSON(stream: stream, to: &out)
                t.appendJSON(stream: stream, to: &out)
            case (.text, .tcp(let c)): tcp.append(ConversationTable.TCPRow(c))
            case (.text, .udp(let u)): udp.append(ConversationTable.UDPRow(u))
            case (.text, .dns(let d)): dns.append(d)
            case (.text, .http(let stream, let t)): http.append(HTTPTableRow(stream: stream, t))
            case (.json, .tls(let stream, let h)): h.appendJSON(stream: stream, to: &out)
            case (.text, .tls(let stream, let h)): tls.append(TLSTable.Row(stream: stream, h))
            case (.json, .mysqlSession(let stream, let s)): s.appendJSON(stream: stream, to: &out)
            case (.json, .mysqlCommand(let stream, let c)): c.appendJSON(stream: stream, to: &out)
            case (.text, .mysqlSession(let stream, let s)):
                mysqlSessions.append(MySQLTable.SessionRow(stream: stream, s))
            case (.text, .mysqlCommand(let stream, let c)):
                mysqlCommands.append(MySQLTable.CommandRow(stream: stream, c))
            case (.none, _): break
            }
        }

        // A damaged or cut-off file: what was read is still reported, then the error (exit 1).
        let failure = scan.run { record, frame in
            if origin == nil { origin = record.timestamp }
            _ = follower.follow(
                record.bytes, linkType: record.linkType, frame: frame, time: record.timestamp,
                wireLength: record.originalLength)
            if follower.tracker.hasReports {
                while let r = follower.tracker.nextReport() { take(r) }
            }
            out.flushIfNeeded()
            return out.failed == 0
        }
        follower.tracker.finish()
        while let r = follower.tracker.nextReport() {
            take(r)
            out.flushIfNeeded()
        }
        let evictions = follower.tracker.evictions
        guard format == .text else {
            if evictions.total > 0 {
                // Only when something was evicted: what the report could not follow.
                out.beginObject()
                out.field("kind", "summary" as StaticString)
                evictions.appendJSONFields(maxFlows: input.maxFlows, to: &out)
                out.endObject()
                out.endRecord()
            }
            out.flush()
            return try scan.finish(failure)
        }
        let start = origin ?? Timestamp(seconds: 0, fraction: 0, digits: 6)
        var tcpRows = tcp.take()
        ConversationTable.renderTCP(
            &tcpRows, unlisted: tcp.unlisted, origin: start, lang: lang, width: width, to: &out)
        tcpRows = []
        out.append(byte: 0x0A)
        var udpRows = udp.take()
        ConversationTable.renderUDP(
            &udpRows, unlisted: udp.unlisted, origin: start, lang: lang, width: width, to: &out)
        udpRows = []
        out.append(byte: 0x0A)
        var dnsRows = dns.take()
        ConversationTable.renderDNS(&dnsRows, unlisted: dns.unlisted, lang: lang, width: width, to: &out)
        out.append(byte: 0x0A)
        var httpRows = http.take()
        if !httpRows.isEmpty || http.unlisted > 0 {
            HTTPTable.render(&httpRows, unlisted: http.unlisted, lang: lang, width: width, to: &out)
            out.append(byte: 0x0A)
        }
        let tlsRows = tls.take()
        if !tlsRows.isEmpty {
            TLSTable.render(tlsRows, unlisted: tls.unlisted, lang: lang, width: width, to: &out)
            out.append(byte: 0x0A)
        }
        let sessionRows = mysqlSessions.take()
        let commandRows = mysqlCommands.take()
        if !sessionRows.isEmpty || !commandRows.isEmpty {
            MySQLTable.render(
                sessions: sessionRows, commands: commandRows, unlisted: mysqlCommands.unlisted, lang: lang,
                width: width, to: &out)
            out.append(byte: 0x0A)
        }
        ConversationTable.renderTotals(totals, lang: lang, width: width, to: &out)
        ConversationTable.renderEvictions(evictions, maxFlows: input.maxFlows, lang: lang, width: width, to: &out)
        out.flush()
        try scan.finish(failure)
    }

    /// `explain`: TCP stream `stream` as a ladder diagram of at most `maxSegments` segments.
    public static func explain(
        _ input: CaptureInput, stream wanted: Int, lang: NotesLanguage, maxSegments: Int, width: Int? = nil
    ) throws(CommandExit) {
        signal(SIGPIPE, SIG_IGN)
        let scan = try CaptureScan(input)
        var out = OutputBuffer()
        // The ladder names the HTTP messages each segment completes (the reassembled stream's view).
        var configuration = input.trackerConfiguration
        configuration.streamMessages = true
        var follower = PacketFollower(configuration: configuration)
        follower.parsing = .forFlows
        var rows: [LadderRow] = []
        var undrawn = 0
        var conversation: TCPConversation? = nil
        defer { out.flush() }

        func take(_ r: FlowReport) {
            if case .tcp(let c) = r, c.stream == wanted { conversation = c }
        }

        // A damaged or cut-off file: the stream as far as it was read, then the error (exit 1).
        let failure = scan.run { record, frame in
            let note = follower.follow(
                record.bytes, linkType: record.linkType, frame: frame, time: record.timestamp,
                wireLength: record.originalLength)
            if note.kind == .tcp && Int(note.stream) == wanted {
                if rows.count < maxSegments {
                    rows.append(
                        LadderRow(
                            frame: frame, time: record.timestamp, packet: follower.packet, note: note,
                            messages: follower.tracker.frameMessages))
                } else {
                    undrawn += 1
                }
            }
            if follower.tracker.hasReports {
                while let r = follower.tracker.nextReport() { take(r) }
            }
            // Once the stream is reported, none of its packets can follow.
            return conversation == nil
        }
        if conversation == nil {
            follower.tracker.finish()
            while conversation == nil, let r = follower.tracker.nextReport() { take(r) }
        }
        guard let c = conversation else {
            if let f = failure { try scan.finish(f) }
            let count = follower.tracker.tcpStreamCount
            Diagnostics.error(
                count == 0
                    ? "\(input.file): the capture holds no TCP stream"
                    : "\(input.file): no TCP stream \(wanted); its streams are numbered 0 to \(count - 1) "
                        + "(see `wiretale conversations \(input.file)`)")
            throw .failure
        }
        Ladder.render(rows, conversation: c, lang: lang, width: width, to: &out)
        Ladder.renderUndrawn(undrawn, drawn: rows.count, lang: lang, to: &out)
        out.flush()
        try scan.finish(failure)
    }
}

/// Whether two paths name one existing file (the same device and inode).
private func sameFile(_ a: String, _ b: String) -> Bool {
    guard a != "-", b != "-" else { return false }
    var x = stat()
    var y = stat()
    guard stat(a, &x) == 0, stat(b, &y) == 0 else { return false }
    return x.st_dev == y.st_dev && x.st_ino == y.st_ino
}
