/// Zeek's view of a TCP connection, kept so that `conn_state` and `history` mean exactly what they
/// mean in Zeek's conn.log (zeek/zeek `scripts/base/protocols/conn/main.zeek`, the endpoint state
/// machine and `update_history` of `src/packet_analysis/protocol/tcp/TCPSessionAdapter.cc`).
/// "orig" is the client, "resp" the server.
struct ZeekEndpoint {
    enum State: UInt8 { case inactive, synSent, synAckSent, partial, established, closed, reset }
    var state = State.inactive
    var prevState = State.inactive
    var startSeq: UInt32 = 0
    var lastSeq: UInt32 = 0
    var ackSeq: UInt32 = 0
    var histLastSYN: UInt32 = 0
    var histLastFIN: UInt32 = 0
    var histLastRST: UInt32 = 0
    var finCount: UInt32 = 0
    var retransmits: UInt32 = 0
    var retransmitThreshold: UInt32 = 1
    var zeroWindows: UInt32 = 0
    var zeroWindowThreshold: UInt32 = 1
    var gaps: UInt32 = 0
    var gapThreshold: UInt32 = 1
    /// A hole in this endpoint's data (a segment began beyond `lastSeq`): [holeStart, holeEnd).
    var holeStart: UInt32 = 0
    var holeEnd: UInt32 = 0
    var hasHole = false

    mutating func setState(_ s: State) {
        if s != state {
            prevState = state
            state = s
        }
    }

    /// Payload bytes in this endpoint's sequence space (Zeek's `TCP_Endpoint::Size`).
    func size(peer: ZeekEndpoint) -> UInt64 {
        if prevState == .synSent && state == .reset && peer.state == .inactive && ackSeq != startSeq &+ 1 {
            return 0
        }
        let last = lastSeq &- startSeq
        let acked = ackSeq &- startSeq
        var size = UInt64(Int32(bitPattern: last) > 0 ? last : 0)
        let a = UInt64(Int32(bitPattern: acked) > 0 ? acked : 0)
        if a > size { size = a }
        if size != 0 { size -= 1 }
        if finCount > 0 && size != 0 { size -= 1 }
        return size
    }
}

/// A connection's history letters, stored inline (no heap) up to 31 letters; more are counted.
struct HistoryLetters {
    var bytes: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    var count: UInt8 = 0

    mutating func append(_ c: UInt8) {
        guard count < 31 else { return }
        let i = Int(count)
        withUnsafeMutableBytes(of: &bytes) { $0[i] = c }
        count += 1
    }

    var string: String {
        withUnsafeBytes(of: bytes) {
            String(decoding: UnsafeRawBufferPointer(rebasing: $0[0..<Int(count)]), as: UTF8.self)
        }
    }

    var first: UInt8? { count == 0 ? nil : withUnsafeBytes(of: bytes) { $0[0] } }

    func append(to out: inout [UInt8]) {
        withUnsafeBytes(of: bytes) { out.append(contentsOf: $0[0..<Int(count)]) }
    }
}

struct ZeekConnection {
    var orig = ZeekEndpoint()
    var resp = ZeekEndpoint()
    /// The history letters, and which have been recorded (Zeek's `hist_seen`; the responder's bits shifted by 16).
    var letters = Letters()
    var history: HistoryLetters { letters.history }

    // Zeek's HIST_* masks.
    static let synPacket: UInt32 = 0x1
    static let finPacket: UInt32 = 0x2
    static let rstPacket: UInt32 = 0x4
    static let finRstPacket: UInt32 = 0x8
    static let dataPacket: UInt32 = 0x10
    static let ackPacket: UInt32 = 0x20
    static let multiFlagPacket: UInt32 = 0x40

    /// Records that roles were flipped: the first packet came from the server.
    mutating func flipped() { letters.history.append(UInt8(ascii: "^")) }

    /// The letters recorded so far and which have been seen (`hist_seen`).
    struct Letters {
        var seen: UInt32 = 0
        var history = HistoryLetters()

        /// `CheckHistory`: adds the letter the first time; returns whether it had been seen already.
        mutating func check(_ mask: UInt32, _ letter: UInt8, orig: Bool) -> Bool {
            let m = orig ? mask : mask << 16
            if seen & m == 0 {
                seen |= m
                history.append(orig ? letter : letter | 0x20)
                return false
            }
            return true
        }

        mutating func add(_ letter: UInt8, orig: Bool) {
            history.append(orig ? letter : letter | 0x20)
        }

        /// `ScaledHistoryEntry`: the letter again at 1, 10, 100, ... occurrences.
        mutating func scaled(_ letter: UInt8, orig: Bool, count: inout UInt32, threshold: inout UInt32) {
            count &+= 1
            if count == threshold {
                add(letter, orig: orig)
                let next = threshold &* 10
                if next <= threshold { count = 0 } else { threshold = next }
            }
        }
    }

    /// `TCPSessionAdapter::Process` for one segment, as far as state and history go.
    mutating func process(orig isOrig: Bool, flags: TCPFlags, seq: UInt32, ack: UInt32, length: Int, window: UInt16) {
        if isOrig {
            Self.process(&orig, &resp, &letters, isOrig: true, flags, seq, ack, length, window)
        } else {
            Self.process(&resp, &orig, &letters, isOrig: false, flags, seq, ack, length, window)
        }
    }

    @inline(__always)
    private static func process(
        _ e: inout ZeekEndpoint, _ p: inout ZeekEndpoint, _ h: inout Letters, isOrig: Bool, _ flags: TCPFlags,
        _ seq: UInt32, _ ack: UInt32, _ length: Int, _ window: UInt16
    ) {
        let syn = flags.contains(.syn)
        let fin = flags.contains(.fin)
        let rst = flags.contains(.rst)
        let ackFlag = flags.contains(.ack)
        let len = UInt32(truncatingIfNeeded: length)
        var segLen = len
        if syn { segLen &+= 1 }
        if fin { segLen &+= 1 }
        if rst { segLen &-= len }
        let onePast = seq &+ segLen

        // init_endpoint
        switch e.state {
        case .inactive:
            if syn {
                e.ackSeq = seq
                e.startSeq = seq
                e.lastSeq = onePast
            } else {
                e.ackSeq = seq &- 1
                e.startSeq = seq &- 1
                e.lastSeq = seq
            }
        case .synSent, .synAckSent:
            if syn && seq != e.startSeq {
                e.startSeq = seq
                e.ackSeq = seq
                e.lastSeq = onePast
            }
        case .established, .partial:
            if syn {
                e.startSeq = seq
                e.ackSeq = seq
                e.lastSeq = onePast
            }
        case .reset:
            if syn && e.prevState == .inactive {
                e.startSeq = seq
                e.ackSeq = seq
                e.lastSeq = onePast
            }
        case .closed:
            break
        }
        let relSeq = seq &- e.startSeq

        // update_history
        let bits = (syn ? 1 : 0) + (fin ? 1 : 0) + (rst ? 1 : 0)
        if bits > 1 {
            if fin && rst {
                _ = h.check(Self.finRstPacket, UInt8(ascii: "I"), orig: isOrig)
            } else {
                _ = h.check(Self.multiFlagPacket, UInt8(ascii: "Q"), orig: isOrig)
            }
        } else if bits == 1 {
            if syn {
                let letter = UInt8(ascii: ackFlag ? "H" : "S")
                if h.check(Self.synPacket, letter, orig: isOrig) && relSeq != e.histLastSYN {
                    h.add(letter, orig: isOrig)
                }
                e.histLastSYN = relSeq
            }
            if fin {
                if h.check(Self.finPacket, UInt8(ascii: "F"), orig: isOrig) && relSeq &+ len != e.histLastFIN {
                    h.add(UInt8(ascii: "F"), orig: isOrig)
                }
                e.histLastFIN = relSeq &+ len
            }
            if rst {
                if h.check(Self.rstPacket, UInt8(ascii: "R"), orig: isOrig) && relSeq != e.histLastRST {
                    h.add(UInt8(ascii: "R"), orig: isOrig)
                }
                e.histLastRST = relSeq
            }
        } else if len > 0 {
            _ = h.check(Self.dataPacket, UInt8(ascii: "D"), orig: isOrig)
        } else if ackFlag {
            _ = h.check(Self.ackPacket, UInt8(ascii: "A"), orig: isOrig)
        }

        // update_window: a zero window, unless with or after a RST or after the peer's FIN.
        if window == 0 && !rst && p.state != .closed && e.state != .reset {
            h.scaled(UInt8(ascii: "W"), orig: isOrig, count: &e.zeroWindows, threshold: &e.zeroWindowThreshold)
        }

        if ackFlag {
            if p.state == .inactive {
                // init_peer: number the silent side as though its SYN had been seen.
                p.startSeq = ack &- 1
                p.ackSeq = ack &- 1
                p.lastSeq = ack &- 1
            } else if !rst {
                let delta = Int32(bitPattern: ack &- p.ackSeq)
                if !(ack == 0 && delta > 1_048_576) && delta > 0 { p.ackSeq = ack }
            }
        }

        // update_last_seq: a segment with payload that does not advance is a retransmission.
        let deltaLast = Int32(bitPattern: onePast &- e.lastSeq)
        if (syn || rst) && (deltaLast > 1_048_576 || deltaLast < -1_048_576) {
        } else if fin && e.lastSeq == e.startSeq &+ 1 {
            e.lastSeq = onePast
        } else if e.state == .reset {
        } else if deltaLast > 0 {
            if len > 0 && seqGT(seq, e.lastSeq) && !rst {
                e.hasHole = true
                e.holeStart = e.lastSeq
                e.holeEnd = seq
            }
            e.lastSeq = onePast
        } else if len > 0 {
            h.scaled(UInt8(ascii: "T"), orig: isOrig, count: &e.retransmits, threshold: &e.retransmitThreshold)
        }
        if e.hasHole && len > 0 && seqLT(seq, e.holeEnd) && seqGT(seq &+ len, e.holeStart) {
            e.hasHole = false
        }

        updateStateMachine(&e, &p, isOrig: isOrig, syn: syn, fin: fin, rst: rst, ack: ackFlag, seq: seq, len: len)

        // A content gap: the peer acknowledges data of ours the capture never saw (not at the very
        // end, in a FIN or RST, where Zeek does not trust it either).
        if ackFlag && !rst && !fin && p.state != .inactive && p.state != .closed && p.state != .reset {
            if (p.hasHole && seqGE(ack, p.holeEnd)) || seqGT(ack, p.lastSeq) {
                p.hasHole = false
                h.scaled(UInt8(ascii: "G"), orig: !isOrig, count: &p.gaps, threshold: &p.gapThreshold)
                if seqGT(ack, p.lastSeq) { p.lastSeq = ack }
            }
        }
    }

    private static func updateStateMachine(
        _ e: inout ZeekEndpoint, _ p: inout ZeekEndpoint, isOrig: Bool, syn: Bool, fin: Bool, rst: Bool, ack: Bool,
        seq: UInt32, len: UInt32
    ) {
        switch e.state {
        case .inactive:
            if syn {
                if isOrig {
                    e.setState(ack ? .synAckSent : .synSent)
                } else {
                    if p.state == .synSent { p.setState(.established) }
                    e.setState(.established)
                }
            }
            if fin { e.setState(.closed) }
            if rst { e.setState(.reset) }
            if e.state == .inactive {
                if !isOrig && len == 0 && p.state == .synSent {
                    // An ACK of the SYN before the SYN-ACK: not a partial connection.
                } else if ack && p.state == .established {
                    e.setState(.established)
                } else {
                    e.setState(.partial)
                }
            }
        case .synSent, .synAckSent:
            if fin { e.setState(.closed) }
            if rst { e.setState(.reset) }
        case .established, .partial:
            if syn && e.state == .partial && p.state == .inactive && !ack {
                e.setState(.synSent)
            }
            if fin && !rst {
                e.setState(.closed)
                if p.state == .reset && p.prevState == .closed { p.setState(.closed) }
            }
            if rst { e.setState(.reset) }
        case .closed:
            if rst && p.state != .closed { e.setState(.reset) }
        case .reset:
            break
        }
    }

    /// Zeek's `conn_state` for a TCP connection.
    var connState: StaticString {
        let os = orig.state
        let rs = resp.state
        let oInactive = os == .inactive || os == .partial
        let rInactive = rs == .inactive || rs == .partial
        if rs == .reset {
            if os == .synSent || os == .synAckSent
                || (os == .reset && orig.size(peer: resp) == 0 && resp.size(peer: orig) == 0)
            {
                return "REJ"
            }
            return oInactive ? "RSTRH" : "RSTR"
        }
        if os == .reset {
            if rInactive {
                return historyMatchesRSTOS0 ? "RSTOS0" : "OTH"
            }
            return "RSTO"
        }
        if rs == .closed && os == .closed { return "SF" }
        if os == .closed { return rInactive ? "SH" : "S2" }
        if rs == .closed { return oInactive ? "SHR" : "S3" }
        if os == .synSent && rs == .inactive { return "S0" }
        if os == .established && rs == .established { return "S1" }
        return "OTH"
    }

    /// `/^?S[^HAFGIQ]*R.*/`: the originator's SYN, then its RST with no handshake or data between.
    private var historyMatchesRSTOS0: Bool {
        let h = Array(history.string.utf8)
        var i = 0
        if i < h.count && h[i] == UInt8(ascii: "^") { i += 1 }
        guard i < h.count, h[i] == UInt8(ascii: "S") else { return false }
        i += 1
        while i < h.count {
            switch h[i] {
            case UInt8(ascii: "R"): return true
            case UInt8(ascii: "H"), UInt8(ascii: "A"), UInt8(ascii: "F"), UInt8(ascii: "G"), UInt8(ascii: "I"),
                UInt8(ascii: "Q"):
                return false
            default: i += 1
            }
        }
        return false
    }
}
