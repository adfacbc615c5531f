import ArgumentParser
import WiretaleCapture
import WiretaleCore
import WiretaleLab

/// `wiretale lab tcp|udp|compare`: the notes' client and server run and watched three ways.
struct LabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab",
        abstract:
            "Run the notes' client and server on loopback and watch each call, its packets and the kernel's state.",
        discussion: """
            Examples:
              sudo wiretale lab tcp
              sudo wiretale lab tcp --close server --format json
              wiretale lab udp --lang zh
              sudo wiretale lab compare -c 500 -w compare.pcap
              wiretale lab servers --concurrency 1,10,100 --requests 2000
            """,
        subcommands: [TCP.self, UDP.self, Compare.self, Servers.self]
    )

    enum Closer: String, ExpressibleByArgument, CaseIterable {
        case client, server
    }

    struct TCP: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "tcp",
            abstract:
                "A TCP echo on loopback: each call, the packets it caused, the kernel's states (sections 1 and 2).",
            discussion: """
                Packets are captured on lo when wiretale may capture (root or CAP_NET_RAW); otherwise \
                the calls and the kernel's states (/proc/net/tcp) are still shown. With --format json, \
                one object: each call with its frames, the kernel's table after it and, for the client \
                and the server, the kernel's state beside the wire's (agree).

                Examples:
                  sudo wiretale lab tcp
                  sudo wiretale lab tcp --close server --format json
                  sudo wiretale lab tcp --abort --lang zh
                  wiretale lab tcp --refused --no-capture
                """
        )

        @Option(help: "Who closes first: client (default) or server.")
        var close: Closer = .client

        @Flag(
            help:
                "The closer (--close, the client by default) aborts with a RST (SO_LINGER 0, then close) instead of a FIN."
        )
        var abort = false

        @Flag(help: "The client shuts down only its sending half; the server sends after the client's FIN.")
        var halfClose = false

        @Flag(help: "Connect to a port where nothing listens: the SYN is answered by RST.")
        var refused = false

        @Flag(help: "Do not capture packets even when allowed.")
        var noCapture = false

        @Option(help: "en (default) or zh: the notes' Chinese terms.")
        var lang: NotesLanguage = .en

        @Option(help: "text (default) or json.")
        var format = FormatOption<TextOrJSON>(.text)

        func validate() throws {
            try format.validate("lab tcp")
            if [abort, halfClose, refused].filter({ $0 }).count > 1 {
                throw ValidationError("choose one of --abort, --half-close, --refused")
            }
        }

        func run() throws {
            let scenario = TCPLabScenario(
                serverCloses: close == .server, abort: abort, halfClose: halfClose, refused: refused)
            LabCommands.tcp(scenario, capture: !noCapture, lang: lang, format: format.value)
        }
    }

    struct UDP: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "udp",
            abstract:
                "A UDP echo on loopback (no handshake, no teardown); with --broadcast, a broadcast to two receivers (section 3).",
            discussion: """
                Examples:
                  sudo wiretale lab udp
                  sudo wiretale lab udp --broadcast --lang zh
                """
        )

        @Flag(help: "Also broadcast to two receivers in network namespaces joined by a bridge (needs root).")
        var broadcast = false

        @Flag(help: ArgumentHelp("No broadcast: the default now, kept for old command lines.", visibility: .hidden))
        var noBroadcast = false

        @Flag(help: "Do not capture packets even when allowed.")
        var noCapture = false

        @Option(help: "en (default) or zh: the notes' Chinese terms.")
        var lang: NotesLanguage = .en

        func run() throws {
            LabCommands.udp(capture: !noCapture, broadcast: broadcast && !noBroadcast, lang: lang)
        }
    }

    struct Compare: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "compare",
            abstract: "The same request and reply over UDP and over TCP, N times, measured (section 3's claim).",
            discussion: """
                Packets, bytes and round trips are counted on the wire when wiretale may capture; the \
                latencies are the client's clock either way.

                Examples:
                  sudo wiretale lab compare
                  sudo wiretale lab compare -c 1000 --size 512 -w compare.pcap
                """
        )

        @Option(
            name: [.short, .customLong("count")], parsing: .unconditional,
            help: "How many request/reply exchanges per transport.")
        var count: Int = 200

        @Option(help: "Request size in bytes.")
        var size: Int = 32

        @Option(name: [.short, .customLong("write")], help: "Also write every packet of the run to this pcap file.")
        var write: String?

        @Option(help: "en (default) or zh: the notes' Chinese terms.")
        var lang: NotesLanguage = .en

        func validate() throws {
            if count < 1 || count > 100_000 { throw ValidationError("--count must be from 1 to 100000") }
            if size < 1 || size > 1400 { throw ValidationError("--size must be from 1 to 1400") }
        }

        func run() throws {
            LabCommands.compare(count: count, size: size, write: write, lang: lang)
        }
    }

    struct Servers: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "servers",
            abstract:
                "One HTTP server as processes, threads and coroutines (\(ExecutionUnit.process.chinese) / \(ExecutionUnit.thread.chinese) / \(ExecutionUnit.coroutine.chinese)), measured under the same load.",
            discussion: """
                Each model runs in a child process; C keep-alive connections from the lab's own load \
                generator send --requests requests (at most --seconds per run). The table counts \
                processes and threads from /proc, PSS from smaps_rollup, context switches and CPU from \
                wait4; then the notes' five differences, each with its evidence.

                Examples:
                  wiretale lab servers
                  wiretale lab servers --concurrency 1,100 --requests 5000 --format json
                """
        )

        @Option(help: "Comma-separated connection counts, each a run per model (1 to 2000).")
        var concurrency: String = "1,10,100,1000"

        @Option(parsing: .unconditional, help: "Requests per run.")
        var requests: Int = 10_000

        @Option(parsing: .unconditional, help: "The longest a run may take, seconds.")
        var seconds: Double = 10

        @Option(help: "Comma-separated models to run: process, thread, coroutine.")
        var models: String = "process,thread,coroutine"

        @Option(help: "text (default) or json.")
        var format = FormatOption<TextOrJSON>(.text)

        @Option(
            help: ArgumentHelp(
                "Drive a server already running at HOST:PORT (`serve http`) with the lab's load only, as wrk would.",
                valueName: "host:port"))
        var target: String?

        @Option(help: "en (default) or zh: the notes' Chinese terms.")
        var lang: NotesLanguage = .en

        /// A library parser's result, its error as ArgumentParser's.
        func parsed<T>(_ parse: () throws(LabArgumentError) -> T) throws -> T {
            do {
                return try parse()
            } catch {
                throw ValidationError(error.message)
            }
        }

        func request() throws -> LabCommands.ServersRequest {
            // In the order the errors were always reported: the target, the ladder, the models.
            let address = try target.map { t in
                try parsed { () throws(LabArgumentError) in try ServersArguments.target(t) }
            }
            let ladder = try parsed { () throws(LabArgumentError) in try ServersArguments.concurrency(concurrency) }
            let list = try parsed { () throws(LabArgumentError) in try ServersArguments.models(models) }
            return LabCommands.ServersRequest(
                concurrency: ladder, models: list, requests: requests, seconds: seconds, target: address,
                format: format.value, lang: lang)
        }

        func validate() throws {
            try format.validate("lab servers")
            _ = try request()
            if requests < 1 || requests > 1_000_000 { throw ValidationError("--requests must be from 1 to 1000000") }
            if !(seconds >= 0.1 && seconds <= 120) { throw ValidationError("--seconds must be from 0.1 to 120") }
        }

        func run() throws {
            let r = try request()
            try exiting { () throws(CommandExit) in try LabCommands.servers(r) }
        }
    }
}
