import Testing
import WiretaleCore

@testable import WiretaleLab

/// `lab servers --format json` from a report made by hand: the layout (", " and ": ") and every key,
/// pinned, so the renderer's writer cannot change a byte unnoticed.
@Suite("lab servers: the JSON report")
struct ServersRenderTests {
    static func report() -> ServersReport {
        var r = ServersReport()
        var run = ServersRun(model: .thread, concurrency: 4, requests: 100)
        run.answered = 98
        run.errors = 1
        run.unfinished = 1
        run.requestsPerSecond = 1234.5678
        run.p50Ms = 0.25
        run.p99Ms = nil
        run.snapshot.threads = 5
        run.snapshot.pssKiB = 2048
        run.ctxVoluntary = 7
        run.ctxInvoluntary = 2
        run.cpuMs = 12.0
        run.failure = Bilingual(verbatim: "load \"stopped\"")
        r.runs = [run, ServersRun(model: .process, concurrency: 1, requests: 10)]
        r.models = [.process, .thread, .coroutine]
        r.startCostUs = [.process: 850.25, .thread: 30]
        r.memoryPerUnitKiB = [.thread: 64.0004]
        var shared = SharedCounterResult()
        shared.requests = 10
        shared.connections = 2
        shared.counters = [4, 6]
        r.sharedCounter = [.process: shared, .thread: SharedCounterResult()]
        var crash = CrashResult()
        crash.others = 3
        crash.servedAfterCrash = 3
        crash.newConnectionServed = true
        crash.processesBefore = 4
        crash.processesAfter = 4
        crash.serverSignal = 11
        r.crash = [.process: crash]
        r.threadInProcess = ThreadEvidence(pid: 10, tid: 11, tgid: 10, siblings: 3)
        r.requests = 100
        r.seconds = 2.5
        r.loadThreads = 2
        r.cores = 2
        return r
    }

    @Test("the report is one object with the runs, the experiments and the load, keys in a fixed order")
    func report() {
        #expect(ServersLab.json(Self.report()) == Self.expected)
    }

    @Test("a load's figures are one object, with the failure when there is one")
    func load() {
        var f = ServersLab.LoadFigures(concurrency: 8, requests: 50)
        f.answered = 50
        f.seconds = 1.0
        f.requestsPerSecond = 50
        f.p50Ms = 1.5
        #expect(ServersLab.json(f) == Self.expectedLoad)
        f.failure = Bilingual(verbatim: "refused")
        #expect(ServersLab.json(f).hasSuffix(#", "failure": "refused"}"#))
    }

    /// What the renderer printed before it used the core's JSON writer.
    static let expected =
        #"{"runs": [{"model": "thread", "concurrency": 4, "requests": 98, "errors": 1, "unfinished": 1, "#
        + #""requests_per_s": 1234.568, "p50_ms": 0.25, "p99_ms": null, "processes": 0, "threads": 5, "#
        + #""pss_kib": 2048, "ctx_voluntary": 7, "ctx_involuntary": 2, "cpu_ms": 12, "#
        + #""failure": "load \"stopped\""}, {"model": "process", "concurrency": 1, "requests": 0, "errors": 0, "#
        + #""unfinished": 0, "requests_per_s": 0, "p50_ms": null, "p99_ms": null, "processes": 0, "threads": 0, "#
        + #""pss_kib": 0, "ctx_voluntary": 0, "ctx_involuntary": 0, "cpu_ms": 0}], "#
        + #""start_cost_us": {"process": 850.25, "thread": 30}, "memory_per_unit_kib": {"thread": 64}, "#
        + #""shared_counter": {"process": {"requests": 10, "connections": 2, "counters": [4, 6], "#
        + #""shared_memory": null}, "thread": {"requests": 0, "connections": 0, "counters": [], "#
        + #""shared_memory": null}}, "crash_isolation": {"process": {"others": 3, "served_after_crash": 3, "#
        + #""new_connection_served": true, "processes_before": 4, "processes_after": 4, "server_signal": 11}}, "#
        + #""thread_in_process": {"pid": 10, "tid": 11, "tgid": 10, "threads": 3, "path": "/proc/10/task/11"}, "#
        + #""load": {"requests": 100, "seconds": 2.5, "threads": 2, "cores": 2}}"#

    static let expectedLoad =
        #"{"concurrency": 8, "requests": 50, "errors": 0, "unfinished": 0, "seconds": 1, "requests_per_s": 50, "#
        + #""p50_ms": 1.5, "p99_ms": null}"#
}
