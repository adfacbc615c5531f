import ArgumentParser
import WiretaleCore

#if canImport(Glibc)
import Glibc
#endif

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

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
        /// Decode every packet to its deepest layer and print only a summary (for benchmarks).
        case none
    }

    @OptionGroup var input: CaptureInputOptions

    @Option(name: [.short, .customLong("count")], help: "Stop after this many packets.")
    var count: Int?

    @Option(help: "text (default), json (one object per packet per line), or none (a summary only).")
    var format: Format = .text

    @Flag(name: .short, help: "Print numbers, not names (the default: wiretale never looks names up).")
    var numeric = false

    func validate() throws {
        if let c = count, c < 0 { throw ValidationError("--count must be zero or more") }
    }

    func run() throws {
        signal(SIGPIPE, SIG_IGN)
        let scan = try CaptureScan(input)
        var out = OutputBuffer()
        var packet = DecodedPacket()
        let reassembler = FragmentReassembler()
        var printed = 0
        var stats = DecodeStatistics()
        let limit = count ?? Int.max
        let format = format
        defer { out.flush() }
        try scan.run { record, frame in
            guard printed < limit else { return false }
            PacketDecoder.decode(record.bytes, linkType: record.linkType, frame: frame, reassembler: reassembler,
                                 into: &packet)
            let info = FrameInfo(number: frame, timestamp: record.timestamp, originalLength: record.originalLength,
                                 capturedLength: record.bytes.count, interfaceIndex: record.interfaceIndex)
            switch format {
            case .text:
                PacketDecoder.withPayloadBytes(record.bytes, packet, reassembler) {
                    PacketText.render(info, packet, bytes: $0, to: &out)
                }
                out.append(byte: 0x0A)
            case .json:
                PacketDecoder.withPayloadBytes(record.bytes, packet, reassembler) {
                    PacketJSON.render(info, packet, bytes: $0, to: &out)
                }
            case .none:
                stats.count(packet, length: record.originalLength)
            }
            printed += 1
            out.flushIfNeeded()
            return out.failed == 0
        }
        if format == .none {
            stats.render(to: &out)
        }
    }
}
