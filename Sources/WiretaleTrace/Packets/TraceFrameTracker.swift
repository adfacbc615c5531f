import WiretaleCore

/// The trace's decode → track path, the one `PacketPrinter` uses for `read`: every decoded frame
/// goes through the core's `ConnectionTracker`, whose note (the step of the notes' handshake or
/// teardown, the ack = x+1 / y+1 checks, the state changes) rides on the frame, and whose reports
/// say how each connection opened and closed. The trace computes none of that itself.
public struct TraceFrameTracker {
    private var tracker: ConnectionTracker
    public private(set) var frames: [TraceFrame] = []

    public init() {
        tracker = ConnectionTracker()
    }

    /// Tracks one decoded frame and keeps it, reduced to a `TraceFrame`. `bytes` are the frame's bytes.
    public mutating func add(
        _ p: DecodedPacket, bytes: UnsafeRawBufferPointer, timeMs: Double, time: Timestamp, wireLength: Int
    ) {
        let number = frames.count + 1
        var note = tracker.trackTransport(p, frame: number, time: time, wireLength: wireLength)
        // The application message is parsed once, after tracking, as `PacketFollower` does.
        let application = ApplicationRegistry.parse(p, bytes: bytes)
        if let a = application { tracker.trackApplication(a, of: p, frame: number, time: time, note: &note) }
        var frame = TraceFrameReader.frame(
            number: number, timeMs: timeMs, p, application: application, bytes: bytes, wireLength: wireLength)
        if note.kind == .tcp {
            frame.stream = note.stream
            frame.step = note.step
        }
        if note.hasRemarks {
            frame.chineseSummary = frame.summary + " -- " + note.remarks(lang: .zh)
            frame.summary += " -- " + note.remarks()
        }
        frames.append(frame)
    }

    /// The capture ended: the frames, and the tracker's report on every TCP connection it saw.
    public mutating func finish() -> CapturedTrace {
        tracker.finish()
        var connections: [TCPConversation] = []
        while let r = tracker.nextReport() {
            if case .tcp(let c) = r { connections.append(c) }
        }
        return CapturedTrace(frames: frames, connections: connections)
    }
}
