#if canImport(Glibc)
    import Glibc
#endif

/// Starting and ending the lab's server processes and the process model's workers: posix_spawn
/// (safe in a multithreaded process, unlike fork), with chosen descriptors placed at chosen numbers.
enum ChildProcess {
    /// Spawns `argv` with each `(from, to)` descriptor dup2'd to `to`; standard output and error go
    /// to /dev/null unless given. The child starts with no signal blocked and default handlers.
    static func spawn(
        _ argv: [String], fds: [(Int32, Int32)], stdin: Int32? = nil, environment: [String]? = nil
    ) -> pid_t? {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let stdin { posix_spawn_file_actions_adddup2(&actions, stdin, 0) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        // dup2 clears close-on-exec on the copy; a descriptor already at its number needs it cleared
        // by hand (posix_spawn's dup2 of fd onto itself is a no-op that keeps the flag).
        for (from, to) in fds {
            if from == to {
                _ = fcntl(from, F_SETFD, 0)
            } else {
                posix_spawn_file_actions_adddup2(&actions, from, to)
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
        let rc: Int32
        if let environment {
            let cenv = environment.map { strdup($0) } + [nil]
            defer { for p in cenv { free(p) } }
            rc = posix_spawn(&pid, argv[0], &actions, &attr, cargs, cenv)
        } else {
            rc = posix_spawn(&pid, argv[0], &actions, &attr, cargs, environ)
        }
        return rc == 0 ? pid : nil
    }

    /// This process's environment with `extra` set (replacing any earlier value of the same name).
    static func environment(with extra: [String: String]) -> [String] {
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
    struct Ended {
        var status: Int32
        var usage: rusage
        var signal: Int32? { status & 0x7F == 0 ? nil : status & 0x7F }
        var exitCode: Int32? { status & 0x7F == 0 ? (status >> 8) & 0xFF : nil }
        var cpuMs: Double {
            let u = usage.ru_utime
            let s = usage.ru_stime
            return Double(u.tv_sec + s.tv_sec) * 1000 + Double(u.tv_usec + s.tv_usec) / 1000
        }
    }

    /// Waits for `pid` up to `seconds`, then kills it; returns its status and resource usage.
    static func wait(_ pid: pid_t, seconds: Double) -> Ended {
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
}

enum Clock {
    static func nowNs() -> Int64 {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Int64(t.tv_sec) * 1_000_000_000 + Int64(t.tv_nsec)
    }
}
