import ArgumentParser
import WiretaleCapture
import WiretaleCore

/// `wiretale explain FILE --stream N`: one TCP connection as a ladder diagram in the notes' terms.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Draw one TCP connection as a ladder diagram, step by step in the notes' terms.",
        discussion: """
            Client on the left, server on the right: an arrow per segment with its flags, relative \
            seq/ack and length, each side's state after it (* when it changed), the notes' step names \
            beside the handshake (\(ConnectionStep.handshake1.chinese) ...) and teardown \
            (\(NotesPhrase.teardown.chinese)), and a remark wherever the \
            capture differs from the notes. Stream numbers are those `read` and `conversations` print.

            --width N fits the ladder in N columns (the terminal's width by default when standard \
            output is one; about 110 otherwise).

            Examples:
              wiretale explain Captures/tcp-simultaneous-close.pcap --stream 0
              wiretale explain Captures/http-loopback.pcap --stream 0 --lang zh --width 80
            """
    )

    @OptionGroup var input: CaptureInputOptions

    @Option(help: "The TCP stream to draw (tcp.stream, from `read` or `conversations`).")
    var stream: Int

    @Option(
        help: """
            en (default) or zh: the notes' Chinese terms \
            (\(ConnectionStep.handshake1.chinese), \(NotesPhrase.teardown.chinese), ...).
            """)
    var lang: NotesLanguage = .en

    @Option(
        help: ArgumentHelp(
            "Segments the ladder holds and draws (default 10000): the first ones; the rest are counted.",
            valueName: "N"))
    var maxSegments = Ladder.defaultMaxRows

    @Option(
        help: ArgumentHelp(
            "Fit the ladder in this many columns (at least 40; default: the terminal's width when standard output "
                + "is one, else about 110).", valueName: "N"))
    var width: Int?

    func validate() throws {
        if let w = width, w < 40 { throw ValidationError("--width must be 40 or more, not \(w)") }
        if stream < 0 { throw ValidationError("--stream must be zero or more") }
        if maxSegments < 0 { throw ValidationError("--max-segments must be 0 or more, not \(maxSegments)") }
    }

    func run() throws {
        try exiting { () throws(CommandExit) in
            try FileCommands.explain(
                input.input, stream: stream, lang: lang, maxSegments: maxSegments,
                width: width ?? FileCommands.standardOutputColumns)
        }
    }
}
