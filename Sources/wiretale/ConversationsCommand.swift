import ArgumentParser
import WiretaleCore

#if canImport(Glibc)
    import Glibc
#endif

/// `wiretale conversations FILE [FILTER]`: every TCP conversation (handshake, teardown, final
/// states, conn_state, anomalies), UDP flow and DNS transaction in a capture.
struct ConversationsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conversations",
        abstract: "List TCP conversations, UDP flows and DNS transactions, in the notes' terms.",
        discussion: """
            The TCP table is tshark's `-z conv,tcp` plus the notes' view: how each connection opened \
            (三次握手) and closed (四次挥手), where each side was left, Zeek's conn_state and history, and \
            Wireshark's anomalies. Stream numbers are tshark's tcp.stream (and `read`'s). With --format \
            json, one object per line as each flow ends, told apart by "kind": tcp, udp or dns.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @OptionGroup var input: CaptureInputOptions

    @Option(help: "text (default: tables) or json (one object per conversation per line).")
    var format: Format = .text

    @Option(help: "en (default) or zh: the notes' Chinese terms (三次握手, 四次挥手, ...).")
    var lang: NotesLanguage = .en

    @Option(
        help: ArgumentHelp(
            "Rows each text table holds and lists (default 50000): the first by stream or query; the rest are counted.",
            valueName: "N"))
    var maxRows = ConversationTable.defaultMaxRows

    func validate() throws {
        guard maxRows >= 0 else { throw ValidationError("--max-rows must be 0 or more, not \(maxRows)") }
    }

    func run() throws {
        signal(SIGPIPE, SIG_IGN)
        let scan = try CaptureScan(input)
        var out = OutputBuffer()
        var follower = PacketFollower(configuration: input.trackerConfiguration)
        var totals = FlowTotals()
        var tcp = ConversationTable.tcpRows(cap: maxRows)
        var udp = ConversationTable.udpRows(cap: maxRows)
        var dns = ConversationTable.dnsRows(cap: maxRows)
        var origin: Timestamp? = nil
        let format = format
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
                out.append("{\"kind\":\"summary\"")
                evictions.appendJSONKeys(maxFlows: input.maxFlows, to: &out)
                out.append("}\n")
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
}
