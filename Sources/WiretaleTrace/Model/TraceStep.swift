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
    /// Human lines: what was seen and what it means, in the notes' terms.
    public var evidence: [String]

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
        self.evidence = []
    }

    /// The step's id in JSON: "url", "dns", "tcp", ...
    public var id: String { kind.rawValue }
    /// The notes' letter, nil for TLS and the teardown (the notes do not list them).
    public var note: Character? { kind.note?.rawValue }
    public var endMs: Double { startMs + durationMs }
}
