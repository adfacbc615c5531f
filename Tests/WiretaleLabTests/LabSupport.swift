import Testing
import WiretaleCapture
import WiretaleCore
import WiretaleSystem

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

/// Runs a program, with a time limit, and returns its exit status (124 when it ran out of time, as
/// timeout(1) says it) and standard output.
func runProgram(_ arguments: [String], seconds: Int = 120) -> (status: Int32, output: String) {
    // Run from / so nothing relative to the package's directory can help.
    let r = Subprocess.run(["/usr/bin/env", "-C", "/"] + arguments, timeout: Double(seconds))
    return (r.timedOut ? 124 : r.exit, r.stdout)
}
