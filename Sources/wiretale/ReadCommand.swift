import ArgumentParser
import WiretaleCore

#if canImport(Glibc)
    import Glibc
#endif

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

    @Option(name: [.short, .customLong("count")], help: "Stop after this many packets.")
    var count: Int?

    @Option(help: "text (default), json (one object per packet per line), or none (decode and track, print counts).")
    var format: PacketPrinter.Format = .text

    @Option(help: "The language of the remarks: en, or zh for the notes' Chinese terms.")
    var lang: NotesLanguage = .en

    @Flag(name: .short, help: "Print numbers, not names (the default: wiretale never looks names up).")
    var numeric = false

    func validate() throws {
        if let c = count, c < 0 { throw ValidationError("--count must be zero or more") }
    }

    func run() throws {
        signal(SIGPIPE, SIG_IGN)
        let scan = try CaptureScan(input)
        var printer = PacketPrinter(format: format, language: lang, maxFlows: input.maxFlows)
        var printed = 0
        let limit = count ?? Int.max
        defer { printer.finish() }
        let failure = scan.run { record, frame in
            guard printed < limit else { return false }
            printed += 1
            return printer.handle(
                bytes: record.bytes, linkType: record.linkType, frame: frame,
                timestamp: record.timestamp, originalLength: record.originalLength,
                interfaceIndex: record.interfaceIndex)
        }
        noteEvictions(printer.tracker.evictions, maxFlows: input.maxFlows)
        try scan.finish(failure)
    }
}
