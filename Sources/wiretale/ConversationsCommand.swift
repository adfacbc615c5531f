import ArgumentParser
import WiretaleCapture
import WiretaleCore

/// `wiretale conversations FILE [FILTER]`: every TCP conversation (handshake, teardown, final
/// states, conn_state, anomalies), UDP flow and DNS transaction in a capture.
struct ConversationsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conversations",
        abstract: "List TCP conversations, UDP flows and DNS transactions, in the notes' terms.",
        discussion: """
            The TCP table is tshark's `-z conv,tcp` plus the notes' view: how each connection opened \
            (\(NotesPhrase.handshake.chinese)) and closed (\(NotesPhrase.teardown.chinese)), where each side was left, Zeek's conn_state and history, and \
            Wireshark's anomalies. Stream numbers are tshark's tcp.stream (and `read`'s). With --format \
            json, one object per line as each flow ends, told apart by "kind": tcp, udp or dns.

            --width N fits the text in N columns (the terminal's width by default when standard \
            output is one): a table too wide becomes one record of labelled cells per conversation. \
            Several files: -r FILE for each, read in order as one capture.

            Examples:
              wiretale conversations Captures/tcp-refused.pcap
              wiretale conversations big.pcap 'tcp port 443' --format json | jq 'select(.kind == "tcp")'
              wiretale conversations -r monday.pcap -r tuesday.pcap --width 80 --lang zh
            """
    )

    @OptionGroup var input: CaptureInputOptions

    @Option(help: "text (default: tables) or json (one object per conversation per line).")
    var format = FormatOption<TextOrJSON>(.text)

    @Option(
        help: """
            en (default) or zh: the notes' Chinese terms \
            (\(NotesPhrase.handshake.chinese), \(NotesPhrase.teardown.chinese), ...).
            """)
    var lang: NotesLanguage = .en

    @Option(
        help: ArgumentHelp(
            "Rows each text table holds and lists (default 50000): the first by stream or query; the rest are counted.",
            valueName: "N"))
    var maxRows = ConversationTable.defaultMaxRows

    @Option(
        help: ArgumentHelp(
            "Fit the text in this many columns (at least 40; default: the terminal's width when standard output "
                + "is one, else the tables as wide as they are).", valueName: "N"))
    var width: Int?

    func validate() throws {
        if let w = width, w < 40 { throw ValidationError("--width must be 40 or more, not \(w)") }
        try format.validate("conversations")
        guard maxRows >= 0 else { throw ValidationError("--max-rows must be 0 or more, not \(maxRows)") }
    }

    func run() throws {
        try exiting { () throws(CommandExit) in
            try FileCommands.conversations(
                input.input, format: format.value, lang: lang, maxRows: maxRows,
                width: width ?? FileCommands.standardOutputColumns)
        }
    }
}
