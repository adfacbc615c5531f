import WiretaleCore

/// One captured frame of a lab run as the tracker saw it: its number, time, TCP header fields and
/// the note (the notes' step, the state changes and both sides' states after it).
public struct WireFrame: Sendable {
    /// 1-based, as `read` numbers frames.
    public var number: Int
    /// CLOCK_REALTIME nanoseconds (the clock the lab's steps are timed with).
    public var time: Int64
    public var note: PacketNote
    public var isTCP: Bool
    public var tcp: TCPInfo

    /// Both sides' states after this frame (the tracker's, after any correction it made).
    public func state(of side: LabActor) -> TCPState { side == .client ? note.clientState : note.serverState }
}

/// One side of the connection at one of the kernel's samples: the state the kernel listed and the
/// state the wire implies at that moment (after every frame captured up to the sample).
public struct StateSample: Sendable, Equatable {
    /// `.client` or `.server`.
    public var side: LabActor
    /// The kernel lists this side's socket (else it holds nothing: CLOSED).
    public var listed: Bool
    /// The kernel's state: nil when not listed, or listed with a number the kernel does not define.
    public var kernel: TCPState?
    /// The wire's state, nil when no packet was captured.
    public var wire: TCPState?

    /// What the kernel says: its state, CLOSED for a socket it no longer holds.
    public var kernelSays: TCPState? { listed ? kernel : .closed }

    /// The kernel and the wire say the same; nil when there is no wire to compare with.
    public var agree: Bool? { wire.map { $0 == kernelSays } }
}

/// The kernel's sampled states beside the wire's, step by step: the check that the states the
/// tracker infers from packets are the ones the host itself reports.
public enum TCPLabStates {
    /// Every frame of `run`, explained in order (empty when not captured).
    public static func frames(_ run: LabRun) -> [WireFrame] {
        var x = FrameExplainer()
        return (run.frames ?? []).map { f in
            let note = x.line(for: f).note
            return WireFrame(
                number: x.frameCount, time: f.timestamp.totalNanoseconds, note: note, isTCP: note.kind == .tcp,
                tcp: x.packet.tcp)
        }
    }

    /// The client's and the server's samples after each step (empty for a step the kernel was not
    /// read after): a side is shown when the kernel lists its socket or the wire has seen it by then.
    public static func samples(_ run: LabRun, frames: [WireFrame]) -> [[StateSample]] {
        run.steps.map { step in
            guard let sampled = step.sampled else { return [] }
            let seen = frames.last { $0.isTCP && $0.time <= sampled }
            var out: [StateSample] = []
            for side in [LabActor.client, .server] {
                let k = step.kernel.first { $0.role == side.rawValue }
                let wire: TCPState? = run.frames == nil ? nil : (seen?.state(of: side) ?? .closed)
                guard k != nil || seen != nil else { continue }
                out.append(StateSample(side: side, listed: k != nil, kernel: k?.socket.state, wire: wire))
            }
            return out
        }
    }
}
