/// `conversations`' text output: a TCP table like `tshark -q -z conv,tcp` with the notes' columns
/// (handshake, teardown, final states, conn_state, anomalies), then UDP flows, DNS transactions and
/// totals. Start times are relative to `origin` (the capture's first packet), as tshark's "Rel Start".
///
/// The tables are sorted by stream, so every row waits until the capture ends: rows are kept as
/// compact values (about 170 bytes a TCP conversation) rather than whole reports, and at most
/// `HeldRows.cap` of them a table (`conversations --max-rows`), so the text output runs in bounded
/// memory too; the rest are counted, and the table says so.
public enum ConversationTable {
    /// The default `--max-rows`: rows each text table holds and lists.
    package static let defaultMaxRows = 50_000

    /// The rows one text table holds until the capture ends, bounded by `cap`: the rows first in
    /// the table's order (lowest stream numbers, earliest queries) are kept, at most `cap + slack`
    /// at any time (a quarter of the cap, at least 1,024: a sort trims it back each time it fills);
    /// the others are only counted in `unlisted`.
    package struct HeldRows<Row> {
        package let cap: Int
        package private(set) var rows: [Row] = []
        package private(set) var unlisted = 0
        private let precedes: (Row, Row) -> Bool
        private let slack: Int

        package init(cap: Int, precedes: @escaping (Row, Row) -> Bool) {
            self.cap = max(0, cap)
            self.slack = max(self.cap / 4, 1024)
            self.precedes = precedes
        }

        package mutating func append(_ row: Row) {
            guard cap > 0 else {
                unlisted += 1
                return
            }
            if rows.isEmpty { rows.reserveCapacity(min(cap + slack, 1 << 16)) }
            rows.append(row)
            if rows.count >= cap + slack { trim() }
        }

        /// Sorts the rows into table order and keeps the first `cap`.
        package mutating func trim() {
            rows.sort(by: precedes)
            if rows.count > cap {
                unlisted += rows.count - cap
                rows.removeLast(rows.count - cap)
            }
        }

        /// Hands the rows over in table order (at most `cap`), leaving this empty.
        package mutating func take() -> [Row] {
            trim()
            defer { rows = [] }
            return rows
        }
    }

    /// Rows of TCP conversations, in stream order.
    package static func tcpRows(cap: Int) -> HeldRows<TCPRow> { HeldRows(cap: cap) { $0.stream < $1.stream } }
    /// Rows of UDP flows, in stream order.
    package static func udpRows(cap: Int) -> HeldRows<UDPRow> { HeldRows(cap: cap) { $0.stream < $1.stream } }
    /// DNS transactions, in the order their queries were sent.
    package static func dnsRows(cap: Int) -> HeldRows<DNSTransaction> { HeldRows(cap: cap, precedes: dnsPrecedes) }

    static func dnsPrecedes(_ a: DNSTransaction, _ b: DNSTransaction) -> Bool {
        (a.queryFrame == 0 ? a.responseFrame ?? 0 : a.queryFrame)
            < (b.queryFrame == 0 ? b.responseFrame ?? 0 : b.queryFrame)
    }

    /// The line after a table that held fewer rows than it had: how many it left out, and why.
    static func appendUnlisted(
        _ unlisted: Int, listed: Int, lang: NotesLanguage, width: Int? = nil, to o: inout OutputBuffer
    ) {
        guard unlisted > 0 else { return }
        let start = o.bytes.count
        o.append(ConversationLabel.unlisted, lang, unlisted, listed)
        if let width { o.wrapLines(from: start, width: width) }
    }

    /// What a TCP table row shows.
    public struct TCPRow: Sendable {
        var key: FlowKey
        var clientKeySide: UInt8
        public internal(set) var handshake: HandshakeKind
        public internal(set) var teardown: TeardownKind
        public internal(set) var clientState: TCPState
        public internal(set) var serverState: TCPState
        public internal(set) var stream: Int32
        public internal(set) var packetsToServer: UInt32
        public internal(set) var packetsToClient: UInt32
        public internal(set) var bytesToServer: UInt64
        public internal(set) var bytesToClient: UInt64
        public internal(set) var startNs: Int64
        public internal(set) var durationNs: Int64
        public internal(set) var connState: StaticString
        var history: HistoryLetters
        public internal(set) var anomalies: AnomalyCounts
        /// The service its payload's first bytes named (`TCPConversation.streams`).
        public internal(set) var service: StreamService
        /// The proxy protocol the service went through (`socks`), as Zeek's `socks,http`.
        public internal(set) var tunnel: StreamService?

        /// Zeek's history letters, as `TCPConversation.history`.
        public var historyString: String { history.string }

        public init(_ c: TCPConversation) {
            (key, _) = FlowKey.make(
                src: c.client.address, srcPort: c.client.port, dst: c.server.address, dstPort: c.server.port)
            clientKeySide = key.endpoint(side: 0) == c.client ? 0 : 1
            handshake = c.handshake.kind
            teardown = c.teardown.kind
            clientState = c.clientState
            serverState = c.serverState
            stream = Int32(c.stream)
            packetsToServer = UInt32(truncatingIfNeeded: c.clientToServer.packets)
            packetsToClient = UInt32(truncatingIfNeeded: c.serverToClient.packets)
            bytesToServer = c.clientToServer.bytes
            bytesToClient = c.serverToClient.bytes
            startNs = c.start.totalNanoseconds
            durationNs = c.duration
            connState = c.connStateCode
            history = c.historyLetters
            anomalies = c.anomalies
            service = c.streams.service
            tunnel = c.streams.tunnel
        }

        /// `http`, or with a tunnel `socks,http` (Zeek's conn.log spelling).
        func appendService(to o: inout OutputBuffer) {
            if let tunnel {
                o.append(tunnel.name)
                o.append(byte: UInt8(ascii: ","))
            }
            o.append(service.name)
        }

        public var client: FlowEndpoint { key.endpoint(side: Int(clientKeySide)) }
        public var server: FlowEndpoint { key.endpoint(side: 1 - Int(clientKeySide)) }
    }

    /// What a UDP table row shows.
    public struct UDPRow: Sendable {
        var key: FlowKey
        var clientKeySide: UInt8
        public internal(set) var broadcast: Bool
        public internal(set) var multicast: Bool
        public internal(set) var stream: Int32
        public internal(set) var packetsToServer: UInt32
        public internal(set) var packetsToClient: UInt32
        public internal(set) var dnsMessages: UInt32
        public internal(set) var bytesToServer: UInt64
        public internal(set) var bytesToClient: UInt64
        public internal(set) var startNs: Int64
        public internal(set) var durationNs: Int64

        public init(_ f: UDPFlow) {
            (key, _) = FlowKey.make(
                src: f.client.address, srcPort: f.client.port, dst: f.server.address, dstPort: f.server.port)
            clientKeySide = key.endpoint(side: 0) == f.client ? 0 : 1
            broadcast = f.broadcast
            multicast = f.multicast
            stream = Int32(f.stream)
            packetsToServer = UInt32(truncatingIfNeeded: f.clientToServer.packets)
            packetsToClient = UInt32(truncatingIfNeeded: f.serverToClient.packets)
            dnsMessages = UInt32(truncatingIfNeeded: f.dnsMessages)
            bytesToServer = f.clientToServer.bytes
            bytesToClient = f.serverToClient.bytes
            startNs = f.start.totalNanoseconds
            durationNs = f.duration
        }

        public var client: FlowEndpoint { key.endpoint(side: Int(clientKeySide)) }
        public var server: FlowEndpoint { key.endpoint(side: 1 - Int(clientKeySide)) }
        public var connState: StaticString {
            packetsToServer > 0 ? (packetsToClient > 0 ? "SF" : "S0") : (packetsToClient > 0 ? "SHR" : "OTH")
        }
        /// The notes' words for the flow (broadcast, multicast), in the table's order.
        public var phrases: [NotesPhrase] {
            (broadcast ? [.broadcast] : []) + (multicast ? [.multicast] : [])
        }
    }

    /// Rows in stream order (sorts in place); `unlisted` more were counted but not held. With
    /// `width`, no line is wider: when the table is, each conversation becomes a record of
    /// labelled cells, wrapped.
    public static func renderTCP(
        _ rows: inout [TCPRow], unlisted: Int = 0, origin: Timestamp, lang: NotesLanguage, width: Int? = nil,
        to o: inout OutputBuffer
    ) {
        rows.sort { $0.stream < $1.stream }
        defer { appendUnlisted(unlisted, listed: rows.count, lang: lang, width: width, to: &o) }
        let titleStart = o.bytes.count
        o.append(ConversationLabel.tcpTitle, lang, rows.count + unlisted)
        if let width { o.wrapLines(from: titleStart, width: width) }
        guard !rows.isEmpty else { return }
        let ew = endpointWidth(rows.lazy.flatMap { [$0.client, $0.server] })
        // Each column as wide as its widest cell and two spaces: no two columns run together.
        var stateWidth = lang == .zh ? 24 : 13
        var handshakeWidth = lang == .zh ? 20 : 23
        var teardownWidth = lang == .zh ? 20 : 21
        for r in rows {
            handshakeWidth = max(handshakeWidth, r.handshake.label(lang).terminalWidth + 2)
            teardownWidth = max(teardownWidth, r.teardown.label(lang).terminalWidth + 2)
            stateWidth = max(stateWidth, r.clientState.label(lang).terminalWidth + 2)
            stateWidth = max(stateWidth, r.serverState.label(lang).terminalWidth + 2)
        }
        let originNs = origin.totalNanoseconds
        let tableWidth = 8 + 2 * (ew + 2) + 64 + handshakeWidth + teardownWidth + 2 * stateWidth + 8 + 16 + 8 + 12
        if let width, tableWidth > width {
            for r in rows {
                appendRecord(r, originNs: originNs, lang: lang, width: width, to: &o)
                o.flushIfNeeded()
            }
            return
        }
        appendSharedHeader(endpointWidth: ew, lang: lang, to: &o)
        o.append(padded: ConversationLabel.columnHandshake.text(lang), to: handshakeWidth)
        o.append(padded: ConversationLabel.columnTeardown.text(lang), to: teardownWidth)
        o.append(padded: ConversationLabel.columnClientEnd.text(lang), to: stateWidth)
        o.append(padded: ConversationLabel.columnServerEnd.text(lang), to: stateWidth)
        o.append("conn    history         service ")
        o.append(ConversationLabel.columnAnomalies, lang)
        o.append(byte: 0x0A)
        for r in rows {
            let start = o.bytes.count
            appendSharedColumns(r, endpointWidth: ew, originNs: originNs, to: &o)
            o.append(padded: r.handshake.label(lang), to: handshakeWidth)
            o.append(padded: r.teardown.label(lang), to: teardownWidth)
            o.append(padded: r.clientState.label(lang), to: stateWidth)
            o.append(padded: r.serverState.label(lang), to: stateWidth)
            o.append(padded: r.connState, to: 8)
            let h = o.bytes.count
            r.history.append(to: &o.bytes)
            if h == o.bytes.count { o.append(byte: UInt8(ascii: "-")) }
            o.pad(from: o.bytes.count - h, to: 16)
            let s = o.bytes.count
            r.appendService(to: &o)
            o.pad(from: o.bytes.count - s, to: max(8, o.bytes.count - s + 1))
            appendAnomalyCounts(r.anomalies, lang: lang, to: &o)
            o.append(byte: 0x0A)
            if let width { o.wrapLines(from: start, width: width, indent: 8) }
            o.flushIfNeeded()
        }
    }

    /// One TCP conversation as labelled cells (`#0  client → server  → 6 pkts 520 B  …`), wrapped
    /// at `width` with the cells two spaces apart: the narrow form of a table row.
    static func appendRecord(_ r: TCPRow, originNs: Int64, lang: NotesLanguage, width: Int, to o: inout OutputBuffer) {
        let start = o.bytes.count
        o.append("#")
        o.append(UInt64(r.stream))
        o.append("  ")
        r.client.appendText(to: &o.bytes)
        o.append(" → ")
        r.server.appendText(to: &o.bytes)
        o.append("  → ")
        o.append(UInt64(r.packetsToServer))
        o.append(" pkts ")
        o.append(r.bytesToServer)
        o.append(" B  ← ")
        o.append(UInt64(r.packetsToClient))
        o.append(" pkts ")
        o.append(r.bytesToClient)
        o.append(" B  rel start ")
        o.appendDecimal(r.startNs - originNs, scale: 1_000_000_000, digits: 6)
        o.append("  duration ")
        o.appendDecimal(r.durationNs, scale: 1_000_000_000, digits: 6)
        for (column, value) in [
            (ConversationLabel.columnHandshake, r.handshake.label(lang)),
            (.columnTeardown, r.teardown.label(lang)), (.columnClientEnd, r.clientState.label(lang)),
            (.columnServerEnd, r.serverState.label(lang)),
        ] {
            o.append("  ")
            o.append(column, lang)
            o.append(": ")
            o.append(value)
        }
        o.append("  conn ")
        o.append(r.connState)
        o.append("  history ")
        let h = o.bytes.count
        r.history.append(to: &o.bytes)
        if h == o.bytes.count { o.append(byte: UInt8(ascii: "-")) }
        o.append("  service ")
        r.appendService(to: &o)
        o.append("  ")
        o.append(ConversationLabel.columnAnomalies, lang)
        o.append(": ")
        appendAnomalyCounts(r.anomalies, lang: lang, to: &o)
        o.append(byte: 0x0A)
        o.wrapLines(from: start, width: width, indent: 8)
    }

    /// The columns TCP and UDP tables share: stream, endpoints, packets and bytes each way, start, duration.
    static func appendSharedHeader(endpointWidth ew: Int, lang: NotesLanguage, to o: inout OutputBuffer) {
        o.append(padded: "stream", to: 8)
        o.append(padded: NotesPhrase.client.label(lang), to: ew + 2)
        o.append(padded: NotesPhrase.server.label(lang), to: ew + 2)
        o.append("  → pkts   → bytes  ← pkts   ← bytes  rel start    duration     ")
    }

    static func appendSharedColumns(
        _ r: some FlowRowColumns, endpointWidth ew: Int, originNs: Int64,
        to o: inout OutputBuffer
    ) {
        o.append(right: UInt64(r.stream), width: 6)
        o.append("  ")
        appendEndpoint(r.client, width: ew + 2, to: &o)
        appendEndpoint(r.server, width: ew + 2, to: &o)
        o.append(right: UInt64(r.packetsToServer), width: 8)
        o.append(right: r.bytesToServer, width: 10)
        o.append(right: UInt64(r.packetsToClient), width: 8)
        o.append(right: r.bytesToClient, width: 10)
        o.append("  ")
        appendSeconds(r.startNs - originNs, width: 13, to: &o)
        appendSeconds(r.durationNs, width: 13, to: &o)
    }

    /// `TCP Retransmission ×3, TCP Dup ACK ×2` (or the Chinese labels), `-` when none.
    package static func appendAnomalyCounts(_ a: AnomalyCounts, lang: NotesLanguage, to o: inout OutputBuffer) {
        var first = true
        for i in 0..<TCPAnomalies.kindCount where a[i] > 0 {
            if !first { o.append(", ") }
            first = false
            o.append(TCPAnomalies.label(index: i, lang))
            o.append(" ×")
            o.append(a[i])
        }
        if first { o.append("-") }
    }

    /// Rows in stream order (sorts in place); `unlisted` more were counted but not held.
    public static func renderUDP(
        _ rows: inout [UDPRow], unlisted: Int = 0, origin: Timestamp, lang: NotesLanguage, width: Int? = nil,
        to o: inout OutputBuffer
    ) {
        rows.sort { $0.stream < $1.stream }
        defer { appendUnlisted(unlisted, listed: rows.count, lang: lang, width: width, to: &o) }
        let titleStart = o.bytes.count
        o.append(ConversationLabel.udpTitle, lang, rows.count + unlisted)
        o.append(" (")
        o.append(NotesPhrase.udpConnectionless.label(lang))
        o.append(")\n")
        if let width { o.wrapLines(from: titleStart, width: width) }
        guard !rows.isEmpty else { return }
        let ew = endpointWidth(rows.lazy.flatMap { [$0.client, $0.server] })
        let headerStart = o.bytes.count
        appendSharedHeader(endpointWidth: ew, lang: lang, to: &o)
        o.append("conn  ")
        o.append(ConversationLabel.columnNotes, lang)
        o.append(byte: 0x0A)
        if let width { o.wrapLines(from: headerStart, width: width, indent: 8) }
        let originNs = origin.totalNanoseconds
        for r in rows {
            let start = o.bytes.count
            appendSharedColumns(r, endpointWidth: ew, originNs: originNs, to: &o)
            o.append(padded: r.connState, to: 6)
            var any = false
            for phrase in r.phrases {
                if any { o.append(", ") }
                any = true
                o.append(phrase.label(lang))
            }
            if r.dnsMessages > 0 {
                if any { o.append(", ") }
                any = true
                o.append("DNS ×")
                o.append(UInt64(r.dnsMessages))
            }
            if !any { o.append("-") }
            o.append(byte: 0x0A)
            if let width { o.wrapLines(from: start, width: width, indent: 8) }
            o.flushIfNeeded()
        }
    }

    /// The DNS table's heading counts, of the transactions it lists.
    public struct DNSCounts: Sendable, Equatable {
        /// Query and response both seen.
        public internal(set) var answered = 0
        /// Answered with NXDOMAIN (rcode 3).
        public internal(set) var nxDomain = 0
        /// No response seen to a unicast query (`DNSTransaction.unanswered`).
        public internal(set) var unanswered = 0

        public init(_ transactions: [DNSTransaction]) {
            for t in transactions {
                if t.answered { answered += 1 }
                if t.rcode == 3 { nxDomain += 1 }
                if t.unanswered { unanswered += 1 }
            }
        }
    }

    /// Transactions in the order their queries were sent (sorts in place); `unlisted` more were
    /// counted but not held (the answered/unanswered counts are then of the listed ones).
    public static func renderDNS(
        _ transactions: inout [DNSTransaction], unlisted: Int = 0, lang: NotesLanguage, width: Int? = nil,
        to o: inout OutputBuffer
    ) {
        transactions.sort(by: dnsPrecedes)
        defer { appendUnlisted(unlisted, listed: transactions.count, lang: lang, width: width, to: &o) }
        let titleStart = o.bytes.count
        let counts = DNSCounts(transactions)
        o.append(ConversationLabel.dnsTitle, lang, transactions.count + unlisted)
        o.append(" (")
        if unlisted > 0 { o.append(ConversationLabel.dnsOfListed, lang, transactions.count) }
        o.append(ConversationLabel.dnsCounts, lang, counts.answered, counts.nxDomain, counts.unanswered)
        o.append(")\n")
        if let width { o.wrapLines(from: titleStart, width: width) }
        guard !transactions.isEmpty else { return }
        let headerStart = o.bytes.count
        var nameWidth = 20
        for t in transactions where t.name.utf8.count > nameWidth { nameWidth = min(48, t.name.utf8.count) }
        nameWidth += 2
        o.append("   query    reply     id  ")
        o.append(padded: ConversationLabel.columnName.text(lang), to: nameWidth)
        o.append("type    rcode      answers  latency ms  ")
        o.append(ConversationLabel.columnClientToServer, lang)
        o.append(byte: 0x0A)
        if let width { o.wrapLines(from: headerStart, width: width, indent: 8) }
        for t in transactions {
            let start = o.bytes.count
            if t.queryFrame > 0 { o.append(right: UInt64(t.queryFrame), width: 8) } else { o.append("       -") }
            if let r = t.responseFrame { o.append(right: UInt64(r), width: 9) } else { o.append("        -") }
            o.append(right: UInt64(t.id), width: 7)
            o.append("  ")
            o.append(padded: t.name.isEmpty ? "-" : t.name, to: nameWidth)
            o.append(padded: DNSRecordType(rawValue: t.type).name, to: 8)
            if let r = t.rcode {
                o.append(padded: DNSRCode(rawValue: UInt16(r)).name, to: 11)
            } else {
                o.append(padded: (t.multicast ? ConversationLabel.multicast : .noReply).text(lang), to: 11)
            }
            o.append(right: UInt64(t.answers), width: 7)
            if let l = t.latency {
                let before = o.bytes.count
                o.appendDecimal(l, scale: 1_000_000, digits: 3)
                let n = o.bytes.count - before
                // right-align in 12 columns
                if n < 12 { o.bytes.insert(contentsOf: repeatElement(UInt8(ascii: " "), count: 12 - n), at: before) }
            } else {
                o.append("           -")
            }
            o.append("  ")
            if let c = t.client { c.appendText(to: &o.bytes) } else { o.append(byte: UInt8(ascii: "-")) }
            o.append(" → ")
            t.server.appendText(to: &o.bytes)
            if let g = t.group {
                o.append(" (")
                o.append(ConversationLabel.multicastTo, lang)
                g.appendText(to: &o.bytes)
                o.append(byte: UInt8(ascii: ")"))
            }
            o.append(byte: 0x0A)
            if let width { o.wrapLines(from: start, width: width, indent: 8) }
            o.flushIfNeeded()
        }
    }

    /// One paragraph of totals: the counts `FlowTotals` keeps.
    /// What the tracker could not follow: one line when flows were evicted at the cap, else nothing.
    package static func renderEvictions(
        _ e: FlowEvictions, maxFlows: Int, lang: NotesLanguage, width: Int? = nil, to o: inout OutputBuffer
    ) {
        guard e.total > 0 else { return }
        let start = o.bytes.count
        o.append(ConversationLabel.evictions, lang, maxFlows, e.tcp, e.udp, e.dns)
        if let width { o.wrapLines(from: start, width: width) }
    }

    public static func renderTotals(_ t: FlowTotals, lang: NotesLanguage, width: Int? = nil, to o: inout OutputBuffer) {
        let start = o.bytes.count
        defer { if let width { o.wrapLines(from: start, width: width) } }
        o.append(
            ConversationLabel.totals, lang, t.tcpConversations, t.handshakes, t.finTeardowns, t.rstEndings,
            t.synUnanswered, t.refused, t.retransmissions, t.handshakeRetransmissions, t.udpFlows, t.dnsQueries,
            t.dnsAnswered, t.dnsNXDomain, t.dnsUnanswered)
    }

    // MARK: cells

    static func endpointWidth(_ endpoints: some Sequence<FlowEndpoint>) -> Int {
        var w = 21
        var scratch: [UInt8] = []
        for e in endpoints where e.address.isIPv6 {
            scratch.removeAll(keepingCapacity: true)
            e.appendText(to: &scratch)
            w = max(w, scratch.count)
        }
        return w
    }

    static func appendEndpoint(_ e: FlowEndpoint, width: Int, to o: inout OutputBuffer) {
        let before = o.bytes.count
        e.appendText(to: &o.bytes)
        o.pad(from: o.bytes.count - before, to: width)
    }

    /// Seconds with six decimals, left-aligned in `width` columns.
    static func appendSeconds(_ ns: Int64, width: Int, to o: inout OutputBuffer) {
        let before = o.bytes.count
        o.appendDecimal(ns, scale: 1_000_000_000, digits: 6)
        o.pad(from: o.bytes.count - before, to: width)
    }
}

/// What a TCP row and a UDP row both have, for the columns their tables share.
protocol FlowRowColumns {
    var stream: Int32 { get }
    var client: FlowEndpoint { get }
    var server: FlowEndpoint { get }
    var packetsToServer: UInt32 { get }
    var packetsToClient: UInt32 { get }
    var bytesToServer: UInt64 { get }
    var bytesToClient: UInt64 { get }
    var startNs: Int64 { get }
    var durationNs: Int64 { get }
}

extension ConversationTable.TCPRow: FlowRowColumns {}
extension ConversationTable.UDPRow: FlowRowColumns {}
