/// Sequence numbers compared modulo 2^32 (RFC 9293 section 3.4): `a` is after `b` when the
/// signed distance from `b` to `a` is positive.
@inline(__always) func seqGT(_ a: UInt32, _ b: UInt32) -> Bool { Int32(bitPattern: a &- b) > 0 }
@inline(__always) func seqLT(_ a: UInt32, _ b: UInt32) -> Bool { Int32(bitPattern: a &- b) < 0 }
@inline(__always) func seqGE(_ a: UInt32, _ b: UInt32) -> Bool { Int32(bitPattern: a &- b) >= 0 }
@inline(__always) func seqLE(_ a: UInt32, _ b: UInt32) -> Bool { Int32(bitPattern: a &- b) <= 0 }

extension TCPFlags {
    /// SYN without ACK: an opening SYN.
    @inline(__always) var isPureSYN: Bool { rawValue & 0x12 == 0x02 }
    /// ACK without SYN (any other flags allowed): tshark's "ACK" for completeness and the first RTT.
    @inline(__always) var isPureACKFlag: Bool { rawValue & 0x12 == 0x10 }
    /// Any of SYN, FIN, RST: segments Wireshark leaves out of its window and duplicate-ACK checks.
    @inline(__always) var hasSYNFINorRST: Bool { rawValue & 0x07 != 0 }
}

/// One direction's state in Wireshark's TCP sequence analysis (`tcp_flow_t` and
/// `tcp_analyze_seq_flow_info_t` in `packet-tcp.c`). The field meanings, and the quirk that a
/// `nextSeq` of 0 means "not known yet", are Wireshark's, so the flags agree with tshark's.
struct SequenceFlow {
    /// The sequence number relative numbers count from (the ISN, or seq - 1 when no SYN was seen).
    var baseSeq: UInt32 = 0
    var baseSet = false
    /// The highest sequence number sent so far plus the segment's length (SYN and FIN count one).
    var nextSeq: UInt32 = 0
    var nextSeqTime: Int64 = 0
    /// The end of the contiguous data seen so far: acknowledging beyond it acknowledges unseen data.
    var maxSeqToBeAcked: UInt32 = 0
    /// The last ACK number this direction sent, when, and the window (raw, unscaled) it advertised.
    var lastAck: UInt32 = 0
    var lastAckTime: Int64 = 0
    var window: UInt32 = .max
    /// -1 unknown, -2 no scaling, else the shift from the SYN's window-scale option (RFC 7323 2.2).
    var windowScale: Int8 = -1
    var isFirstAck = false
    /// Duplicate ACKs in a row (-1 after an ACK of an unseen segment, as in Wireshark).
    var dupAckCount: Int32 = 0
    var lastSegmentAnomalies = TCPAnomalies()
}

/// Both directions and the connection-wide values of the analysis.
struct SequenceAnalysis {
    var flow0 = SequenceFlow()
    var flow1 = SequenceFlow()
    /// Time of the most recent SYN (no ACK), and the first RTT: SYN to the first ACK that is not a
    /// SYN (Wireshark's `tcp.analysis.initial_rtt`). Zero means unknown.
    var mostRecentSynTime: Int64 = 0
    var initialRTT: Int64 = 0

    /// Runs the analysis for one segment from `side` and returns its anomalies; then the
    /// bookkeeping Wireshark does after it (SYN time, first RTT, window scale).
    @inline(__always)
    mutating func analyze(
        side: Int, seq: UInt32, ack: UInt32, length: UInt32, flags: TCPFlags, window: UInt32, windowScale: Int8,
        now: Int64
    ) -> TCPAnomalies {
        let rtt = initialRTT
        let result: TCPAnomalies
        if side == 0 {
            result = Self.analyze(&flow0, &flow1, seq, ack, length, flags, window, now, rtt)
        } else {
            result = Self.analyze(&flow1, &flow0, seq, ack, length, flags, window, now, rtt)
        }
        if flags.contains(.syn) {
            if !flags.contains(.ack) { mostRecentSynTime = now }
            if side == 0 { flow0.isFirstAck = true } else { flow1.isFirstAck = true }
        }
        if flags.isPureACKFlag {
            if mostRecentSynTime != 0 && initialRTT == 0 {
                initialRTT = max(now - mostRecentSynTime, 1)
            }
            if side == 0 { flow0.isFirstAck = false } else { flow1.isFirstAck = false }
        }
        if windowScale >= 0 {
            if side == 0 { flow0.windowScale = windowScale } else { flow1.windowScale = windowScale }
        }
        if flags.contains(.syn) {
            // verify_tcp_window_scaling: scaling is used only if both SYNs carried the option.
            if side == 0 {
                Self.verifyWindowScaling(isSynAck: flags.contains(.ack), &flow0, &flow1)
            } else {
                Self.verifyWindowScaling(isSynAck: flags.contains(.ack), &flow1, &flow0)
            }
        }
        return result
    }

    private static func verifyWindowScaling(isSynAck: Bool, _ fwd: inout SequenceFlow, _ rev: inout SequenceFlow) {
        if fwd.windowScale == -1 {
            fwd.windowScale = -2
            rev.windowScale = -2
        } else if isSynAck && rev.windowScale == -2 {
            fwd.windowScale = -2
        }
    }

    /// `tcp_analyze_sequence_number`, step by step.
    @inline(__always)
    private static func analyze(
        _ fwd: inout SequenceFlow, _ rev: inout SequenceFlow, _ seq: UInt32, _ ack: UInt32, _ seglen: UInt32,
        _ flags: TCPFlags, _ window: UInt32, _ now: Int64, _ initialRTT: Int64
    ) -> TCPAnomalies {
        var ta = TCPAnomalies()
        if !fwd.baseSet {
            fwd.baseSeq = flags.contains(.syn) ? seq : seq &- 1
            fwd.baseSet = true
        }
        if !rev.baseSet && flags.contains(.ack) {
            rev.baseSeq = ack &- 1
            rev.baseSet = true
        }
        let control = flags.hasSYNFINorRST

        forward: do {
            // A zero window probe: one byte at the next sequence number while the peer's window is 0.
            if seglen == 1 && seq == fwd.nextSeq && rev.window == 0 {
                ta.insert(.zeroWindowProbe)
                break forward
            }
            if window == 0 && !control {
                ta.insert(.zeroWindow)
            }
            // A segment beyond the next expected sequence number: something before it was not captured.
            if fwd.nextSeq != 0 && seqGT(seq, fwd.nextSeq) && !flags.contains(.rst) {
                ta.insert(.previousSegmentNotCaptured)
            }
            // A keep-alive: 0 or 1 byte one below the next expected sequence number.
            if seglen <= 1 && seq == fwd.nextSeq &- 1 && !control {
                ta.insert(.keepAlive)
            }
            if seglen == 0 && window != 0 && window != fwd.window && seq == fwd.nextSeq && ack == fwd.lastAck
                && !control
            {
                ta.insert(.windowUpdate)
            }
            if seglen > 0 && rev.windowScale != -1 && !control {
                let shift = rev.isFirstAck || rev.windowScale == -2 ? 0 : UInt32(rev.windowScale)
                if seq &+ seglen == rev.lastAck &+ (rev.window << shift) {
                    ta.insert(.windowFull)
                }
            }
            let repeatsLast = seglen == 0 && seq == fwd.nextSeq && ack == fwd.lastAck && !control
            if repeatsLast && window != 0 && window == fwd.window && rev.lastSegmentAnomalies.contains(.keepAlive) {
                ta.insert(.keepAliveAck)
                break forward
            }
            if repeatsLast && window == 0 && window == fwd.window
                && rev.lastSegmentAnomalies.contains(.zeroWindowProbe)
            {
                ta.insert(.zeroWindowProbeAck)
                break forward
            }
            if repeatsLast && window != 0 && window == fwd.window {
                fwd.dupAckCount = fwd.dupAckCount == -1 ? 1 : fwd.dupAckCount + 1
                ta.insert(.duplicateAck)
            }
        }
        if ack != fwd.lastAck {
            fwd.dupAckCount = 0
        }
        // An ACK beyond the contiguous data seen the other way: it acknowledges an unseen segment.
        if rev.maxSeqToBeAcked != 0 && seqGT(ack, rev.maxSeqToBeAcked) && flags.contains(.ack) {
            if rev.maxSeqToBeAcked > rev.nextSeq {
                rev.maxSeqToBeAcked = rev.nextSeq
                ta.insert(.ackedUnseenSegment)
            } else {
                if rev.dupAckCount == 0 { ta.insert(.ackedUnseenSegment) }
                rev.dupAckCount = -1
            }
        }

        retransmission: if seglen > 0 || flags.contains(.syn) || flags.contains(.fin) {
            var notAdvanced = fwd.nextSeq != 0 && seqLT(seq, fwd.nextSeq)
            if ta.contains(.keepAlive) { break retransmission }
            // More than one byte starting one below nextSeq adds new data (after a zero window probe).
            if seglen > 1 && fwd.nextSeq &- 1 == seq { notAdvanced = false }
            // Data the receiver already acknowledged.
            if seglen > 0 && rev.lastAck != 0 && seqLE(seq &+ seglen, rev.lastAck) {
                ta.insert(.spuriousRetransmission)
                break retransmission
            }
            // Within 20 ms (times compare unsigned, as in Wireshark, so a clock step back never matches) of two or more duplicate ACKs asking for exactly this sequence number.
            if notAdvanced && rev.dupAckCount >= 2 && rev.lastAck == seq
                && UInt64(bitPattern: now &- rev.lastAckTime) < 20_000_000
            {
                ta.insert(.fastRetransmission)
                break retransmission
            }
            // Behind the highest sequence seen, soon after it, and not a plain repeat of it.
            let threshold = initialRTT == 0 ? 3_000_000 : initialRTT
            let consumed: UInt32 = flags.contains(.syn) || flags.contains(.fin) ? 1 : 0
            if notAdvanced && UInt64(bitPattern: now &- fwd.nextSeqTime) < UInt64(threshold)
                && fwd.nextSeq != seq &+ seglen &+ consumed
            {
                ta.insert(.outOfOrder)
                break retransmission
            }
            if notAdvanced {
                ta.insert(.retransmission)
            }
        }

        var nextSeq = seq &+ seglen
        if flags.contains(.syn) || flags.contains(.fin) { nextSeq &+= 1 }
        let probe = ta.contains(.zeroWindowProbe)
        if (seqGT(nextSeq, fwd.nextSeq) || fwd.nextSeq == 0) && !probe {
            fwd.nextSeq = nextSeq
            fwd.nextSeqTime = now
        }
        if (seq == fwd.maxSeqToBeAcked || fwd.maxSeqToBeAcked == 0) && !probe {
            fwd.maxSeqToBeAcked = fwd.nextSeq
        }
        fwd.window = window
        fwd.lastAck = ack
        fwd.lastAckTime = now
        fwd.lastSegmentAnomalies = ta
        return ta
    }
}

extension TCPAnomalies {
    /// Whether every kind of `member` is set: `OptionSet.contains`, written out so that it inlines
    /// on the per-packet path (the generic one was a call).
    @inline(__always)
    public func contains(_ member: TCPAnomalies) -> Bool {
        rawValue & member.rawValue == member.rawValue
    }

    /// tshark's `tcp.analysis.*` field for the kind at each bit index (`read --format json`'s
    /// `tcp.analysis`); the three retransmission kinds also set `retransmission`, as in tshark.
    static let tsharkFields: [StaticString] = [
        "retransmission", "fast_retransmission", "spurious_retransmission", "out_of_order", "lost_segment",
        "ack_lost_segment", "duplicate_ack", "zero_window", "zero_window_probe", "zero_window_probe_ack", "window_full",
        "window_update", "keep_alive", "keep_alive_ack", "reused_ports",
    ]
}
