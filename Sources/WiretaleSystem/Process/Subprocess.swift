#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A child process run to completion, its output collected, killed if it runs past its time limit.
/// (Used for iproute2's `ip` in the trace and for the test network in the tests.)
package enum Subprocess {
    package struct Output {
        package var exit: Int32
        package var stdout: String
        package var stderr: String
        package var timedOut: Bool
    }

    /// Runs `argv` (`argv[0]` a path) with standard input from /dev/null for at most `timeout`
    /// seconds. A child killed by a signal exits 128 + the signal, as a shell reports it.
    package static func run(_ argv: [String], timeout: Double) -> Output {
        var outPipe: [Int32] = [0, 0]
        var errPipe: [Int32] = [0, 0]
        guard pipe(&outPipe) == 0, pipe(&errPipe) == 0 else {
            return Output(exit: -1, stdout: "", stderr: "pipe failed", timedOut: false)
        }
        let actions: [ChildProcess.Action] =
            [
                .open(fd: 0, path: "/dev/null", flags: O_RDONLY), .dup2(from: outPipe[1], to: 1),
                .dup2(from: errPipe[1], to: 2),
            ] + (outPipe + errPipe).map { .close($0) }
        let spawned = ChildProcess.spawn(argv, actions: actions)
        close(outPipe[1])
        close(errPipe[1])
        let pid: pid_t
        switch spawned {
        case .success(let p): pid = p
        case .failure(let e):
            close(outPipe[0])
            close(errPipe[0])
            return Output(exit: -1, stdout: "", stderr: "cannot run \(argv[0]): \(errnoText(e.code))", timedOut: false)
        }
        var out: [UInt8] = []
        var err: [UInt8] = []
        var open = [outPipe[0], errPipe[0]]
        let deadline = Clock.nowMs() + timeout * 1000
        var timedOut = false
        var buf = [UInt8](repeating: 0, count: 8192)
        while !open.isEmpty {
            let left = deadline - Clock.nowMs()
            if !(left > 0) {
                timedOut = true
                kill(pid, SIGKILL)
                break
            }
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let n = poll(&fds, nfds_t(fds.count), Int32(min(left, 1000).rounded(.up)))
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
        let status = ChildProcess.waitStatus(pid)
        let exited = status & 0x7F == 0
        return Output(
            exit: exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F), stdout: String(decoding: out, as: UTF8.self),
            stderr: String(decoding: err, as: UTF8.self), timedOut: timedOut)
    }
}
