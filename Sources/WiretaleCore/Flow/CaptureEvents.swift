/// Connection events for a live capture: the moments `wiretale capture` announces on their own line
/// as they happen ("#3 handshake complete, rtt 0.041 ms", "#3 closed by client, four segments,
/// client in TIME-WAIT"), derived from what the tracker said about a packet (`PacketNote`) and the
/// connection's report so far. No TCP state is kept or inferred here: a state change is read from
/// the note's transitions (the tracker's `setState` hook), a deviation from the note's step.
public struct ConnectionEvent: Sendable {
    public enum Kind: UInt8, Sendable {
        /// Both sides reached ESTABLISHED (the notes' section 1: the third handshake segment, or the
        /// last segment of a simultaneous open).
        case handshakeComplete
        /// Both FINs acknowledged (the notes' section 2): every side CLOSED or in TIME-WAIT.
        case closed
        /// A RST ended an open connection: no teardown, no TIME-WAIT.
        case reset
        /// A RST answered the SYN: nothing listens on that port.
        case refused

        /// The JSON `event` value.
        public var code: StaticString {
            switch self {
            case .handshakeComplete: "handshake"
            case .closed: "closed"
            case .reset: "reset"
            case .refused: "refused"
            }
        }
    }

    public internal(set) var kind: Kind
    /// `tcp.stream`, as on the packet lines.
    public internal(set) var stream: Int
    /// The frame that caused the event, and when it was seen.
    public internal(set) var frame: Int
    public internal(set) var time: Timestamp
    /// The connection as the tracker sees it after this frame.
    public internal(set) var conversation: TCPConversation

    /// Says whether the packet the tracker just noted is one of the moments a live capture
    /// announces, and if so which; nil for every other packet (cheap: only the note is read then).
    ///
    /// - Parameters:
    ///   - note: what `ConnectionTracker.track` returned for `packet`.
    ///   - tracker: the tracker that returned it, to read the connection's report so far.
    public static func detect(
        _ note: PacketNote, packet: DecodedPacket, frame: Int, time: Timestamp, tracker: ConnectionTracker
    ) -> ConnectionEvent? {
        guard note.kind == .tcp else { return nil }
        let kind: Kind
        switch note.step {
        case .refused:
            kind = .refused
        case .reset:
            // A RST after a finished close only confirms it; the close was announced already.
            guard !note.transitions.isEmpty && !note.bothFinishedBefore else { return nil }
            kind = .reset
        default:
            guard !note.transitions.isEmpty else { return nil }
            if note.bothEstablishedAfter && !note.bothEstablishedBefore && !note.joinedMidStream {
                kind = .handshakeComplete
            } else if note.bothFinishedAfter && !note.bothFinishedBefore {
                kind = .closed
            } else {
                return nil
            }
        }
        guard let conversation = tracker.currentConversation(of: packet) else { return nil }
        return ConnectionEvent(
            kind: kind, stream: Int(note.stream), frame: frame, time: time, conversation: conversation)
    }

    /// One line, without the newline: `#3 handshake complete, rtt 0.041 ms (127.0.0.1:40000 →
    /// 127.0.0.1:8080, both ESTABLISHED)`.
    public func appendText(to o: inout OutputBuffer, lang: NotesLanguage) {
        typealias L = ConnectionEventLabel
        let c = conversation
        o.append(byte: UInt8(ascii: "#"))
        o.append(stream)
        o.append(byte: UInt8(ascii: " "))
        switch kind {
        case .handshakeComplete:
            o.append(L.handshakeComplete, lang)
            if c.handshake.kind == .simultaneousOpen {
                o.append(" (")
                o.append(HandshakeKind.simultaneousOpen.label(lang))
                o.append(byte: UInt8(ascii: ")"))
            }
            if let rtt = c.handshake.rtt {
                o.append(", rtt ")
                o.appendDecimal(rtt, scale: 1_000_000, digits: 3)
                o.append(" ms")
            }
            o.append(" (")
            appendEndpoints(to: &o)
            o.append(L.both, lang)
            o.append(TCPState.established.label(lang))
            o.append(byte: UInt8(ascii: ")"))
        case .closed:
            if c.teardown.kind == .simultaneous {
                o.append(L.closedSimultaneous, lang)
                o.append(TeardownKind.simultaneous.label(lang))
            } else {
                if let closer = c.teardown.firstCloserIsClient {
                    o.append(L.closedBy, lang) { o, _ in o.append(side(closer, lang)) }
                } else {
                    o.append(L.closedByUnknown, lang)
                }
                switch c.teardown.kind {
                case .fourWay: o.append(L.fourSegments, lang)
                case .threeWay: o.append(L.threeSegments, lang)
                case .none, .incomplete, .reset, .neverOpened, .simultaneous: o.append(c.teardown.kind.label(lang))
                }
            }
            let waiting = [(true, c.clientState), (false, c.serverState)].filter { $0.1 == .timeWait }
            if !waiting.isEmpty {
                o.append(", ")
                for (i, w) in waiting.enumerated() {
                    if i > 0 { o.append(L.and, lang) }
                    o.append(side(w.0, lang))
                }
                o.append(L.inState, lang)
                o.append(TCPState.timeWait.label(lang))
                o.append(" (")
                o.append(NotesPhrase.timeWait2MSL.label(lang))
                o.append(byte: UInt8(ascii: ")"))
            }
        case .reset:
            o.append(L.reset, lang)
            if let fromClient = c.teardown.rstFromClient {
                o.append(L.resetFrom, lang)
                o.append(side(fromClient, lang))
            }
            o.append(" (")
            o.append(NotesPhrase.resetAbort.label(lang))
            o.append(byte: UInt8(ascii: ")"))
        case .refused:
            // "refused: nothing listens on 127.0.0.1:9, the SYN was answered by RST"
            o.append(L.refused, lang) { o, _ in o.append(conversation.server.description) }
        }
    }

    /// One JSON object, without the newline; `"event"` comes first so a reader can tell events
    /// from packet objects (which start with `"frame"`).
    public func appendJSON(to o: inout OutputBuffer) {
        let c = conversation
        o.beginObject()
        o.field("event", kind.code)
        o.field("stream", stream)
        o.field("frame", frame)
        o.field("time", time)
        o.field("client", c.client)
        o.field("server", c.server)
        o.field("client_state", c.clientState.name)
        o.field("server_state", c.serverState.name)
        switch kind {
        case .handshakeComplete:
            o.field("handshake_kind", c.handshake.kind.code)
            o.field("rtt_ms", milliseconds: c.handshake.rtt)
        case .closed:
            o.field("teardown", c.teardown.kind.code)
            o.field("first_closer", side: c.teardown.firstCloserIsClient)
        case .reset:
            o.field("by", side: c.teardown.rstFromClient)
        case .refused:
            break
        }
        o.endObject()
    }

    private func appendEndpoints(to o: inout OutputBuffer) {
        o.append(conversation.client.description)
        o.append(" → ")
        o.append(conversation.server.description)
    }

    private func side(_ isClient: Bool, _ lang: NotesLanguage) -> StaticString {
        (isClient ? NotesPhrase.client : NotesPhrase.server).label(lang)
    }
}

/// Running totals of a live capture's connections, for its closing summary.
public struct ConnectionEventCounts: Sendable, Equatable {
    public internal(set) var handshakes = 0
    /// Closed by a FIN exchange (four segments, three, or simultaneous).
    public internal(set) var teardowns = 0
    public internal(set) var resets = 0
    public internal(set) var refused = 0

    public init() {}

    public mutating func add(_ e: ConnectionEvent) {
        switch e.kind {
        case .handshakeComplete: handshakes += 1
        case .closed: teardowns += 1
        case .reset: resets += 1
        case .refused: refused += 1
        }
    }
}

extension PacketNote {
    /// Each side's state before this packet: the first transition's `from`, else the state after.
    fileprivate var statesBefore: (client: TCPState, server: TCPState) {
        var client: TCPState? = nil
        var server: TCPState? = nil
        for i in 0..<transitions.count {
            let t = transitions[i]
            if t.client {
                if client == nil { client = t.from }
            } else if server == nil {
                server = t.from
            }
        }
        return (client ?? clientState, server ?? serverState)
    }

    fileprivate static func finished(_ s: TCPState) -> Bool { s == .closed || s == .timeWait }

    fileprivate var bothEstablishedAfter: Bool { clientState == .established && serverState == .established }
    fileprivate var bothEstablishedBefore: Bool {
        let b = statesBefore
        return b.client == .established && b.server == .established
    }
    /// Both sides CLOSED or in TIME-WAIT after a FIN exchange (never true at the start: a new
    /// connection leaves CLOSED on its first segment).
    fileprivate var bothFinishedAfter: Bool { Self.finished(clientState) && Self.finished(serverState) }
    fileprivate var bothFinishedBefore: Bool {
        let b = statesBefore
        return Self.finished(b.client) && Self.finished(b.server) && (b.client == .timeWait || b.server == .timeWait)
    }
}

extension ConnectionTracker {
    /// The TCP connection `packet` belongs to, reported as it stands now (`endReason` is
    /// `.captureEnded`: it is still held), or nil when the packet is not TCP or not tracked.
    /// Builds a report: meant for the rare packets that cause a `ConnectionEvent`, not for every packet.
    public func currentConversation(of packet: DecodedPacket) -> TCPConversation? {
        guard packet.hasIP && packet.hasTCP else { return nil }
        let (key, _) = FlowKey.make(
            src: packet.ip.src, srcPort: packet.tcp.srcPort, dst: packet.ip.dst, dstPort: packet.tcp.dstPort)
        guard let slot = tcpIndex.find(key) else { return nil }
        return tcp[Int(slot)].report(end: .captureEnded)
    }

    /// UDP flows started so far (the next `udp.stream` number).
    public var udpStreamCount: Int { Int(nextUDPStream) }
}
