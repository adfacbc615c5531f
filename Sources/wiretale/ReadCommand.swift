import ArgumentParser
import WiretaleCapture
import WiretaleCore

extension OutputFormat: ExpressibleByArgument {}
extension NotesLanguage: ExpressibleByArgument {}

/// `wiretale read FILE [FILTER]` (or `read -r A -r B [FILTER]`): one line (or one JSON object) per
/// packet; with `-w OUT`, a copy of the packets that pass the filter.
struct ReadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "read",
        abstract: "Decode a capture file: one line per packet, with what it means in the notes' terms.",
        usage: """
            wiretale read <file> [<filter> ...] [options]
              wiretale read -r <file> [-r <file> ...] [<filter> ...] [options]
            """,
        discussion: """
            Reads pcap and pcapng files (or - for standard input). A BPF filter as tcpdump takes it \
            selects packets; frame numbers stay those of the file. Times are UTC. Several files: \
            -r FILE for each, read in order as one capture (frames numbered on, connections followed \
            across files); a line `-- file 2 of 2: b.pcap, from frame 13 --` (JSON: a "file" key, \
            0-based) marks where each begins.

            -w OUT writes the packets that pass the filter (and -c) to OUT as they are (link type, \
            timestamps and their resolution, snapshot length, lengths): pcap, or pcapng when OUT ends \
            in .pcapng; -w - writes to standard output. As tcpdump, nothing is printed per packet \
            then unless --print is given.

            Examples:
              wiretale read Captures/http-loopback.pcap 'tcp port 8080' -q -ttttt
              wiretale read -r monday.pcap -r tuesday.pcap 'udp port 53' --format json
              wiretale read big.pcapng 'host 192.0.2.1' -w host.pcapng
            """
    )

    @OptionGroup var input: CaptureInputOptions

    @Option(
        name: [.short, .customLong("count")], parsing: .unconditional,
        help: "Stop after this many packets (shown, or written with -w).")
    var count: Int?

    @Option(help: "text (default), json (one object per packet per line), or none (decode and track, print counts).")
    var format: OutputFormat = .text

    @Option(help: "The language of the remarks: en, or zh for the notes' Chinese terms.")
    var lang: NotesLanguage = .en

    @Flag(name: .short, help: "Print numbers, not names (the default: wiretale never looks names up).")
    var numeric = false

    @OptionGroup var line: PacketLineOptions

    @Option(
        name: [.short, .customLong("write")],
        help: ArgumentHelp(
            "Write the packets that pass the filter to this file (pcap; pcapng when it ends in .pcapng; - for "
                + "standard output); prints no packet lines unless --print.",
            valueName: "file"))
    var write: String?

    @Flag(help: "With -w, also print each packet.")
    var print = false

    @Flag(help: "With -w OUT.pcapng, put wiretale's remarks on each packet as its pcapng comment.")
    var annotate = false

    func validate() throws {
        if let c = count, c < 0 { throw ValidationError("--count must be zero or more") }
        if print && write == nil {
            throw ValidationError("--print only makes sense with -w (without -w every packet is printed)")
        }
        if print && write == "-" { throw ValidationError("--print cannot share standard output with -w -") }
        if annotate && CaptureWriter.Container(forPath: write ?? "") != .pcapng {
            throw ValidationError("--annotate needs -w OUT.pcapng (pcap has no place for comments)")
        }
        try line.validateDump(format: format)
    }

    func run() throws {
        var o = FileCommands.ReadOptions()
        o.count = count
        o.format = format
        o.lang = lang
        o.write = write
        o.print = print
        o.annotate = annotate
        o.quiet = line.quiet
        o.verbose = line.verbose
        o.time = line.format
        o.dump = line.dump
        try exiting { () throws(CommandExit) in try FileCommands.read(input.input, o) }
    }
}
