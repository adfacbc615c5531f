/// One side of a TCP connection as the notes see it: its state and what it has sent.
struct TCPSide {
    let isClient: Bool
    var state = TCPState.closed
    /// Initial sequence number (x for the client, y for the server), once a SYN was seen (or inferred).
    var isn: UInt32 = 0
    var sentSyn = false
    /// The SYN was on the wire in the capture (not only inferred from an acknowledgment).
    var synObserved = false
    var sentSynAck = false
    /// This side has received an acceptable SYN-ACK (for the refused check).
    var gotSynAck = false
    var finSent = false
    /// The sequence number the FIN occupies, and whether the other side acknowledged it.
    var finSeq: UInt32 = 0
    var finAcked = false
    /// This side sent a pure ACK of the other side's FIN before sending its own FIN (teardown step 2).
    var ackedPeerFinAlone = false
    var packets: UInt64 = 0
    var bytes: UInt64 = 0
    var payloadBytes: UInt64 = 0
    var synCount: UInt32 = 0
    var synAckCount: UInt32 = 0
    var rstCount: UInt32 = 0
    var finCount: UInt32 = 0
    var halfCloseBytes: UInt64 = 0
    /// The states this side passed through, after corrections (`conversations`' `client_states`).
    var path = StatePath(.closed)

    init(isClient: Bool) { self.isClient = isClient }
}

/// What the notes' view learned about a connection as a whole (handshake and teardown shape).
struct ConnectionFacts {
    var joinedMidStream = false
    var firstCloserIsClient: Bool? = nil
    var threeSegmentClose = false
    var simultaneousClose = false
    var simultaneousOpen = false
    var refused = false
    var dataOnSyn = false
    /// The SYN was captured after the SYN-ACK answering it (Wireshark then gives no initial RTT).
    var synOutOfOrder = false
    var anyFin = false
    var anyRst = false
    var rstFromClient: Bool? = nil
    /// Both FINs had been acknowledged when the first RST came (a RST after a finished close).
    var rstAfterClose = false
    /// The SYN-ACK's acknowledgment number (checked against x+1) and the third segment's (against y+1).
    var synAckAckField: UInt32 = 0
    var thirdSeen = false
    var thirdAckField: UInt32 = 0
    /// Closed by both FINs acknowledged, or by a RST; when.
    var finished = false
    var finishedNs: Int64 = 0
}

/// A tracked TCP connection: the notes' view (both sides' states, handshake and teardown), tshark's
/// (stream number, completeness, sequence analysis) and Zeek's (conn_state, history), all updated
/// by one call per segment. Lives in the tracker's table while it is open, then becomes a
/// `TCPConversation` report.
struct TCPConnection {
    var key: FlowKey
    var stream: Int32
    var generation: UInt32
    /// The key side (0 = low, 1 = high end of `key`) of the client.
    var clientKeySide: Int
    var client = TCPSide(isClient: true)
    var server = TCPSide(isClient: false)
    var firstFrame: Int
    var lastFrame: Int
    var start: Timestamp
    var last: Timestamp
    var startNs: Int64
    var lastNs: Int64
    var analysis = SequenceAnalysis()
    /// tshark's `tcp.completeness` bits: 1 SYN, 2 SYN-ACK, 4 ACK, 8 data, 16 FIN, 32 RST.
    var completeness: UInt8 = 0
    var anomalies = AnomalyCounts()
    var zeek = ZeekConnection()
    var facts = ConnectionFacts()
    var inFinishedQueue = false

    init(key: FlowKey, stream: Int32, generation: UInt32, clientKeySide: Int, frame: Int, time: Timestamp, ns: Int64) {
        self.key = key
        self.stream = stream
        self.generation = generation
        self.clientKeySide = clientKeySide
        firstFrame = frame
        lastFrame = frame
        start = time
        last = time
        startNs = ns
        lastNs = ns
    }

    /// How long the tracker keeps the connection once it falls silent depends on this.
    var phase: SlotMeta.Phase {
        if facts.finished { return .closed }
        if facts.anyFin { return .closing }
        // Only SYNs so far (the server, taken to have received one, has not answered).
        return client.state == .synSent && !server.sentSynAck ? .opening : .open
    }

    /// The one place a side's state changes: every transition is recorded in the packet's note,
    /// which is how `read`, `explain` and the tests see it, and on the side's path.
    @inline(__always)
    static func setState(_ side: inout TCPSide, _ to: TCPState, _ note: inout PacketNote) {
        guard side.state != to else { return }
        // Every rule below moves along an arc of RFC 9293's diagram; should a sequence no rule
        // foresaw ask for another move, the side walks the diagram's shortest way there instead.
        if !side.state.allows(to) {
            for middle in side.state.route(to: to) { step(&side, middle, &note) }
        }
        step(&side, to, &note)
    }

    @inline(__always)
    private static func step(_ side: inout TCPSide, _ to: TCPState, _ note: inout PacketNote) {
        note.transitions.append(StateTransition(client: side.isClient, from: side.state, to: to))
        side.state = to
        side.path.append(to)
    }

    /// A segment proved that what the notes inferred about its sender (from an earlier segment
    /// taken to arrive when captured) did not happen: the side goes back to `to`, the last state on
    /// its path it was in fact in, and the note says why (`why`, shown where the proof appears).
    static func correct(_ side: inout TCPSide, to: TCPState, _ why: StateCorrections, _ note: inout PacketNote) {
        guard side.state != to, side.path.retract(to: to) else { return }
        note.transitions.append(StateTransition(client: side.isClient, from: side.state, to: to, correction: true))
        note.corrections.insert(why)
        side.state = to
    }

    /// Updates every view of the connection with one segment from `keySide`.
    @inline(__always)
    mutating func update(
        _ t: TCPInfo, keySide: Int, isFirst: Bool, countCompleteness: Bool, wireLength: Int, frame: Int,
        time: Timestamp, ns: Int64,
        note: inout PacketNote
    ) {
        let fromClient = keySide == clientKeySide
        note.fromClient = fromClient
        lastFrame = frame
        last = time
        lastNs = ns
        let flags = t.flags
        let length = t.payloadLength
        let seglen = UInt32(truncatingIfNeeded: max(length, 0))

        // tshark: completeness moves forward on every packet but a new conversation's first.
        if countCompleteness && t.headerLength >= 20 {
            completeness |= Self.completenessBits(flags, length)
        }

        // Wireshark's sequence analysis (relative numbers come from its base sequence numbers).
        let a = analysis.analyze(
            side: keySide, seq: t.seq, ack: t.ack, length: seglen, flags: flags, window: UInt32(t.window),
            windowScale: flags.contains(.syn) ? t.windowScale : -1, now: ns)
        note.anomalies.formUnion(a)
        anomalies.add(note.anomalies)
        // The three fields read, not both directions' records copied out.
        let fwdBase = keySide == 0 ? analysis.flow0.baseSeq : analysis.flow1.baseSeq
        let revBase = keySide == 0 ? analysis.flow1.baseSeq : analysis.flow0.baseSeq
        if a.contains(.duplicateAck) {
            note.duplicateAckNumber = keySide == 0 ? analysis.flow0.dupAckCount : analysis.flow1.dupAckCount
        }
        note.relativeSeq = t.seq &- fwdBase
        note.relativeAck = flags.contains(.ack) ? t.ack &- revBase : 0

        zeek.process(orig: fromClient, flags: flags, seq: t.seq, ack: t.ack, length: length, window: t.window)

        if fromClient {
            Self.observe(
                sender: &client, receiver: &server, facts: &facts, flags: flags, seq: t.seq, ack: t.ack, length: seglen,
                wireLength: wireLength, isFirst: isFirst, ns: ns, note: &note)
        } else {
            Self.observe(
                sender: &server, receiver: &client, facts: &facts, flags: flags, seq: t.seq, ack: t.ack, length: seglen,
                wireLength: wireLength, isFirst: isFirst, ns: ns, note: &note)
        }
        note.clientState = client.state
        note.serverState = server.state
        note.joinedMidStream = facts.joinedMidStream
    }

    @inline(__always)
    static func completenessBits(_ flags: TCPFlags, _ length: Int) -> UInt8 {
        var bits: UInt8 = 0
        if flags.rawValue & 0x12 == 0x12 { bits |= 2 }
        if flags.isPureACKFlag { bits |= length > 0 ? 8 : 4 }
        if flags.contains(.fin) && flags.contains(.ack) { bits |= 16 }
        if flags.contains(.rst) { bits |= 32 }
        return bits
    }

    /// The notes' view of one segment from `s` to `r`: states, handshake and teardown steps.
    @inline(__always)
    private static func observe(
        sender s: inout TCPSide, receiver r: inout TCPSide, facts conn: inout ConnectionFacts, flags: TCPFlags,
        seq: UInt32, ack: UInt32, length: UInt32, wireLength: Int, isFirst: Bool, ns: Int64, note: inout PacketNote
    ) {
        let syn = flags.contains(.syn)
        let ackFlag = flags.contains(.ack)
        let fin = flags.contains(.fin)
        let rst = flags.contains(.rst)
        s.packets &+= 1
        s.bytes &+= UInt64(wireLength)
        s.payloadBytes &+= UInt64(length)
        var step = ConnectionStep.none

        if isFirst && !syn {
            // The capture began after the handshake: both sides were (at least) ESTABLISHED.
            // Their paths start there (no transition: nothing before it was seen).
            conn.joinedMidStream = true
            s.state = .established
            s.path = StatePath(.established)
            r.state = .established
            r.path = StatePath(.established)
        } else if isFirst && syn && ackFlag {
            // A SYN-ACK first: the client's SYN was not captured, but its ISN is ack - 1.
            r.sentSyn = true
            r.isn = ack &- 1
            setState(&r, .synSent, &note)
        }

        // A side taken to have received the SYN (SYN-RCVD) that answers with something else than
        // its SYN+ACK: acknowledging x+1, it had accepted (the SYN+ACK was not captured); else it
        // did not take the SYN as a new connection, and was never LISTEN, SYN-RCVD.
        if !syn && !rst && s.state == .synReceived && !s.sentSyn && r.synObserved {
            if ackFlag && ack == r.isn &+ 1 {
                setState(&s, .established, &note)
            } else {
                correct(&s, to: .closed, .synNotAccepted, &note)
            }
        }

        // The acknowledgment: what it completes on the receiver's side.
        var ackedReceiverFin = false
        if ackFlag && !rst {
            switch r.state {
            case .synSent:
                if syn && r.sentSyn && ack == r.isn &+ 1 {
                    r.gotSynAck = true
                    setState(&r, .established, &note)
                }
            case .synReceived:
                if r.sentSyn && ack == r.isn &+ 1 {
                    setState(&r, .established, &note)
                }
            case .finWait1:
                if r.finSent && seqGE(ack, r.finSeq &+ 1) {
                    ackedReceiverFin = true
                    // A FIN with it moves on to TIME-WAIT below (figure 5 has no FIN-WAIT-1 → TIME-WAIT).
                    setState(&r, .finWait2, &note)
                }
            case .closing:
                if r.finSent && seqGE(ack, r.finSeq &+ 1) {
                    ackedReceiverFin = true
                    setState(&r, .timeWait, &note)
                }
            case .lastAck:
                if r.finSent && seqGE(ack, r.finSeq &+ 1) {
                    ackedReceiverFin = true
                    setState(&r, .closed, &note)
                }
            case .closed, .listen, .established, .finWait2, .closeWait, .timeWait:
                break
            }
            if ackedReceiverFin {
                if r.finAcked { ackedReceiverFin = false } else { r.finAcked = true }
            }
            // Segments from a side still in SYN-SENT after the handshake imply it saw the SYN-ACK we missed.
            if !syn && s.state == .synSent {
                setState(&s, .established, &note)
            }
        }

        if syn && !rst {
            if !ackFlag {
                s.synCount &+= 1
                if s.sentSyn && seq == s.isn && !s.synObserved {
                    // The SYN inferred from the SYN+ACK that came first: the original, captured late.
                    s.synObserved = true
                    note.corrections.insert(.synOutOfOrder)
                    conn.synOutOfOrder = true
                    step = .handshake1
                } else if s.sentSyn && seq == s.isn {
                    step = .synRetransmitted
                } else {
                    s.sentSyn = true
                    s.synObserved = true
                    s.isn = seq
                    // Taken to have received the other's SYN, it sent its own: it had not (it opened too).
                    if s.state == .synReceived && !s.sentSynAck { correct(&s, to: .closed, .sentOwnSyn, &note) }
                    if r.state == .synSent && !r.gotSynAck {
                        // Both sides sent a SYN: simultaneous open (RFC 9293 3.5, figure 8).
                        conn.simultaneousOpen = true
                        setState(&s, .synSent, &note)
                        setState(&s, .synReceived, &note)
                        setState(&r, .synReceived, &note)
                        step = .simultaneousOpen
                    } else {
                        // Only a side not yet synchronized opens (figure 5: CLOSED or LISTEN → SYN-SENT).
                        if s.state == .closed || s.state == .listen { setState(&s, .synSent, &note) }
                        // The SYN is taken to arrive when captured: the receiver was listening.
                        if r.state == .closed {
                            setState(&r, .listen, &note)
                            setState(&r, .synReceived, &note)
                        }
                        step = .handshake1
                    }
                }
                if length > 0 { conn.dataOnSyn = true }
            } else {
                s.synAckCount &+= 1
                if s.sentSynAck && seq == s.isn {
                    step = .synAckRetransmitted
                } else {
                    if !s.sentSyn {
                        s.sentSyn = true
                        s.synObserved = true
                        s.isn = seq
                    }
                    s.sentSynAck = true
                    // A side that answers a SYN was listening (the notes start it CLOSED).
                    if s.state == .closed { setState(&s, .listen, &note) }
                    if s.state == .listen || s.state == .synSent { setState(&s, .synReceived, &note) }
                    step = .handshake2
                    if r.synObserved {
                        note.expectedAck = r.isn &+ 1
                        note.checkedAck = ack
                        note.ackCheck = ack == note.expectedAck ? .held : .failed
                    }
                    if !s.isClient && conn.synAckAckField == 0 { conn.synAckAckField = ack }
                }
            }
        }

        // The third handshake segment: the client's first ACK after the server's SYN-ACK.
        if !syn && !rst && ackFlag && s.isClient && r.sentSynAck && !conn.thirdSeen && !conn.simultaneousOpen {
            conn.thirdSeen = true
            conn.thirdAckField = ack
            step = .handshake3
            note.expectedAck = r.isn &+ 1
            note.checkedAck = ack
            note.ackCheck = ack == note.expectedAck ? .held : .failed
        }

        if fin && !rst {
            conn.anyFin = true
            s.finCount &+= 1
            let finSeq = seq &+ length
            if s.finSent && finSeq == s.finSeq {
                step = .finRetransmitted
            } else {
                s.finSent = true
                s.finSeq = finSeq
                // The other side's FIN not acknowledged by this one: the two FINs crossed, and this
                // side, taken to be in CLOSE-WAIT since that FIN was captured, had not received it.
                let crossing = r.finSent && !r.finAcked
                if crossing && s.state == .closeWait { correct(&s, to: s.path.previous, .finsCrossed, &note) }
                switch s.state {
                case .established, .synReceived: setState(&s, .finWait1, &note)
                case .closeWait: setState(&s, .lastAck, &note)
                case .closed, .listen, .synSent, .finWait1, .finWait2, .closing, .lastAck, .timeWait: break
                }
                // The corrected side gets the other's FIN, in flight while it sent its own, now.
                if note.corrections.contains(.finsCrossed) && s.state == .finWait1 { setState(&s, .closing, &note) }
                switch r.state {
                case .established: setState(&r, .closeWait, &note)
                case .finWait1: setState(&r, .closing, &note)
                case .finWait2: setState(&r, .timeWait, &note)
                case .closed, .listen, .synSent, .synReceived, .closeWait, .closing, .lastAck, .timeWait: break
                }
                if conn.firstCloserIsClient == nil {
                    conn.firstCloserIsClient = s.isClient
                    step = .teardown1
                } else if r.finSent {
                    if ackedReceiverFin || r.finAcked {
                        if s.ackedPeerFinAlone {
                            step = .teardown3
                        } else {
                            step = .teardown2and3
                            conn.threeSegmentClose = true
                        }
                    } else {
                        step = .simultaneousClose
                        conn.simultaneousClose = true
                    }
                }
            }
        } else if !syn && !rst && ackFlag && ackedReceiverFin {
            // A pure acknowledgment of the other side's FIN: teardown step 2, or the last ACK.
            if s.finSent {
                step = .teardown4
            } else if step == .none || step == .handshake3 {
                step = .teardown2
                s.ackedPeerFinAlone = true
            }
        }

        // Data after the other side's FIN: that side closed its sending half only (half-close).
        if length > 0 && !syn && !rst && r.finSent && !s.finSent {
            s.halfCloseBytes &+= UInt64(length)
            if step == .none { step = .halfCloseData }
        }

        if rst {
            conn.anyRst = true
            s.rstCount &+= 1
            if conn.rstFromClient == nil {
                conn.rstFromClient = s.isClient
                conn.rstAfterClose = s.finSent && s.finAcked && r.finSent && r.finAcked
            }
            if r.state == .synSent && !r.gotSynAck {
                conn.refused = true
                step = .refused
                // Taken to have received the SYN: nothing listened, it was CLOSED all along.
                if s.state == .synReceived && !s.sentSynAck { correct(&s, to: .closed, .neverListened, &note) }
            } else if s.state == .synSent && !s.gotSynAck {
                // RFC 9293 3.10.7.3: in SYN-SENT an unacceptable ACK is answered by a RST, and the
                // side stays in SYN-SENT (the connection was never open, nothing is aborted).
                step = .rstUnacceptableAck
            } else {
                step = .reset
            }
            if step != .rstUnacceptableAck { setState(&s, .closed, &note) }
            setState(&r, .closed, &note)
        }

        note.step = step
        if !conn.finished && (rst || (s.finAcked && r.finAcked && s.finSent && r.finSent)) {
            conn.finished = true
            conn.finishedNs = ns
        }
    }
}
