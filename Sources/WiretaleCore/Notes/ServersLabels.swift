/// The words of `lab servers`' text report (`ServersLab.render`) that are only the lab's, in
/// English and in the notes' Chinese, each with `{}` where a value goes; the notes' own terms (进程,
/// 线程, 协程 and the five differences) come from `ExecutionUnit` and `UnitDifference`.
public enum ServersLabel: UInt8, NotesLabel {
    case heading, columnModel, columnProcesses, columnThreads, differences, intro1, intro2, columnAnswered,
        errorsUnfinished, legend1, legend2, legend3, legend4, shows1, shows2, shows3, shows4, shows5, atLeastOne,
        startTook, startNotMeasured, memoryPerConnection, lighterNote1, lighterNote2, counters, sharedCounter,
        memoryNote1, memoryNote2, threadOf, threadsEnded, threadNotRun, crashLine, answered, notAnswered,
        processesChange, serverDied, serverLived, coroutineNote1, coroutineNote2, serverNotStarted, warmAnswered,
        loadFailed, loadLine, callFailed, refusedHint, portInUseHint, lowPortHint

    public var english: StaticString {
        switch self {
        case .heading: "Processes, threads, coroutines, measured (the notes, section 5)"
        case .columnModel: "model"
        case .columnProcesses: "procs"
        case .columnThreads: "threads"
        case .differences: "  The notes' five differences, each with its evidence from this run:"
        case .intro1:
            "  one HTTP/1.1 keep-alive server, the same handler, in three models ({}); per run: C connections, {} requests,"
        case .intro2: "  at most {} s, loopback, {} load threads, {} cores shared with the server."
        case .columnAnswered: "answered"
        case .errorsUnfinished: "      ({} errors; {} not answered when its time was up)"
        case .legend1: "  procs, threads, PSS: /proc with every connection open (after one request each); PSS sums"
        case .legend2: "  /proc/PID/smaps_rollup over the server's processes, so a shared page counts once in all."
        case .legend3: "  ctx (voluntary, involuntary) and CPU: wait4 when the server ended, its whole life (start,"
        case .legend4:
            "  first requests, load), its workers included. Latency: the client's clock, request to response."
        case .shows1: "  What this shows: how these three models rank for this load on this machine, and where each"
        case .shows2: "  spends (start cost, memory per connection, context switches). What it does not: a web-server"
        case .shows3: "  benchmark. Loopback, {} cores shared by server and load, a handler that does nothing but"
        case .shows4: "  count; a real handler's work, a real network's delays and another machine's cores change the"
        case .shows5: "  figures, and other programs running at the same time make them noisy."
        case .atLeastOne:
            "{}: {} process(es) and {} thread(s) at C={}, {} and {} at C={} (never fewer threads than processes)"
        case .startTook: "starting one took {} µs (mean of {})"
        case .startNotMeasured: "start cost not measured"
        case .memoryPerConnection: "; each extra connection added {} KiB of PSS"
        case .lighterNote1:
            "(a process here is a posix_spawn of this binary to its exit; a thread pthread_create to join;"
        case .lighterNote2: "a task Task {} to its value. Memory per connection: PSS between the lowest and highest C.)"
        case .counters: "{}: {} requests on {} connections; each process's own counter ended at [{}]"
        case .sharedCounter: "; the counter in shared memory (memfd, MAP_SHARED) at {}"
        case .memoryNote1:
            "(one counter per process: each has its own memory; one total: the threads or tasks share it."
        case .memoryNote2: "Processes share only what they map together on purpose, as the memfd page above.)"
        case .threadOf:
            "thread {} of the thread model's server is /proc/{}/task/{}; its status says Tgid {}: it belongs to process {}, one of {} threads listed there."
        case .threadsEnded:
            "When that process ended (signal {}, the crash below), every one of its threads ended with it."
        case .threadNotRun: "(the thread model was not run)"
        case .crashLine:
            "{}: after one request crashed its handler, {} of the {} other connections were answered; a new connection was {}"
        case .answered: "answered"
        case .notAnswered: "not answered"
        case .processesChange: "; processes {} → {}"
        case .serverDied: "; the server died (signal {})"
        case .serverLived: "; the server lived"
        case .coroutineNote1:
            "(under coroutines a Swift trap ends the whole process as under threads; the servers ran in"
        case .coroutineNote2: "child processes of the lab, so the lab lived to report it.)"
        case .serverNotStarted: "the server could not be started"
        case .warmAnswered: "only {} of {} connections answered at first"
        case .loadFailed: "lab load: {}"
        case .loadLine:
            "lab load: {} connections, {} answered, {} errors, {} in flight at the end, in {} s: {} requests/s, p50 {} ms, p99 {} ms"
        case .callFailed: "{}: {}"  // the English is `SocketError.bilingual`'s own
        case .refusedHint: "nothing listens there (is `wiretale serve` running?)"
        case .portInUseHint: "another program holds that port; pick another with --port"
        case .lowPortHint: "ports below 1024 need root"
        }
    }

    public var chinese: StaticString {
        switch self {
        case .heading: "进程 / 线程 / 协程, 测量 (笔记第5节)"
        case .columnModel: "模型"
        case .columnProcesses: "进程"
        case .columnThreads: "线程"
        case .differences: "  笔记: 他们的区别, 每一条的证据"
        case .intro1: "  一个 HTTP/1.1 keep-alive 服务器, 同一个处理函数, 三种模型 ({}); 每次运行: C 个连接, {} 个请求,"
        case .intro2: "  最多 {} s, 环回, {} 个负载线程, {} 个核与服务器共用。"
        case .columnAnswered: "已回答"
        case .errorsUnfinished: "      ({} 个错误; {} 个到时仍未回答)"
        case .legend1: "  进程, 线程, PSS: 所有连接都打开时的 /proc (每个连接一个请求之后); PSS 是"
        case .legend2: "  服务器各进程 /proc/PID/smaps_rollup 之和, 所以共享的页总共只算一次。"
        case .legend3: "  ctx (自愿, 非自愿) 和 CPU: 服务器结束时的 wait4, 它的整个生命期 (启动,"
        case .legend4: "  最初的请求, 负载), 包括它的工作者。延迟: 客户端的时钟, 从请求到响应。"
        case .shows1: "  这说明了: 在这台机器上、这种负载下这三种模型的排名, 以及每种模型"
        case .shows2: "  花在哪里 (启动代价, 每个连接的内存, 上下文切换)。没有说明的: 这不是Web服务器的"
        case .shows3: "  基准测试。环回, 服务器和负载共用 {} 个核, 处理函数除了计数什么都不做;"
        case .shows4: "  真实处理函数的工作、真实网络的延迟和另一台机器的核都会改变"
        case .shows5: "  这些数字, 同时运行的其他程序也会让它们有噪声。"
        case .atLeastOne: "{}: {} 个进程和 {} 个线程 (C={}), {} 和 {} (C={}) (线程从不少于进程)"
        case .startTook: "启动一个用了 {} µs ({} 次的平均)"
        case .startNotMeasured: "没有测量启动代价"
        case .memoryPerConnection: "; 每多一个连接增加 {} KiB 的PSS"
        case .lighterNote1: "(这里的进程是指从 posix_spawn 这个程序到它退出; 线程是 pthread_create 到 join;"
        case .lighterNote2: "任务是 Task {} 到它的值。每个连接的内存: 最低和最高 C 之间的PSS。)"
        case .counters: "{}: {} 个请求, {} 个连接; 每个进程自己的计数器最后是 [{}]"
        case .sharedCounter: "; 共享内存 (memfd, MAP_SHARED) 中的计数器为 {}"
        case .memoryNote1: "(每个进程一个计数器: 各有自己的内存; 一个总数: 线程或任务共享它。"
        case .memoryNote2: "进程只共享它们有意一起映射的东西, 如上面的 memfd 页。)"
        case .threadOf: "线程模型服务器的线程 {} 是 /proc/{}/task/{}; 它的 status 写着 Tgid {}: 它属于进程 {}, 是那里列出的 {} 个线程之一。"
        case .threadsEnded: "那个进程结束时 (信号 {}, 即下面的崩溃), 它的每个线程都随之结束。"
        case .threadNotRun: "(没有运行线程模型)"
        case .crashLine: "{}: 一个请求让处理函数崩溃之后, 有 {} 个连接得到回答 (其他连接共 {} 个); 新连接{}"
        case .answered: "得到回答"
        case .notAnswered: "没有得到回答"
        case .processesChange: "; 进程 {} → {}"
        case .serverDied: "; 服务器死了 (信号 {})"
        case .serverLived: "; 服务器活着"
        case .coroutineNote1: "(在协程下, Swift 的 trap 与线程下一样结束整个进程; 服务器运行在"
        case .coroutineNote2: "实验的子进程中, 所以实验活下来报告了它。)"
        case .serverNotStarted: "服务端未能启动"
        case .warmAnswered: "最初只有 {} 个连接得到应答 (共 {} 个)"
        case .loadFailed: "实验负载: {}"
        case .loadLine: "实验负载: {} 个连接, {} 个已应答, {} 个错误, 结束时 {} 个仍在途中, 用时 {} s: 每秒 {} 个请求, p50 {} ms, p99 {} ms"
        case .callFailed: "{} 失败: {}"
        case .refusedHint: "那里没有程序在监听 (`wiretale serve` 在运行吗?)"
        case .portInUseHint: "另一个程序占用了这个端口; 用 --port 换一个"
        case .lowPortHint: "1024 以下的端口需要 root"
        }
    }

    /// The text as a String, for the report's lines.
    package func string(_ lang: NotesLanguage) -> String { text(lang).description }

    /// The text with `values` in its `{}` slots, as a String.
    package func string(_ lang: NotesLanguage, _ values: String...) -> String { filled(lang, values) }
}
