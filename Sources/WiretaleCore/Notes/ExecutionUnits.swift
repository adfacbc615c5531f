/// The notes' section 5, "进程 / 线程 / 协程": the three units a program runs in, and the five
/// differences the notes list between processes and threads, spelled once in English and in the
/// notes' own Chinese (`lab servers` measures each one).
public enum ExecutionUnit: String, CaseIterable, Sendable {
    case process
    case thread
    case coroutine

    /// The English reading used by `--lang en`.
    public var english: String {
        switch self {
        case .process: "process"
        case .thread: "thread"
        case .coroutine: "coroutine"
        }
    }

    /// The notes' term: 进程, 线程, 协程.
    public var chinese: String {
        switch self {
        case .process: "进程"
        case .thread: "线程"
        case .coroutine: "协程"
        }
    }

    public func label(_ lang: NotesLanguage) -> String { lang == .zh ? chinese : english }

    /// The notes' definition (the notes leave 协程概念 empty; the English reading fills it in).
    public var definition: (english: String, chinese: String) {
        switch self {
        case .process:
            ("the unit of resource allocation and scheduling", "进程是系统进行资源分配和调度的一个独立单位")
        case .thread:
            (
                "the unit of CPU scheduling inside a process, sharing its resources",
                "线程是进程的一个实体,是CPU调度和分派的基本单位"
            )
        case .coroutine:
            ("scheduled cooperatively in user space, many on a few threads", "协程概念")
        }
    }
}

/// The notes' five differences between processes and threads ("他们的区别"), in the notes' order.
public enum UnitDifference: Int, CaseIterable, Sendable {
    case atLeastOne = 1
    case lighter = 2
    case separateMemory = 3
    case notOnItsOwn = 4
    case protection = 5

    public var english: String {
        switch self {
        case .atLeastOne: "a program has at least one process, a process at least one thread"
        case .lighter: "threads are smaller than processes (fewer resources), so more can run at once"
        case .separateMemory: "a process has its own memory; threads share theirs"
        case .notOnItsOwn: "a thread cannot run on its own: it lives inside a process"
        case .protection: "threads are cheap to run but hard to manage and protect; processes the opposite"
        }
    }

    /// The notes' own sentence, quoted.
    public var chinese: String {
        switch self {
        case .atLeastOne: "一个程序至少有一个进程,一个进程至少有一个线程"
        case .lighter: "线程的划分尺度小于进程(资源比进程少)，使得多线程程序的并发性高"
        case .separateMemory: "进程在执行过程中拥有独立的内存单元，而多个线程共享内存"
        case .notOnItsOwn: "线程不能够独立执行，必须依存在进程中"
        case .protection: "线程执行开销小，但不利于资源的管理和保护；而进程正相反"
        }
    }

    public func label(_ lang: NotesLanguage) -> String { lang == .zh ? chinese : english }
}
