/// Decodes a frame in place, reassembles IP fragments, and follows the packet in the tracker: the
/// per-packet path of `conversations` and `explain`. Holding the decoded packet and the tracker in
/// one value lets the tracker read the packet where it lies (a 500-byte packet copied per frame
/// would cost more than tracking it).
public struct PacketFollower {
    public private(set) var packet = DecodedPacket()
    public var tracker: ConnectionTracker
    public let reassembler = FragmentReassembler()

    public init(configuration: ConnectionTracker.Configuration = ConnectionTracker.Configuration()) {
        tracker = ConnectionTracker(configuration: configuration)
    }

    /// Decodes and tracks one frame; `packet` then holds its layers.
    @inline(__always)
    public mutating func follow(
        _ bytes: UnsafeRawBufferPointer, linkType: LinkType, frame: Int, time: Timestamp, wireLength: Int
    ) -> PacketNote {
        PacketDecoder.decode(bytes, linkType: linkType, frame: frame, reassembler: reassembler, into: &packet)
        if packet.payloadTruncated { PacketDecoder.checkLength(&packet, captured: bytes.count, wireLength: wireLength) }
        if packet.reassembledFirstFrame == 0 {
            return tracker.track(packet, frame: frame, time: time, wireLength: wireLength, bytes: bytes)
        }
        // The frame completed a fragmented datagram: its offsets point into the reassembled bytes.
        let p = packet
        return reassembler.datagram.withUnsafeBytes {
            tracker.track(p, frame: frame, time: time, wireLength: wireLength, bytes: $0)
        }
    }
}
