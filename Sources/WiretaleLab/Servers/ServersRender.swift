import WiretaleCore

#if canImport(Glibc)
    import Glibc
#endif

/// `lab servers` as text (English or the notes' Chinese) and as JSON.
extension ServersLab {
    public static func render(_ r: ServersReport, lang: NotesLanguage = .en, to out: inout LabOutput) {
        let names = r.models.map { $0.label(lang) }.joined(separator: " / ")
        out.heading(ServersLabel.heading.string(lang))
        out.line(
            "  one HTTP/1.1 keep-alive server, the same handler, in three models (\(names)); per run: C connections, "
                + "\(r.requests) requests,")
        out.line(
            "  at most \(Int(r.seconds)) s, loopback, \(r.loadThreads) load threads, \(r.cores) cores shared with the server."
        )
        out.line("")
        let header = [
            LabText.pad(ServersLabel.columnModel.string(lang), 11), LabText.pad("C", 6), LabText.pad("answered", 15),
            LabText.pad("req/s", 9), LabText.pad("p50 ms", 8), LabText.pad("p99 ms", 8),
            LabText.pad(ServersLabel.columnProcesses.string(lang), 7),
            LabText.pad(ServersLabel.columnThreads.string(lang), 8),
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
        out.line(ServersLabel.differences.string(lang))
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

    /// A JSON number with at most three decimals, or null.
    static func jsonNumber(_ v: Double?) -> String {
        guard let v, v.isFinite else { return "null" }
        let k = (v * 1000).rounded() / 1000
        return k == k.rounded() ? "\(Int(k))" : "\(k)"
    }

    /// `--target`'s figures for one concurrency as one JSON object (the run keys that a load alone has).
    public static func json(_ f: LoadFigures) -> String {
        var o = OutputBuffer(fd: -1)
        o.json.spaced = true
        o.beginObject()
        o.field("concurrency", f.concurrency)
        o.field("requests", f.answered)
        o.field("errors", f.errors)
        o.field("unfinished", f.unfinished)
        o.number("seconds", f.seconds)
        o.number("requests_per_s", f.requestsPerSecond)
        o.number("p50_ms", f.p50Ms)
        o.number("p99_ms", f.p99Ms)
        if let e = f.failure { o.field("failure", e) }
        o.endObject()
        return String(decoding: o.bytes, as: UTF8.self)
    }

    /// The report as one JSON object.
    public static func json(_ r: ServersReport) -> String {
        var o = OutputBuffer(fd: -1)
        o.json.spaced = true
        o.beginObject()
        o.beginArray("runs")
        for x in r.runs {
            o.beginObject()
            o.field("model", x.model.rawValue)
            o.field("concurrency", x.concurrency)
            o.field("requests", x.answered)
            o.field("errors", x.errors)
            o.field("unfinished", x.unfinished)
            o.number("requests_per_s", x.requestsPerSecond)
            o.number("p50_ms", x.p50Ms)
            o.number("p99_ms", x.p99Ms)
            o.field("processes", x.snapshot.processes)
            o.field("threads", x.snapshot.threads)
            o.field("pss_kib", x.snapshot.pssKiB)
            o.field("ctx_voluntary", x.ctxVoluntary)
            o.field("ctx_involuntary", x.ctxInvoluntary)
            o.number("cpu_ms", x.cpuMs)
            if let e = x.failure { o.field("failure", e) }
            o.endObject()
        }
        o.endArray()
        o.beginObject("start_cost_us")
        for m in r.models { if let v = r.startCostUs[m] { o.number(m.rawValue, v) } }
        o.endObject()
        o.beginObject("memory_per_unit_kib")
        for m in r.models { if let v = r.memoryPerUnitKiB[m] { o.number(m.rawValue, v) } }
        o.endObject()
        o.beginObject("shared_counter")
        for m in r.models {
            guard let s = r.sharedCounter[m] else { continue }
            o.key(m.rawValue)
            o.beginObject()
            o.field("requests", s.requests)
            o.field("connections", s.connections)
            o.beginArray("counters")
            for c in s.counters { o.value(c) }
            o.endArray()
            o.field("shared_memory", s.sharedMemory)
            o.endObject()
        }
        o.endObject()
        o.beginObject("crash_isolation")
        for m in r.models {
            guard let c = r.crash[m] else { continue }
            o.key(m.rawValue)
            o.beginObject()
            o.field("others", c.others)
            o.field("served_after_crash", c.servedAfterCrash)
            o.field("new_connection_served", c.newConnectionServed)
            o.field("processes_before", c.processesBefore)
            o.field("processes_after", c.processesAfter)
            o.field("server_signal", c.serverSignal.map { Int($0) })
            o.endObject()
        }
        o.endObject()
        if let e = r.threadInProcess {
            o.beginObject("thread_in_process")
            o.field("pid", Int(e.pid))
            o.field("tid", Int(e.tid))
            o.field("tgid", Int(e.tgid))
            o.field("threads", e.siblings)
            o.field("path", "/proc/\(e.pid)/task/\(e.tid)")
            o.endObject()
        }
        o.beginObject("load")
        o.field("requests", r.requests)
        o.number("seconds", r.seconds)
        o.field("threads", r.loadThreads)
        o.field("cores", r.cores)
        o.endObject()
        o.endObject()
        return String(decoding: o.bytes, as: UTF8.self)
    }
}

extension OutputBuffer {
    /// `"key": <number with at most three decimals>` or null (`ServersLab.jsonNumber`).
    fileprivate mutating func number(_ k: StaticString, _ v: Double?) {
        key(k)
        value(raw: ServersLab.jsonNumber(v))
    }

    fileprivate mutating func number(_ k: String, _ v: Double?) {
        key(k)
        value(raw: ServersLab.jsonNumber(v))
    }
}
