#if canImport(Glibc)
    import Glibc
#endif

/// Reads a small text file (procfs, sysfs, /etc), nil when it cannot be read.
func readTextFile(_ path: String) -> String? {
    guard let f = fopen(path, "r") else { return nil }
    defer { fclose(f) }
    var out: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = fread(&buf, 1, buf.count, f)
        if n > 0 { out += buf[0..<n] }
        if n < buf.count { break }
        if out.count > 16 << 20 { break }
    }
    return String(decoding: out, as: UTF8.self)
}

/// A child process run to completion with posix_spawn, its output collected, killed if it runs past
/// its time limit. (Used for iproute2's `ip` in the trace and for the test network in the tests.)
struct Subprocess {
    struct Output {
        var exit: Int32
        var stdout: String
        var stderr: String
        var timedOut: Bool
    }

    static func run(_ argv: [String], timeout: Double) -> Output {
        var outPipe: [Int32] = [0, 0]
        var errPipe: [Int32] = [0, 0]
        guard pipe(&outPipe) == 0, pipe(&errPipe) == 0 else {
            return Output(exit: -1, stdout: "", stderr: "pipe failed", timedOut: false)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        for fd in outPipe + errPipe { posix_spawn_file_actions_addclose(&actions, fd) }
        // The child starts with no signal blocked and default handlers: threads of this process
        // (SwiftNIO's, the test runner's) block signals, and a spawned daemon would inherit that
        // mask and never see its SIGTERM.
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attr, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGCHLD] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attr, &defaults)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let cargs = argv.map { strdup($0) } + [nil]
        defer { for p in cargs { free(p) } }
        let rc = posix_spawn(&pid, argv[0], &actions, &attr, cargs, environ)
        close(outPipe[1])
        close(errPipe[1])
        guard rc == 0 else {
            close(outPipe[0])
            close(errPipe[0])
            return Output(exit: -1, stdout: "", stderr: "cannot run \(argv[0]): \(errnoText(rc))", timedOut: false)
        }
        var out: [UInt8] = []
        var err: [UInt8] = []
        var open = [outPipe[0], errPipe[0]]
        let deadline = Monotonic.nowMs() + timeout * 1000
        var timedOut = false
        var buf = [UInt8](repeating: 0, count: 8192)
        while !open.isEmpty {
            let left = deadline - Monotonic.nowMs()
            if left <= 0 {
                timedOut = true
                kill(pid, SIGKILL)
                break
            }
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let n = poll(&fds, nfds_t(fds.count), saturating(min(left, 1000).rounded(.up), as: Int32.self))
            if n < 0 && errno != EINTR { break }
            for f in fds where f.revents != 0 {
                let r = read(f.fd, &buf, buf.count)
                if r > 0 {
                    if f.fd == outPipe[0] { out += buf[0..<r] } else { err += buf[0..<r] }
                } else {
                    open.removeAll { $0 == f.fd }
                }
            }
        }
        close(outPipe[0])
        close(errPipe[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exited = status & 0x7F == 0
        return Output(
            exit: exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F), stdout: String(decoding: out, as: UTF8.self),
            stderr: String(decoding: err, as: UTF8.self), timedOut: timedOut)
    }
}

/// Runs a system tool (iproute2's `ip`) and returns its standard output, nil when it is missing,
/// fails, or takes longer than `timeout` seconds.
func runTool(_ candidates: [String], _ arguments: [String], timeout: Double = 2) -> String? {
    guard let path = candidates.first(where: { access($0, X_OK) == 0 }) else { return nil }
    let r = Subprocess.run([path] + arguments, timeout: timeout)
    return r.exit == 0 && !r.timedOut ? r.stdout : nil
}

let ipToolPaths = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"]
