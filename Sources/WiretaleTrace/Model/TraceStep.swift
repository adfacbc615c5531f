import WiretaleCore

/// One step of a traced fetch, beside its notes letter (notes section 4).
public struct TraceStep: Sendable {
    public enum Status: String, Sendable {
        case ok, failed, skipped
    }

    public var kind: TraceStepKind
    /// Which fetch this step belongs to: 0 for the first, 1 for the first redirect, and so on.
    public var hop: Int
    /// Milliseconds from the start of the trace (monotonic clock).
    public var startMs: Double
    public var durationMs: Double
    /// Frame numbers of captured packets behind this step (empty without a capture).
    public var frames: [Int]
    public var status: Status
    /// True for state that was already in place before the fetch began (address, link, a warm
    /// neighbour entry): wiretale read it, the fetch did not have to make it.
    public var beforeFetch: Bool
    public var detail: Detail
    /// Human lines: what was seen and what it means, in the notes' terms, in both languages.
    public var lines: [Bilingual]
    /// How the capture saw the connection close (the teardown step only; nil without a capture):
    /// the step is named by it (`TraceText`), a three-segment close is not the notes' four-way one.
    public var teardownShape: TeardownKind?

    /// The lines in English (JSON, and tests); lines set here read the same in both languages.
    public var evidence: [String] {
        get { lines.map(\.english) }
        set { lines = newValue.map(Bilingual.init(verbatim:)) }
    }

    /// Adds a line from the trace's table (`TraceSay`), `values` in its slots.
    mutating func say(_ label: TraceSay, _ values: String...) {
        lines.append(Bilingual(english: label.filled(.en, values), chinese: label.filled(.zh, values)))
    }

    /// Adds a line that reads the same in both languages (a header, a packet line).
    mutating func say(verbatim: String) { lines.append(Bilingual(verbatim: verbatim)) }

    public init(
        _ kind: TraceStepKind, hop: Int = 0, startMs: Double = 0, durationMs: Double = 0,
        status: Status = .ok, beforeFetch: Bool = false
    ) {
        self.kind = kind
        self.hop = hop
        self.startMs = startMs
        self.durationMs = durationMs
        self.frames = []
        self.status = status
        self.beforeFetch = beforeFetch
        self.detail = Detail()
        self.lines = []
    }

    /// The step's id in JSON: "url", "dns", "tcp", ...
    public var id: String { kind.rawValue }
    /// The notes' letter, nil for TLS and the teardown (the notes do not list them).
    public var note: Character? { kind.note?.rawValue }
    public var endMs: Double { startMs + durationMs }

    /// The step's name for `--lang zh` (JSON `name_zh`): the notes' wording, and for the teardown
    /// what the capture showed: 四次挥手 only for four segments, the three-segment close, a
    /// simultaneous close or an RST by their own names, and no count without a capture.
    public var chineseTitle: String {
        guard kind == .teardown, let shape = teardownShape, shape != .none else { return kind.chineseTitle }
        return TraceLabel.teardownSeen.filled(.zh, [shape.chinese.description])
    }
}
