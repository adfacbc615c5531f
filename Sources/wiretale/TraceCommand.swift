import ArgumentParser
import WiretaleCore
import WiretaleTrace

/// `wiretale trace URL`: a real fetch, explained step by step in the notes' terms.
struct TraceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Fetch a URL and explain each step beside the notes' letters a..i.",
        discussion: """
            Exit codes: 0 fetched; 3 invalid URL; 4 no route; 5 DNS: no such name / no address; \
            6 DNS: no answer (timeout, SERVFAIL, refused); 7 connection refused; 8 connect timeout; \
            9 TLS failure; 10 HTTP 4xx; 11 HTTP 5xx; 12 HTTP exchange broken or too many redirects; \
            13 local problem (e.g. unreadable --cacert).

            Examples:
              wiretale trace https://example.com/
              wiretale trace -L --format json http://example.com/ | jq .timings
            """)

    @Argument(help: "The URL to fetch (http or https).")
    var url: String

    @Option(help: "Ask this DNS server (IP[:port]) instead of those in /etc/resolv.conf.")
    var resolver: String?

    @Flag(name: [.customShort("4")], help: "IPv4 only (A records).")
    var ipv4 = false

    @Flag(name: [.customShort("6")], help: "IPv6 only (AAAA records).")
    var ipv6 = false

    @Option(parsing: .unconditional, help: "Seconds any one step may take (DNS, connect, TLS, response).")
    var timeout: Double = 10

    @Flag(name: [.customShort("L"), .customLong("location")], help: "Follow redirects (up to --max-redirects).")
    var follow = false

    @Option(
        name: .customLong("max-redirects"), parsing: .unconditional,
        help: "How many redirects to follow (implies -L; default 10 with -L).")
    var maxRedirects: Int?

    @Flag(help: "Do not verify the server's certificate (unsafe).")
    var insecure = false

    @Option(help: "Trust this CA certificate file (PEM) instead of the system store.")
    var cacert: String?

    @Option(name: [.customShort("w"), .customLong("write")], help: "Save the captured packets to FILE (pcap).")
    var write: String?

    @Option(help: "Output format: text or json.")
    var format = FormatOption<TextOrJSONUnlisted>(.text)

    @Option(help: "Step names: en, or zh for the notes' own Chinese wording.")
    var lang: NotesLanguage = .en

    func validate() throws {
        try format.validate("trace")
        if ipv4 && ipv6 { throw ValidationError("-4 and -6 exclude each other") }
        if let why = TraceOptions.timeoutProblem(timeout) { throw ValidationError(why) }
        if let m = maxRedirects, m < 0 || m > 50 { throw ValidationError("--max-redirects must be 0 to 50") }
        if let r = resolver, DNSServer(parsing: r) == nil {
            throw ValidationError("--resolver \(r): expected an IP address, optionally with :port ([v6]:port)")
        }
    }

    func run() async throws {
        var o = TraceOptions(url: url)
        o.resolver = resolver.flatMap { DNSServer(parsing: $0) }
        o.family = ipv4 ? .ipv4 : (ipv6 ? .ipv6 : .any)
        o.timeoutSeconds = timeout
        o.maxRedirects = maxRedirects ?? (follow ? 10 : 0)
        o.insecure = insecure
        o.caFile = cacert
        o.writeFile = write
        let report = await TraceRunner.run(o)
        print(
            format.value == .json ? TraceJSON.render(report) : TraceText.render(report, lang: lang),
            terminator: "")
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }
}
