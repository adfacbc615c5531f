import ArgumentParser
import WiretaleCore
import WiretaleLab
import WiretaleTrace

/// `wiretale tour`: the notes' network sections in one command, live when privileged, from the
/// captures compiled into the binary when not.
struct TourCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tour",
        abstract: "Start here: the notes' TCP handshake, teardown, UDP and the website steps, shown on real packets.",
        discussion: """
            Needs no network and no arguments. With root (or CAP_NET_RAW) it runs the TCP and UDP \
            labs on loopback and captures them live; without, it explains captures recorded by \
            wiretale and compiled into this binary, and says how to see it live. It ends with the \
            notes' lettered list (a..i) beside what was observed.
            """
    )

    @Flag(help: "Explain the compiled-in captures even when live capture is allowed.")
    var recorded = false

    @Option(help: "en (default) or zh: the notes' Chinese terms.")
    var lang: NotesLanguage = .en

    @Option(
        help: ArgumentHelp(
            "Save the live labs' packets as tour-*.pcap in this directory (for Captures/).",
            visibility: .hidden))
    var record: String?

    func run() async throws {
        var out = LabOutput()
        await Tour.run(
            live: !recorded, lang: lang, trace: { await Self.trace(lang) },
            record: record, to: &out)
    }

    /// `wiretale trace` against the tour's own loopback DNS and web servers: the notes' section 4
    /// on packets captured live, with each step beside its letter.
    static func trace(_ lang: NotesLanguage) async -> (text: String, observed: [String: String])? {
        guard let servers = try? TourServers() else { return nil }
        defer { servers.stop() }
        var o = TraceOptions(url: "http://\(TourServers.name):\(servers.httpPort)/")
        o.resolver = DNSServer(parsing: "127.0.0.1:\(servers.dnsPort)")
        o.family = .ipv4
        o.timeoutSeconds = 5
        o.hostsPath = "/dev/null"
        let report = await TraceRunner.run(o)
        var text =
            "The tour's own DNS server (127.0.0.1:\(servers.dnsPort)) knows \(TourServers.name); its web server "
            + "listens on 127.0.0.1:\(servers.httpPort).\n$ wiretale trace --resolver 127.0.0.1:\(servers.dnsPort) \(o.url)\n\n"
        text += TraceText.render(report, lang: lang)
        var observed: [String: String] = [:]
        for step in report.steps {
            guard let letter = step.note.map({ String($0) }), observed[letter] == nil else { continue }
            let what = step.evidence.first ?? step.kind.title
            let frames = step.frames.isEmpty ? "" : " (frames \(step.frames.map(String.init).joined(separator: ",")))"
            observed[letter] = "\(step.status.rawValue): \(what)\(frames)"
        }
        return (text, observed)
    }
}
