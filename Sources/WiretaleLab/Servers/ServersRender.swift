import WiretaleCore

#if canImport(Glibc)
    import Glibc
#endif

/// `lab servers` as text (English or the notes' Chinese) and as JSON.
extension ServersLab {
    public static func render(_ r: ServersReport, lang: NotesLanguage = .en, to out: inout LabOutput) {
        let names = r.models.map { $0.label(lang) }.joined(separator: " / ")
        out.heading(ServersLabel.heading.string(lang))
        out.line(ServersLabel.intro1.string(lang, names, "\(r.requests)"))
        out.line(ServersLabel.intro2.string(lang, "\(Int(r.seconds))", "\(r.loadThreads)", "\(r.cores)"))
        out.line("")
        let header = [
            LabText.pad(ServersLabel.columnModel.string(lang), 11), LabText.pad("C", 6),
            LabText.pad(ServersLabel.columnAnswered.string(lang), 15),
            LabText.pad("req/s", 9), LabText.pad("p50 ms", 8), LabText.pad("p99 ms", 8),
            LabText.pad(ServersLabel.columnProcesses.string(lang), 7),
            LabText.pad(ServersLabel.columnThreads.string(lang), 8),
            LabText.pad("PSS MiB", 9), LabText.pad("ctx vol", 9), LabText.pad("ctx invol", 10), "CPU ms",
        ].joined()
        out.line("  " + header)
        for run in r.runs {
            if let f = run.failure, run.answered == 0 {
                out.line(
                    "  " + LabText.pad(run.model.label(lang), 11) + LabText.pad("\(run.concurrency)", 6) + f.text(lang))
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
            if let f = run.failure { out.line("      (\(f.text(lang)))") }
            if run.errors > 0 || run.unfinished > 0 {
                out.line(ServersLabel.errorsUnfinished.string(lang, "\(run.errors)", "\(run.unfinished)"))
            }
        }
        out.line("")
        for l in [ServersLabel.legend1, .legend2, .legend3, .legend4] { out.line(l.string(lang)) }
        out.line("")
        differences(r, lang: lang, to: &out)
        out.line("")
        out.line(ServersLabel.shows1.string(lang))
        out.line(ServersLabel.shows2.string(lang))
        out.line(ServersLabel.shows3.string(lang, "\(r.cores)"))
        out.line(ServersLabel.shows4.string(lang))
        out.line(ServersLabel.shows5.string(lang))
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
                    ServersLabel.atLeastOne.string(
                        lang, m.label(lang), "\(lo.snapshot.processes)", "\(lo.snapshot.threads)", "\(lo.concurrency)",
                        "\(hi.snapshot.processes)", "\(hi.snapshot.threads)", "\(hi.concurrency)"))
            }
        case .lighter:
            for m in r.models {
                var s = "\(m.label(lang)): "
                if let c = r.startCostUs[m] {
                    s += ServersLabel.startTook.string(lang, String(format1: c), "\(r.startSamples[m] ?? 0)")
                } else {
                    s += ServersLabel.startNotMeasured.string(lang)
                }
                if let k = r.memoryPerUnitKiB[m] {
                    s += ServersLabel.memoryPerConnection.string(lang, String(format1: k))
                }
                lines.append(s)
            }
            lines.append(ServersLabel.lighterNote1.string(lang))
            // The slot holds Swift's own braces: `Task {}`.
            lines.append(ServersLabel.lighterNote2.string(lang, "{}"))
        case .separateMemory:
            for m in r.models {
                guard let s = r.sharedCounter[m] else { continue }
                let counters = s.counters.map(String.init).joined(separator: ", ")
                var line = ServersLabel.counters.string(
                    lang, m.label(lang), "\(s.requests)", "\(s.connections)", counters)
                if let shm = s.sharedMemory { line += ServersLabel.sharedCounter.string(lang, "\(shm)") }
                lines.append(line)
            }
            lines.append(ServersLabel.memoryNote1.string(lang))
            lines.append(ServersLabel.memoryNote2.string(lang))
        case .notOnItsOwn:
            if let e = r.threadInProcess {
                lines.append(
                    ServersLabel.threadOf.string(
                        lang, "\(e.tid)", "\(e.pid)", "\(e.tid)", "\(e.tgid)", "\(e.pid)", "\(e.siblings)"))
                if let c = r.crash[.thread], let sig = c.serverSignal {
                    lines.append(ServersLabel.threadsEnded.string(lang, "\(sig)"))
                }
            } else {
                lines.append(ServersLabel.threadNotRun.string(lang))
            }
        case .protection:
            for m in r.models {
                guard let c = r.crash[m] else { continue }
                let served = (c.newConnectionServed ? ServersLabel.answered : .notAnswered).string(lang)
                var s = ServersLabel.crashLine.string(
                    lang, m.label(lang), "\(c.servedAfterCrash)", "\(c.others)", served)
                s += ServersLabel.processesChange.string(lang, "\(c.processesBefore)", "\(c.processesAfter)")
                if let sig = c.serverSignal {
                    s += ServersLabel.serverDied.string(lang, "\(sig)")
                } else {
                    s += ServersLabel.serverLived.string(lang)
                }
                lines.append(s)
            }
            lines.append(ServersLabel.coroutineNote1.string(lang))
            lines.append(ServersLabel.coroutineNote2.string(lang))
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
        if let e = f.failure { o.field("failure", e.english) }
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
            if let e = x.failure { o.field("failure", e.english) }
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
