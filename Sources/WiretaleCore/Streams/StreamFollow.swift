/// Which way a followed stream's bytes go: sent by the client (to the server) or by the server.
public enum FollowDirection: String, Sendable, CaseIterable {
    case client
    case server
}

/// Where reading the capture for `follow` stopped, for its summary: frames after it are not counted.
public enum FollowStop: String, Sendable {
    /// Both directions reached their FIN: nothing more could be delivered (later ACKs are not read).
    case bothEnded = "both-ended"
    /// The tracker reported the connection over (closed and quiet, reset, idle, reused, evicted).
    case connectionOver = "connection-over"
    /// The capture ended first.
    case endOfCapture = "end-of-capture"
}

/// What `TCPStreamFollow` hands its renderer, in the order the capture delivers it (by the frame
/// that completes each piece, as tshark's `-z follow` orders it).
public enum FollowEvent {
    /// The stream's first frame: its two ends (the client is the tracker's: the side that opened,
    /// or its guess for a connection joined mid-stream).
    case begin(client: FlowEndpoint, server: FlowEndpoint)
    /// In-order bytes of one direction, carried by frames `firstFrame...lastFrame`, starting at
    /// `offset` in that direction's stream (bytes and gaps before them), delivered when frame
    /// `deliveredBy` was fed (a later one than `lastFrame` when they waited behind a hole; 0 at the
    /// end of the capture). Valid only during the call.
    case data(FollowDirection, UnsafeRawBufferPointer, firstFrame: Int, lastFrame: Int, offset: Int, deliveredBy: Int)
    /// `count` bytes of one direction that never arrived, at `offset`.
    case gap(FollowDirection, count: Int, offset: Int)
}

/// One TCP stream (`tcp.stream`) of a capture, reassembled in both directions for `follow`: each
/// frame of the stream is fed to the `TCPHalfStream` of its direction (the reassembler's policy:
/// first copy wins, held out-of-order data bounded, gaps delivered as gaps), and what they deliver
/// is handed on at once, so nothing delivered is kept. Both directions share one `ReassemblyBudget`.
///
/// A payload the snapshot length cut is fed as far as it was captured (its FIN, if any, at its
/// end on the wire): the rest is a hole, delivered as a gap when the reassembler gives it up.
public struct TCPStreamFollow {
    /// What one direction sent and how its reassembly went.
    public struct Side: Sendable {
        /// Bytes delivered (not counting gaps) and the chunks they came in.
        public internal(set) var bytes = 0
        public internal(set) var chunks = 0
        /// Where this direction's stream is: bytes delivered plus gaps.
        public internal(set) var offset = 0
        /// A FIN, or a RST, was seen from this side.
        public internal(set) var sawFIN = false
        public internal(set) var sawRST = false
        /// The segments this side sent (with or without payload).
        public internal(set) var segments = 0
    }

    /// The stream followed.
    public let stream: Int
    public private(set) var client: FlowEndpoint?
    public private(set) var server: FlowEndpoint?
    /// The client's bytes (to the server) and the server's.
    public private(set) var fromClient = TCPHalfStream()
    public private(set) var fromServer = TCPHalfStream()
    public private(set) var clientSide = Side()
    public private(set) var serverSide = Side()
    public var budget = ReassemblyBudget()
    public private(set) var firstFrame = 0
    public private(set) var lastFrame = 0
    /// Frames of the stream fed (those the filter passed).
    public private(set) var frames = 0

    public init(stream: Int) { self.stream = stream }

    /// A frame of the stream was seen.
    public var seen: Bool { client != nil }
    /// Both directions reached their FIN (or were finished): nothing more can be delivered.
    public var ended: Bool { fromClient.ended && fromServer.ended }

    /// The reassembly of one direction.
    public func half(_ d: FollowDirection) -> TCPHalfStream { d == .client ? fromClient : fromServer }
    /// What one direction sent.
    public func side(_ d: FollowDirection) -> Side { d == .client ? clientSide : serverSide }

    /// Feeds the frame `follower` just followed, when its note says it belongs to the stream
    /// (TCP, `stream`); other frames are ignored. `frameBytes` are the frame's bytes (a frame that
    /// completed an IP datagram is read from the follower's reassembled datagram instead).
    public mutating func add(
        _ follower: PacketFollower, note: PacketNote, frame: Int, frameBytes: UnsafeRawBufferPointer,
        _ emit: (FollowEvent) -> Void
    ) {
        guard note.kind == .tcp, Int(note.stream) == stream, follower.packet.hasTCP else { return }
        if follower.packet.reassembledFirstFrame == 0 {
            add(follower.packet, fromClient: note.fromClient, frame: frame, bytes: frameBytes, emit)
        } else {
            follower.reassembler.datagram.withUnsafeBytes {
                add(follower.packet, fromClient: note.fromClient, frame: frame, bytes: $0, emit)
            }
        }
    }

    /// Feeds one segment of the stream: `p`'s TCP layer, its offsets pointing into `bytes`.
    public mutating func add(
        _ p: DecodedPacket, fromClient sentByClient: Bool, frame: Int, bytes: UnsafeRawBufferPointer,
        _ emit: (FollowEvent) -> Void
    ) {
        let t = p.tcp
        if client == nil {
            let src = FlowEndpoint(p.ip.src, t.srcPort)
            let dst = FlowEndpoint(p.ip.dst, t.dstPort)
            client = sentByClient ? src : dst
            server = sentByClient ? dst : src
            firstFrame = frame
            emit(.begin(client: client!, server: server!))
        }
        lastFrame = frame
        frames += 1
        let direction: FollowDirection = sentByClient ? .client : .server
        let syn = t.flags.contains(.syn)
        let fin = t.flags.contains(.fin)
        let start = min(max(t.payloadOffset, 0), bytes.count)
        let captured = min(max(t.capturedPayload, 0), bytes.count - start)
        let whole = captured >= t.payloadLength
        let payload = UnsafeRawBufferPointer(rebasing: bytes[start..<(start + captured)])
        var side = self.side(direction)
        side.segments += 1
        if fin { side.sawFIN = true }
        if t.flags.contains(.rst) { side.sawRST = true }
        set(side, direction)
        feed(direction, seq: t.seq, payload: payload, syn: syn, fin: fin && whole, frame: frame, emit)
        if fin && !whole {
            // The FIN sits after the bytes the snapshot cut, where the wire had them.
            let end = t.seq &+ (syn ? 1 : 0) &+ UInt32(truncatingIfNeeded: t.payloadLength)
            feed(
                direction, seq: end, payload: UnsafeRawBufferPointer(start: nil, count: 0), fin: true, frame: frame,
                emit)
        }
    }

    /// End of the capture (or of the stream): what each direction holds is delivered after gaps.
    public mutating func finish(_ emit: (FollowEvent) -> Void) {
        for d in FollowDirection.allCases {
            var side = self.side(d)
            switch d {
            case .client: fromClient.finish(budget: &budget) { Self.forward($0, d, &side, frame: 0, emit) }
            case .server: fromServer.finish(budget: &budget) { Self.forward($0, d, &side, frame: 0, emit) }
            }
            set(side, d)
        }
    }

    private mutating func feed(
        _ d: FollowDirection, seq: UInt32, payload: UnsafeRawBufferPointer, syn: Bool = false, fin: Bool,
        frame: Int, _ emit: (FollowEvent) -> Void
    ) {
        var side = self.side(d)
        switch d {
        case .client:
            fromClient.add(seq: seq, payload: payload, syn: syn, fin: fin, frame: frame, budget: &budget) {
                Self.forward($0, d, &side, frame: frame, emit)
            }
        case .server:
            fromServer.add(seq: seq, payload: payload, syn: syn, fin: fin, frame: frame, budget: &budget) {
                Self.forward($0, d, &side, frame: frame, emit)
            }
        }
        set(side, d)
    }

    private mutating func set(_ side: Side, _ d: FollowDirection) {
        switch d {
        case .client: clientSide = side
        case .server: serverSide = side
        }
    }

    private static func forward(
        _ e: TCPStreamEvent, _ d: FollowDirection, _ side: inout Side, frame: Int, _ emit: (FollowEvent) -> Void
    ) {
        switch e {
        case .data(let b, let first, let last):
            guard b.count > 0 else { return }
            emit(.data(d, b, firstFrame: first, lastFrame: last, offset: side.offset, deliveredBy: frame))
            side.offset += b.count
            side.bytes += b.count
            side.chunks += 1
        case .gap(let n):
            emit(.gap(d, count: n, offset: side.offset))
            side.offset += n
        case .end:
            break
        }
    }
}
