/// `follow`'s output (tshark's `-z follow,tcp,ascii|hex|raw`), drawn from `TCPStreamFollow`'s
/// events as they come, so a stream of any length is printed without being held.
///
/// - `ascii`: tshark's layout. A header (`Follow: tcp,ascii`, `Filter: tcp.stream eq N`, the two
///   nodes, node 0 the client), then each chunk as a line with its byte count, direction and
///   frames (and the later frame that delivered it, when it waited behind a hole), its bytes (printable ASCII, newline and carriage return as they are, anything else
///   as `.`, as tshark's ascii) and a newline; the server's chunk lines and gaps indented with a
///   tab, as tshark indents node 1. A summary at the end: bytes, chunks and end each way, the
///   reassembly's counters, the stream's frames.
/// - `hex`: the same with each chunk as tshark's hexdump: the offset in that direction's stream
///   (gaps count), 16 bytes in two groups of eight, their ASCII.
/// - `raw`: one direction's bytes only, unmodified (for a pipe); nothing else is written.
/// - `json`: one object per line per chunk (`stream`, `direction`, `first_frame`, `last_frame`,
///   `delivered_frame`, `offset`, `length`, `data` in base64) or gap (`stream`, `direction`, `offset`, `gap`), then a
///   `summary` object (with `stopped`: where reading stopped).
public struct FollowRender {
    public enum Format: String, Sendable, CaseIterable {
        case ascii, hex, raw, json
    }

    public let format: Format
    public let stream: Int
    public var lang: NotesLanguage
    /// `raw`: the direction written.
    public var direction: FollowDirection

    public init(format: Format, stream: Int, lang: NotesLanguage = .en, direction: FollowDirection = .client) {
        self.format = format
        self.stream = stream
        self.lang = lang
        self.direction = direction
    }

    static let rule: StaticString = "===================================================================\n"

    /// Renders one event.
    public func render(_ e: FollowEvent, to o: inout OutputBuffer) {
        switch (format, e) {
        case (.raw, .data(let d, let b, _, _, _, _)):
            if d == direction { o.append(b) }
        case (.raw, _):
            break
        case (.json, .begin):
            break
        case (.json, .data(let d, let b, let first, let last, let offset, let by)):
            o.beginObject()
            o.field("stream", stream)
            o.field("direction", d.rawValue)
            o.field("first_frame", first)
            o.field("last_frame", last)
            o.field("delivered_frame", by > 0 ? by : nil)
            o.field("offset", offset)
            o.field("length", b.count)
            o.key("data")
            o.append(byte: UInt8(ascii: "\""))
            DNSText.appendBase64(b, from: 0, to: b.count, to: &o.bytes)
            o.append(byte: UInt8(ascii: "\""))
            o.endObject()
            o.endRecord()
        case (.json, .gap(let d, let n, let offset)):
            o.beginObject()
            o.field("stream", stream)
            o.field("direction", d.rawValue)
            o.field("offset", offset)
            o.field("gap", n)
            o.endObject()
            o.endRecord()
        case (.ascii, .begin(let client, let server)), (.hex, .begin(let client, let server)):
            o.append(byte: 0x0A)
            o.append(Self.rule)
            o.append("Follow: tcp,")
            o.append(format.rawValue)
            o.append("\nFilter: tcp.stream eq ")
            o.append(stream)
            o.append(byte: 0x0A)
            o.append(FollowLabel.nodeClient, lang) { o, _ in o.append(client.description) }
            o.append(FollowLabel.nodeServer, lang) { o, _ in o.append(server.description) }
        case (.ascii, .data(let d, let b, let first, let last, _, let by)):
            chunkLine(d, b.count, first, last, by, &o)
            Self.appendASCII(b, to: &o)
            o.append(byte: 0x0A)
        case (.hex, .data(let d, let b, let first, let last, let offset, let by)):
            chunkLine(d, b.count, first, last, by, &o)
            Self.appendHexdump(b, offset: offset, indent: d == .server, to: &o)
        case (.ascii, .gap(let d, let n, _)), (.hex, .gap(let d, let n, _)):
            if d == .server { o.append(byte: 0x09) }
            o.append(FollowLabel.gap, lang, n)
        }
    }

    /// The summary after the last event: nothing for `raw`, an object for `json`, lines for the text.
    /// `stop`: where reading stopped (the frames counted end there).
    public func finish(_ f: TCPStreamFollow, stop: FollowStop, to o: inout OutputBuffer) {
        switch format {
        case .raw:
            return
        case .json:
            o.beginObject()
            o.field("stream", stream)
            o.beginObject("summary")
            o.field("client", f.client?.description)
            o.field("server", f.server?.description)
            o.field("frames", f.frames)
            o.field("first_frame", f.firstFrame)
            o.field("last_frame", f.lastFrame)
            o.key("client_to_server")
            Self.sideJSON(f, .client, &o)
            o.key("server_to_client")
            Self.sideJSON(f, .server, &o)
            o.field("budget_flushes", f.budget.flushes)
            o.field("stopped", stop.rawValue)
            o.endObject()
            o.endObject()
            o.endRecord()
        case .ascii, .hex:
            o.append(Self.rule)
            for d in FollowDirection.allCases {
                let s = f.side(d)
                let h = f.half(d)
                o.append(FollowLabel.side, lang) { o, i in
                    switch i {
                    case 0: o.append(d == .client ? FollowLabel.clientToServer : FollowLabel.serverToClient, lang)
                    case 1: o.append(s.bytes)
                    case 2: o.append(s.chunks)
                    case 3: o.append(s.segments)
                    default: o.append(Self.end(s), lang)
                    }
                }
                o.append(
                    FollowLabel.reassembly, lang, h.retransmittedBytes, h.overlapBytes, h.conflictingOverlaps,
                    h.outOfWindowBytes, h.gapBytes)
                if h.hadCapGap { o.append(FollowLabel.capGap, lang) }
            }
            o.append(FollowLabel.frames, lang) { o, i in
                switch i {
                case 0: o.append(stream)
                case 1: o.append(f.frames)
                case 2: o.append(f.firstFrame)
                case 3: o.append(f.lastFrame)
                default:
                    switch stop {
                    case .bothEnded: o.append(FollowLabel.stopBothEnded, lang)
                    case .connectionOver: o.append(FollowLabel.stopConnectionOver, lang)
                    case .endOfCapture: o.append(FollowLabel.stopEndOfCapture, lang)
                    }
                }
            }
            o.append(Self.rule)
        }
    }

    /// How a direction ended: its FIN, its RST, or neither.
    static func end(_ s: TCPStreamFollow.Side) -> FollowLabel {
        s.sawFIN ? .endedByFIN : s.sawRST ? .endedByRST : .stillOpen
    }

    /// `27 bytes server → client, frame 6`, and when the bytes waited behind a hole, ` (held until
    /// frame 9)` or ` (held until the end of the capture)`.
    private func chunkLine(
        _ d: FollowDirection, _ count: Int, _ first: Int, _ last: Int, _ by: Int, _ o: inout OutputBuffer
    ) {
        if d == .server { o.append(byte: 0x09) }
        let way = d == .client ? FollowLabel.clientToServer : FollowLabel.serverToClient
        o.append(first == last ? FollowLabel.chunk : FollowLabel.chunkFrames, lang) { o, i in
            switch i {
            case 0: o.append(count)
            case 1: o.append(way, lang)
            case 2: o.append(first)
            default: o.append(last)
            }
        }
        if by == 0 {
            o.append(FollowLabel.heldToEnd, lang)
        } else if by != last {
            o.append(FollowLabel.heldUntil, lang, by)
        }
        o.append(byte: 0x0A)
    }

    private static func sideJSON(_ f: TCPStreamFollow, _ d: FollowDirection, _ o: inout OutputBuffer) {
        let s = f.side(d)
        let h = f.half(d)
        o.beginObject()
        o.field("bytes", s.bytes)
        o.field("chunks", s.chunks)
        o.field("segments", s.segments)
        o.field("end", s.sawFIN ? "fin" : s.sawRST ? "rst" : "open")
        o.field("retransmitted_bytes", h.retransmittedBytes)
        o.field("overlap_bytes", h.overlapBytes)
        o.field("conflicting_overlaps", h.conflictingOverlaps)
        o.field("out_of_window_bytes", h.outOfWindowBytes)
        o.field("gap_bytes", h.gapBytes)
        o.field("cap_gap", h.hadCapGap)
        o.endObject()
    }

    /// tshark's follow ascii: printable ASCII, newline and carriage return as they are, any other
    /// byte (tab included) as `.`.
    public static func appendASCII(_ b: UnsafeRawBufferPointer, to o: inout OutputBuffer) {
        for c in b {
            o.append(byte: (c >= 0x20 && c < 0x7F) || c == 0x0A || c == 0x0D ? c : UInt8(ascii: "."))
        }
    }

    /// tshark's follow hexdump: per 16 bytes, the offset as 8 upper-case hex digits, two spaces,
    /// the bytes in two groups of eight (`47 45 54 20 …  65 78 …`), two spaces, their ASCII in two
    /// groups of eight (printable as themselves, others as `.`), without trailing spaces; a tab
    /// first for node 1.
    public static func appendHexdump(
        _ b: UnsafeRawBufferPointer, offset: Int, indent: Bool, to o: inout OutputBuffer
    ) {
        var line = 0
        while line < b.count {
            let n = min(16, b.count - line)
            let start = o.bytes.count
            if indent { o.append(byte: 0x09) }
            var shift = 28
            let at = UInt64(truncatingIfNeeded: offset + line)
            while shift >= 0 {
                let digit = UInt8(truncatingIfNeeded: at >> UInt64(shift)) & 0xF
                o.append(byte: digit < 10 ? 0x30 &+ digit : 0x37 &+ digit)
                shift -= 4
            }
            o.append("  ")
            for i in 0..<16 {
                if i < n {
                    o.appendHex(UInt64(b[line + i]), digits: 2)
                    o.append(byte: 0x20)
                } else {
                    o.append("   ")
                }
                if i == 7 { o.append(byte: 0x20) }
            }
            o.append(byte: 0x20)
            for i in 0..<n {
                let c = b[line + i]
                o.append(byte: c >= 0x20 && c < 0x7F ? c : UInt8(ascii: "."))
                if i == 7 && n > 8 { o.append(byte: 0x20) }
            }
            while o.bytes.count > start, o.bytes[o.bytes.count - 1] == 0x20 { o.bytes.removeLast() }
            o.append(byte: 0x0A)
            line += n
        }
    }
}
