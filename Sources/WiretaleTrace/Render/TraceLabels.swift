import WiretaleCore

/// The words of `trace`'s text report (`TraceText`) that are only the trace's, in English and in
/// the notes' Chinese; the notes' own terms (the steps a..i) come from `NotesStep`.
public enum TraceLabel: UInt8, NotesLabel {
    case columnNote, columnStep, columnStart, columnDuration, columnFrames, columnEvidence, notesOrder, observedOrder

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
        }
    }

    /// The text as a String, for the report's String lines.
    func string(_ lang: NotesLanguage) -> String { text(lang).description }
}
