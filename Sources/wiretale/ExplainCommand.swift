import ArgumentParser
import WiretaleCore

#if canImport(Glibc)
    import Glibc
#endif

/// `wiretale explain FILE --stream N`: one TCP connection as a ladder diagram in the notes' terms.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Draw one TCP connection as a ladder diagram, step by step in the notes' terms.",
        discussion: """
            Client on the left, server on the right: an arrow per segment with its flags, relative \
            seq/ack and length, each side's state after it (* when it changed), the notes' step names \
            beside the handshake (第一次握手 ...) and teardown (四次挥手), and a remark wherever the \
            capture differs from the notes. Stream numbers are those `read` and `conversations` print.
            """
    )

    @OptionGroup var input: CaptureInputOptions

    @Option(help: "The TCP stream to draw (tcp.stream, from `read` or `conversations`).")
    var stream: Int

    @Option(help: "en (default) or zh: the notes' Chinese terms (第一次握手, 四次挥手, ...).")
    var lang: NotesLanguage = .en

    @Option(
        help: ArgumentHelp(
            "Segments the ladder holds and draws (default 10000): the first ones; the rest are counted.",
            valueName: "N"))
    var maxSegments = Ladder.defaultMaxRows

    func validate() throws {
        if stream < 0 { throw ValidationError("--stream must be zero or more") }
        if maxSegments < 0 { throw ValidationError("--max-segments must be 0 or more, not \(maxSegments)") }
    }

    func run() throws {
        signal(SIGPIPE, SIG_IGN)
        let scan = try CaptureScan(input)
        var out = OutputBuffer()
        var follower = PacketFollower(configuration: input.trackerConfiguration)
        var rows: [LadderRow] = []
        var undrawn = 0
        let maxSegments = maxSegments
        var conversation: TCPConversation? = nil
        let wanted = stream
        defer { out.flush() }

        func take(_ r: FlowReport) {
            if case .tcp(let c) = r, c.stream == wanted { conversation = c }
        }

        // A damaged or cut-off file: the stream as far as it was read, then the error (exit 1).
        let failure = scan.run { record, frame in
            let note = follower.follow(
                record.bytes, linkType: record.linkType, frame: frame, time: record.timestamp,
                wireLength: record.originalLength)
            if note.kind == .tcp && Int(note.stream) == wanted {
                if rows.count < maxSegments {
                    rows.append(LadderRow(frame: frame, time: record.timestamp, packet: follower.packet, note: note))
                } else {
                    undrawn += 1
                }
            }
            if follower.tracker.hasReports {
                while let r = follower.tracker.nextReport() { take(r) }
            }
            // Once the stream is reported, none of its packets can follow.
            return conversation == nil
        }
        if conversation == nil {
            follower.tracker.finish()
            while conversation == nil, let r = follower.tracker.nextReport() { take(r) }
        }
        guard let c = conversation else {
            if let f = failure { try scan.finish(f) }
            let count = follower.tracker.tcpStreamCount
            printError(
                count == 0
                    ? "\(input.file): the capture holds no TCP stream"
                    : "\(input.file): no TCP stream \(wanted); its streams are numbered 0 to \(count - 1) "
                        + "(see `wiretale conversations \(input.file)`)")
            throw ExitCode(1)
        }
        Ladder.render(rows, conversation: c, lang: lang, to: &out)
        Ladder.renderUndrawn(undrawn, drawn: rows.count, lang: lang, to: &out)
        out.flush()
        try scan.finish(failure)
    }
}
