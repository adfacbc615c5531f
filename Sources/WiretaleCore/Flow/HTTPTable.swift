/// `conversations`' HTTP section: one row per transaction, with Zeek's http.log columns (stream,
/// request frame, method, host, uri, status, reason, content type, body bytes each way, latency)
/// and notes (no response, HTTP/0.9, upgrades, malformed...). Rows are held as `HTTPTableRow`s,
/// at most `--max-rows` of them (`ConversationTable.HeldRows`), in (stream, request order).
public enum HTTPTable {
    /// The widest a URI cell is without `width`; with `width`, it takes what the line leaves.
    static let maxURIColumns = 60

    /// Rows of HTTP transactions, by stream and then request order.
    package static func rows(cap: Int) -> ConversationTable.HeldRows<HTTPTableRow> {
        ConversationTable.HeldRows(cap: cap, precedes: precedes)
    }

    static func precedes(_ a: HTTPTableRow, _ b: HTTPTableRow) -> Bool {
        (a.stream, a.transaction.index) < (b.stream, b.transaction.index)
    }

    /// The heading's counts, of the transactions listed.
    public struct Counts: Sendable, Equatable {
        public internal(set) var answered = 0
        public internal(set) var noResponse = 0
        public internal(set) var noRequest = 0
        public internal(set) var malformed = 0

        public init(_ rows: [HTTPTableRow]) {
            for r in rows {
                let t = r.transaction
                if t.answered && !t.flags.contains(.noRequest) { answered += 1 }
                if t.flags.contains(.noResponse) { noResponse += 1 }
                if t.flags.contains(.noRequest) { noRequest += 1 }
                if t.isMalformed { malformed += 1 }
            }
        }
    }

    /// Rows in (stream, request) order (sorts in place); `unlisted` more were counted but not held.
    /// With `width`, no line is wider: the URI is cut first, and when even that does not fit,
    /// each transaction becomes a record of labelled cells, wrapped.
    public static func render(
        _ rows: inout [HTTPTableRow], unlisted: Int = 0, lang: NotesLanguage, width: Int? = nil,
        to o: inout OutputBuffer
    ) {
        rows.sort(by: precedes)
        defer { ConversationTable.appendUnlisted(unlisted, listed: rows.count, lang: lang, width: width, to: &o) }
        let titleStart = o.bytes.count
        let counts = Counts(rows)
        o.append(HTTPLabel.title, lang, rows.count + unlisted)
        o.append(" (")
        if unlisted > 0 { o.append(HTTPLabel.ofListed, lang, rows.count) }
        o.append(HTTPLabel.counts, lang, counts.answered, counts.noResponse, counts.noRequest, counts.malformed)
        o.append(")\n")
        if let width { o.wrapLines(from: titleStart, width: width) }
        guard !rows.isEmpty else { return }

        func column(_ label: HTTPLabel, _ cells: [String?], min: Int, max: Int) -> Int {
            var w = Swift.max(min, label.text(lang).terminalWidth)
            for c in cells { w = Swift.max(w, Swift.min(max, (c ?? "-").terminalWidth)) }
            return w + 2
        }
        let methodWidth = column(.columnMethod, rows.map(\.transaction.method), min: 6, max: 12)
        let hostWidth = column(.columnHost, rows.map(\.transaction.host), min: 4, max: 28)
        let reasonWidth = column(.columnReason, rows.map(\.transaction.reason), min: 6, max: 20)
        let typeWidth = column(.columnContentType, rows.map(\.transaction.contentType), min: 4, max: 28)
        let statusWidth = Swift.max(8, HTTPLabel.columnStatus.text(lang).terminalWidth + 2)
        let fixed = 8 + 9 + methodWidth + hostWidth + statusWidth + reasonWidth + typeWidth + 3 * 11
        var uriWidth = column(.columnURI, rows.map(\.transaction.uri), min: 4, max: maxURIColumns)
        if let width {
            let notesRoom = 12
            uriWidth = Swift.min(uriWidth, width - fixed - notesRoom)
            if uriWidth < 10 {
                for r in rows {
                    appendRecord(r, lang: lang, width: width, to: &o)
                    o.flushIfNeeded()
                }
                return
            }
        }
        let headerStart = o.bytes.count
        o.append("stream   ")
        o.append(padded: HTTPLabel.columnRequestFrame.text(lang), to: 9)
        o.append(padded: HTTPLabel.columnMethod.text(lang), to: methodWidth)
        o.append(padded: HTTPLabel.columnHost.text(lang), to: hostWidth)
        o.append(padded: HTTPLabel.columnURI.text(lang), to: uriWidth)
        o.append(padded: HTTPLabel.columnStatus.text(lang), to: statusWidth)
        o.append(padded: HTTPLabel.columnReason.text(lang), to: reasonWidth)
        o.append(padded: HTTPLabel.columnContentType.text(lang), to: typeWidth)
        for label in [HTTPLabel.columnRequestBody, .columnResponseBody, .columnLatency] {
            let t = label.text(lang)
            o.pad(from: t.terminalWidth, to: 9)
            o.append(t)
            o.append("  ")
        }
        o.append(HTTPLabel.columnNotes, lang)
        o.append(byte: 0x0A)
        if let width { o.wrapLines(from: headerStart, width: width, indent: 8) }
        for r in rows {
            let t = r.transaction
            let start = o.bytes.count
            o.append(right: UInt64(r.stream), width: 6)
            o.append("  ")
            if let f = t.requestFrame ?? t.requestFirstFrame {
                o.append(right: UInt64(f), width: 7)
            } else {
                o.append("      -")
            }
            o.append("  ")
            o.append(padded: cell(t.method, methodWidth - 2), to: methodWidth)
            o.append(padded: cell(t.host, hostWidth - 2), to: hostWidth)
            o.append(padded: cell(t.uri, uriWidth - 2), to: uriWidth)
            o.append(padded: t.status.map { String($0) } ?? "-", to: statusWidth)
            o.append(padded: cell(t.reason, reasonWidth - 2), to: reasonWidth)
            o.append(padded: cell(t.contentType, typeWidth - 2), to: typeWidth)
            o.append(right: UInt64(t.requestBodyLength), width: 9)
            o.append("  ")
            o.append(right: UInt64(t.responseBodyLength), width: 9)
            o.append("  ")
            appendLatency(t.latency, width: 9, to: &o)
            o.append("  ")
            appendNotes(t, lang: lang, to: &o)
            o.append(byte: 0x0A)
            if let width { o.wrapLines(from: start, width: width, indent: 8) }
            o.flushIfNeeded()
        }
    }

    /// One transaction as labelled cells, wrapped at `width`: the narrow form of a row.
    static func appendRecord(_ r: HTTPTableRow, lang: NotesLanguage, width: Int, to o: inout OutputBuffer) {
        let t = r.transaction
        let start = o.bytes.count
        o.append("#")
        o.append(UInt64(r.stream))
        o.append("  ")
        o.append(HTTPLabel.columnRequestFrame, lang)
        o.append(byte: 0x20)
        if let f = t.requestFrame ?? t.requestFirstFrame { o.append(f) } else { o.append("-") }
        o.append("  ")
        o.append(t.method ?? "-")
        o.append(byte: 0x20)
        o.append(t.uri ?? "-")
        if let host = t.host {
            o.append("  ")
            o.append(HTTPLabel.columnHost, lang)
            o.append(byte: 0x20)
            o.append(host)
        }
        o.append("  ")
        o.append(HTTPLabel.columnStatus, lang)
        o.append(byte: 0x20)
        o.append(t.status.map { String($0) } ?? "-")
        if let reason = t.reason, !reason.isEmpty {
            o.append(byte: 0x20)
            o.append(reason)
        }
        if let type = t.contentType {
            o.append("  ")
            o.append(type)
        }
        o.append("  ")
        o.append(HTTPLabel.columnRequestBody, lang)
        o.append(byte: 0x20)
        o.append(t.requestBodyLength)
        o.append("  ")
        o.append(HTTPLabel.columnResponseBody, lang)
        o.append(byte: 0x20)
        o.append(t.responseBodyLength)
        o.append("  ")
        o.append(HTTPLabel.columnLatency, lang)
        o.append(byte: 0x20)
        appendLatency(t.latency, width: 0, to: &o)
        o.append("  ")
        o.append(HTTPLabel.columnNotes, lang)
        o.append(": ")
        appendNotes(t, lang: lang, to: &o)
        o.append(byte: 0x0A)
        o.wrapLines(from: start, width: width, indent: 8)
    }

    /// A text cell: `-` when unknown, cut (ending in `…`) past `columns`.
    static func cell(_ s: String?, _ columns: Int) -> String {
        guard let s, !s.isEmpty else { return "-" }
        return s.truncated(to: columns)
    }

    /// Milliseconds with three decimals, right-aligned in `width` columns; `-` when unknown.
    static func appendLatency(_ ns: Int64?, width: Int, to o: inout OutputBuffer) {
        let before = o.bytes.count
        if let ns { o.appendDecimal(ns, scale: 1_000_000, digits: 3) } else { o.append(byte: UInt8(ascii: "-")) }
        let n = o.bytes.count - before
        if n < width { o.bytes.insert(contentsOf: repeatElement(UInt8(ascii: " "), count: width - n), at: before) }
    }

    /// The notes' words for what else is true of a transaction, `-` when nothing.
    static func appendNotes(_ t: HTTPTableRow.Cells, lang: NotesLanguage, to o: inout OutputBuffer) {
        var first = true
        func sep(_ o: inout OutputBuffer) {
            if !first { o.append(", ") }
            first = false
        }
        let plain: [(HTTPTransaction.Flags, HTTPLabel)] = [
            (.noResponse, .noResponse), (.noRequest, .noRequest), (.http09, .http09),
            (.requestIncomplete, .requestIncomplete), (.responseIncomplete, .responseIncomplete),
            (.evictedAtCap, .evicted),
        ]
        for (flag, label) in plain where t.flags.contains(flag) {
            sep(&o)
            o.append(label, lang)
        }
        if let to = t.leftTo {
            sep(&o)
            o.append(HTTPLabel.upgradedTo, lang) { o, _ in o.append(to) }
        }
        for s in t.interim {
            sep(&o)
            o.append(HTTPLabel.interim, lang, s)
        }
        if let n = t.responseDecodedLength?.exact {
            sep(&o)
            o.append(HTTPLabel.decoded, lang, n)
        }
        let gaps = t.requestGapBytes + t.responseGapBytes
        if gaps > 0 {
            sep(&o)
            o.append(HTTPLabel.gapBytes, lang, gaps)
        }
        if t.isMalformed {
            sep(&o)
            o.append(HTTPLabel.malformed, lang)
            if let p = t.problem {
                o.append(": ")
                o.append(p.text.truncated(to: 80))
            }
        }
        if first { o.append(byte: UInt8(ascii: "-")) }
    }
}

/// What the HTTP table holds of a transaction: it and its TCP stream.
public struct HTTPTableRow: Sendable {
    public var stream: Int32
    public var transaction: Cells

    public init(stream: Int, _ transaction: HTTPTransaction) {
        self.stream = Int32(truncatingIfNeeded: stream)
        self.transaction = Cells(transaction)
    }

    /// What the table shows of a transaction, kept until the capture ends (the table is sorted):
    /// only its columns' values, and the first problem's text, not the whole `HTTPTransaction`
    /// (user agent, versions, codings, every problem), so that 50,000 held rows stay small.
    public struct Cells: Sendable {
        public let index: Int
        public let method: String?
        public let uri: String?
        public let host: String?
        public let status: Int?
        public let reason: String?
        public let contentType: String?
        public let interim: [Int]
        public let requestFirstFrame: Int?
        public let requestFrame: Int?
        public let requestBodyLength: Int
        public let responseBodyLength: Int
        public let responseDecodedLength: HTTPDecodedLength?
        public let requestGapBytes: Int
        public let responseGapBytes: Int
        public let latency: Int64?
        public let flags: HTTPTransaction.Flags
        public let leftTo: String?
        public let answered: Bool
        public let isMalformed: Bool
        /// The first problem in the message itself, when it is malformed.
        public let problem: HTTPProblem?

        init(_ t: HTTPTransaction) {
            index = t.index
            method = t.method
            uri = t.uri
            host = t.host
            status = t.status
            reason = t.reason
            contentType = t.contentType
            interim = t.interim
            requestFirstFrame = t.requestFirstFrame
            requestFrame = t.requestFrame
            requestBodyLength = t.requestBodyLength
            responseBodyLength = t.responseBodyLength
            responseDecodedLength = t.responseDecodedLength
            requestGapBytes = t.requestGapBytes
            responseGapBytes = t.responseGapBytes
            latency = t.latency
            flags = t.flags
            leftTo = t.leftTo
            answered = t.answered
            isMalformed = t.isMalformed
            problem = t.isMalformed ? t.problems.first(where: \.isInMessage) : nil
        }
    }
}
