/// The one path every per-packet view takes — `read` from a file and `capture` from an interface:
/// decode the frame in place, reassemble IP fragments, follow the connection, parse its application
/// message once (`PacketFollower.application`), and render a line
/// (text, with the tracker's remarks in the notes' terms) or an object (JSON, with `tcp.stream`).
public struct PacketPrinter {
    public typealias Format = OutputFormat

    public let format: Format
    public var language: NotesLanguage
    public var output: OutputBuffer
    public var statistics = DecodeStatistics()
    /// Decoding, reassembly and tracking, with the packet held in place (no per-packet copy).
    public var follower: PacketFollower
    /// What the tracker said about the last packet.
    public private(set) var note = PacketNote()
    /// Text: how each line's time is printed (tcpdump's `-t` formats).
    public var time = PacketTime()
    /// Text: only the tcpdump-like line, without the notes' remarks (`-q`).
    public var quiet = false
    /// Text: the IP header's fields after `IP`, as tcpdump's `-v` (`-v`).
    public var verbose = false
    /// Text: the frame's bytes after its line, as tcpdump's `-A` / `-X` (`-AA`, `-XX`) print them.
    public var dump = PacketDump.none

    public var packet: DecodedPacket { follower.packet }
    public var tracker: ConnectionTracker { follower.tracker }

    public init(
        format: Format, language: NotesLanguage = .en, fd: Int32 = 1,
        maxFlows: Int = ConnectionTracker.Configuration.defaultMaxFlows
    ) {
        self.format = format
        self.language = language
        output = OutputBuffer(fd: fd)
        var configuration = ConnectionTracker.Configuration()
        configuration.reports = false
        configuration.maxFlows = maxFlows
        // `none` prints only counts: no stream is read. Text and JSON show each frame's completed messages.
        configuration.streams = format != .none
        configuration.streamMessages = format != .none
        follower = PacketFollower(configuration: configuration)
        switch format {
        case .text, .json: follower.parsing = .all
        case .none: follower.parsing = .forFlows  // nothing prints the messages
        }
    }

    /// Decodes and tracks one frame without showing it: a frame the filter hides still counts in
    /// the connection's state and its stream number, as in tshark (`tcp.stream` under `-Y`).
    public mutating func follow(
        bytes b: UnsafeRawBufferPointer, linkType: LinkType, frame: Int, timestamp: Timestamp, originalLength: Int
    ) {
        note = follower.follow(
            b, linkType: linkType, frame: frame, time: timestamp, wireLength: originalLength, parsing: .forFlows)
    }

    /// Decodes, tracks and renders one frame. False once the output can no longer be written
    /// (a closed pipe): the caller stops.
    public mutating func handle(
        bytes b: UnsafeRawBufferPointer, linkType: LinkType, frame: Int, timestamp: Timestamp,
        originalLength: Int, interfaceIndex: Int = 0, file: Int = -1
    ) -> Bool {
        note = follower.follow(b, linkType: linkType, frame: frame, time: timestamp, wireLength: originalLength)
        var info = FrameInfo(
            number: frame, timestamp: timestamp, originalLength: originalLength,
            capturedLength: b.count, interfaceIndex: interfaceIndex,
            stream: note.kind == .tcp ? Int(note.stream) : -1)
        info.file = file
        render(info, bytes: b, linkType: linkType)
        output.flushIfNeeded()
        return output.failed == 0
    }

    @inline(__always)
    mutating func render(_ info: FrameInfo, bytes b: UnsafeRawBufferPointer, linkType: LinkType) {
        switch format {
        case .text:
            PacketText.render(
                info, follower.packet, application: shownApplication, time: &time, verbose: verbose,
                to: &output)
            for m in follower.tracker.frameMessages { m.appendSummary(to: &output, lang: language) }
            if note.hasRemarks && !quiet {
                output.append("  -- ")
                note.appendRemarks(to: &output, lang: language)
            }
            if dump != .none {
                PacketDump.append(dump, frame: b, packet: follower.packet, linkType: linkType, to: &output)
            }
            output.append(byte: 0x0A)
        case .json:
            PacketJSON.render(
                info, follower.packet, application: shownApplication, note: note,
                streamMessages: follower.tracker.frameMessages, to: &output)
        case .none:
            statistics.count(follower.packet, length: info.originalLength)
        }
    }

    /// The segment's own application message, unless the connection's reassembled stream shows it:
    /// with streams read, an HTTP message is shown on the frame that completes it, not on each
    /// segment that begins with a start line.
    @inline(__always) var shownApplication: ApplicationLayer? {
        guard let a = follower.application else { return nil }
        if case .http = a.message, follower.tracker.configuration.streams { return nil }
        return a
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
