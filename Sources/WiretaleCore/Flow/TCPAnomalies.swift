/// What Wireshark's TCP sequence analysis (`epan/dissectors/packet-tcp.c`,
/// `tcp_analyze_sequence_number`) would say of a segment, one bit each. The definitions follow
/// Wireshark's, so the counts agree with its expert info:
///
/// - retransmission: data, SYN or FIN that does not advance the sequence number (and is neither
///   a keep-alive, nor fast, spurious or out-of-order);
/// - fast retransmission: such a segment within 20 ms of two or more duplicate ACKs asking for it;
/// - spurious retransmission: data the receiver had already acknowledged;
/// - out-of-order: a segment behind the highest sequence seen, arriving within the handshake RTT
///   (3 ms when unknown) of it and not a plain repeat of it;
/// - previous segment not captured: the segment starts beyond the next expected sequence number;
/// - ACKed unseen segment: the ACK covers data the capture never saw;
/// - duplicate ACK: no data, same seq, ack and window as the previous segment this way;
/// - zero window: the sender advertises a window of 0 (not on SYN, FIN or RST);
/// - zero window probe: one byte at the next sequence number while the peer's window is 0;
/// - window full: the segment fills the peer's advertised window to the edge;
/// - window update: no data, same seq and ack, a new non-zero window;
/// - keep-alive: 0 or 1 byte one below the next expected sequence number.
/// Wraparound of the 32-bit sequence space is handled by comparing modulo 2^32 (RFC 9293 3.4).
public struct TCPAnomalies: OptionSet, Sendable, Hashable {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let retransmission = TCPAnomalies(rawValue: 1 << 0)
    public static let fastRetransmission = TCPAnomalies(rawValue: 1 << 1)
    public static let spuriousRetransmission = TCPAnomalies(rawValue: 1 << 2)
    public static let outOfOrder = TCPAnomalies(rawValue: 1 << 3)
    public static let previousSegmentNotCaptured = TCPAnomalies(rawValue: 1 << 4)
    public static let ackedUnseenSegment = TCPAnomalies(rawValue: 1 << 5)
    public static let duplicateAck = TCPAnomalies(rawValue: 1 << 6)
    public static let zeroWindow = TCPAnomalies(rawValue: 1 << 7)
    public static let zeroWindowProbe = TCPAnomalies(rawValue: 1 << 8)
    public static let zeroWindowProbeAck = TCPAnomalies(rawValue: 1 << 9)
    public static let windowFull = TCPAnomalies(rawValue: 1 << 10)
    public static let windowUpdate = TCPAnomalies(rawValue: 1 << 11)
    public static let keepAlive = TCPAnomalies(rawValue: 1 << 12)
    public static let keepAliveAck = TCPAnomalies(rawValue: 1 << 13)
    public static let portsReused = TCPAnomalies(rawValue: 1 << 14)

    public static let kindCount = 15

    /// Any of the three retransmission kinds (Wireshark marks all three `tcp.analysis.retransmission`).
    public var isRetransmission: Bool {
        rawValue & 0b111 != 0
    }

    // The kinds' names (JSON key, Wireshark label, Chinese label): `names`, in Notes/ConversationLabels.swift.

    /// Calls `body` with the bit index of each kind set, lowest first.
    @inline(__always)
    public func forEachIndex(_ body: (Int) -> Void) {
        var bits = rawValue
        while bits != 0 {
            let i = bits.trailingZeroBitCount
            body(i)
            bits &= bits &- 1
        }
    }
}

/// How many segments of a connection had each anomaly, by `TCPAnomalies` bit index.
public struct AnomalyCounts: Sendable, Equatable {
    var counts:
        (
            UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32,
            UInt32,
            UInt32, UInt32
        ) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)

    public init() {}

    @inline(__always)
    mutating func add(_ a: TCPAnomalies) {
        guard a.rawValue != 0 else { return }
        withUnsafeMutableBytes(of: &counts) { raw in
            let c = raw.bindMemory(to: UInt32.self)
            a.forEachIndex { c[$0] &+= 1 }
        }
    }

    public subscript(index: Int) -> Int {
        withUnsafeBytes(of: counts) { Int($0.bindMemory(to: UInt32.self)[index]) }
    }

    public subscript(kind: TCPAnomalies) -> Int {
        self[kind.rawValue.trailingZeroBitCount]
    }

    /// Segments flagged as any kind of retransmission (plain, fast or spurious).
    public var retransmissions: Int {
        self[.retransmission] + self[.fastRetransmission] + self[.spuriousRetransmission]
    }

    public var isEmpty: Bool { (0..<TCPAnomalies.kindCount).allSatisfy { self[$0] == 0 } }

    public static func == (a: AnomalyCounts, b: AnomalyCounts) -> Bool {
        (0..<TCPAnomalies.kindCount).allSatisfy { a[$0] == b[$0] }
    }
}
