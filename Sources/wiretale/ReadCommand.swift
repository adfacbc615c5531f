import ArgumentParser
import WiretaleCapture
import WiretaleCore

extension OutputFormat: ExpressibleByArgument {}
extension NotesLanguage: ExpressibleByArgument {}

/// `wiretale read FILE [FILTER]`: one line (or one JSON object) per packet.
struct ReadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "read",
        abstract: "Decode a capture file: one line per packet, with what it means in the notes' terms.",
        discussion: """
            Reads pcap and pcapng files (or - for standard input). A BPF filter as tcpdump takes it \
            selects packets; frame numbers stay those of the file. Times are UTC.
            """
    )

    @OptionGroup var input: CaptureInputOptions

    @Option(name: [.short, .customLong("count")], parsing: .unconditional, help: "Stop after this many packets.")
    var count: Int?

    @Option(help: "text (default), json (one object per packet per line), or none (decode and track, print counts).")
    var format: OutputFormat = .text

    @Option(help: "The language of the remarks: en, or zh for the notes' Chinese terms.")
    var lang: NotesLanguage = .en

    @Flag(name: .short, help: "Print numbers, not names (the default: wiretale never looks names up).")
    var numeric = false

    func validate() throws {
        if let c = count, c < 0 { throw ValidationError("--count must be zero or more") }
    }

    func run() throws {
        try exiting { () throws(CommandExit) in
            try FileCommands.read(input.input, count: count, format: format, lang: lang)
        }
    }
}
