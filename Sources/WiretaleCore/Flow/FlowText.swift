/// Per-packet remarks in the notes' terms, for `read`'s text output and `explain`: which step of
/// the handshake or teardown, the handshake checks, the state changes, Wireshark's anomalies.
/// Made only when printing, straight into the output bytes.
extension PacketNote {
    /// Whether `appendRemarks` has anything to say.
    public var hasRemarks: Bool {
        switch kind {
        case .none: false
        case .tcp:
            step != .none || !transitions.isEmpty || !anomalies.isEmpty || (newStream && joinedMidStream)
                || !corrections.isEmpty
        case .udp: broadcast || multicast || dnsQueryFrame > 0
        }
    }

    /// e.g. `second handshake (SYN+ACK): ack = x+1 holds; client SYN-SENT → ESTABLISHED, server
    /// CLOSED → LISTEN → SYN-RCVD` or `[TCP Retransmission]`. Nothing when there is nothing to say.
    public func appendRemarks(to o: inout OutputBuffer, lang: NotesLanguage = .en, states: Bool = true) {
        var first = true
        func separate(_ o: inout OutputBuffer) {
            if !first { o.append("; ") }
            first = false
        }
        switch kind {
        case .none:
            return
        case .udp:
            if broadcast {
                separate(&o)
                o.append(PacketRemarkLabel.broadcast, lang)
            }
            if multicast {
                separate(&o)
                o.append(PacketRemarkLabel.multicast, lang)
            }
            if dnsQueryFrame > 0 {
                separate(&o)
                o.append(PacketRemarkLabel.dnsAnswers, lang) { o, slot in
                    if slot == 0 {
                        o.append(dnsQueryFrame)
                    } else {
                        o.appendDecimal(dnsLatency, scale: 1_000_000, digits: 3)
                    }
                }
            }
            return
        case .tcp:
            break
        }
        if newStream && joinedMidStream {
            separate(&o)
            o.append(HandshakeKind.joinedMidStream.label(lang))
        }
        if step != .none {
            separate(&o)
            o.append(step.label(lang))
            appendCheck(to: &o, lang: lang)
        }
        if states && !transitions.isEmpty {
            separate(&o)
            appendTransitions(to: &o, lang: lang)
        }
        if states {
            corrections.forEachIndex { i in
                separate(&o)
                o.append(StateCorrections.label(index: i, lang))
            }
        }
        if !anomalies.isEmpty {
            if !first { o.append(byte: UInt8(ascii: " ")) }
            first = false
            appendAnomalies(to: &o, lang: lang)
        }
    }

    /// `: ack = x+1 holds` or `: ack = 7777, not x+1 = 1001` after a handshake step.
    func appendCheck(to o: inout OutputBuffer, lang: NotesLanguage) {
        guard ackCheck != .none else { return }
        let name: StaticString = step == .handshake3 ? "y+1" : "x+1"
        if ackCheck == .held {
            o.append(PacketRemarkLabel.ackHolds, lang) { o, _ in o.append(name) }
        } else {
            o.append(PacketRemarkLabel.ackNot, lang) { o, slot in
                switch slot {
                case 0: o.append(checkedAck)
                case 1: o.append(name)
                default: o.append(expectedAck)
                }
            }
        }
    }

    /// `client SYN-SENT → ESTABLISHED, server CLOSED → LISTEN → SYN-RCVD`: one chain per side; a
    /// correction reads `server CLOSE-WAIT corrected to ESTABLISHED → FIN-WAIT-1`.
    package func appendTransitions(to o: inout OutputBuffer, lang: NotesLanguage) {
        var wroteSide = false
        for side in [true, false] {
            var chain = false
            for i in 0..<transitions.count {
                let t = transitions[i]
                guard t.client == side else { continue }
                if !chain {
                    if wroteSide { o.append(", ") }
                    o.append((side ? NotesPhrase.client : NotesPhrase.server).label(lang))
                    o.append(byte: UInt8(ascii: " "))
                    o.append(t.from.label(lang))
                    chain = true
                    wroteSide = true
                }
                o.append(t.correction ? NotesPhrase.correctedTo.label(lang) : " → ")
                o.append(t.to.label(lang))
            }
        }
    }

    /// `[TCP Retransmission] [TCP Dup ACK #2]`, or the Chinese labels.
    package func appendAnomalies(to o: inout OutputBuffer, lang: NotesLanguage) {
        var first = true
        anomalies.forEachIndex { i in
            if !first { o.append(byte: UInt8(ascii: " ")) }
            first = false
            o.append(byte: UInt8(ascii: "["))
            o.append(TCPAnomalies.label(index: i, lang))
            if i == TCPAnomalies.duplicateAck.rawValue.trailingZeroBitCount {
                o.append(" #")
                o.append(Int(duplicateAckNumber))
            }
            o.append(byte: UInt8(ascii: "]"))
        }
    }

    /// The remarks as a String (tests, and callers that do not hold an OutputBuffer).
    package func remarks(lang: NotesLanguage = .en) -> String {
        var o = OutputBuffer(fd: -1)
        appendRemarks(to: &o, lang: lang)
        return String(decoding: o.bytes, as: UTF8.self)
    }
}

extension OutputBuffer {
    /// Appends `s` and pads with spaces to `width` terminal columns (CJK characters take two).
    mutating func append(padded s: String, to width: Int) {
        append(s)
        pad(from: s.terminalWidth, to: width)
    }

    /// The same for a label: its width is counted from its UTF-8 bytes, no String made.
    mutating func append(padded s: StaticString, to width: Int) {
        append(s)
        pad(from: s.terminalWidth, to: width)
    }
}

extension StaticString {
    /// Columns on a terminal, counted from the UTF-8 bytes (no String made): U+3000 and above
    /// (CJK, fullwidth forms) take two; arrows and × (U+2xxx) one.
    var terminalWidth: Int {
        var w = 0
        withUTF8Buffer { b in
            var i = 0
            while i < b.count {
                let c = b[i]
                if c < 0x80 {
                    w += 1
                    i += 1
                } else if c < 0xE0 {
                    w += 1
                    i += 2
                } else if c < 0xF0 {
                    // U+3000 and above (CJK, fullwidth forms) are wide; arrows and × (U+2xxx) are not.
                    w += c >= 0xE3 ? 2 : 1
                    i += 3
                } else {
                    w += 2
                    i += 4
                }
            }
        }
        return w
    }
}

extension OutputBuffer {

    /// Right-aligns `v` in `width` columns.
    mutating func append(right v: UInt64, width: Int) {
        var digits = 1
        var x = v
        while x >= 10 {
            x /= 10
            digits += 1
        }
        pad(from: digits, to: width)
        append(v)
    }

    /// Re-flows the lines appended since byte `start` so that none is wider than `width` terminal
    /// columns: a longer line breaks at its last cell boundary (two spaces) before the limit, else
    /// at its last space, else mid-word, and goes on indented by `indent` columns (at most half the
    /// width).
    package mutating func wrapLines(from start: Int, width: Int, indent: Int = 4) {
        guard start < bytes.count, width > 0 else { return }
        let text = String(decoding: bytes[start...], as: UTF8.self)
        guard text.terminalWidth > width || text.contains(where: { $0 == "\n" }) else { return }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.contains(where: { String($0).terminalWidth > width }) else { return }
        var out: [String] = []
        for line in lines {
            var rest = String(line)
            var prefix = ""
            let leading = rest.prefix(while: { $0 == " " }).count
            let margin = String(repeating: " ", count: min(max(indent, leading + 2), width / 2))
            while (prefix + rest).terminalWidth > width {
                let room = width - prefix.terminalWidth
                var used = 0
                var cut = rest.startIndex
                var lastCell: String.Index? = nil
                var lastSpace: String.Index? = nil
                var previousWasSpace = false
                var seenText = false  // no break inside the line's own indentation
                for i in rest.indices {
                    let w = String(rest[i]).terminalWidth
                    if used + w > room { break }
                    if rest[i] != " " { seenText = true }
                    if rest[i] == " " && seenText {
                        if previousWasSpace { lastCell = rest.index(before: i) } else { lastSpace = i }
                    }
                    previousWasSpace = rest[i] == " "
                    used += w
                    cut = rest.index(after: i)
                }
                let minimum = rest.index(rest.startIndex, offsetBy: min(rest.count, 4))
                if let c = lastCell, c >= minimum {
                    cut = c
                } else if let s = lastSpace, s >= minimum {
                    cut = s
                }
                if cut == rest.startIndex { cut = rest.index(after: cut) }
                out.append(prefix + rest[..<cut])
                rest = String(rest[cut...].drop(while: { $0 == " " }))
                prefix = margin
            }
            out.append(prefix + rest)
        }
        bytes.removeSubrange(start...)
        append(out.joined(separator: "\n"))
    }

    mutating func pad(from used: Int, to width: Int) {
        var n = width - used
        while n > 0 {
            bytes.append(UInt8(ascii: " "))
            n -= 1
        }
    }
}

extension String {
    /// At most `columns` terminal columns: cut, ending in `…`, when wider.
    func truncated(to columns: Int) -> String {
        guard terminalWidth > columns, columns > 1 else { return self }
        var out = ""
        var used = 0
        for ch in self {
            let w = String(ch).terminalWidth
            if used + w > columns - 1 { break }
            out.append(ch)
            used += w
        }
        return out + "…"
    }

    /// Columns on a terminal: East Asian wide characters count two (good enough for the notes' CJK).
    var terminalWidth: Int {
        var w = 0
        for u in unicodeScalars {
            let v = u.value
            w +=
                (v >= 0x1100
                    && (v <= 0x115F || (v >= 0x2E80 && v <= 0xA4CF) || (v >= 0xAC00 && v <= 0xD7A3)
                        || (v >= 0xF900 && v <= 0xFAFF) || (v >= 0xFE30 && v <= 0xFE4F) || (v >= 0xFF00 && v <= 0xFF60)
                        || (v >= 0xFFE0 && v <= 0xFFE6)))
                ? 2 : 1
        }
        return w
    }
}
