/// `conversations`' TLS section in text: one line per handshake, in stream order, with the frame
/// of its ClientHello and what was agreed (`TLS 1.3 TLS_AES_128_GCM_SHA256 sni example.org alpn
/// h2`), held as that line until the capture ends (at most `--max-rows`, `ConversationTable.HeldRows`).
public enum TLSTable {
    public struct Row: Sendable {
        public let stream: Int32
        public let index: Int
        public let clientHelloFrame: Int?
        public let line: String
        public let ja4: String?

        public init(stream: Int, _ h: TLSHandshake) {
            self.stream = Int32(truncatingIfNeeded: stream)
            index = h.index
            clientHelloFrame = h.clientHelloFrame
            var o = OutputBuffer(fd: -1)
            h.appendSummary(to: &o)
            line = String(decoding: o.bytes, as: UTF8.self)
            ja4 = h.clientHello?.ja4
        }
    }

    package static func rows(cap: Int) -> ConversationTable.HeldRows<Row> {
        ConversationTable.HeldRows(cap: cap) { ($0.stream, $0.index) < ($1.stream, $1.index) }
    }

    /// The section; nothing when the capture held no TLS handshake.
    /// With `width`, each longer line is wrapped at a space.
    public static func render(
        _ rows: [Row], unlisted: Int = 0, lang: NotesLanguage, width: Int? = nil, to o: inout OutputBuffer
    ) {
        guard !rows.isEmpty else { return }
        let start = o.bytes.count
        o.append(TLSTableLabel.title, lang, rows.count + unlisted)
        o.append(byte: 0x0A)
        o.append(TLSTableLabel.header, lang)
        o.append(byte: 0x0A)
        if let width { o.wrapLines(from: start, width: width, indent: 8) }
        for r in rows {
            let line = o.bytes.count
            o.append(right: UInt64(max(0, r.stream)), width: 6)
            if let f = r.clientHelloFrame { o.append(right: UInt64(f), width: 9) } else { o.append("        -") }
            o.append("  ")
            o.append(padded: r.ja4 ?? "-", to: 38)
            o.append(r.line)
            o.append(byte: 0x0A)
            if let width { o.wrapLines(from: line, width: width, indent: 8) }
            o.flushIfNeeded()
        }
        if unlisted > 0 {
            ConversationTable.appendUnlisted(unlisted, listed: rows.count, lang: lang, width: width, to: &o)
        }
    }
}

/// The TLS section's words.
public enum TLSTableLabel: UInt8, NotesLabel {
    case title, header

    public var english: StaticString {
        switch self {
        case .title: "TLS handshakes: {}"
        case .header: "stream    hello  ja4                                   agreed"
        }
    }

    public var chinese: StaticString {
        switch self {
        case .title: "TLS 握手: {}"
        case .header: "流     ClientHello 帧  ja4                          协商结果"
        }
    }
}
