import ArgumentParser
import WiretaleCore
import WiretaleLab

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

            Examples:
              wiretale tour
              wiretale tour --recorded --lang zh
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
        await Tour.runCommand(recorded: recorded, lang: lang, record: record)
    }
}
