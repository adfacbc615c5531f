/// One segment of the connection `explain` draws: what the packet said and what the tracker said of it.
public struct LadderRow: Sendable {
    public internal(set) var frame: Int
    public internal(set) var time: Timestamp
    public internal(set) var flags: TCPFlags
    public internal(set) var length: Int
    public internal(set) var note: PacketNote
    /// The application messages this segment completed in the reassembled stream (an HTTP request
    /// or response whose last byte it carried), named under its row.
    public internal(set) var messages: [StreamMessage]

    public init(
        frame: Int, time: Timestamp, packet p: DecodedPacket, note: PacketNote, messages: [StreamMessage] = []
    ) {
        self.frame = frame
        self.time = time
        flags = p.tcp.flags
        length = p.tcp.payloadLength
        self.note = note
        self.messages = messages
    }
}

/// A ladder as a model, built once so that every renderer (text, JSON, an HTML report) draws the
/// same thing: each segment with its time since the first, which side's state changed, and the
/// deviations from the notes it shows for the first time in this connection.
public struct LadderModel: Sendable {
    /// Both sides' state before the first segment: ESTABLISHED when the capture joined mid-stream, else CLOSED.
    public let startState: TCPState
    public let steps: [LadderStep]

    public init(rows: [LadderRow], conversation c: TCPConversation) {
        startState = c.joinedMidStream ? .established : .closed
        let origin = rows.first?.time.totalNanoseconds ?? c.start.totalNanoseconds
        var said = Set<NotesPhrase>()
        var clientState = startState
        var serverState = startState
        var steps: [LadderStep] = []
        steps.reserveCapacity(rows.count)
        for r in rows {
            let n = r.note
            var fresh: [NotesPhrase] = []
            for d in Ladder.deviations(of: r) where !said.contains(d) {
                said.insert(d)
                fresh.append(d)
            }
            steps.append(
                LadderStep(
                    row: r, sinceFirstNs: r.time.totalNanoseconds - origin, clientChanged: n.clientState != clientState,
                    serverChanged: n.serverState != serverState, deviations: fresh))
            clientState = n.clientState
            serverState = n.serverState
        }
        self.steps = steps
    }
}

/// One segment of a ladder and what the ladder says of it beyond the packet.
public struct LadderStep: Sendable {
    public let row: LadderRow
    /// Nanoseconds since the ladder's first segment.
    public let sinceFirstNs: Int64
    /// Whether the segment changed the client's, the server's state (`row.note` has the new ones).
    public let clientChanged: Bool
    public let serverChanged: Bool
    /// The deviations from the notes this segment shows, those not shown by an earlier segment.
    public let deviations: [NotesPhrase]
}

/// `explain`'s ladder diagram of one TCP connection: the client's column on the left, the server's
/// on the right, an arrow per segment with its flags, relative seq/ack and length, each side's
/// state after it (marked `*` when it changed), the notes' step names beside the handshake and
/// teardown, and plain-language remarks where the capture differs from the notes. Ends with the
/// handshake checks, the teardown, TIME-WAIT and where each side was left.
public enum Ladder {
    /// The default `explain --max-segments`: the segments a ladder holds and draws.
    package static let defaultMaxRows = 10_000

    /// The line after a ladder that held fewer segments than its stream had.
    package static func renderUndrawn(_ undrawn: Int, drawn: Int, lang: NotesLanguage, to o: inout OutputBuffer) {
        guard undrawn > 0 else { return }
        o.append(LadderLabel.undrawn, lang, undrawn, drawn)
    }

    static let arrowWidth = 44

    /// With `width`, no line is wider: when the ladder is (it takes about 110 columns), the state
    /// columns shrink to the widest state shown, the arrows to what is left (an address too long for
    /// its column is cut with `…`), remarks that do not fit beside a row go under it, and any line
    /// still too long is wrapped.
    public static func render(
        _ rows: [LadderRow], conversation c: TCPConversation?, lang: NotesLanguage, width: Int? = nil,
        to o: inout OutputBuffer
    ) {
        var stateWidth = lang == .zh ? 24 : 14
        guard let c else {
            o.append(LadderLabel.noSuchStream, lang)
            return
        }
        let model = LadderModel(rows: rows, conversation: c)
        var arrow = arrowWidth
        if let width, width < 18 + 2 * (stateWidth + 1) + arrowWidth + 20 {
            var widest = model.startState.label(lang).terminalWidth
            for step in model.steps {
                widest = max(
                    widest, step.row.note.clientState.label(lang).terminalWidth,
                    step.row.note.serverState.label(lang).terminalWidth)
            }
            stateWidth = min(stateWidth, widest + 1)
            arrow = max(24, min(arrowWidth, width - 18 - 2 * (stateWidth + 1)))
        }
        var start = o.bytes.count
        o.append(LadderLabel.stream, lang, c.stream)
        o.append(c.handshake.kind.label(lang))
        o.append(", ")
        o.append(c.teardown.kind.label(lang))
        o.append(byte: 0x0A)

        // Header: the two columns.
        o.append(padded: LadderLabel.columnFrame.text(lang), to: 7)
        o.append(padded: LadderLabel.columnTime.text(lang), to: 11)
        o.append(padded: NotesPhrase.client.label(lang), to: stateWidth + 1)
        if let width, 18 + 2 * (stateWidth + 1) + arrow + c.server.description.terminalWidth > width {
            // Narrow: the addresses on a line of their own, the client's under its column, the
            // server's ending where the server's column does.
            o.pad(from: 0, to: arrow)
            o.append(NotesPhrase.server.label(lang))
            o.append(byte: 0x0A)
            o.pad(from: 0, to: 18)
            let room = width - 18 - 2
            let server = c.server.description.truncated(to: room / 2)
            let client = c.client.description.truncated(to: room - server.terminalWidth)
            o.append(padded: client, to: width - 18 - server.terminalWidth)
            o.append(server)
        } else {
            o.append(padded: c.client.description, to: arrow)
            o.append(padded: NotesPhrase.server.label(lang), to: stateWidth + 1)
            o.append(c.server.description)
        }
        o.append(byte: 0x0A)
        o.pad(from: 0, to: 18)
        o.append(padded: model.startState.label(lang), to: stateWidth + 1 + arrow)
        o.append(model.startState.label(lang))
        o.append(byte: 0x0A)
        if let width { o.wrapLines(from: start, width: width) }

        for step in model.steps {
            let r = step.row
            let n = r.note
            start = o.bytes.count
            o.append(right: UInt64(r.frame), width: 6)
            o.append(byte: UInt8(ascii: " "))
            var t = OutputBuffer(fd: -1)
            t.appendDecimal(step.sinceFirstNs, scale: 1_000_000, digits: 3)
            o.pad(from: t.bytes.count, to: 9)
            o.append(String(decoding: t.bytes, as: UTF8.self))
            o.append("  ")
            appendState(n.clientState, changed: step.clientChanged, width: stateWidth, lang: lang, to: &o)
            appendArrow(r, width: arrow, to: &o)
            appendState(n.serverState, changed: step.serverChanged, width: stateWidth, lang: lang, to: &o)
            if let width {
                appendRowRemarks(step, lang: lang, indent: 18, fitting: width, rowStart: start, to: &o)
                o.wrapLines(from: start, width: width, indent: 20)
            } else {
                appendRowRemarks(step, lang: lang, indent: 18 + 2 * (stateWidth + 1) + arrowWidth, to: &o)
            }
            o.flushIfNeeded()
        }
        start = o.bytes.count
        appendSummary(c, lang: lang, to: &o)
        if let width { o.wrapLines(from: start, width: width) }
    }

    static func appendState(_ s: TCPState, changed: Bool, width: Int, lang: NotesLanguage, to o: inout OutputBuffer) {
        o.append(changed ? "*" : " ")
        o.append(padded: s.label(lang), to: width)
    }

    /// `──SYN seq=0 len=0──────▶ ` from the client, ` ◀──SYN,ACK seq=0 ack=1────` from the server.
    static func appendArrow(_ r: LadderRow, width arrowWidth: Int = Ladder.arrowWidth, to o: inout OutputBuffer) {
        var label = OutputBuffer(fd: -1)
        var first = true
        for (flag, name) in TCPFlags.named where r.flags.contains(flag) {
            if !first { label.append(byte: UInt8(ascii: ",")) }
            first = false
            label.append(name)
        }
        label.append(" seq=")
        label.append(r.note.relativeSeq)
        if r.flags.contains(.ack) {
            label.append(" ack=")
            label.append(r.note.relativeAck)
        }
        label.append(" len=")
        label.append(r.length)
        let text = String(decoding: label.bytes, as: UTF8.self)
        let inner = arrowWidth - 4
        let dashes = max(2, inner - text.count - 2)
        if r.note.fromClient {
            o.append("──")
            o.append(text)
            o.append(byte: UInt8(ascii: " "))
            for _ in 0..<dashes { o.append("─") }
            o.append("▶ ")
        } else {
            o.append(" ◀")
            for _ in 0..<dashes { o.append("─") }
            o.append(byte: UInt8(ascii: " "))
            o.append(text)
            o.append("──")
        }
        o.append(byte: UInt8(ascii: " "))
    }

    /// The step name and checks, the anomalies, and each deviation from the notes the first time it shows.
    /// Ends the row's line; each deviation goes on a line of its own under the remarks.
    /// With `fitting`, remarks that would pass that column go on a line of their own, at `indent`.
    static func appendRowRemarks(
        _ step: LadderStep, lang: NotesLanguage, indent: Int, fitting width: Int? = nil, rowStart: Int = 0,
        to o: inout OutputBuffer
    ) {
        let n = step.row.note
        if n.hasRemarks {
            if let width {
                var remarks = OutputBuffer(fd: -1)
                n.appendRemarks(to: &remarks, lang: lang, states: false)
                let text = String(decoding: remarks.bytes, as: UTF8.self)
                let row = String(decoding: o.bytes[rowStart...], as: UTF8.self)
                if row.terminalWidth + 1 + text.terminalWidth > width {
                    o.append(byte: 0x0A)
                    o.pad(from: 0, to: indent)
                }
                o.append(byte: UInt8(ascii: " "))
                o.append(text)
            } else {
                o.append(byte: UInt8(ascii: " "))
                n.appendRemarks(to: &o, lang: lang, states: false)
            }
        }
        o.append(byte: 0x0A)
        for m in step.row.messages {
            o.pad(from: 0, to: indent + 1)
            o.append("≡ ")
            m.appendSummary(to: &o, lang: lang, lead: false)
            o.append(byte: 0x0A)
        }
        for d in step.deviations {
            o.pad(from: 0, to: indent + 1)
            o.append("↳ ")
            o.append(d.label(lang))
            o.append(byte: 0x0A)
        }
        n.corrections.forEachIndex { i in
            o.pad(from: 0, to: indent + 1)
            o.append("↳ ")
            o.append(StateCorrections.label(index: i, lang))
            o.append(byte: 0x0A)
        }
    }

    /// Where a segment differs from the notes (or does what the notes do not describe), in the
    /// order the ladder says it.
    public static func deviations(of r: LadderRow) -> [NotesPhrase] {
        let n = r.note
        var differs: [NotesPhrase] = []
        if n.newStream && n.joinedMidStream { differs.append(.joinedMidStream) }
        if n.transitions.contains(where: { $0.to == .listen }) { differs.append(.notesSayBothClosed) }
        if n.step == .handshake2 && n.transitions.contains(where: { $0.client && $0.to == .established }) {
            differs.append(.clientEstablishedOnSynAck)
        }
        if n.ackCheck == .failed { differs.append(.ackCheckFailed) }
        switch n.step {
        case .synRetransmitted: differs.append(.synRetransmitted)
        case .refused: differs.append(.refused)
        case .simultaneousOpen: differs.append(.simultaneousOpen)
        case .teardown2and3: differs.append(.threeSegmentClose)
        case .simultaneousClose: differs.append(.simultaneousClose)
        case .halfCloseData: differs.append(.halfClose)
        case .reset: differs.append(.resetAbort)
        case .rstUnacceptableAck: differs.append(.rstUnacceptableAck)
        default: break
        }
        if n.step == .handshake1 && r.length > 0 { differs.append(.dataOnSyn) }
        return differs
    }

    static func appendSummary(_ c: TCPConversation, lang: NotesLanguage, to o: inout OutputBuffer) {
        o.append(byte: 0x0A)
        // The handshake, with the real numbers.
        o.append(LadderLabel.handshake, lang)
        o.append(c.handshake.kind.label(lang))
        o.append(byte: 0x0A)
        if let x = c.handshake.clientISN {
            o.append("  x = ")
            o.append(x)
            o.append(LadderLabel.relativeZero, lang)
            if let a = c.handshake.synAckAck {
                o.append(LadderLabel.synAckAck, lang)
                o.append(a)
                o.append(c.handshake.synAckAckHolds == true ? " = x+1 ✓" : " ≠ x+1 ✗")
            }
            o.append(byte: 0x0A)
        }
        if let y = c.handshake.serverISN {
            o.append("  y = ")
            o.append(y)
            o.append(LadderLabel.relativeZero, lang)
            if let a = c.handshake.thirdAck {
                o.append(LadderLabel.thirdAck, lang)
                o.append(a)
                o.append(c.handshake.thirdAckHolds == true ? " = y+1 ✓" : " ≠ y+1 ✗")
            }
            o.append(byte: 0x0A)
        }
        if c.handshake.synRetransmissions > 0 {
            o.append(LadderLabel.synRetransmitted, lang, c.handshake.synRetransmissions)
        }
        if let rtt = c.handshake.rtt {
            o.append(LadderLabel.handshakeRTT, lang) { o, _ in o.appendDecimal(rtt, scale: 1_000_000, digits: 3) }
        }
        // The teardown.
        o.append(LadderLabel.teardown, lang)
        o.append(c.teardown.kind.label(lang))
        if let first = c.teardown.firstCloserIsClient {
            o.append(LadderLabel.firstFIN, lang) { o, _ in
                o.append((first ? NotesPhrase.client : NotesPhrase.server).label(lang))
            }
        }
        if let r = c.teardown.rstFromClient {
            o.append(LadderLabel.rstFrom, lang)
            o.append((r ? NotesPhrase.client : NotesPhrase.server).label(lang))
            if c.teardown.rstAfterClose {
                o.append(" (")
                o.append(NotesPhrase.rstAfterClose.label(lang))
                o.append(")")
            }
        }
        if c.teardown.halfCloseBytes > 0 {
            o.append(LadderLabel.halfClose, lang) { o, _ in o.append(c.teardown.halfCloseBytes) }
        }
        o.append(byte: 0x0A)
        for (inTimeWait, side) in [
            (c.teardown.clientInTimeWait, NotesPhrase.client), (c.teardown.serverInTimeWait, .server),
        ]
        where inTimeWait {
            o.append("  ")
            o.append(side.label(lang))
            o.append(byte: UInt8(ascii: " "))
            o.append(NotesPhrase.timeWait2MSL.label(lang))
            o.append(byte: 0x0A)
        }
        o.append(NotesPhrase.leftWhenCaptureEnded.label(lang))
        o.append(": ")
        o.append(NotesPhrase.client.label(lang))
        o.append(byte: UInt8(ascii: " "))
        o.append(c.clientState.label(lang))
        o.append(", ")
        o.append(NotesPhrase.server.label(lang))
        o.append(byte: UInt8(ascii: " "))
        o.append(c.serverState.label(lang))
        o.append(byte: 0x0A)
        o.append(LadderLabel.anomalies, lang)
        ConversationTable.appendAnomalyCounts(c.anomalies, lang: lang, to: &o)
        o.append(LadderLabel.zeek, lang) { o, i in
            if i == 0 { o.append(c.connState) } else { o.append(c.history.isEmpty ? "-" : c.history) }
        }
    }
}
