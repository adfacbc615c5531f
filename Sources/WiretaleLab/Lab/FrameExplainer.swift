import WiretaleCore

/// Explains a list of frames with the project's one per-packet path (`PacketPrinter`: decode,
/// reassemble, track, render with the tracker's remarks) and, for each TCP stream, the ladder that
/// `explain` draws (`Ladder`). Used by the labs for live packets and by the tour for the captures
/// compiled into the binary.
public struct FrameExplainer {
    public private(set) var printer: PacketPrinter
    var tracker = ConnectionTracker()
    var packet = DecodedPacket()
    let reassembler = FragmentReassembler()
    var rows: [Int: [LadderRow]] = [:]
    public private(set) var conversations: [Int: TCPConversation] = [:]
    public private(set) var udpFlows: [UDPFlow] = []
    public private(set) var dns: [DNSTransaction] = []
    /// Every TCP state the tracker put either side in, and every notes step it named.
    public private(set) var wireStates: Set<TCPState> = []
    public private(set) var wireSteps: Set<ConnectionStep> = []
    public private(set) var frameCount = 0
    public let language: NotesLanguage

    public init(language: NotesLanguage = .en) {
        self.language = language
        printer = PacketPrinter(format: .text, language: language, fd: -1)
    }

    /// Explains the next frame; returns its text line (with the tracker's remarks) and the note.
    public mutating func line(for f: LabFrame) -> (text: String, note: PacketNote) {
        frameCount += 1
        let n = frameCount
        let text = f.bytes.withUnsafeBytes { b -> String in
            _ = printer.handle(
                bytes: b, linkType: f.linkType, frame: n, timestamp: f.timestamp,
                originalLength: f.originalLength)
            let s = String(decoding: printer.output.bytes, as: UTF8.self)
            printer.output.bytes.removeAll(keepingCapacity: true)
            // The ladder's own tracker keeps reports (the printer's does not).
            PacketDecoder.decode(b, linkType: f.linkType, frame: n, reassembler: reassembler, into: &packet)
            let note = PacketDecoder.withPayloadBytes(b, packet, reassembler) {
                tracker.track(packet, frame: n, time: f.timestamp, wireLength: f.originalLength, bytes: $0)
            }
            if note.kind == .tcp {
                rows[Int(note.stream), default: []].append(
                    LadderRow(frame: n, time: f.timestamp, packet: packet, note: note))
            }
            while let r = tracker.nextReport() { take(r) }
            return s
        }
        let note = printer.note
        if note.kind == .tcp {
            wireStates.insert(note.clientState)
            wireStates.insert(note.serverState)
            for t in note.transitions {
                wireStates.insert(t.from)
                wireStates.insert(t.to)
            }
            if note.step != .none { wireSteps.insert(note.step) }
        }
        var trimmed = text
        while trimmed.hasSuffix("\n") { trimmed.removeLast() }
        return (trimmed, note)
    }

    mutating func take(_ r: FlowReport) {
        switch r {
        case .tcp(let c): conversations[c.stream] = c
        case .udp(let u): udpFlows.append(u)
        case .dns(let d): dns.append(d)
        case .http, .mysqlSession, .mysqlCommand, .tls: break
        }
    }

    /// The capture is over: every flow still held is reported.
    public mutating func finish() {
        tracker.finish()
        while let r = tracker.nextReport() { take(r) }
    }

    /// The TCP streams seen, in order.
    public var streams: [Int] { rows.keys.sorted() }

    /// `explain`'s ladder for one stream (after `finish`).
    public func ladder(stream: Int) -> String {
        var o = OutputBuffer(fd: -1)
        Ladder.render(rows[stream] ?? [], conversation: conversations[stream], lang: language, to: &o)
        return String(decoding: o.bytes, as: UTF8.self)
    }
}
