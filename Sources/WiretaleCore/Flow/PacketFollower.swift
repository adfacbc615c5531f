/// Decodes a frame in place, reassembles IP fragments, follows the packet in the tracker, and then
/// parses its application message once (`ApplicationRegistry`): the per-packet path of `read`,
/// `capture`, `conversations` and `explain`. Holding the decoded packet and the tracker in one value
/// lets the tracker read the packet where it lies (a 500-byte packet copied per frame would cost more
/// than tracking it).
public struct PacketFollower {
    public private(set) var packet = DecodedPacket()
    /// The last packet's application message, parsed once after tracking, for the renderers; nil when
    /// no decoder claimed its payload.
    public private(set) var application: ApplicationLayer?
    public var tracker: ConnectionTracker
    public let reassembler = FragmentReassembler()
    /// Which claimed messages `follow` parses: `.all` for a renderer that prints them (`read`,
    /// `capture`), `.forFlows` for only those the flow tables keep (`ConnectionTracker.keeps`: DNS
    /// over UDP, for its transactions), so `conversations` and `read --format none` parse no more
    /// than they use.
    public var parsing = ApplicationParsing.all

    public enum ApplicationParsing: Sendable {
        case all, forFlows
    }

    public init(configuration: ConnectionTracker.Configuration = ConnectionTracker.Configuration()) {
        tracker = ConnectionTracker(configuration: configuration)
    }

    /// Decodes and tracks one frame; `packet` then holds its layers and `application` its message.
    /// `parsing` overrides the follower's own choice for this frame (a frame `read`'s filter hides
    /// needs only what the flow tables keep).
    @inline(__always)
    public mutating func follow(
        _ bytes: UnsafeRawBufferPointer, linkType: LinkType, frame: Int, time: Timestamp, wireLength: Int,
        parsing override: ApplicationParsing? = nil
    ) -> PacketNote {
        PacketDecoder.decode(bytes, linkType: linkType, frame: frame, reassembler: reassembler, into: &packet)
        if packet.payloadTruncated { PacketDecoder.checkLength(&packet, captured: bytes.count, wireLength: wireLength) }
        var note = tracker.trackTransport(packet, frame: frame, time: time, wireLength: wireLength)
        // The segment's payload to its connection's streams (reassembly, HTTP).
        if packet.reassembledFirstFrame == 0 || note.kind != .tcp {
            tracker.trackStream(packet, bytes: bytes, frame: frame, time: time, note: note)
        } else {
            let p = packet
            reassembler.datagram.withUnsafeBytes {
                tracker.trackStream(p, bytes: $0, frame: frame, time: time, note: note)
            }
        }
        guard packet.application != .none,
            (override ?? parsing) == .all || tracker.keeps(packet.application, note: note)
        else {
            application = nil
            return note
        }
        // After tracking, so a decoder can later see the connection's direction and its stream.
        if packet.reassembledFirstFrame == 0 {
            application = ApplicationRegistry.parse(packet, bytes: bytes)
        } else {
            // The frame completed a fragmented datagram: its offsets point into the reassembled bytes.
            let p = packet
            application = reassembler.datagram.withUnsafeBytes { ApplicationRegistry.parse(p, bytes: $0) }
        }
        if let a = application { tracker.trackApplication(a, of: packet, frame: frame, time: time, note: &note) }
        return note
    }
}
