/// The words of `lab servers`' text report (`ServersLab.render`) that are only the lab's, in
/// English and in the notes' Chinese; the notes' own terms (进程, 线程, 协程 and the five
/// differences) come from `ExecutionUnit` and `UnitDifference`.
public enum ServersLabel: UInt8, NotesLabel {
    case heading, columnModel, columnProcesses, columnThreads, differences

    public var english: StaticString {
        switch self {
        case .heading: "Processes, threads, coroutines, measured (the notes, section 5)"
        case .columnModel: "model"
        case .columnProcesses: "procs"
        case .columnThreads: "threads"
        case .differences: "  The notes' five differences, each with its evidence from this run:"
        }
    }

    public var chinese: StaticString {
        switch self {
        case .heading: "进程 / 线程 / 协程, 测量 (笔记第5节)"
        case .columnModel: "模型"
        case .columnProcesses: "进程"
        case .columnThreads: "线程"
        case .differences: "  笔记: 他们的区别, 每一条的证据"
        }
    }

    /// The text as a String, for the report's lines.
    package func string(_ lang: NotesLanguage) -> String { text(lang).description }
}
