import CLinux
import WiretaleCore
import WiretaleSystem

#if canImport(Glibc)
    import Glibc
#endif

/// One model at one concurrency, measured.
public struct ServersRun: Sendable {
    public var model: ExecutionUnit
    public var concurrency: Int
    public var requests: Int
    public var answered = 0
    /// Requests whose connection closed or reset before the answer, or whose answer was not 200.
    public var errors = 0
    /// Requests not answered (or not sent) when the run's time was up.
    public var unfinished = 0
    public var requestsPerSecond = 0.0
    public var p50Ms: Double?
    public var p99Ms: Double?
    /// From `/proc` with every connection open (after one request each, before the timed load).
    public var snapshot = ProcessSnapshot()
    /// From wait4 when the server ended: its own and its reaped workers' totals over its whole life.
    public var ctxVoluntary = 0
    public var ctxInvoluntary = 0
    public var cpuMs = 0.0
    /// Set when the server could not be started or reached (JSON keeps the English).
    public var failure: Bilingual?
}

/// The separate-vs-shared-memory experiment: requests on a few connections, then each process's
/// own counter as the responses reported it.
public struct SharedCounterResult: Sendable {
    public var requests = 0
    public var connections = 0
    /// The final value of each serving process's own counter (one entry per process).
    public var counters: [Int] = []
    /// The counter in memory the processes share on purpose (a memfd mapped MAP_SHARED), if any.
    public var sharedMemory: Int?
}

/// The protection experiment: one request crashes its handler; do the other connections still get
/// answers?
public struct CrashResult: Sendable {
    public var others = 0
    /// Requests on the other, already open connections answered after the crash.
    public var servedAfterCrash = 0
    /// A connection opened after the crash was answered.
    public var newConnectionServed = false
    public var processesBefore = 0
    public var processesAfter = 0
    /// How the server process itself ended: nil when it was still serving (and stopped by the lab).
    public var serverSignal: Int32?
}

public struct ServersReport: Sendable {
    public var runs: [ServersRun] = []
    public var startCostUs: [ExecutionUnit: Double] = [:]
    public var startSamples: [ExecutionUnit: Int] = [:]
    /// PSS added per extra connection: between the lowest and highest concurrency runs.
    public var memoryPerUnitKiB: [ExecutionUnit: Double] = [:]
    public var sharedCounter: [ExecutionUnit: SharedCounterResult] = [:]
    public var crash: [ExecutionUnit: CrashResult] = [:]
    public var threadInProcess: ThreadEvidence?
    public var requests = 0
    public var seconds = 0.0
    public var cores = 0
    public var loadThreads = 0
    public var models: [ExecutionUnit] = []
    public var ladder: [Int] = []
}

/// `wiretale lab servers`: the notes' process, thread and coroutine (section 5) measured. Every
/// server runs in a child process of the lab (the same binary, `serve http --listen-fd 3`), so a
/// crash never takes the lab down.
public enum ServersLab {
    public struct Options: Sendable {
        public var models: [ExecutionUnit] = ExecutionUnit.allCases
        public var concurrency: [Int] = [1, 10, 100, 1000]
        public var requests = 10_000
        public var seconds = 10.0
        public var loadThreads = 2
        public var experiments = true
        /// This program (the CLI passes /proc/self/exe; tests the built binary).
        public var executable: String

        public init(executable: String) { self.executable = executable }
    }

    public static let maxConcurrency = 2000

    public static func run(_ o: Options) -> ServersReport {
        HTTPServer.raiseFileLimit()
        signal(SIGPIPE, SIG_IGN)
        var r = ServersReport()
        r.requests = o.requests
        r.seconds = o.seconds
        r.cores = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        r.loadThreads = o.loadThreads
        r.models = o.models
        r.ladder = o.concurrency
        for m in o.models {
            for c in o.concurrency {
                let run = measure(m, concurrency: c, o)
                if m == .thread, r.threadInProcess == nil || c == o.concurrency.max() {
                    r.threadInProcess = run.snapshot.threadInProcess ?? r.threadInProcess
                }
                r.runs.append(run)
            }
            let mine = r.runs.filter { $0.model == m && $0.failure == nil && $0.snapshot.pssKiB > 0 }
            if let lo = mine.min(by: { $0.concurrency < $1.concurrency }),
                let hi = mine.max(by: { $0.concurrency < $1.concurrency }), hi.concurrency > lo.concurrency
            {
                r.memoryPerUnitKiB[m] =
                    Double(hi.snapshot.pssKiB - lo.snapshot.pssKiB) / Double(hi.concurrency - lo.concurrency)
            }
            guard o.experiments else { continue }
            let (cost, n) = startCost(m, executable: o.executable)
            r.startCostUs[m] = cost
            r.startSamples[m] = n
            r.sharedCounter[m] = sharedCounter(m, o)
            r.crash[m] = crash(m, o)
        }
        return r
    }

    /// A server of `model` in a child process; the lab keeps the write end of its standard input
    /// (closing it stops the server).
    struct Server {
        var pid: pid_t
        var address: SocketAddress
        var control: Int32

        /// Stops the server and returns how it ended.
        func stop() -> ChildProcess.Ended {
            close(control)
            return ChildProcess.wait(pid, seconds: 10)
        }
    }

    static func start(_ model: ExecutionUnit, _ o: Options) -> Server? {
        guard let listener = try? Socket.tcp() else { return nil }
        try? listener.reuseAddress()
        guard (try? listener.bind(SocketAddress(ip: "127.0.0.1", port: 0)!)) != nil,
            (try? listener.listen(backlog: 4096)) != nil, let address = try? listener.localAddress()
        else { return nil }
        var pipeFDs: [Int32] = [-1, -1]
        guard wt_pipe_cloexec(&pipeFDs) == 0 else { return nil }
        // No backtrace on a trap: the crash experiment traps on purpose, and the backtracer would
        // spend seconds symbolicating it.
        let env = ChildProcess.environment(with: ["SWIFT_BACKTRACE": "enable=no"])
        let argv = [o.executable, "serve", "http", "--model", model.rawValue, "--listen-fd", "3"]
        let pid = ChildProcess.spawn(argv, fds: [(listener.fd, 3)], stdin: pipeFDs[0], environment: env)
        close(pipeFDs[0])
        listener.close()
        guard let pid else {
            close(pipeFDs[1])
            return nil
        }
        return Server(pid: pid, address: address, control: pipeFDs[1])
    }

    static func measure(_ m: ExecutionUnit, concurrency c: Int, _ o: Options) -> ServersRun {
        var run = ServersRun(model: m, concurrency: c, requests: o.requests)
        guard let server = start(m, o) else {
            run.failure = Bilingual(ServersLabel.serverNotStarted)
            return run
        }
        do {
            let load = try LoadGenerator(address: server.address, connections: c)
            // One request on every connection first: every unit (worker, thread, task) exists.
            // (The process model starts a process per connection here: given up to a minute.)
            let warm = load.run(requests: c, seconds: max(o.seconds, 60), threads: o.loadThreads)
            if warm.answered < c { run.failure = Bilingual(ServersLabel.warmAnswered, "\(warm.answered)", "\(c)") }
            run.snapshot = ProcessTree.snapshot(server.pid)
            let result = load.run(requests: o.requests, seconds: o.seconds, threads: o.loadThreads)
            run.answered = result.answered
            run.errors = result.errors
            run.unfinished = o.requests - result.answered - result.errors
            run.requestsPerSecond = Double(result.answered) / (Double(result.elapsedNs) / 1e9)
            run.p50Ms = result.percentileMs(0.5)
            run.p99Ms = result.percentileMs(0.99)
        } catch {
            run.failure = error.bilingual
        }
        let ended = server.stop()
        run.cpuMs = ended.cpuMs
        run.ctxVoluntary = Int(ended.usage.ru_nvcsw)
        run.ctxInvoluntary = Int(ended.usage.ru_nivcsw)
        return run
    }

    /// Drives a server that is already running (`serve http`, or any HTTP/1.1 server) with the
    /// lab's load alone: the figures to set beside another load generator's (`wrk`) on the same
    /// server. Only the load's columns are filled in.
    package static func drive(
        _ address: SocketAddress, concurrency c: Int, requests: Int, seconds: Double, threads: Int = 2
    ) -> LoadFigures {
        HTTPServer.raiseFileLimit()
        signal(SIGPIPE, SIG_IGN)
        var f = LoadFigures(concurrency: c, requests: requests)
        do {
            let load = try LoadGenerator(address: address, connections: c)
            let r = load.run(requests: requests, seconds: seconds, threads: threads)
            f.answered = r.answered
            f.errors = r.errors
            f.unfinished = r.unfinished
            f.seconds = Double(r.elapsedNs) / 1e9
            f.requestsPerSecond = Double(r.answered) / f.seconds
            f.p50Ms = r.percentileMs(0.5)
            f.p99Ms = r.percentileMs(0.99)
        } catch {
            f.failure = error.bilingual
        }
        return f
    }

    public struct LoadFigures: Sendable {
        public var concurrency: Int
        public var requests: Int
        public var answered = 0
        public var errors = 0
        public var unfinished = 0
        public var seconds = 0.0
        public var requestsPerSecond = 0.0
        public var p50Ms: Double?
        public var p99Ms: Double?
        /// Set when the server could not be reached (JSON keeps the English).
        public var failure: Bilingual?

        /// The figures (or the failure) on one line, in `lang`.
        public func text(_ lang: NotesLanguage = .en) -> String {
            if let failure { return ServersLabel.loadFailed.string(lang, failure.text(lang)) }
            return ServersLabel.loadLine.string(
                lang, "\(concurrency)", "\(answered)", "\(errors)", "\(unfinished)", String(format1: seconds),
                "\(Int(requestsPerSecond.rounded()))", ServersLab.ms(p50Ms), ServersLab.ms(p99Ms))
        }
    }

    /// The cost to start one unit, microseconds (mean of n): a worker process (posix_spawn of this
    /// binary as the process model does, to its exit at the end of an empty connection), a thread
    /// (pthread_create to join), a task (Task creation to its value).
    static func startCost(_ m: ExecutionUnit, executable: String) -> (Double, Int) {
        switch m {
        case .process:
            let n = 20
            let env = ChildProcess.environment(with: ["SWIFT_BACKTRACE": "enable=no"])
            let t0 = Clock.nowNs()
            var done = 0
            for _ in 0..<n {
                var sp: [Int32] = [-1, -1]
                guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &sp) == 0
                else { continue }
                let argv = [executable, "serve", "http", "--worker-connection-fd", "3"]
                let pid = ChildProcess.spawn(argv, fds: [(sp[1], 3)], environment: env)
                close(sp[1])
                close(sp[0])
                if let pid, ChildProcess.wait(pid, seconds: 10).exitCode == 0 { done += 1 }
            }
            return (Double(Clock.nowNs() - t0) / 1000 / Double(max(1, done)), done)
        case .thread:
            let n = 2000
            let t0 = Clock.nowNs()
            for _ in 0..<n {
                if let t = startThread({}) { joinThread(t) }
            }
            return (Double(Clock.nowNs() - t0) / 1000 / Double(n), n)
        case .coroutine:
            let n = 2000
            let box = Handoff<Double>()
            Task {
                let t0 = Clock.nowNs()
                for _ in 0..<n { await Task {}.value }
                box.put(Double(Clock.nowNs() - t0) / 1000 / Double(n))
            }
            return (box.wait(), n)
        }
    }

    static func sharedCounter(_ m: ExecutionUnit, _ o: Options) -> SharedCounterResult {
        var r = SharedCounterResult()
        r.connections = 4
        r.requests = 100
        guard let server = start(m, o) else { return r }
        if let load = try? LoadGenerator(address: server.address, connections: r.connections) {
            // One request each first, so every connection's server unit exists before the rest.
            var result = load.run(requests: r.connections, seconds: o.seconds, threads: 1, counters: true)
            result.merge(load.run(requests: r.requests - r.connections, seconds: o.seconds, threads: 1, counters: true))
            r.counters = result.counters.keys.sorted().map { result.counters[$0]! }
            r.sharedMemory = result.shared
        }
        _ = server.stop()
        return r
    }

    static func crash(_ m: ExecutionUnit, _ o: Options) -> CrashResult {
        var r = CrashResult()
        guard let server = start(m, o) else { return r }
        let n = 4
        r.others = n - 1
        let conns = (0..<n).compactMap { _ in try? Socket.tcp() }
        for c in conns {
            try? c.receiveTimeout(milliseconds: 2000)
            try? c.connect(server.address)
            _ = exchange(c, "/")
        }
        r.processesBefore = ProcessTree.tree(server.pid).count
        if let first = conns.first {
            _ = try? first.send(Array("GET /crash HTTP/1.1\r\nHost: lab\r\n\r\n".utf8))
            // The crashed handler's end closes the connection: wait for it.
            _ = try? first.receive()
        }
        // Give the kernel a moment to end the crashed process.
        usleep(100_000)
        for c in conns.dropFirst() where exchange(c, "/") != nil { r.servedAfterCrash += 1 }
        r.processesAfter = ProcessTree.tree(server.pid).count
        if let fresh = try? Socket.tcp() {
            try? fresh.receiveTimeout(milliseconds: 2000)
            if (try? fresh.connect(server.address)) != nil { r.newConnectionServed = exchange(fresh, "/") != nil }
        }
        for c in conns { c.close() }
        let ended = server.stop()
        r.serverSignal = ended.signal
        return r
    }

    /// One request on a blocking socket; the response head, nil when none came.
    static func exchange(_ s: Socket, _ path: String) -> ResponseHead? {
        guard (try? s.send(Array("GET \(path) HTTP/1.1\r\nHost: lab\r\n\r\n".utf8))) != nil else { return nil }
        var buffer: [UInt8] = []
        while buffer.count < 65_536 {
            if let h = ResponseHead.parse(buffer, counters: true), h.length > 0, buffer.count >= h.length {
                return h.status == 200 ? h : nil
            }
            guard let d = try? s.receive(max: 4096), !d.isEmpty else { return nil }
            buffer += d
        }
        return nil
    }
}
