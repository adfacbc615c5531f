/// A state change of one endpoint, as the tracker's `setState` hook recorded it.
public struct StateTransition: Sendable, Equatable {
    /// The client's state changed (else the server's).
    public var client: Bool
    public var from: TCPState
    public var to: TCPState
    /// A correction: a later segment proved `from` (an inference) wrong, and the side goes back to
    /// `to`, where it was in fact (the packet's `corrections` say why). Not a move on the diagram.
    public var correction: Bool = false
}

/// Up to six state changes caused by one segment, stored inline (no heap): a segment changes at
/// most its sender and its receiver, a simultaneous open or a correction of crossing FINs four
/// times in all.
public struct StateTransitions: Sendable, Equatable, Sequence {
    var packed: UInt64 = 0
    public private(set) var count: Int = 0

    public static let capacity = 6

    mutating func append(_ t: StateTransition) {
        guard count < Self.capacity else { return }
        let v =
            UInt64(t.correction ? 0x200 : 0) | UInt64(t.client ? 0x100 : 0) | UInt64(t.from.rawValue) << 4
            | UInt64(t.to.rawValue)
        packed |= v << (10 * UInt64(count))
        count += 1
    }

    public subscript(i: Int) -> StateTransition {
        let v = packed >> (10 * UInt64(i))
        return StateTransition(
            client: v & 0x100 != 0, from: TCPState(rawValue: UInt8(truncatingIfNeeded: v >> 4) & 0xF) ?? .closed,
            to: TCPState(rawValue: UInt8(truncatingIfNeeded: v) & 0xF) ?? .closed, correction: v & 0x200 != 0)
    }

    public var isEmpty: Bool { count == 0 }

    public func makeIterator() -> IndexingIterator<[StateTransition]> {
        (0..<count).map { self[$0] }.makeIterator()
    }
}

/// Why a segment corrects what an earlier one let the notes infer about its receiver (each
/// segment is taken to arrive when it is captured; a later one can prove it had not). One bit each.
public struct StateCorrections: OptionSet, Sendable, Hashable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// A FIN that does not acknowledge the other side's FIN: its sender had not received that FIN,
    /// so it was ESTABLISHED, not CLOSE-WAIT, when it sent its own (FIN-WAIT-1, then CLOSING).
    public static let finsCrossed = StateCorrections(rawValue: 1 << 0)
    /// A RST answering the SYN: nothing listened; the server stayed CLOSED (not LISTEN, SYN-RCVD).
    public static let neverListened = StateCorrections(rawValue: 1 << 1)
    /// A SYN from the side the first SYN went to: it had not received that SYN, it opened too
    /// (SYN-SENT, not LISTEN, SYN-RCVD).
    public static let sentOwnSyn = StateCorrections(rawValue: 1 << 2)
    /// A bare ACK answering the SYN (not a SYN+ACK): its sender did not take the SYN as a new
    /// connection, so it was not LISTEN, SYN-RCVD.
    public static let synNotAccepted = StateCorrections(rawValue: 1 << 3)
    /// The original SYN, captured after the SYN+ACK answering it: not a retransmission.
    public static let synOutOfOrder = StateCorrections(rawValue: 1 << 4)

    public static let kindCount = 5

    /// The JSON name (`notes.remarks`) of the kind at bit `index`.
    public static func code(index: Int) -> StaticString {
        switch index {
        case 0: "fins-crossed"
        case 1: "never-listened"
        case 2: "sent-own-syn"
        case 3: "syn-not-accepted"
        default: "syn-out-of-order"
        }
    }

    @inline(__always)
    public func forEachIndex(_ body: (Int) -> Void) {
        var bits = rawValue
        while bits != 0 {
            body(bits.trailingZeroBitCount)
            bits &= bits &- 1
        }
    }
}

/// What a handshake segment's acknowledgment number was checked against (the notes' section 1:
/// the SYN-ACK must carry ack = x+1, the third segment ack = y+1).
public enum AckCheck: UInt8, Sendable {
    case none
    /// The acknowledgment number is the expected one.
    case held
    /// It is not.
    case failed
}

/// What the tracker says about one packet: which stream, which way, which step of the notes, the
/// state changes, the anomalies. A small value returned by `ConnectionTracker.track` for every
/// packet, with no heap storage, so `read` can show it on the hot path; text is made only when
/// printing (`appendRemarks`).
public struct PacketNote: Sendable {
    public enum Kind: UInt8, Sendable {
        /// Neither TCP nor UDP, or not trackable (an IP fragment without the transport header).
        case none
        case tcp
        case udp
    }

    public var kind = Kind.none
    /// `tcp.stream` (tshark's numbering: 0-based, first-seen order) or `udp.stream`; -1 when none.
    public var stream: Int32 = -1
    /// The packet goes from the client (the side that opened, or Zeek's guess for mid-stream) to the server.
    public var fromClient = false
    /// This packet started a new stream.
    public var newStream = false
    /// The stream began without a handshake in the capture.
    public var joinedMidStream = false
    public var step = ConnectionStep.none
    public var anomalies = TCPAnomalies()
    /// Wireshark's duplicate ACK number (the n of "Dup ACK #n"), when `anomalies` has `.duplicateAck`.
    public var duplicateAckNumber: Int32 = 0
    /// Sequence and acknowledgment numbers relative to each side's initial sequence number.
    public var relativeSeq: UInt32 = 0
    public var relativeAck: UInt32 = 0
    /// For a SYN-ACK or third handshake segment: the acknowledgment number the notes expect, and the check.
    public var expectedAck: UInt32 = 0
    public var ackCheck = AckCheck.none
    /// The acknowledgment number the check looked at (the segment's ack field).
    public var checkedAck: UInt32 = 0
    public var transitions = StateTransitions()
    /// Inferences about the receiver this segment proves wrong (`transitions` has the corrections).
    public var corrections = StateCorrections()
    /// Both sides' states after this packet.
    public var clientState = TCPState.closed
    public var serverState = TCPState.closed
    /// UDP: the destination is a broadcast or multicast address.
    public var broadcast = false
    public var multicast = false
    /// DNS over UDP: for a response, the frame of the query it answers (0 when unmatched) and the latency.
    public var dnsQueryFrame: Int = 0
    public var dnsLatency: Int64 = 0

    public init() {}
}
