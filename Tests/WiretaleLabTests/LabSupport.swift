import Testing
import WiretaleCapture
import WiretaleCore

@testable import WiretaleLab

#if canImport(Glibc)
    import Glibc
#endif

let isRoot = geteuid() == 0
let rootReason: Comment = "needs root to capture packets and create namespaces: run the tests as root (CI does)"

/// The notes' steps the tracker named for a run's packets, in order (plain data segments left out).
func steps(_ run: LabRun) -> [ConnectionStep] {
    var x = FrameExplainer()
    return (run.frames ?? []).map { x.line(for: $0).note.step }.filter { $0 != .none }
}

/// The kernel state of `role` right after the first step whose call starts with `prefix` by `actor`.
func kernel(_ run: LabRun, _ role: String, after actor: LabActor, _ prefix: String, occurrence: Int = 0) -> TCPState?? {
    let matches = run.steps.indices.filter { run.steps[$0].actor == actor && run.steps[$0].call.hasPrefix(prefix) }
    guard occurrence < matches.count else { return nil }
    return .some(run.kernelState(of: role, after: matches[occurrence]))
}

/// The kernel state of `role` after the lab's wait step.
func kernelAfterWait(_ run: LabRun, _ role: String) -> TCPState? {
    guard let i = run.steps.firstIndex(where: { $0.actor == .lab && $0.call.hasPrefix("wait") }) else { return nil }
    return run.kernelState(of: role, after: i)
}

/// The built `wiretale` binary: `WIRETALE_BIN`, or a debug build in the package.
func wiretaleBinary() -> String? {
    if let b = getenv("WIRETALE_BIN") { return String(cString: b) }
    var root = #filePath
    for _ in 0..<3 { root = String(root[..<(root.lastIndex(of: "/") ?? root.startIndex)]) }
    for dir in [".build", ".build-lab"] {
        for sub in ["debug", "x86_64-unknown-linux-gnu/debug", "aarch64-unknown-linux-gnu/debug", "release"] {
            let p = "\(root)/\(dir)/\(sub)/wiretale"
            if access(p, X_OK) == 0 { return p }
        }
    }
    return nil
}

/// Runs a program, with a time limit, and returns its exit status and standard output.
func runProgram(_ arguments: [String], seconds: Int = 120) -> (status: Int32, output: String) {
    var fds: [Int32] = [-1, -1]
    guard pipe(&fds) == 0 else { return (-1, "") }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addclose(&actions, fds[0])
    // Run from / so nothing relative to the package's directory can help.
    let full = ["/usr/bin/timeout", String(seconds), "/usr/bin/env", "-C", "/"] + arguments
    var argv: [UnsafeMutablePointer<CChar>?] = full.map { strdup($0) } + [nil]
    var pid = pid_t()
    let rc = posix_spawn(&pid, full[0], &actions, nil, &argv, environ)
    posix_spawn_file_actions_destroy(&actions)
    for a in argv { free(a) }
    close(fds[1])
    guard rc == 0 else {
        close(fds[0])
        return (-1, "")
    }
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65_536)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, $0.count) }
        if n <= 0 { break }
        out += chunk.prefix(n)
    }
    close(fds[0])
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    return ((status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F), String(decoding: out, as: UTF8.self))
}
