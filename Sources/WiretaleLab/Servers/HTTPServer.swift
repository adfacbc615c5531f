import CLinux
import Synchronization
import WiretaleCore
import WiretaleSystem

#if canImport(Glibc)
    import Glibc
#endif

/// `wiretale serve http --model process|thread|coroutine`: one HTTP/1.1 keep-alive server, the same
/// request handling (`HTTPHandling`) in three concurrency models.
///
/// - process: the server accepts; each connection is served by a worker process of its own, started
///   by re-executing this binary (posix_spawn, never fork: forking a multithreaded Swift process is
///   unsafe) with the connection as fd 3 and the shared counter's memfd as fd 4.
/// - thread: one process; each connection gets a thread doing blocking reads and writes.
/// - coroutine: one process; each connection is a Swift task on the cooperative pool, suspended at
///   `await` while its non-blocking socket has nothing to read (`Reactor`, one epoll thread).
public enum HTTPServer {
    /// The most connections (threads, tasks, worker processes) a server holds; more are closed at once.
    public static let maxConnections = 4096

    public struct Options: Sendable {
        public var model: ExecutionUnit
        /// The listening socket, already bound and listening.
        public var listenFD: Int32
        /// The path of this program, for the process model's workers.
        public var executable: String
        /// Standard input is the lab's pipe: the server stops when it reads end of file.
        public var stopOnStdinEOF: Bool

        public init(model: ExecutionUnit, listenFD: Int32, executable: String, stopOnStdinEOF: Bool) {
            self.model = model
            self.listenFD = listenFD
            self.executable = executable
            self.stopOnStdinEOF = stopOnStdinEOF
        }
    }

    /// Runs until stopped (end of standard input when `stopOnStdinEOF`, else a signal).
    public static func run(_ o: Options) -> Never {
        signal(SIGPIPE, SIG_IGN)
        raiseFileLimit()
        // Workers get their connection, not the listening socket.
        _ = fcntl(o.listenFD, F_SETFD, FD_CLOEXEC)
        switch o.model {
        case .thread: runThreads(o)
        case .process: runProcesses(o)
        case .coroutine: runCoroutines(o)
        }
    }

    /// A worker of the process model: serves the one connection on `fd`, then exits.
    public static func runWorker(connectionFD fd: Int32, sharedFD: Int32?) -> Never {
        signal(SIGPIPE, SIG_IGN)
        let shared = sharedFD.flatMap { SharedCounter(fd: $0) }
        serveBlocking(fd, counter: RequestCounter(), shared: shared)
        exit(0)
    }

    /// Raises the soft limit on open files to the hard limit (1000 connections need 1000 fds).
    public static func raiseFileLimit() {
        var r = rlimit()
        let files = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        if getrlimit(files, &r) == 0, r.rlim_cur < r.rlim_max {
            r.rlim_cur = r.rlim_max
            _ = setrlimit(files, &r)
        }
    }

    /// Reads a connection, answers each request, until the client closes or asks to.
    static func serveBlocking(_ fd: Int32, counter: RequestCounter, shared: SharedCounter?) {
        var conn = HTTPHandling.Connection()
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            let (reply, close) = chunk.withUnsafeBytes {
                conn.consume(UnsafeRawBufferPointer(rebasing: $0[0..<n]), counter: counter, shared: shared)
            }
            if !reply.isEmpty && !sendAll(fd, reply) { break }
            if close { break }
        }
        Glibc.close(fd)
    }

    static func sendAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            sent += n
        }
        return true
    }

    /// Waits for a connection or for the lab's pipe to close; nil when the server should stop.
    static func nextConnection(_ o: Options, timeoutMs: Int32 = -1) -> Int32?? {
        var fds = [pollfd(fd: o.listenFD, events: Int16(POLLIN), revents: 0)]
        if o.stopOnStdinEOF { fds.append(pollfd(fd: 0, events: Int16(POLLIN), revents: 0)) }
        let n = poll(&fds, nfds_t(fds.count), timeoutMs)
        if n < 0 { return errno == EINTR ? .some(nil) : nil }
        if fds.count > 1 && fds[1].revents != 0 { return nil }
        guard fds[0].revents != 0 else { return .some(nil) }
        let c = wt_accept(o.listenFD, 0)
        return .some(c >= 0 ? c : nil)
    }

    // MARK: threads

    static func runThreads(_ o: Options) -> Never {
        let counter = RequestCounter()
        let live = LiveCount()
        while let next = nextConnection(o) {
            guard let c = next else { continue }
            guard live.enter() else {
                close(c)
                continue
            }
            let started = startThread(detached: true) {
                serveBlocking(c, counter: counter, shared: nil)
                live.leave()
            }
            if started == nil {
                close(c)
                live.leave()
            }
        }
        exit(0)
    }

    // MARK: processes

    static func runProcesses(_ o: Options) -> Never {
        let shared = SharedCounter.create()
        var workers = Set<pid_t>()
        func reap() {
            var status: Int32 = 0
            while true {
                let p = waitpid(-1, &status, WNOHANG)
                if p <= 0 { break }
                workers.remove(p)
            }
        }
        while let next = nextConnection(o, timeoutMs: 200) {
            reap()
            guard let c = next else { continue }
            guard workers.count < maxConnections else {
                close(c)
                continue
            }
            var argv = [o.executable, "serve", "http", "--worker-connection-fd", "3"]
            var fds: [(Int32, Int32)] = [(c, 3)]
            if let shared {
                argv += ["--shared-fd", "4"]
                fds.append((shared.fd, 4))
            }
            if let pid = ChildProcess.spawn(argv, fds: fds) { workers.insert(pid) }
            close(c)
        }
        // Stopping: end the workers still serving, and wait for each, so their CPU time and context
        // switches count in this process's own (what the lab reads from wait4).
        for p in workers { kill(p, SIGKILL) }
        var status: Int32 = 0
        while waitpid(-1, &status, 0) > 0 || errno == EINTR {}
        exit(0)
    }

    // MARK: coroutines

    static func runCoroutines(_ o: Options) -> Never {
        let reactor = Reactor()
        let counter = RequestCounter()
        let live = LiveCount()
        let listenFD = o.listenFD
        _ = fcntl(listenFD, F_SETFL, fcntl(listenFD, F_GETFL) | O_NONBLOCK)
        Task {
            let listener = reactor.register(listenFD)
            while true {
                let c = wt_accept(listenFD, 1)
                if c < 0 {
                    if errno == EAGAIN || errno == EINTR || errno == ECONNABORTED {
                        await listener.wait(readable: true)
                        continue
                    }
                    break
                }
                guard live.enter() else {
                    close(c)
                    continue
                }
                Task {
                    await serveAsync(reactor.register(c), counter: counter)
                    live.leave()
                }
            }
        }
        // The main thread only waits: for the lab's pipe to close, or forever.
        var byte: UInt8 = 0
        if o.stopOnStdinEOF {
            while read(0, &byte, 1) > 0 || errno == EINTR {}
            exit(0)
        }
        while true { pause() }
    }

    /// The coroutine model's handler: the blocking loop's twin, each wait an `await`.
    static func serveAsync(_ w: Reactor.Waiter, counter: RequestCounter) async {
        var conn = HTTPHandling.Connection()
        var chunk = [UInt8](repeating: 0, count: 16_384)
        loop: while true {
            let n = chunk.withUnsafeMutableBytes { recv(w.fd, $0.baseAddress, $0.count, 0) }
            if n < 0 {
                if errno == EAGAIN || errno == EINTR {
                    await w.wait(readable: true)
                    continue
                }
                break
            }
            if n == 0 { break }
            let (reply, close) = chunk.withUnsafeBytes {
                conn.consume(UnsafeRawBufferPointer(rebasing: $0[0..<n]), counter: counter, shared: nil)
            }
            var sent = 0
            while sent < reply.count {
                let k = reply.withUnsafeBytes {
                    send(w.fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL))
                }
                if k < 0 && (errno == EAGAIN || errno == EINTR) {
                    await w.wait(readable: false)
                    continue
                }
                if k <= 0 { break loop }
                sent += k
            }
            if close { break }
        }
        w.close()
    }
}

/// How many connections a server holds, capped at `HTTPServer.maxConnections`.
final class LiveCount: Sendable {
    private let n = Mutex(0)

    func enter() -> Bool {
        n.withLock { n in
            guard n < HTTPServer.maxConnections else { return false }
            n += 1
            return true
        }
    }

    func leave() { n.withLock { $0 -= 1 } }
}
