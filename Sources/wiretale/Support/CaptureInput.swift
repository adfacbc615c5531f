import ArgumentParser
import WiretaleCapture
import WiretaleCore

/// The arguments every file-reading subcommand shares: a capture file and an optional BPF filter,
/// or several files with `-r` (then every positional word is the filter's).
struct CaptureInputOptions: ParsableArguments {
    @Argument(help: "A capture file (pcap or pcapng), or - for standard input; with -r, the filter's first word.")
    var file: String?

    @Argument(help: ArgumentHelp("A BPF filter, as tcpdump takes it (e.g. 'tcp port 80').", valueName: "filter"))
    var filter: [String] = []

    @Option(
        name: [.customShort("r"), .customLong("read")],
        help: ArgumentHelp(
            "A capture file to read; repeat it to read several in order as one capture (frames numbered on, "
                + "connections followed across files). With -r every positional word is the filter.",
            valueName: "file"))
    var files: [String] = []

    @OptionGroup var caps: FlowCapOptions
    var maxFlows: Int { caps.maxFlows }

    @Option(
        help: ArgumentHelp(
            "The most pcapng interfaces one section may define (default "
                + "\(CaptureFileReader.defaultMaxInterfaces)); one more is an error.", valueName: "n"))
    var maxInterfaces = CaptureFileReader.defaultMaxInterfaces

    mutating func validate() throws {
        if maxInterfaces < 1 { throw ValidationError("--max-interfaces must be 1 or more") }
        if files.isEmpty && file == nil {
            throw ValidationError("Missing expected argument '<file>' (a capture file, or -r FILE, repeatable)")
        }
        if paths.filter({ $0 == "-" }).count > 1 {
            throw ValidationError("standard input (-) can be read only once")
        }
    }

    /// The files to read, in order: the `-r` ones, or the first positional word.
    var paths: [String] { files.isEmpty ? file.map { [$0] } ?? [] : files }

    /// The filter's words: every positional word with `-r`, else those after the file.
    var filterWords: [String] { files.isEmpty ? filter : (file.map { [$0] } ?? []) + filter }

    /// The library's description of the input.
    var input: CaptureInput {
        CaptureInput(
            files: paths, filter: filterWords.isEmpty ? nil : filterWords.joined(separator: " "),
            maxInterfaces: maxInterfaces, maxFlows: maxFlows)
    }
}

/// How each packet's line is printed, for `read` and `capture`: tcpdump's `-q`, `-v`, `-t`
/// (repeated: `-tt` … `-ttttt`), `--time-format`, and the bytes after it (`-A`, `-X`, doubled for
/// the link header).
struct PacketLineOptions: ParsableArguments {
    @Flag(
        name: .short,
        help: "Quiet: only the tcpdump-like line per packet, without the notes' remarks (capture: and its events).")
    var quiet = false

    @Flag(
        name: .short,
        help: "Verbose: the IP header's fields after IP, as tcpdump -v (tos, ttl, id, offset, flags, proto, length).")
    var verbose = false

    @Flag(
        name: .customShort("t"),
        help: ArgumentHelp(
            "As tcpdump: -t no time, -tt seconds since the epoch, -ttt since the previous packet, -tttt date and "
                + "time, -ttttt since the first packet (all UTC)."))
    var t: Int

    @Option(
        help: ArgumentHelp(
            "How each line's time is printed (default time: the time of day, UTC); the same as -t … -ttttt.",
            valueName: "format"))
    var timeFormat: TimeFormat?

    @Flag(
        name: .customShort("A"),
        help: ArgumentHelp(
            "As tcpdump: each packet after its line in ASCII, without its link-level header; -AA with it "
                + "(--format text only)."))
    var ascii: Int

    @Flag(
        name: .customShort("X"),
        help: ArgumentHelp(
            "As tcpdump: each packet after its line in hex and ASCII, without its link-level header; -XX with it "
                + "(--format text only; wins over -A)."))
    var hex: Int

    func validate() throws {
        if t > 5 { throw ValidationError("-t can be repeated at most five times (-ttttt), not \(t)") }
        if t > 0 && timeFormat != nil { throw ValidationError("choose -t… or --time-format, not both") }
    }

    var format: TimeFormat { timeFormat ?? TimeFormat(tcpdumpCount: t) ?? .time }

    /// `-A` / `-X` (tcpdump's `-AA`, `-XX` when repeated).
    var dump: PacketDump { PacketDump(ascii: ascii, hex: hex) }

    /// `-A` and `-X` print after text lines only: JSON and `none` have no line to print them after.
    func validateDump(format: OutputFormat) throws {
        guard dump != .none, format != .text else { return }
        throw ValidationError(
            "-\(hex > 0 ? "X" : "A") prints the packet's bytes after its text line; --format \(format.rawValue) has "
                + "no such line (use --format text)")
    }
}

extension TimeFormat: ExpressibleByArgument {}

/// `--max-flows`, for every command that follows connections (the file commands and `capture`).
struct FlowCapOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The most TCP connections, UDP flows and unanswered DNS queries followed at once (each; default "
                + "\(ConnectionTracker.Configuration.defaultMaxFlows)); past it the oldest half-open, then the "
                + "longest idle, are evicted and counted.", valueName: "n"))
    var maxFlows = ConnectionTracker.Configuration.defaultMaxFlows

    func validate() throws {
        if maxFlows < 1 { throw ValidationError("--max-flows must be 1 or more") }
    }
}

/// Runs a library command and turns its `CommandExit` into ArgumentParser's exit code.
func exiting(_ body: () throws(CommandExit) -> Void) throws {
    do {
        try body()
    } catch {
        throw ExitCode(error.code)
    }
}

/// An `OutputFormat` option of a command that prints only some formats: it parses every
/// `OutputFormat` value (so `validate()` can say why one is not available) and lists only
/// `Allowed`'s in `--help`.
struct FormatOption<Allowed: FormatChoices>: ExpressibleByArgument {
    var value: OutputFormat

    init(_ value: OutputFormat) { self.value = value }

    init?(argument: String) {
        guard let v = OutputFormat(rawValue: argument) else { return nil }
        value = v
    }

    var defaultValueDescription: String { value.rawValue }
    static var allValueStrings: [String] { Allowed.listsValues ? Allowed.formats.map(\.rawValue) : [] }

    /// Throws when the value is not one of `Allowed`'s: "--format none: <command> prints text or json".
    func validate(_ command: String) throws {
        guard Allowed.formats.contains(value) else {
            let names = Allowed.formats.map(\.rawValue)
            throw ValidationError(
                "--format \(value.rawValue): \(command) prints "
                    + names.dropLast().joined(separator: ", ") + " or " + names.last!)
        }
    }
}

/// Which formats a `FormatOption` accepts, and whether `--help` lists them after the option's help
/// (as ArgumentParser does for an enumeration's cases).
protocol FormatChoices {
    static var formats: [OutputFormat] { get }
    static var listsValues: Bool { get }
}

/// text or json.
enum TextOrJSON: FormatChoices {
    static let formats: [OutputFormat] = [.text, .json]
    static let listsValues = true
}

/// text or json, unlisted: `trace --help` names them in the option's own help.
enum TextOrJSONUnlisted: FormatChoices {
    static let formats: [OutputFormat] = [.text, .json]
    static let listsValues = false
}
