import WiretaleSystem

#if canImport(Glibc)
    import Glibc
#endif

/// A server's processes and threads as the kernel lists them in `/proc`: counted, not assumed.
public struct ProcessSnapshot: Sendable {
    /// The server and every process descended from it.
    public var pids: [Int32] = []
    /// Threads summed over those processes (`/proc/PID/task` entries).
    public var threads = 0
    /// Proportional set size summed over the processes (`/proc/PID/smaps_rollup`): a page shared
    /// by k processes counts 1/k in each, so shared code is not counted k times.
    public var pssKiB = 0
    /// One thread that is not its process's first, with the `Tgid` its status names: the evidence
    /// that a thread lives inside a process (`/proc/PID/task/TID`).
    public var threadInProcess: ThreadEvidence?

    public var processes: Int { pids.count }
}

public struct ThreadEvidence: Sendable {
    public var pid: Int32
    public var tid: Int32
    /// `Tgid:` in `/proc/PID/task/TID/status`: the process the thread belongs to.
    public var tgid: Int32
    /// Threads listed under `/proc/PID/task`.
    public var siblings: Int
}

enum ProcessTree {
    /// The live processes whose parent chain reaches `root` (scanning `/proc/*/stat`), `root` first.
    static func tree(_ root: Int32) -> [Int32] {
        var parent: [Int32: Int32] = [:]
        for pid in numericEntries("/proc") {
            guard let stat = readTextFile("/proc/\(pid)/stat", limit: 4096), let close = stat.lastIndex(of: ")")
            else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            // A zombie (Z) or dying (X) process has ended; only its parent's wait is missing.
            if fields.count > 1, fields[0] != "Z", fields[0] != "X", let pp = Int32(fields[1]) { parent[pid] = pp }
        }
        guard parent[root] != nil else { return [] }
        var out = [root]
        var children: [Int32: [Int32]] = [:]
        for (p, pp) in parent { children[pp, default: []].append(p) }
        var i = 0
        while i < out.count {
            out += (children[out[i]] ?? []).sorted()
            i += 1
        }
        return out
    }

    /// The numeric names in a directory (`/proc`, `/proc/PID/task`).
    static func numericEntries(_ path: String) -> [Int32] {
        guard let d = opendir(path) else { return [] }
        defer { closedir(d) }
        var out: [Int32] = []
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if let n = Int32(name) { out.append(n) }
        }
        return out
    }

    /// A `Name:   value` line of a status-like file, as a number (the first word of the value).
    static func field(_ text: String, _ name: String) -> Int? {
        for line in text.split(separator: "\n") where line.hasPrefix(name + ":") {
            return line.dropFirst(name.count + 1).split(separator: " ").first.flatMap { Int($0.trimmingTabs) }
        }
        return nil
    }

    static func snapshot(_ root: Int32) -> ProcessSnapshot {
        var s = ProcessSnapshot()
        s.pids = tree(root)
        for pid in s.pids {
            let tasks = numericEntries("/proc/\(pid)/task")
            s.threads += tasks.count
            if let rollup = readTextFile("/proc/\(pid)/smaps_rollup", limit: 8192), let pss = field(rollup, "Pss") {
                s.pssKiB += pss
            }
            if s.threadInProcess == nil, let tid = tasks.sorted().first(where: { $0 != pid }),
                let status = readTextFile("/proc/\(pid)/task/\(tid)/status", limit: 8192),
                let tgid = field(status, "Tgid")
            {
                s.threadInProcess = ThreadEvidence(pid: pid, tid: tid, tgid: Int32(tgid), siblings: tasks.count)
            }
        }
        return s
    }
}

extension Substring {
    var trimmingTabs: Substring {
        drop { $0 == "\t" || $0 == " " }
    }
}
