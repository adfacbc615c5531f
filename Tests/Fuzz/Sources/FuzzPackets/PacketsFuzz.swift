import FuzzSupport
import WiretaleCore

/// `packets`: the input is one frame, or several, of a link type its first byte chooses.
///
/// First byte: bits 0-3 the link type (`links`, modulo their count); bit 5 nanosecond times; bit 6
/// a snapshot-limited capture (each frame was 100 bytes longer on the wire); bit 7 several frames,
/// each `length (2 bytes, big-endian) · time step (1 byte) · bytes`, so that fragment reassembly,
/// the connection tracker's state machines, its timeouts and DNS transactions see whole exchanges.
/// A time step below 128 is that many milliseconds, 128-254 is (step - 128) × 10 s (past every
/// timeout), 255 steps the clock back 10 s (merged captures).
///
/// Every frame goes the ways the commands take it: `read` in text (with the tracker's remarks) and
/// in JSON, `capture`'s connection events, `conversations`' reports (JSON as each flow ends, then
/// the tables) and `explain`'s ladder of stream 0.
let links: [LinkType] = [
    .ethernet, .linuxSLL, .linuxSLL2, .null, .loop, .raw, .ipv4, .ipv6,
    LinkType(rawValue: 12), LinkType(rawValue: 14), LinkType(rawValue: 147),
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPackets(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = Fuzz.bytes(data, count)
    guard count > 0 else { return 0 }
    let selector = input[0]
    var session = Session(
        link: links[Int(selector & 0x0F) % links.count], digits: selector & 0x20 != 0 ? 9 : 6,
        extraWireLength: selector & 0x40 != 0 ? 100 : 0)
    let rest = UnsafeRawBufferPointer(rebasing: input[1...])
    if selector & 0x80 == 0 {
        session.frame(rest, step: 0)
    } else {
        var at = 0
        while at + 3 <= rest.count {
            let length = Int(rest[at]) << 8 | Int(rest[at + 1])
            let step = rest[at + 2]
            let end = min(at + 3 + length, rest.count)
            session.frame(UnsafeRawBufferPointer(rebasing: rest[(at + 3)..<end]), step: step)
            at = end
        }
    }
    session.finish()
    return 0
}

struct Session {
    let link: LinkType
    let digits: UInt8
    let extraWireLength: Int
    var follower: PacketFollower = {
        var c = ConnectionTracker.Configuration()
        c.streamMessages = true  // the messages each frame completes, rendered as read renders them
        return PacketFollower(configuration: c)
    }()
    var out = Fuzz.output()
    var number = 0
    var nanoseconds: Int64 = 1_700_000_000_000_000_000
    var first: Timestamp?
    var rows: [LadderRow] = []
    var stream0: TCPConversation?
    var tcp: [ConversationTable.TCPRow] = []
    var udp: [ConversationTable.UDPRow] = []
    var dns: [DNSTransaction] = []
    var http: [HTTPTableRow] = []
    var tlsRows: [TLSTable.Row] = []
    var mysqlSessions: [MySQLTable.SessionRow] = []
    var mysqlCommands: [MySQLTable.CommandRow] = []
    var totals = FlowTotals()

    init(link: LinkType, digits: UInt8, extraWireLength: Int) {
        self.link = link
        self.digits = digits
        self.extraWireLength = extraWireLength
    }

    mutating func frame(_ bytes: UnsafeRawBufferPointer, step: UInt8) {
        number += 1
        switch step {
        case 0..<128: nanoseconds += Int64(step) * 1_000_000
        case 255: nanoseconds -= 10_000_000_000
        default: nanoseconds += Int64(step - 128) * 10_000_000_000
        }
        let seconds = nanoseconds / 1_000_000_000
        let fraction = UInt64(nanoseconds % 1_000_000_000) / (digits == 9 ? 1 : 1000)
        let time = Timestamp(seconds: seconds, fraction: fraction, digits: digits)
        if first == nil { first = time }
        let wire = bytes.count + extraWireLength
        let note = follower.follow(bytes, linkType: link, frame: number, time: time, wireLength: wire)
        let info = FrameInfo(
            number: number, timestamp: time, originalLength: wire, capturedLength: bytes.count,
            interfaceIndex: 0, stream: note.kind == .tcp ? Int(note.stream) : -1)
        // As `PacketPrinter` renders: a frame that completed a datagram is read from the datagram.
        if follower.packet.reassembledFirstFrame == 0 {
            render(info, note, bytes)
        } else {
            let datagram = follower.reassembler.datagram
            datagram.withUnsafeBytes { render(info, note, $0) }
        }
        if let event = ConnectionEvent.detect(
            note, packet: follower.packet, frame: number, time: time, tracker: follower.tracker)
        {
            event.appendText(to: &out, lang: number % 2 == 0 ? .en : .zh)
            event.appendJSON(to: &out)
        }
        let messages = follower.tracker.frameMessages
        if !messages.isEmpty {
            for m in messages { m.appendSummary(to: &out, lang: number % 2 == 0 ? .en : .zh) }
            out.beginObject()
            StreamMessage.appendJSON(messages, to: &out)
            out.endObject()
        }
        if note.kind == .tcp && note.stream == 0 && rows.count < 512 {
            rows.append(
                LadderRow(frame: number, time: time, packet: follower.packet, note: note, messages: messages))
        }
        if follower.tracker.hasReports {
            while let r = follower.tracker.nextReport() { take(r) }
        }
        out.flushIfNeeded()
    }

    /// `read`'s line (with the tracker's remarks, in both languages) and its JSON object.
    mutating func render(_ info: FrameInfo, _ note: PacketNote, _ bytes: UnsafeRawBufferPointer) {
        PacketText.render(info, follower.packet, application: follower.application, to: &out)
        if note.hasRemarks {
            note.appendRemarks(to: &out, lang: .en)
            note.appendRemarks(to: &out, lang: .zh, states: false)
        }
        PacketJSON.render(info, follower.packet, application: follower.application, to: &out)
    }

    mutating func take(_ r: FlowReport) {
        totals.add(r)
        switch r {
        case .tcp(let c):
            c.appendJSON(to: &out)
            if c.stream == 0 { stream0 = c }
            tcp.append(ConversationTable.TCPRow(c))
        case .udp(let u):
            u.appendJSON(to: &out)
            udp.append(ConversationTable.UDPRow(u))
        case .dns(let d):
            d.appendJSON(to: &out)
            dns.append(d)
        case .http(let stream, let t):
            t.appendInterimJSON(stream: stream, to: &out)
            t.appendJSON(stream: stream, to: &out)
            if http.count < 512 { http.append(HTTPTableRow(stream: stream, t)) }
        case .tls(let stream, let h):
            h.appendJSON(stream: stream, to: &out)
            if tlsRows.count < 512 { tlsRows.append(TLSTable.Row(stream: stream, h)) }
        case .mysqlSession(let stream, let x):
            x.appendJSON(stream: stream, to: &out)
            if mysqlSessions.count < 512 { mysqlSessions.append(MySQLTable.SessionRow(stream: stream, x)) }
        case .mysqlCommand(let stream, let x):
            x.appendJSON(stream: stream, to: &out)
            if mysqlCommands.count < 512 { mysqlCommands.append(MySQLTable.CommandRow(stream: stream, x)) }
        }
    }

    mutating func finish() {
        follower.tracker.finish()
        while let r = follower.tracker.nextReport() { take(r) }
        let origin = first ?? Timestamp(seconds: 0, fraction: 0, digits: 6)
        for lang in [NotesLanguage.en, .zh] {
            ConversationTable.renderTCP(&tcp, origin: origin, lang: lang, to: &out)
            ConversationTable.renderUDP(&udp, origin: origin, lang: lang, to: &out)
            ConversationTable.renderDNS(&dns, lang: lang, to: &out)
            HTTPTable.render(&http, lang: lang, width: 80, to: &out)
            TLSTable.render(tlsRows, lang: lang, width: 80, to: &out)
            MySQLTable.render(sessions: mysqlSessions, commands: mysqlCommands, lang: lang, width: 80, to: &out)
            ConversationTable.renderTotals(totals, lang: lang, to: &out)
            Ladder.render(rows, conversation: stream0, lang: lang, to: &out)
        }
        out.flush()
    }
}
