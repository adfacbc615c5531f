#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Starting and ending child processes: posix_spawn (safe in a multithreaded process, unlike fork),
/// with chosen descriptors placed at chosen numbers. The labs' servers and workers, the lab's `ip`
/// calls and the trace's tools all start here.
package enum ChildProcess {
    /// What the child's descriptor table gets before it runs.
    package enum Action {
        /// `from` placed at `to` (dup2); when they are the same number, its close-on-exec flag is
        /// cleared instead (posix_spawn's dup2 of a descriptor onto itself keeps the flag).
        case dup2(from: Int32, to: Int32)
        /// `path` opened with `flags` at `fd` ("/dev/null" for output thrown away).
        case open(fd: Int32, path: String, flags: Int32)
        case close(Int32)
    }

    /// Spawns `argv` (`argv[0]` a path, or a name looked up in PATH with `searchPath`) with `actions`
    /// applied in order, and `environment` or this process's own. The child starts with no signal
    /// blocked and default handlers: threads of this process (SwiftNIO's, the test runner's) block
    /// signals, and a child would inherit that mask and never see its SIGTERM. The error is
    /// posix_spawn's errno.
    package static func spawn(
        _ argv: [String], actions: [Action], environment: [String]? = nil, searchPath: Bool = false
    ) -> Result<pid_t, SpawnError> {
        var fileActions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fileActions)
        defer { posix_spawn_file_actions_destroy(&fileActions) }
        for action in actions {
            switch action {
            case .dup2(let from, let to) where from == to: _ = fcntl(from, F_SETFD, 0)
            case .dup2(let from, let to): posix_spawn_file_actions_adddup2(&fileActions, from, to)
            case .open(let fd, let path, let flags): posix_spawn_file_actions_addopen(&fileActions, fd, path, flags, 0)
            case .close(let fd): posix_spawn_file_actions_addclose(&fileActions, fd)
            }
        }
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
        let cenv = environment.map { $0.map { strdup($0) } + [nil] }
        defer { for p in cenv ?? [] { free(p) } }
        let rc = cenv.withEnvironment { env in
            searchPath
                ? posix_spawnp(&pid, argv[0], &fileActions, &attr, cargs, env)
                : posix_spawn(&pid, argv[0], &fileActions, &attr, cargs, env)
        }
        return rc == 0 ? .success(pid) : .failure(SpawnError(code: rc))
    }

    /// Spawns `argv` with each `(from, to)` descriptor placed at `to`; standard output and error go
    /// to /dev/null, standard input is `stdin` when given. nil when the spawn failed.
    package static func spawn(
        _ argv: [String], fds: [(Int32, Int32)], stdin: Int32? = nil, environment: [String]? = nil
    ) -> pid_t? {
        var actions: [Action] = stdin.map { [.dup2(from: $0, to: 0)] } ?? []
        actions += [.open(fd: 1, path: "/dev/null", flags: O_WRONLY), .open(fd: 2, path: "/dev/null", flags: O_WRONLY)]
        actions += fds.map { .dup2(from: $0.0, to: $0.1) }
        return try? spawn(argv, actions: actions, environment: environment).get()
    }

    /// This process's environment with `extra` set (replacing any earlier value of the same name).
    package static func environment(with extra: [String: String]) -> [String] {
        var out: [String] = []
        var p = environ
        while let e = p.pointee {
            let s = String(cString: e)
            let name = String(s.prefix { $0 != "=" })
            if extra[name] == nil { out.append(s) }
            p += 1
        }
        for (k, v) in extra.sorted(by: { $0.key < $1.key }) { out.append("\(k)=\(v)") }
        return out
    }

    /// How a child ended, and what it used over its life (its own and its reaped children's).
    package struct Ended {
        package var status: Int32
        package var usage: rusage
        package var signal: Int32? { status & 0x7F == 0 ? nil : status & 0x7F }
        package var exitCode: Int32? { status & 0x7F == 0 ? (status >> 8) & 0xFF : nil }
        package var cpuMs: Double {
            let u = usage.ru_utime
            let s = usage.ru_stime
            return Double(u.tv_sec + s.tv_sec) * 1000 + Double(u.tv_usec + s.tv_usec) / 1000
        }
    }

    /// Waits for `pid` up to `seconds`, then kills it; returns its status and resource usage.
    package static func wait(_ pid: pid_t, seconds: Double) -> Ended {
        var status: Int32 = 0
        var usage = rusage()
        let deadline = Clock.nowNs() + Int64(seconds * 1e9)
        while true {
            let r = wait4(pid, &status, WNOHANG, &usage)
            if r == pid { return Ended(status: status, usage: usage) }
            if r < 0 && errno != EINTR { return Ended(status: -1, usage: usage) }
            if Clock.nowNs() > deadline {
                kill(pid, SIGKILL)
                while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
                return Ended(status: status, usage: usage)
            }
            usleep(2000)
        }
    }

    /// Waits for `pid` however long it takes; its raw wait status.
    package static func waitStatus(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return status
    }
}

/// posix_spawn failed; `code` is its errno.
package struct SpawnError: Error, Sendable {
    package var code: Int32
}

extension Optional where Wrapped == [UnsafeMutablePointer<CChar>?] {
    /// The environment array posix_spawn takes: this one, or this process's own when nil.
    fileprivate func withEnvironment<R>(_ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        switch self {
        case .some(let env): env.withUnsafeBufferPointer { body($0.baseAddress!) }
        case .none: body(environ)
        }
    }
}
