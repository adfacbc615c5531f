/// A state change of one endpoint, as the tracker's `setState` hook recorded it.
public struct StateTransition: Sendable, Equatable {
    /// The client's state changed (else the server's).
    public var client: Bool
    public var from: TCPState
    public var to: TCPState
}

/// Up to four state changes caused by one segment, stored inline (no heap): a segment changes at
/// most its sender and its receiver, and a simultaneous open or a RST twice each.
public struct StateTransitions: Sendable, Equatable, Sequence {
    var packed: UInt64 = 0
    public private(set) var count: Int = 0

    public static let capacity = 4

    mutating func append(_ t: StateTransition) {
        guard count < Self.capacity else { return }
        let v = UInt64(t.client ? 0x100 : 0) | UInt64(t.from.rawValue) << 4 | UInt64(t.to.rawValue)
        packed |= v << (16 * UInt64(count))
        count += 1
    }

    public subscript(i: Int) -> StateTransition {
        let v = packed >> (16 * UInt64(i))
        return StateTransition(
            client: v & 0x100 != 0, from: TCPState(rawValue: UInt8(truncatingIfNeeded: v >> 4) & 0xF) ?? .closed,
            to: TCPState(rawValue: UInt8(truncatingIfNeeded: v) & 0xF) ?? .closed)
    }

    public var isEmpty: Bool { count == 0 }

    public func makeIterator() -> IndexingIterator<[StateTransition]> {
        (0..<count).map { self[$0] }.makeIterator()
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
