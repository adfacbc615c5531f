import WiretaleCore

#if canImport(Glibc)
    import Glibc
#endif

/// `lab servers` as text (English or the notes' Chinese) and as JSON.
extension ServersLab {
    public static func render(_ r: ServersReport, lang: NotesLanguage = .en, to out: inout LabOutput) {
        let zh = lang == .zh
        let names = r.models.map { $0.label(lang) }.joined(separator: " / ")
        out.heading(zh ? "进程 / 线程 / 协程, 测量 (笔记第5节)" : "Processes, threads, coroutines, measured (the notes, section 5)")
        out.line(
            "  one HTTP/1.1 keep-alive server, the same handler, in three models (\(names)); per run: C connections, "
                + "\(r.requests) requests,")
        out.line(
            "  at most \(Int(r.seconds)) s, loopback, \(r.loadThreads) load threads, \(r.cores) cores shared with the server."
        )
        out.line("")
        let header = [
            LabText.pad(zh ? "模型" : "model", 11), LabText.pad("C", 6), LabText.pad("answered", 15),
            LabText.pad("req/s", 9), LabText.pad("p50 ms", 8), LabText.pad("p99 ms", 8),
            LabText.pad(zh ? "进程" : "procs", 7), LabText.pad(zh ? "线程" : "threads", 8),
            LabText.pad("PSS MiB", 9), LabText.pad("ctx vol", 9), LabText.pad("ctx invol", 10), "CPU ms",
        ].joined()
        out.line("  " + header)
        for run in r.runs {
            if let f = run.failure, run.answered == 0 {
                out.line("  " + LabText.pad(run.model.label(lang), 11) + LabText.pad("\(run.concurrency)", 6) + f)
                continue
            }
            out.line(
                "  "
                    + [
                        LabText.pad(run.model.label(lang), 11), LabText.pad("\(run.concurrency)", 6),
                        LabText.pad("\(run.answered)/\(run.requests)", 15),
                        LabText.pad("\(Int(run.requestsPerSecond.rounded()))", 9),
                        LabText.pad(ms(run.p50Ms), 8), LabText.pad(ms(run.p99Ms), 8),
                        LabText.pad("\(run.snapshot.processes)", 7), LabText.pad("\(run.snapshot.threads)", 8),
                        LabText.pad(String(format1: Double(run.snapshot.pssKiB) / 1024), 9),
                        LabText.pad("\(run.ctxVoluntary)", 9), LabText.pad("\(run.ctxInvoluntary)", 10),
                        "\(Int(run.cpuMs.rounded()))",
                    ].joined())
            if let f = run.failure { out.line("      (\(f))") }
            if run.errors > 0 || run.unfinished > 0 {
                out.line("      (\(run.errors) errors; \(run.unfinished) not answered when its time was up)")
            }
        }
        out.line("")
        out.line("  procs, threads, PSS: /proc with every connection open (after one request each); PSS sums")
        out.line("  /proc/PID/smaps_rollup over the server's processes, so a shared page counts once in all.")
        out.line("  ctx (voluntary, involuntary) and CPU: wait4 when the server ended, its whole life (start,")
        out.line("  first requests, load), its workers included. Latency: the client's clock, request to response.")
        out.line("")
        differences(r, lang: lang, to: &out)
        out.line("")
        out.line("  What this shows: how these three models rank for this load on this machine, and where each")
        out.line("  spends (start cost, memory per connection, context switches). What it does not: a web-server")
        out.line("  benchmark. Loopback, \(r.cores) cores shared by server and load, a handler that does nothing but")
        out.line("  count; a real handler's work, a real network's delays and another machine's cores change the")
        out.line("  figures, and other programs running at the same time make them noisy.")
    }

    static func ms(_ v: Double?) -> String {
        guard let v else { return "-" }
        let hundredths = Int((v * 100).rounded())
        let frac = hundredths % 100
        return "\(hundredths / 100).\(frac < 10 ? "0" : "")\(frac)"
    }

    static func differences(_ r: ServersReport, lang: NotesLanguage, to out: inout LabOutput) {
        let zh = lang == .zh
        out.line(zh ? "  笔记: 他们的区别, 每一条的证据" : "  The notes' five differences, each with its evidence from this run:")
        for d in UnitDifference.allCases {
            out.line("")
            out.line("  \(d.rawValue). \(d.label(lang))")
            for line in evidence(d, r, lang: lang) { out.line("     " + line) }
        }
    }

    static func evidence(_ d: UnitDifference, _ r: ServersReport, lang: NotesLanguage) -> [String] {
        var lines: [String] = []
        switch d {
        case .atLeastOne:
            for m in r.models {
                let runs = r.runs.filter { $0.model == m && $0.snapshot.processes > 0 }
                guard let lo = runs.first, let hi = runs.last else { continue }
                lines.append(
                    "\(m.label(lang)): \(lo.snapshot.processes) process(es) and \(lo.snapshot.threads) thread(s) at "
                        + "C=\(lo.concurrency), \(hi.snapshot.processes) and \(hi.snapshot.threads) at C=\(hi.concurrency) "
                        + "(never fewer threads than processes)")
            }
        case .lighter:
            for m in r.models {
                var s = "\(m.label(lang)): "
                if let c = r.startCostUs[m] {
                    s += "starting one took \(String(format1: c)) µs (mean of \(r.startSamples[m] ?? 0))"
                } else {
                    s += "start cost not measured"
                }
                if let k = r.memoryPerUnitKiB[m] {
                    s += "; each extra connection added \(String(format1: k)) KiB of PSS"
                }
                lines.append(s)
            }
            lines.append(
                "(a process here is a posix_spawn of this binary to its exit; a thread pthread_create to join;")
            lines.append("a task Task {} to its value. Memory per connection: PSS between the lowest and highest C.)")
        case .separateMemory:
            for m in r.models {
                guard let s = r.sharedCounter[m] else { continue }
                let counters = s.counters.map(String.init).joined(separator: ", ")
                var line =
                    "\(m.label(lang)): \(s.requests) requests on \(s.connections) connections; "
                    + "each process's own counter ended at [\(counters)]"
                if let shm = s.sharedMemory { line += "; the counter in shared memory (memfd, MAP_SHARED) at \(shm)" }
                lines.append(line)
            }
            lines.append("(one counter per process: each has its own memory; one total: the threads or tasks share it.")
            lines.append("Processes share only what they map together on purpose, as the memfd page above.)")
        case .notOnItsOwn:
            if let e = r.threadInProcess {
                lines.append(
                    "thread \(e.tid) of the thread model's server is /proc/\(e.pid)/task/\(e.tid); its status says "
                        + "Tgid \(e.tgid): it belongs to process \(e.pid), one of \(e.siblings) threads listed there.")
                if let c = r.crash[.thread], let sig = c.serverSignal {
                    lines.append(
                        "When that process ended (signal \(sig), the crash below), every one of its threads ended with it."
                    )
                }
            } else {
                lines.append("(the thread model was not run)")
            }
        case .protection:
            for m in r.models {
                guard let c = r.crash[m] else { continue }
                var s =
                    "\(m.label(lang)): after one request crashed its handler, \(c.servedAfterCrash) of the \(c.others) "
                    + "other connections were answered; a new connection was "
                    + (c.newConnectionServed ? "answered" : "not answered")
                s += "; processes \(c.processesBefore) → \(c.processesAfter)"
                if let sig = c.serverSignal {
                    s += "; the server died (signal \(sig))"
                } else {
                    s += "; the server lived"
                }
                lines.append(s)
            }
            lines.append("(under coroutines a Swift trap ends the whole process as under threads; the servers ran in")
            lines.append("child processes of the lab, so the lab lived to report it.)")
        }
        return lines
    }

    /// The report as one JSON object.
    /// A JSON number with at most three decimals, or null.
    static func jsonNumber(_ v: Double?) -> String {
        guard let v, v.isFinite else { return "null" }
        let k = (v * 1000).rounded() / 1000
        return k == k.rounded() ? "\(Int(k))" : "\(k)"
    }

    /// `--target`'s figures for one concurrency as one JSON object (the run keys that a load alone has).
    public static func json(_ f: LoadFigures) -> String {
        var parts = [
            "\"concurrency\": \(f.concurrency)", "\"requests\": \(f.answered)", "\"errors\": \(f.errors)",
            "\"unfinished\": \(f.unfinished)", "\"seconds\": \(jsonNumber(f.seconds))",
            "\"requests_per_s\": \(jsonNumber(f.requestsPerSecond))", "\"p50_ms\": \(jsonNumber(f.p50Ms))",
            "\"p99_ms\": \(jsonNumber(f.p99Ms))",
        ]
        if let e = f.failure {
            var o = OutputBuffer(fd: -1)
            o.appendJSONString(e)
            parts.append("\"failure\": " + String(decoding: o.bytes, as: UTF8.self))
        }
        return "{" + parts.joined(separator: ", ") + "}"
    }

    public static func json(_ r: ServersReport) -> String {
        let num = jsonNumber
        var runs: [String] = []
        for x in r.runs {
            var f = [
                "\"model\": \"\(x.model.rawValue)\"", "\"concurrency\": \(x.concurrency)",
                "\"requests\": \(x.answered)",
                "\"errors\": \(x.errors)", "\"unfinished\": \(x.unfinished)",
                "\"requests_per_s\": \(num(x.requestsPerSecond))",
                "\"p50_ms\": \(num(x.p50Ms))",
                "\"p99_ms\": \(num(x.p99Ms))", "\"processes\": \(x.snapshot.processes)",
                "\"threads\": \(x.snapshot.threads)",
                "\"pss_kib\": \(x.snapshot.pssKiB)", "\"ctx_voluntary\": \(x.ctxVoluntary)",
                "\"ctx_involuntary\": \(x.ctxInvoluntary)", "\"cpu_ms\": \(num(x.cpuMs))",
            ]
            if let e = x.failure {
                var o = OutputBuffer(fd: -1)
                o.appendJSONString(e)
                f.append("\"failure\": " + String(decoding: o.bytes, as: UTF8.self))
            }
            runs.append("{" + f.joined(separator: ", ") + "}")
        }
        func perModel(_ body: (ExecutionUnit) -> String?) -> String {
            "{" + r.models.compactMap { m in body(m).map { "\"\(m.rawValue)\": \($0)" } }.joined(separator: ", ") + "}"
        }
        var parts = ["\"runs\": [" + runs.joined(separator: ", ") + "]"]
        parts.append("\"start_cost_us\": " + perModel { r.startCostUs[$0].map { num($0) } })
        parts.append("\"memory_per_unit_kib\": " + perModel { r.memoryPerUnitKiB[$0].map { num($0) } })
        parts.append(
            "\"shared_counter\": "
                + perModel { m in
                    r.sharedCounter[m].map { s in
                        "{\"requests\": \(s.requests), \"connections\": \(s.connections), \"counters\": ["
                            + s.counters.map(String.init).joined(separator: ", ") + "], \"shared_memory\": "
                            + (s.sharedMemory.map(String.init) ?? "null") + "}"
                    }
                })
        parts.append(
            "\"crash_isolation\": "
                + perModel { m in
                    r.crash[m].map { c in
                        "{\"others\": \(c.others), \"served_after_crash\": \(c.servedAfterCrash), "
                            + "\"new_connection_served\": \(c.newConnectionServed), "
                            + "\"processes_before\": \(c.processesBefore), \"processes_after\": \(c.processesAfter), "
                            + "\"server_signal\": \(c.serverSignal.map(String.init) ?? "null")}"
                    }
                })
        if let e = r.threadInProcess {
            parts.append(
                "\"thread_in_process\": {\"pid\": \(e.pid), \"tid\": \(e.tid), \"tgid\": \(e.tgid), "
                    + "\"threads\": \(e.siblings), \"path\": \"/proc/\(e.pid)/task/\(e.tid)\"}")
        }
        parts.append(
            "\"load\": {\"requests\": \(r.requests), \"seconds\": \(num(r.seconds)), \"threads\": \(r.loadThreads), "
                + "\"cores\": \(r.cores)}")
        return "{" + parts.joined(separator: ", ") + "}"
    }
}
