import WiretaleCore

/// The notes list the steps a..i; a real fetch does them in another order. This compares the two
/// (notes section 4: "the letters are listed a..i, but that is not the order in which things happen").
public struct OrderingVerdict: Sendable, Equatable {
    public struct Placement: Sendable, Equatable {
        public var letter: NotesStep
        /// 1-based position in the notes' listing.
        public var notesPosition: Int
        /// 1-based position in the observed order, nil when the step did not happen.
        public var observedPosition: Int?
        /// Why the letter is elsewhere than in the notes' listing, in both languages.
        public var reason: Bilingual?
        /// The reason in English (JSON `why`).
        public var why: String? { reason?.english }
    }

    /// The letters in the order the fetch showed them (first occurrence of each, over all hops).
    public var observed: [NotesStep]
    /// Letters whose observed position differs from their place in the notes' listing.
    public var outOfPlace: [NotesStep]
    /// Letters the fetch never completed (it failed before them, or they do not apply).
    public var missing: [NotesStep]
    public var placements: [Placement]
    /// Steps that happened but that the notes do not list (TLS, the teardown).
    public var notInNotes: [TraceStepKind]

    /// Letters whose step failed but did put packets on the wire (a connection refused: its SYN
    /// and the RST): they count in the observed order, marked as attempted.
    public var attempted: [NotesStep]

    public init(steps: [TraceStep]) {
        let tried = steps.filter { $0.status == .failed && $0.detail["attempted"] == .bool(true) }
        let done = steps.filter { $0.status == .ok } + tried
        attempted = tried.compactMap(\.kind.note).reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
        let order = OrderingVerdict.observedSequence(done)
        var seen: [NotesStep] = []
        for s in order {
            if let n = s.kind.note, !seen.contains(n) { seen.append(n) }
        }
        observed = seen
        missing = NotesStep.notesOrder.filter { !seen.contains($0) }
        var extra: [TraceStepKind] = []
        for s in order where s.kind.note == nil && !extra.contains(s.kind) { extra.append(s.kind) }
        notInNotes = extra
        var placements: [Placement] = []
        var out: [NotesStep] = []
        for (i, letter) in NotesStep.notesOrder.enumerated() {
            let pos = seen.firstIndex(of: letter).map { $0 + 1 }
            var p = Placement(letter: letter, notesPosition: i + 1, observedPosition: pos, reason: nil)
            if let pos, pos != i + 1 {
                out.append(letter)
                p.reason = OrderingVerdict.reason(letter)
            }
            placements.append(p)
        }
        self.placements = placements
        outOfPlace = out
    }

    /// The steps in the order they happened: state that was in place before the fetch first (in the
    /// order address, link, neighbour: the notes' d, h, f), then the rest by start time, ties kept in
    /// the order the trace recorded them.
    public static func observedSequence(_ steps: [TraceStep]) -> [TraceStep] {
        let before = steps.enumerated().filter { $0.element.beforeFetch }
            .sorted { (rank($0.element.kind), $0.offset) < (rank($1.element.kind), $1.offset) }
            .map(\.element)
        let during = steps.enumerated().filter { !$0.element.beforeFetch }
            .sorted { ($0.element.startMs, $0.offset) < ($1.element.startMs, $1.offset) }
            .map(\.element)
        return before + during
    }

    private static func rank(_ k: TraceStepKind) -> Int {
        switch k {
        case .localAddress: 0
        case .link: 1
        case .neighbour: 2
        default: 3
        }
    }

    /// Why reality puts a letter elsewhere than the notes' listing.
    static func reason(_ letter: NotesStep) -> Bilingual {
        let label: TraceSay =
            switch letter {
            case .a: .reasonA
            case .b: .reasonB
            case .c: .reasonC
            case .d: .reasonD
            case .e: .reasonE
            case .f: .reasonF
            case .g: .reasonG
            case .h: .reasonH
            case .i: .reasonI
            }
        return Bilingual(label)
    }
}
