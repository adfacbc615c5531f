/// The words of `trace`'s text report (`TraceText`) that are only the trace's, in English and in
/// the notes' Chinese; the notes' own terms (the steps a..i) come from `NotesStep`.
public enum TraceLabel: UInt8, NotesLabel {
    case columnNote, columnStep, columnStart, columnDuration, columnFrames, columnEvidence, notesOrder, observedOrder
    /// The steps `trace` shows that the notes do not list, marked as not being from the notes.
    case tlsStep, teardownStep

    public var english: StaticString {
        switch self {
        case .columnNote: "note"
        case .columnStep: "step"
        case .columnStart: "start ms"
        case .columnDuration: "dur ms"
        case .columnFrames: "frames"
        case .columnEvidence: "evidence"
        case .notesOrder: "notes order:    "
        case .observedOrder: "observed order: "
        case .tlsStep: "TLS handshake (not in the notes)"
        case .teardownStep: "teardown (not in the notes)"
        }
    }

    public var chinese: StaticString {
        switch self {
        case .columnNote: "笔记"
        case .columnStep: "步骤"
        case .columnStart: "开始 ms"
        case .columnDuration: "耗时 ms"
        case .columnFrames: "帧"
        case .columnEvidence: "证据"
        case .notesOrder: "笔记顺序 (notes order):   "
        case .observedOrder: "实际顺序 (observed):      "
        case .tlsStep: "TLS握手（笔记未列出）"
        case .teardownStep: "四次挥手（笔记未列出）"
        }
    }

    /// The text as a String, for the report's String lines.
    package func string(_ lang: NotesLanguage) -> String { text(lang).description }
}
