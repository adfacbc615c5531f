import ArgumentParser
import WiretaleCore
import WiretaleLab

/// `wiretale lab tcp|udp|compare`: the notes' client and server run and watched three ways.
struct LabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab",
        abstract:
            "Run the notes' client and server on loopback and watch each call, its packets and the kernel's state.",
        subcommands: [TCP.self, UDP.self, Compare.self]
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
                the calls and the kernel's states (/proc/net/tcp) are still shown.
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

        func validate() throws {
            if [abort, halfClose, refused].filter({ $0 }).count > 1 {
                throw ValidationError("choose one of --abort, --half-close, --refused")
            }
        }

        func run() throws {
            let scenario: TCPLabScenario =
                abort
                ? (close == .server ? .serverAborts : .abort)
                : halfClose ? .halfClose : refused ? .refused : close == .server ? .serverCloses : .clientCloses
            var out = LabOutput()
            LabText.render(TCPLab.run(scenario, capture: !noCapture), lang: lang, to: &out)
        }
    }

    struct UDP: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "udp",
            abstract:
                "A UDP echo on loopback (no handshake, no teardown); with --broadcast, a broadcast to two receivers (section 3)."
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
            var out = LabOutput()
            LabText.render(UDPLab.run(capture: !noCapture), lang: lang, to: &out)
            if broadcast && !noBroadcast {
                out.line("")
                BroadcastLab.render(BroadcastLab.run(capture: !noCapture), lang: lang, to: &out)
            }
        }
    }

    struct Compare: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "compare",
            abstract: "The same request and reply over UDP and over TCP, N times, measured (section 3's claim).",
        )

        @Option(name: [.short, .customLong("count")], help: "How many request/reply exchanges per transport.")
        var count: Int = 200

        @Option(help: "Request size in bytes.")
        var size: Int = 32

        @Option(name: [.short, .customLong("write")], help: "Also write every packet of the run to this pcap file.")
        var write: String?

        func validate() throws {
            if count < 1 || count > 100_000 { throw ValidationError("--count must be from 1 to 100000") }
            if size < 1 || size > 1400 { throw ValidationError("--size must be from 1 to 1400") }
        }

        func run() throws {
            var out = LabOutput()
            CompareLab.render(CompareLab.run(count: count, size: size), writeTo: write, to: &out)
        }
    }
}
