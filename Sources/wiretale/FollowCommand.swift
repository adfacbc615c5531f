import ArgumentParser
import WiretaleCapture
import WiretaleCore

extension FollowRender.Format: ExpressibleByArgument {}
extension FollowDirection: ExpressibleByArgument {}

/// `wiretale follow FILE --stream N`: one TCP stream's bytes, both directions reassembled, as
/// tshark's `-z follow,tcp,ascii|hex|raw,N`.
struct FollowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "follow",
        abstract: "Show one TCP stream's bytes, both directions reassembled in order (tshark's -z follow,tcp).",
        discussion: """
            Stream numbers are those `read` and `conversations` print (tshark's tcp.stream), counted \
            over every frame of the capture; a filter only chooses which of the stream's frames are \
            reassembled. Each direction is reassembled as TCP delivers it: in sequence order, \
            retransmitted and overlapping bytes kept once (the first copy, as Wireshark), a hole \
            that never fills shown as a gap. Chunks are printed as the capture delivers them, each \
            with its byte count, direction and frame; the server's lines are indented with a tab \
            (node 1, as tshark). A summary ends the output: bytes each way, how each direction \
            ended, and the reassembly's counters (retransmitted, overlapping, conflicting, out of \
            window, gaps, caps).

            --format ascii (default) or hex print as tshark does; raw writes one direction's bytes \
            (--direction client, the default, or server) to standard output unmodified, gaps noted \
            on standard error; json prints one object per chunk or gap and a summary object.

            Examples:
              wiretale follow Captures/http-loopback.pcap --stream 0
              wiretale follow Captures/http-loopback.pcap --stream 0 --format hex --lang zh
              wiretale follow web.pcap --stream 3 --format raw --direction server > reply.http
              wiretale follow web.pcap 'port 80' --stream 3 --format json | jq 'select(.gap)'
            """
    )

    @OptionGroup var input: CaptureInputOptions

    @Option(help: "The TCP stream to follow (tcp.stream, from `read` or `conversations`).")
    var stream: Int

    @Option(help: "ascii (default), hex, raw (one direction's bytes, for a pipe) or json.")
    var format: FollowRender.Format = .ascii

    @Option(help: "With --format raw: whose bytes to write, the client's (default) or the server's.")
    var direction: FollowDirection?

    @Option(help: "en (default) or zh: the labels in the notes' Chinese.")
    var lang: NotesLanguage = .en

    func validate() throws {
        if stream < 0 { throw ValidationError("--stream must be zero or more") }
        if direction != nil && format != .raw {
            throw ValidationError("--direction chooses what --format raw writes; the other formats show both")
        }
    }

    func run() throws {
        var o = FollowCommands.Options()
        o.format = format
        o.lang = lang
        o.direction = direction ?? .client
        try exiting { () throws(CommandExit) in try FollowCommands.follow(input.input, stream: stream, o) }
    }
}
