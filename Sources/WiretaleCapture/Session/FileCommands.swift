import WiretaleCore

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
    /// `read`: one line (or one JSON object) per packet, at most `count`.
    public static func read(
        _ input: CaptureInput, count: Int?, format: OutputFormat, lang: NotesLanguage
    ) throws(CommandExit) {
        signal(SIGPIPE, SIG_IGN)
        let scan = try CaptureScan(input)
        var printer = PacketPrinter(format: format, language: lang, maxFlows: input.maxFlows)
        var printed = 0
        let limit = count ?? Int.max
        defer { printer.finish() }
        // Every frame is followed, the filter only chooses what is shown: stream numbers and the
        // notes' remarks are the file's, as tshark's are under a display filter.
        let failure = scan.runAll({ record, frame, passes in
            guard passes else {
                printer.follow(
                    bytes: record.bytes, linkType: record.linkType, frame: frame, timestamp: record.timestamp,
                    originalLength: record.originalLength)
                return true
            }
            guard printed < limit else { return false }
            printed += 1
            return printer.handle(
                bytes: record.bytes, linkType: record.linkType, frame: frame,
                timestamp: record.timestamp, originalLength: record.originalLength,
                interfaceIndex: record.interfaceIndex)
        })
        noteEvictions(printer.tracker.evictions, maxFlows: input.maxFlows)
        try scan.finish(failure)
    }

    /// `conversations`: every TCP conversation, UDP flow and DNS transaction, as tables (`.text`)
    /// or one JSON object per flow as it ends (`.json`). `.none` follows the flows and prints only
    /// what `.json` prints at the end.
    public static func conversations(
        _ input: CaptureInput, format: OutputFormat, lang: NotesLanguage, maxRows: Int
    ) throws(CommandExit) {
        signal(SIGPIPE, SIG_IGN)
        let scan = try CaptureScan(input)
        var out = OutputBuffer()
        var follower = input.tableFollower
        var totals = FlowTotals()
        var tcp = ConversationTable.tcpRows(cap: maxRows)
        var udp = ConversationTable.udpRows(cap: maxRows)
        var dns = ConversationTable.dnsRows(cap: maxRows)
        var origin: Timestamp? = nil
        defer { out.flush() }

        func take(_ r: FlowReport) {
            totals.add(r)
            switch (format, r) {
            case (.json, .tcp(let c)): c.appendJSON(to: &out)
            case (.json, .udp(let u)): u.appendJSON(to: &out)
            case (.json, .dns(let d)): d.appendJSON(to: &out)
            case (.text, .tcp(let c)): tcp.append(ConversationTable.TCPRow(c))
            case (.text, .udp(let u)): udp.append(ConversationTable.UDPRow(u))
            case (.text, .dns(let d)): dns.append(d)
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
        ConversationTable.renderTCP(&tcpRows, unlisted: tcp.unlisted, origin: start, lang: lang, to: &out)
        tcpRows = []
        out.append(byte: 0x0A)
        var udpRows = udp.take()
        ConversationTable.renderUDP(&udpRows, unlisted: udp.unlisted, origin: start, lang: lang, to: &out)
        udpRows = []
        out.append(byte: 0x0A)
        var dnsRows = dns.take()
        ConversationTable.renderDNS(&dnsRows, unlisted: dns.unlisted, lang: lang, to: &out)
        out.append(byte: 0x0A)
        ConversationTable.renderTotals(totals, lang: lang, to: &out)
        ConversationTable.renderEvictions(evictions, maxFlows: input.maxFlows, lang: lang, to: &out)
        out.flush()
        try scan.finish(failure)
    }

    /// `explain`: TCP stream `stream` as a ladder diagram of at most `maxSegments` segments.
    public static func explain(
        _ input: CaptureInput, stream wanted: Int, lang: NotesLanguage, maxSegments: Int
    ) throws(CommandExit) {
        signal(SIGPIPE, SIG_IGN)
        let scan = try CaptureScan(input)
        var out = OutputBuffer()
        var follower = input.tableFollower
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
                    rows.append(LadderRow(frame: frame, time: record.timestamp, packet: follower.packet, note: note))
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
        Ladder.render(rows, conversation: c, lang: lang, to: &out)
        Ladder.renderUndrawn(undrawn, drawn: rows.count, lang: lang, to: &out)
        out.flush()
        try scan.finish(failure)
    }
}
