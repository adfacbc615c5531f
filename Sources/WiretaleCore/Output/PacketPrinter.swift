/// The one path every per-packet view takes — `read` from a file and `capture` from an interface:
/// decode the frame in place, reassemble IP fragments, follow the connection, and render a line
/// (text, with the tracker's remarks in the notes' terms) or an object (JSON, with `tcp.stream`).
public struct PacketPrinter {
    public enum Format: String, Sendable, CaseIterable {
        case text, json
        /// Decode and track every packet, print only counts (for benchmarks).
        case none
    }

    public let format: Format
    public var language: NotesLanguage
    public var output: OutputBuffer
    public var tracker: ConnectionTracker
    public var statistics = DecodeStatistics()
    public private(set) var packet = DecodedPacket()
    /// What the tracker said about the last packet.
    public private(set) var note = PacketNote()
    let reassembler = FragmentReassembler()

    public init(format: Format, language: NotesLanguage = .en, fd: Int32 = 1) {
        self.format = format
        self.language = language
        output = OutputBuffer(fd: fd)
        var configuration = ConnectionTracker.Configuration()
        configuration.reports = false
        tracker = ConnectionTracker(configuration: configuration)
    }

    /// Decodes, tracks and renders one frame. False once the output can no longer be written
    /// (a closed pipe): the caller stops.
    public mutating func handle(bytes b: UnsafeRawBufferPointer, linkType: LinkType, frame: Int, timestamp: Timestamp,
                                originalLength: Int, interfaceIndex: Int = 0) -> Bool {
        PacketDecoder.decode(b, linkType: linkType, frame: frame, reassembler: reassembler, into: &packet)
        let fmt = format
        PacketDecoder.withPayloadBytes(b, packet, reassembler) { payload in
            note = tracker.track(packet, frame: frame, time: timestamp, wireLength: originalLength, bytes: payload)
            let info = FrameInfo(number: frame, timestamp: timestamp, originalLength: originalLength,
                                 capturedLength: b.count, interfaceIndex: interfaceIndex,
                                 stream: note.kind == .tcp ? Int(note.stream) : -1)
            switch fmt {
            case .text:
                PacketText.render(info, packet, bytes: payload, to: &output)
                if note.hasRemarks {
                    output.append("  -- ")
                    note.appendRemarks(to: &output, lang: language)
                }
                output.append(byte: 0x0A)
            case .json:
                PacketJSON.render(info, packet, bytes: payload, to: &output)
            case .none:
                statistics.count(packet, length: originalLength)
            }
        }
        output.flushIfNeeded()
        return output.failed == 0
    }

    /// Flushes what is buffered (and for `none`, prints the counts).
    public mutating func finish() {
        if format == .none {
            statistics.render(to: &output)
            output.append("tcp streams ")
            output.append(tracker.tcpStreamCount)
            output.append(byte: 0x0A)
        }
        output.flush()
    }
}
