/// Follows every TCP connection, UDP flow and DNS transaction in a capture, one packet at a time.
///
/// Streaming: a connection that has closed (both FINs acknowledged, or a RST) stays for a closing
/// grace period, so that retransmitted FINs and late ACKs still land in it (as tshark, which never
/// forgets, would count them); then it is reported (`nextReport()`) and forgotten. Idle connections
/// expire too. Memory therefore follows the connections open at once, not the file's size.
///
/// Streams are numbered as tshark numbers `tcp.stream`: 0-based in first-seen order, and a SYN
/// whose sequence number differs from the one its sender used before on the same 4-tuple starts a
/// new stream (a SYN repeating the ISN is a retransmission and stays in the stream).
///
/// Bounded: at most `maxFlows` TCP connections, `maxFlows` UDP flows and `maxFlows` DNS queries
/// waiting for an answer are held at once (default 50,000 each, `--max-flows` raises it). A new
/// one past the cap first evicts a batch (a sixteenth of the cap): TCP connections already closed
/// and waiting out their grace first, then the oldest half-open ones (only SYNs seen, as a
/// SYN-flood-aware tracker would), then the longest idle; UDP flows longest idle first; DNS
/// queries oldest first. An evicted flow is reported at once (`ConversationEnd.evicted`; an
/// evicted query as unanswered) and counted in `evictions`, so a hostile capture runs in bounded
/// memory and the report says what it could not follow. A later packet of an evicted connection
/// starts a new stream.
///
/// `track` does no heap allocation for a TCP packet of a known connection: a `FlowTable` maps the
/// compact 4-tuple key to a slot in one contiguous array of connections, reused as they end.
public struct ConnectionTracker {
    public struct Configuration: Sendable {
        /// How long a closed connection stays to collect late packets (2MSL on Linux: 60 s).
        public var closedGrace: Int64 = 60_000_000_000
        /// How long an open connection may stay silent before it is reported as idle.
        public var idleTimeout: Int64 = 900_000_000_000
        /// The same once a FIN was seen but the close did not finish (the rest was not captured).
        public var closingTimeout: Int64 = 120_000_000_000
        /// The same for a connection that never got past its SYN (Linux gives up after about 127 s).
        public var handshakeTimeout: Int64 = 180_000_000_000
        /// How long a UDP flow may stay silent.
        public var udpIdleTimeout: Int64 = 60_000_000_000
        /// How long a DNS query waits for its response before it is reported unanswered.
        public var dnsTimeout: Int64 = 30_000_000_000
        /// At most this many closed connections wait out their grace period; more are reported at once.
        public var maxClosedWaiting = 200_000
        /// Build reports (false for `read`, which needs only the per-packet notes).
        public var reports = true
        /// The cap on TCP connections, on UDP flows and on unanswered DNS queries held at once (each).
        public var maxFlows = Self.defaultMaxFlows
        public static let defaultMaxFlows = 50_000
        /// Reassemble TCP streams, find their service by content and decode those with a stream
        /// decoder (HTTP): `conversations`' `service` and HTTP transactions, `read`'s messages.
        public var streams = true
        /// The most bytes one direction of a connection holds out of order (1 MiB).
        public var maxStreamHeldBytes = 1 << 20
        /// The most bytes all connections together hold out of order (64 MiB).
        public var maxReassemblyBytes = 64 << 20
        /// Keep each frame's completed messages for the renderers (`frameMessages`), as `read` does.
        public var streamMessages = false

        public init() {}
    }

    public var configuration: Configuration
    var tcpIndex = FlowTable(capacity: 4096)
    var tcp: ContiguousArray<TCPConnection> = []
    /// Per slot, what the sweep needs, kept apart from the large connection records so a sweep
    /// reads 16 bytes a slot: when it was last seen and how long it may stay silent.
    var tcpMeta: ContiguousArray<SlotMeta> = []
    var tcpFree: [Int32] = []
    var closedWaiting = 0
    var nextTCPStream: Int32 = 0
    var udpIndex = FlowTable(capacity: 1024)
    var udp: ContiguousArray<UDPFlowState> = []
    var udpLive: ContiguousArray<Bool> = []
    var udpFree: [Int32] = []
    var nextUDPStream: Int32 = 0
    var dnsPending: [DNSKey: DNSPending] = [:]
    var pending: [FlowReport] = []
    var pendingHead = 0
    var finishing = false
    var finishCursor = 0
    var finishDNS: [DNSPending]? = nil
    var lastSweep: Int64 = .min
    var nextSweep: Int64 = .min
    /// Flows evicted at the `maxFlows` cap so far.
    public internal(set) var evictions = FlowEvictions()
    /// Reused by cap evictions: (priority, last seen, slot).
    var evictionScratch: [(UInt8, Int64, Int32)] = []
    /// Per TCP slot, its payload's streams (`ConnectionStreams`) and what they found.
    var streamSlots: ContiguousArray<StreamSlot> = []
    /// The slot and direction of the last TCP packet tracked.
    var lastTCPSlot: Int32 = -1
    /// Held out-of-order bytes, all connections together (`maxReassemblyBytes`).
    public internal(set) var reassemblyBudget = ReassemblyBudget()
    /// Inflaters and unfinished HTTP heads, all connections together.
    public internal(set) var httpBudget = HTTPBudget()
    var streamSink = StreamSink()

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        tcp.reserveCapacity(4096)
        tcpMeta.reserveCapacity(4096)
        reassemblyBudget = ReassemblyBudget(maxTotalBytes: configuration.maxReassemblyBytes)
        streamSink.collectMessages = configuration.streamMessages
        streamSink.collectTransactions = configuration.reports
    }

    /// The messages the last frame completed in its connection's streams (when
    /// `Configuration.streamMessages`): an HTTP request or response whose last byte it carried.
    public var frameMessages: [StreamMessage] { streamSink.messages }

    /// TCP streams started so far (the next stream number).
    public var tcpStreamCount: Int { Int(nextTCPStream) }
    /// Connections held now (open, or closed and waiting out the grace period).
    public var openConnections: Int { tcpIndex.count }

    /// Tracks one packet and says what it is in the notes' terms. `frame` is the 1-based frame
    /// number, `wireLength` the frame's length on the wire; `bytes` are the bytes the packet's
    /// application offsets point into (the frame, or a reassembled datagram: see
    /// `PacketDecoder.withPayloadBytes`), read only for the application message. The message is
    /// parsed once, after the transport is tracked; `PacketFollower` keeps it for the renderers.
    public mutating func track(
        _ p: borrowing DecodedPacket, frame: Int, time: Timestamp, wireLength: Int,
        bytes: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0)
    ) -> PacketNote {
        var note = trackTransport(p, frame: frame, time: time, wireLength: wireLength)
        trackStream(p, bytes: bytes, frame: frame, time: time, note: note)
        if p.application != .none, let application = ApplicationRegistry.parse(p, bytes: bytes) {
            trackApplication(application, of: p, frame: frame, time: time, note: &note)
        }
        return note
    }

    /// Tracks one packet's TCP segment or UDP datagram (not its application message: see
    /// `trackApplication`).
    public mutating func trackTransport(
        _ p: borrowing DecodedPacket, frame: Int, time: Timestamp, wireLength: Int
    ) -> PacketNote {
        var note = PacketNote()
        let ns = time.totalNanoseconds
        if ns >= nextSweep {
            sweep(now: ns)
        } else if ns < lastSweep {
            // The clock stepped back (merged captures): restart the sweep schedule from here.
            lastSweep = ns
            nextSweep = ns &+ 5_000_000_000
        }
        // Fragments carry no transport header of their own; the frame that completes a datagram
        // carries the reassembled one (`reassembledFirstFrame`), as in tshark.
        guard p.hasIP else { return note }
        if p.hasTCP {
            trackTCP(
                p.tcp, src: p.ip.src, dst: p.ip.dst, frame: frame, time: time, ns: ns, wireLength: wireLength,
                note: &note)
        } else if p.hasUDP {
            trackUDP(p, frame: frame, time: time, ns: ns, wireLength: wireLength, note: &note)
        }
        return note
    }

    /// What the flow tables keep of a packet's application message, parsed once after
    /// `trackTransport` said which flow it is in (`note`): the DNS transactions of UDP flows.
    /// Whether the flow tables keep something of a message of this kind, seen on this packet (then
    /// `PacketFollower` parses it even when nothing prints it). A new protocol's case goes here too.
    @inline(__always) public func keeps(_ kind: ApplicationKind, note: PacketNote) -> Bool {
        switch kind {
        case .none: false
        case .dns: note.kind == .udp
        case .http: false
        }
    }

    public mutating func trackApplication(
        _ application: ApplicationLayer, of p: borrowing DecodedPacket, frame: Int, time: Timestamp,
        note: inout PacketNote
    ) {
        switch application.message {
        case .dns(let m):
            // DNS over UDP (`p` is borrowed: no `&&`, whose right side is a closure).
            guard note.kind == .udp else { return }
            if p.hasUDP { trackDNS(m, of: p, frame: frame, time: time, note: &note) }
        case .http: break
        }
    }

    /// Whether `nextReport` has something: a cheap test for the per-packet loop (a report is a
    /// few hundred bytes, and `while let r = nextReport()` would copy one out on every packet).
    public private(set) var hasReports = false

    mutating func queue(_ r: FlowReport) {
        pending.append(r)
        hasReports = true
    }

    /// The next finished flow, oldest first, or nil. Call after `track` (or `finish`) and print it.
    public mutating func nextReport() -> FlowReport? {
        while true {
            if pendingHead < pending.count {
                let r = pending[pendingHead]
                pendingHead += 1
                return r
            }
            if pendingHead > 0 {
                pending.removeAll(keepingCapacity: true)
                pendingHead = 0
            }
            guard finishing, reportOneHeld() else {
                hasReports = false
                return nil
            }
        }
    }

    /// The capture ended: every connection, flow and query still held is reported, as it was left,
    /// one at a time as `nextReport` asks (so the end of a large capture needs no extra memory).
    public mutating func finish() {
        finishing = true
        hasReports = true
        if !configuration.reports {
            while reportOneHeld() {}
        }
    }

    /// Reports the next connection, flow or query still held; false when none is left.
    private mutating func reportOneHeld() -> Bool {
        while finishCursor < tcp.count {
            let i = finishCursor
            finishCursor += 1
            if tcpMeta[i].live {
                evictTCP(Int32(i), reason: .captureEnded)
                return true
            }
        }
        while finishCursor - tcp.count < udp.count {
            let i = finishCursor - tcp.count
            finishCursor += 1
            if udpLive[i] {
                evictUDP(Int32(i), reason: .captureEnded)
                return true
            }
        }
        if finishDNS == nil {
            finishDNS = dnsPending.values.sorted { $0.queryFrame > $1.queryFrame }
            dnsPending.removeAll()
        }
        guard let q = finishDNS?.popLast() else { return false }
        if configuration.reports { queue(.dns(q.unanswered)) }
        return true
    }

    // MARK: TCP

    @inline(__always)
    private mutating func trackTCP(
        _ t: TCPInfo, src: IPAddress, dst: IPAddress, frame: Int, time: Timestamp, ns: Int64, wireLength: Int,
        note: inout PacketNote
    ) {
        let (key, fromLow) = FlowKey.make(src: src, srcPort: t.srcPort, dst: dst, dstPort: t.dstPort)
        let keySide = fromLow ? 0 : 1
        let pureSyn = t.flags.isPureSYN
        var slot = tcpIndex.find(key)
        var reused = false
        if let s = slot {
            // tshark's rules for a SYN on a known 4-tuple (dissect_tcp, "port numbers reused").
            let i = Int(s)
            if t.flags.contains(.syn) {
                let fwd = keySide == 0 ? tcp[i].analysis.flow0 : tcp[i].analysis.flow1
                if fwd.baseSet && t.seq != fwd.baseSeq {
                    if pureSyn {
                        evictTCP(s, reason: .reused)
                        slot = nil
                        reused = true
                    } else if keySide == 0 {
                        tcp[i].analysis.flow0.baseSeq = t.seq
                        note.anomalies.insert(.portsReused)
                    } else {
                        tcp[i].analysis.flow1.baseSeq = t.seq
                        note.anomalies.insert(.portsReused)
                    }
                } else if fwd.baseSet && pureSyn {
                    // The same SYN again: a retransmission; Wireshark rewinds nextseq so it is seen as one.
                    if keySide == 0 {
                        tcp[i].analysis.flow0.nextSeq = tcp[i].analysis.flow0.maxSeqToBeAcked
                    } else {
                        tcp[i].analysis.flow1.nextSeq = tcp[i].analysis.flow1.maxSeqToBeAcked
                    }
                }
            }
        }
        let isFirst = slot == nil
        let s: Int32
        if let existing = slot {
            s = existing
        } else {
            s = newTCP(
                key: key, keySide: keySide, flags: t.flags, srcPort: t.srcPort, dstPort: t.dstPort, frame: frame,
                time: time, ns: ns)
            note.newStream = true
            if reused {
                tcp[Int(s)].completeness = 1
                note.anomalies.insert(.portsReused)
            } else if pureSyn {
                tcp[Int(s)].completeness = t.payloadLength > 0 ? 1 | 8 : 1
            }
        }
        let i = Int(s)
        lastTCPSlot = s
        note.kind = .tcp
        note.stream = tcp[i].stream
        let wasFinished = tcp[i].facts.finished
        tcp[i].update(
            t, keySide: keySide, isFirst: isFirst, countCompleteness: !isFirst || reused,
            wireLength: wireLength, frame: frame, time: time, ns: ns, note: &note)
        tcpMeta[i].lastNs = ns
        if isFirst || !note.transitions.isEmpty || wasFinished != tcp[i].facts.finished {
            tcpMeta[i].phase = tcp[i].phase
        }
        if !wasFinished && tcp[i].facts.finished {
            closedWaiting += 1
            if closedWaiting > configuration.maxClosedWaiting {
                sweep(now: ns, closedGrace: 0)
            }
        }
    }

    private mutating func newTCP(
        key: FlowKey, keySide: Int, flags: TCPFlags, srcPort: UInt16, dstPort: UInt16, frame: Int, time: Timestamp,
        ns: Int64
    ) -> Int32 {
        // The client: the SYN's sender, the SYN-ACK's receiver, else Zeek's guess from the ports.
        let senderIsClient: Bool
        if flags.contains(.syn) {
            senderIsClient = !flags.contains(.ack)
        } else {
            senderIsClient = !Self.zeekFlips(srcPort: srcPort, dstPort: dstPort)
        }
        let clientSide = senderIsClient ? keySide : 1 - keySide
        if tcpIndex.count >= max(configuration.maxFlows, 1) { evictTCPAtCap() }
        let stream = nextTCPStream
        nextTCPStream += 1
        let slot: Int32
        if let f = tcpFree.popLast() {
            slot = f
            let generation = tcp[Int(f)].generation &+ 1
            tcp[Int(f)] = TCPConnection(
                key: key, stream: stream, generation: generation, clientKeySide: clientSide, frame: frame, time: time,
                ns: ns)
        } else {
            slot = Int32(tcp.count)
            tcp.append(
                TCPConnection(
                    key: key, stream: stream, generation: 0, clientKeySide: clientSide, frame: frame, time: time,
                    ns: ns))
            tcpMeta.append(SlotMeta())
        }
        tcpMeta[Int(slot)] = SlotMeta(live: true, phase: .open, lastNs: ns)
        if Int(slot) < streamSlots.count {
            streamSlots[Int(slot)] = StreamSlot()
        } else {
            streamSlots.append(StreamSlot())
        }
        if !senderIsClient { tcp[Int(slot)].zeek.flipped() }
        tcpIndex.set(key, slot)
        return slot
    }

    /// Zeek's `WantConnection` role guess for a connection that does not start with a SYN: the
    /// packet came from the server if its source port is a likely server port and the destination
    /// port is not (or both are, and the source port is the lower).
    static func zeekFlips(srcPort: UInt16, dstPort: UInt16) -> Bool {
        guard isLikelyServerPort(srcPort) else { return false }
        return isLikelyServerPort(dstPort) ? srcPort < dstPort : true
    }

    /// Ports Zeek's analyzers register (its `likely_server_ports`), approximated: the well-known
    /// range plus common services above it.
    static func isLikelyServerPort(_ port: UInt16) -> Bool {
        if port < 1024 { return true }
        switch port {
        case 1080, 1194, 1433, 1521, 1723, 1812, 1883, 2049, 2181, 3128, 3306, 3389, 3478, 4369, 5060, 5061, 5222,
            5353, 5355, 5432, 5672, 5900, 6379, 6443, 6667, 8000, 8008, 8080, 8081, 8443, 8888, 9000, 9092, 9200,
            11211, 27017:
            return true
        default:
            return false
        }
    }

    /// The cap is reached: evicts a batch, closed connections first, then the oldest half-open,
    /// then the longest idle.
    private mutating func evictTCPAtCap() {
        let batch = Self.evictionBatch(configuration.maxFlows)
        evictionScratch.removeAll(keepingCapacity: true)
        for i in tcpMeta.indices where tcpMeta[i].live {
            let m = tcpMeta[i]
            let priority: UInt8
            switch m.phase {
            case .closed: priority = 0
            case .opening: priority = 1
            case .open, .closing: priority = 2
            }
            evictionScratch.append((priority, m.lastNs, Int32(i)))
        }
        evictionScratch.sort { ($0.0, $0.1, $0.2) < ($1.0, $1.1, $1.2) }
        for (_, _, s) in evictionScratch.prefix(batch) {
            if !tcp[Int(s)].facts.finished { evictions.tcp += 1 }
            evictTCP(s, reason: .evicted)
        }
    }

    /// How many flows one eviction at the cap frees: a sixteenth of it, so the scan is rare.
    static func evictionBatch(_ cap: Int) -> Int { max(1, cap / 16) }

    private mutating func evictTCP(_ s: Int32, reason: ConversationEnd) {
        let i = Int(s)
        guard tcpMeta[i].live else { return }
        if tcp[i].facts.finished { closedWaiting -= 1 }
        let service = endStreams(s)
        if configuration.reports {
            let finishedEnd = tcp[i].facts.finished && (reason == .idle || reason == .evicted)
            var r = tcp[i].report(end: finishedEnd ? .closed : reason)
            r.streams = service
            queue(.tcp(r))
        }
        tcpIndex.remove(tcp[i].key)
        tcpMeta[i].live = false
        tcpFree.append(s)
    }

    /// Reports and forgets what has waited long enough: closed connections after their grace,
    /// silent ones after their timeout, UDP flows, unanswered DNS queries.
    mutating func sweep(now: Int64, closedGrace: Int64? = nil) {
        lastSweep = now
        nextSweep = now &+ 5_000_000_000
        let grace = closedGrace ?? configuration.closedGrace
        for i in tcpMeta.indices where tcpMeta[i].live {
            let m = tcpMeta[i]
            let limit: Int64
            switch m.phase {
            case .closed: limit = grace
            case .opening: limit = configuration.handshakeTimeout
            case .closing: limit = configuration.closingTimeout
            case .open: limit = configuration.idleTimeout
            }
            if now &- m.lastNs >= limit { evictTCP(Int32(i), reason: .idle) }
        }
        if closedGrace == nil {
            for i in udp.indices where udpLive[i] && now &- udp[i].lastNs >= configuration.udpIdleTimeout {
                evictUDP(Int32(i), reason: .idle)
            }
            if !dnsPending.isEmpty {
                let expired = dnsPending.filter { now &- $0.value.queryNs >= configuration.dnsTimeout }
                for (k, q) in expired.sorted(by: { $0.value.queryFrame < $1.value.queryFrame }) {
                    dnsPending[k] = nil
                    if configuration.reports { queue(.dns(q.unanswered)) }
                }
            }
        }
    }
}

/// What the tracker evicted at its `maxFlows` cap: TCP connections not yet closed, UDP flows,
/// DNS queries still waiting for an answer.
public struct FlowEvictions: Sendable, Equatable {
    public var tcp = 0
    public var udp = 0
    public var dns = 0
    public init() {}
    public var total: Int { tcp + udp + dns }
}

/// What the sweep reads about a slot.
struct SlotMeta {
    enum Phase: UInt8 {
        /// Only SYNs so far: expires after the handshake timeout.
        case opening
        case open
        /// A FIN seen, the close not finished: expires after the closing timeout.
        case closing
        /// Closed by FINs or a RST: expires after the closing grace.
        case closed
    }
    var live = false
    var phase = Phase.open
    var lastNs: Int64 = 0
}
