import ArgumentParser
import WiretaleCapture
import WiretaleCore

/// `wiretale capture [-i IFACE] [FILTER]`: live capture through libpcap, each packet explained as
/// `read` explains it, connection events as they happen, and a summary when it stops
/// (`CaptureCommandRunner` in WiretaleCapture does it all).
struct CaptureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capture",
        abstract: "Capture live packets and explain them in the notes' terms, as they arrive.",
        discussion: """
            Needs root or CAP_NET_RAW: run it with sudo, or once give the binary the capability with \
            `sudo setcap cap_net_raw,cap_net_admin+eip $(command -v wiretale)`. Under sudo it drops \
            to the invoking user (SUDO_UID/SUDO_GID) as soon as the interface is open, and the -w \
            file is created by, and belongs to, that user.

            Each packet is printed as `wiretale read` prints it (same line, same remarks, same JSON \
            object) as the packets arrive: in immediate mode on a terminal, otherwise within 10 ms \
            (--immediate / --no-immediate choose). Connection events get \
            lines of their own, prefixed with the stream number: `#3 handshake complete, rtt 0.041 ms`, \
            `#3 closed by client, four segments, client in TIME-WAIT`, `#4 refused: nothing listens \
            on …`, `#5 aborted by RST from the server`; in JSON they are objects whose first key is \
            "event" (handshake, closed, reset, \
            refused; and a final "summary"), while packet objects start with "frame".

            With -w FILE the packets go to a pcap file (nanosecond timestamps) that tcpdump, tshark \
            and `wiretale read` open, and, as with tcpdump, nothing is printed per packet unless \
            --print is given; -w - writes the pcap to standard output. With -w alone, packets are delivered \
            in blocks (at most 100 ms late), which keeps up with bursts.

            Ctrl-C, SIGTERM, --count and --duration all stop cleanly: the -w file is complete, and a \
            summary goes to standard error: packets captured, received by the filter, dropped by \
            the kernel and by the interface (pcap_stats), TCP connections seen, handshakes \
            completed, teardowns, resets, UDP flows.

            Without -i: the first interface that is up and not loopback (see `wiretale interfaces`, \
            where it is marked "default"). `-i any` captures on every interface (link type \
            linux-sll2, decoded too).

            Examples:
              sudo wiretale capture -i lo 'tcp port 8080'
              sudo wiretale capture -i any -c 100 -w out.pcap
              sudo wiretale capture -i eth0 -q -tttt --format text 'udp port 53'
            """
    )

    @Option(
        name: [.short, .customLong("interface")], help: "The interface (see `wiretale interfaces`); `any` for all.")
    var interface: String?

    @Argument(help: ArgumentHelp("A BPF filter, as tcpdump takes it (e.g. 'tcp port 80').", valueName: "filter"))
    var filter: [String] = []

    // `.unconditional`: `-c -5` reaches validate() (which says what is wrong), not "Missing value".
    @Option(
        name: [.short, .customLong("count")], parsing: .unconditional,
        help: "Stop after this many packets (after the filter).")
    var count: Int?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("Stop after this many seconds (fractions allowed).", valueName: "seconds"))
    var duration: Double?

    @Option(name: [.short, .customLong("snaplen")], help: "Bytes kept per packet; longer packets are cut.")
    var snaplen: Int = 262_144

    @Flag(name: .customLong("no-promisc"), help: "Do not put the interface in promiscuous mode.")
    var noPromisc = false

    @Option(
        name: [.short, .customLong("write")],
        help: ArgumentHelp(
            "Write the packets to this pcap file (pcapng when it ends in .pcapng; - for standard output); prints "
                + "no packet lines unless --print.",
            valueName: "file"))
    var write: String?

    @Flag(help: "With -w, also print each packet and the connection events.")
    var print = false

    @Flag(help: "With -w OUT.pcapng, put wiretale's remarks on each packet as its pcapng comment.")
    var annotate = false

    @OptionGroup var caps: FlowCapOptions

    @Option(
        help:
            "text (default), json (one object per packet or event per line), or none (decode and track, print counts).")
    var format: OutputFormat = .text

    @Option(help: "The language of the remarks and events: en, or zh for the notes' Chinese terms.")
    var lang: NotesLanguage = .en

    @OptionGroup var line: PacketLineOptions

    @Option(
        name: [.customShort("B"), .customLong("buffer-size")],
        help: ArgumentHelp(
            "The kernel's capture buffer in KiB (default 32768).", valueName: "KiB"))
    var bufferSize: Int?

    @Flag(
        inversion: .prefixedNo,
        help: ArgumentHelp(
            "Deliver each packet the moment it arrives (default: when printing to a terminal); with "
                + "--no-immediate the kernel hands packets over in blocks, at most 10 ms late when printing, "
                + "which keeps up with bursts."
        ))
    var immediate: Bool? = nil

    func validate() throws {
        if let c = count, c < 0 { throw ValidationError("--count must be zero or more") }
        if let d = duration, !(d > 0 && d < 1e9) {
            throw ValidationError("--duration must be a number of seconds above 0")
        }
        if snaplen < 1 || snaplen > 262_144 { throw ValidationError("--snaplen must be between 1 and 262144") }
        if let b = bufferSize, b < 1 || b > 4 << 20 {
            throw ValidationError("--buffer-size must be between 1 and 4194304 KiB")
        }
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
        var r = CaptureRequest()
        r.interface = interface
        r.filter = filter.joined(separator: " ")
        r.count = count
        r.duration = duration
        r.snapshotLength = snaplen
        r.promiscuous = !noPromisc
        r.write = write
        r.print = print
        r.annotate = annotate
        r.maxFlows = caps.maxFlows
        r.format = format
        r.lang = lang
        r.bufferKiB = bufferSize
        r.immediate = immediate
        r.quiet = line.quiet
        r.verbose = line.verbose
        r.time = line.format
        r.dump = line.dump
        try exiting { () throws(CommandExit) in try CaptureCommandRunner.run(r) }
    }
}
