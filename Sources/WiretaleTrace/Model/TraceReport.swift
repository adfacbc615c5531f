import WiretaleCore

/// The whole trace: every step beside its notes letter, the order seen, and how it ended.
public struct TraceReport: Sendable {
    public enum Result: Sendable {
        case ok
        case failed(TraceFailure)
    }

    public var url: String
    public var steps: [TraceStep]
    public var result: Result
    /// What happened about packets: captured (how many, where), or why not and how to get them.
    public var packets: PacketStatus
    public var verdict: OrderingVerdict
    /// curl's `-w` figures from the same step times (`TraceTimings`).
    public var timings: TraceTimings

    public init(url: String, steps: [TraceStep], result: Result, packets: PacketStatus) {
        self.url = url
        self.steps = steps
        self.result = result
        self.packets = packets
        self.verdict = OrderingVerdict(steps: steps)
        self.timings = TraceTimings(steps: steps)
    }

    /// The notes' listing: a, b, ... i.
    public var notesOrder: [String] { NotesStep.notesOrder.map(\.letter) }
    public var observedOrder: [String] { verdict.observed.map(\.letter) }

    public var exitCode: Int32 {
        switch result {
        case .ok: 0
        case .failed(let f): f.failureClass.exitCode
        }
    }
}

/// Whether packets were captured for this trace, and if not, why and how to get them.
public struct PacketStatus: Sendable {
    public var captured: Bool
    public var interface: String?
    public var frameCount: Int
    public var savedTo: String?
    /// One or two lines for the user: what was captured, or why nothing was and what to do.
    public var message: Bilingual
    /// The message in English (JSON `note`).
    public var note: String { message.english }

    public init(
        captured: Bool, interface: String? = nil, frameCount: Int = 0, savedTo: String? = nil, note: Bilingual
    ) {
        self.captured = captured
        self.interface = interface
        self.frameCount = frameCount
        self.savedTo = savedTo
        self.message = note
    }

    /// A message that reads the same in both languages.
    public init(captured: Bool, interface: String? = nil, frameCount: Int = 0, savedTo: String? = nil, note: String) {
        self.init(
            captured: captured, interface: interface, frameCount: frameCount, savedTo: savedTo,
            note: Bilingual(verbatim: note))
    }
}
