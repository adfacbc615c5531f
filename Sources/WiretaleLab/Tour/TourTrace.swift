import WiretaleCore
import WiretaleTrace

extension Tour {
    /// `wiretale tour` as the command runs it: live unless `recorded` (and when capture is
    /// allowed), with the notes' section 4 traced against the tour's own servers; `record` saves
    /// the live labs' packets as tour-*.pcap in that directory.
    public static func runCommand(recorded: Bool, lang: NotesLanguage, record: String?) async {
        var out = LabOutput()
        await run(live: !recorded, lang: lang, trace: { await trace(lang) }, record: record, to: &out)
    }

    /// `wiretale trace` against the tour's own loopback DNS and web servers: the notes' section 4
    /// on packets captured live, with each step beside its letter. Nil when the servers cannot start.
    public static func trace(_ lang: NotesLanguage) async -> (text: String, observed: [String: Bilingual])? {
        guard let servers = try? TourServers() else { return nil }
        defer { servers.stop() }
        var o = TraceOptions(url: "http://\(TourServers.name):\(servers.httpPort)/")
        o.resolver = DNSServer(parsing: "127.0.0.1:\(servers.dnsPort)")
        o.family = .ipv4
        o.timeoutSeconds = 5
        o.hostsPath = "/dev/null"
        let report = await TraceRunner.run(o)
        var text =
            LabSay.tourServers.filled(lang, ["\(servers.dnsPort)", TourServers.name, "\(servers.httpPort)"])
            + "\n$ wiretale trace --resolver 127.0.0.1:\(servers.dnsPort) \(o.url)\n\n"
        text += TraceText.render(report, lang: lang)
        var observed: [String: Bilingual] = [:]
        for step in report.steps {
            guard let letter = step.note.map({ String($0) }), observed[letter] == nil else { continue }
            let what = step.lines.first ?? Bilingual(english: step.kind.title, chinese: step.kind.shortTitle(.zh))
            let frames =
                step.frames.isEmpty
                ? Bilingual(verbatim: "")
                : Bilingual(LabSay.traceFrames, step.frames.map(String.init).joined(separator: ","))
            let status: LabSay =
                switch step.status {
                case .ok: .statusOK
                case .failed: .statusFailed
                case .skipped: .statusSkipped
                }
            observed[letter] = Bilingual(LabSay.traceObserved, parts: [Bilingual(status), what, frames])
        }
        return (text, observed)
    }
}
