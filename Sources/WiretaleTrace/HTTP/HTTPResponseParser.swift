/// An HTTP/1.1 response head: status line and header fields (RFC 9112 sections 4 and 5).
public struct HTTPResponseHead: Sendable, Equatable {
    public var version: String
    public var status: Int
    public var reason: String
    /// Fields in the order received, names as sent.
    public var headers: [(name: String, value: String)]

    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    public static func == (a: HTTPResponseHead, b: HTTPResponseHead) -> Bool {
        a.version == b.version && a.status == b.status && a.reason == b.reason
            && a.headers.map { "\($0.name): \($0.value)" } == b.headers.map { "\($0.name): \($0.value)" }
    }
}

/// A response parser fed bytes as they arrive: a byte-level state machine with no I/O. It finds the
/// head (passing over interim 1xx responses), then frames the body by Transfer-Encoding: chunked,
/// Content-Length, or the end of the connection (RFC 9112 section 6.3).
///
/// The body is counted in full but only its first `keepLimit` bytes are kept (for step g), so an
/// endless body costs time, never memory. Interim responses are capped at `maxInterim`, the head
/// at 64 KiB, a chunk-size line at 1 KiB.
///
/// States and transitions: `head` -> (1xx: `head` again) -> `body(framing)` -> `done`; any state ->
/// a thrown `ParseError` on bad input.
public struct HTTPResponseParser: Sendable {
    public enum Framing: Sendable, Equatable {
        case contentLength(Int)
        case chunked
        case untilClose
        case none  // 204, 304, 101, or a response to HEAD
    }

    public enum ParseError: Error, Equatable, Sendable, CustomStringConvertible {
        case badStatusLine(String)
        case badHeader(String)
        case badChunk(String)
        case headTooLarge
        /// The reply does not begin with "HTTP/": an HTTP/0.9 reply (a bare body) or not HTTP at all.
        case notHTTP(began: String)
        /// Content-Length is not a number, is out of range, or its values conflict (RFC 9112 section
        /// 6.3 item 5: an unrecoverable framing error).
        case badContentLength(String)
        case tooManyInterim(Int)

        public var description: String {
            switch self {
            case .badStatusLine(let s): "malformed status line: \(s)"
            case .badHeader(let s): "malformed header field: \(s)"
            case .badChunk(let s): "malformed chunk: \(s)"
            case .headTooLarge: "the response head is larger than 64 KiB"
            case .notHTTP(let began): "the reply is not HTTP/1.x (HTTP/0.9 or binary): it began with '\(began)'"
            case .badContentLength(let s):
                "invalid Content-Length (\(s)): the body cannot be framed (RFC 9112 section 6.3), so the response is unusable"
            case .tooManyInterim(let n): "more than \(n) interim (1xx) responses before the final one"
            }
        }
    }

    private enum State: Sendable {
        case head
        case body
        case done
    }

    /// Body bytes kept by default for step g: 4 MiB.
    public static let defaultKeepLimit = 4 << 20
    /// The most interim (1xx) responses accepted before the final one.
    public static let maxInterim = 16
    static let maxHead = 65536

    private var state = State.head
    private var buffer: [UInt8] = []
    public let keepLimit: Int
    public private(set) var head: HTTPResponseHead?
    /// Interim responses (1xx other than 101) that came before the final one, in order.
    public private(set) var interim: [HTTPResponseHead] = []
    public private(set) var framing: Framing?
    /// What the framing rules had to say about the head (e.g. Transfer-Encoding with Content-Length).
    public private(set) var framingNotes: [String] = []
    /// The body's first `keepLimit` bytes as framed on the wire (chunk framing removed, content
    /// coding kept).
    public private(set) var body: [UInt8] = []
    /// All body bytes received (chunk framing removed), kept or not.
    public private(set) var bodyBytes = 0
    /// Bytes of the message on the wire after the head (chunk framing included).
    public private(set) var wireBodyBytes = 0
    public private(set) var chunkCount = 0
    private var chunk = ChunkedDecoder()
    public var isHeadComplete: Bool { head != nil }
    public var isComplete: Bool {
        if case .done = state { return true }
        return false
    }
    /// More body arrived than was kept.
    public var bodyTruncated: Bool { bodyBytes > body.count }

    public init(keepLimit: Int = HTTPResponseParser.defaultKeepLimit) {
        self.keepLimit = max(0, keepLimit)
    }

    /// The connection may carry another request after this complete response (RFC 9112 section
    /// 9.3): HTTP/1.1 unless `Connection: close`, HTTP/1.0 only with `Connection: keep-alive`, and a
    /// body whose end is not the connection's.
    public var isPersistent: Bool {
        guard isComplete, let h = head, framing != .untilClose, h.status != 101 else { return false }
        let tokens = (h.header("Connection") ?? "").lowercased().split(separator: ",").map {
            String($0).trimmingASCIIWhitespace()
        }
        if tokens.contains("close") { return false }
        if h.version == "HTTP/1.1" { return true }
        return h.version == "HTTP/1.0" && tokens.contains("keep-alive")
    }

    /// Feeds bytes; returns nothing, check `head` / `isComplete` after.
    public mutating func feed(_ bytes: some Collection<UInt8>) throws(ParseError) {
        switch state {
        case .done:
            return
        case .head:
            buffer.append(contentsOf: bytes)
            try parseHeads()
        case .body:
            try feedBody(bytes)
        }
    }

    /// Takes heads off `buffer` while it holds complete ones: interim 1xx heads are noted and
    /// passed over; the final head sets the framing and hands the rest to the body.
    private mutating func parseHeads() throws(ParseError) {
        while case .head = state {
            let http = Array("HTTP/".utf8)
            let n = min(buffer.count, http.count)
            if !buffer.prefix(n).elementsEqual(http.prefix(n)) {
                throw .notHTTP(began: Self.printable(buffer.prefix(16)))
            }
            guard let end = HTTPResponseParser.findHeadEnd(buffer) else {
                if buffer.count > Self.maxHead { throw .headTooLarge }
                return
            }
            let headBytes = Array(buffer[0..<end.start])
            buffer.removeFirst(end.after)
            let h = try HTTPResponseParser.parseHead(headBytes)
            if (100..<200).contains(h.status), h.status != 101 {
                // An interim response: the final one follows on the same connection (RFC 9110
                // section 15.2).
                if interim.count >= Self.maxInterim { throw .tooManyInterim(Self.maxInterim) }
                interim.append(h)
                continue
            }
            head = h
            let (f, notes) = try HTTPResponseParser.framing(for: h)
            framing = f
            framingNotes = notes
            state = f == Framing.none ? .done : .body
            let rest = buffer
            buffer = []
            if case .body = state { try feedBody(rest) }
        }
    }

    /// The connection ended: completes an until-close body, else reports whether the body was cut.
    public mutating func connectionClosed() -> Bool {
        if case .body = state, framing == .untilClose {
            state = .done
        }
        return isComplete
    }

    private mutating func keep(_ bytes: some Collection<UInt8>) {
        let room = keepLimit - body.count
        if room > 0 { body.append(contentsOf: bytes.prefix(room)) }
    }

    private mutating func feedBody(_ bytes: some Collection<UInt8>) throws(ParseError) {
        switch framing {
        case .contentLength(let n)?:
            let take = min(n - bodyBytes, bytes.count)
            let part = bytes.prefix(take)
            keep(part)
            bodyBytes += take
            wireBodyBytes += take
            if bodyBytes >= n { state = .done }
        case .chunked?:
            wireBodyBytes += bytes.count
            do {
                try chunk.feed(bytes, into: &body, keepingAtMost: keepLimit)
            } catch {
                throw .badChunk(error.reason)
            }
            bodyBytes = chunk.dataBytes
            chunkCount = chunk.chunks
            if chunk.isComplete { state = .done }
        case .untilClose?:
            wireBodyBytes += bytes.count
            keep(bytes)
            bodyBytes += bytes.count
        case .none?, nil:
            state = .done
        }
    }

    /// Up to 16 bytes for a message: printable ASCII as it is, anything else as \xNN.
    static func printable(_ bytes: some Collection<UInt8>) -> String {
        var s = ""
        for b in bytes {
            if b >= 0x20 && b < 0x7F && b != UInt8(ascii: "'") && b != UInt8(ascii: "\\") {
                s.unicodeScalars.append(Unicode.Scalar(b))
            } else {
                let hex = Array("0123456789abcdef")
                s += "\\x" + String(hex[Int(b >> 4)]) + String(hex[Int(b & 0xF)])
            }
        }
        return s
    }

    static func findHeadEnd(_ b: [UInt8]) -> (start: Int, after: Int)? {
        guard b.count >= 2 else { return nil }
        var i = 0
        while i + 1 < b.count {
            if b[i] == 0x0A {
                if b[i + 1] == 0x0A { return (i, i + 2) }
                if i + 2 < b.count, b[i + 1] == 0x0D, b[i + 2] == 0x0A { return (i, i + 3) }
            }
            i += 1
        }
        return nil
    }

    static func parseHead(_ bytes: [UInt8]) throws(ParseError) -> HTTPResponseHead {
        // Split on LF bytes: as Characters, "\r\n" is one grapheme and would not split on "\n".
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map { line in
            String(decoding: line.last == 0x0D ? line.dropLast() : line[...], as: UTF8.self)
        }
        guard !lines.isEmpty else { throw .badStatusLine("") }
        let statusLine = lines.removeFirst()
        // status-line = HTTP-version SP status-code SP [ reason-phrase ]; status-code = 3DIGIT, from
        // 100 (RFC 9110 section 15), as the core's parser reads it: not "+20", "-20" or "020".
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), parts[1].utf8.count == 3,
            parts[1].utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            let code = Int(parts[1]), code >= 100
        else {
            throw .badStatusLine(statusLine)
        }
        var headers: [(String, String)] = []
        for line in lines where !line.isEmpty {
            if line.first == " " || line.first == "\t", let last = headers.popLast() {
                headers.append((last.0, last.1 + " " + line.trimmingASCIIWhitespace()))  // obsolete folding
                continue
            }
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex else { throw .badHeader(line) }
            let name = String(line[..<colon])
            guard !name.contains(" ") else { throw .badHeader(line) }
            headers.append((name, String(line[line.index(after: colon)...]).trimmingASCIIWhitespace()))
        }
        return HTTPResponseHead(
            version: String(parts[0]), status: code, reason: parts.count > 2 ? String(parts[2]) : "",
            headers: headers)
    }

    /// The body length rules of RFC 9112 section 6.3 for a response to GET, with notes on what was
    /// overridden. An invalid or conflicting Content-Length with no Transfer-Encoding is an error.
    static func framing(for h: HTTPResponseHead) throws(ParseError) -> (Framing, [String]) {
        if (100..<200).contains(h.status) || h.status == 204 || h.status == 304 { return (.none, []) }
        let lengths = h.headers.filter { $0.name.lowercased() == "content-length" }.map { $0.value }
        let codings = h.headers.filter { $0.name.lowercased() == "transfer-encoding" }
            .flatMap { $0.value.split(separator: ",") }
            .map { String($0).trimmingASCIIWhitespace().lowercased() }
            .filter { !$0.isEmpty }
        if !codings.isEmpty {
            var notes: [String] = []
            if !lengths.isEmpty {
                notes.append(
                    "both Transfer-Encoding (\(codings.joined(separator: ", "))) and Content-Length (\(lengths.joined(separator: ", "))) were sent: "
                        + "Transfer-Encoding overrides Content-Length (RFC 9112 section 6.3), but such a response is a request-smuggling / response-splitting risk"
                )
            }
            if codings.last == "chunked" { return (.chunked, notes) }
            notes.append(
                "Transfer-Encoding \(codings.joined(separator: ", ")) does not end in chunked: the body ends when the connection does (RFC 9112 section 6.3)"
            )
            return (.untilClose, notes)
        }
        guard !lengths.isEmpty else { return (.untilClose, []) }
        var value: Int?
        for field in lengths {
            for part in field.split(separator: ",", omittingEmptySubsequences: false) {
                let text = String(part).trimmingASCIIWhitespace()
                guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                    throw .badContentLength("\"\(text)\" is not a non-negative decimal number")
                }
                guard let n = Int(text) else { throw .badContentLength("\(text) is too large") }
                if let v = value, v != n { throw .badContentLength("conflicting values \(v) and \(n)") }
                value = n
            }
        }
        guard let n = value else { return (.untilClose, []) }
        return (n == 0 ? .none : .contentLength(n), [])
    }
}

/// The chunked transfer coding (RFC 9112 section 7.1): hex size, optional extensions, CRLF, data,
/// CRLF, ..., a zero-size chunk, optional trailer fields, CRLF.
public struct ChunkedDecoder: Sendable {
    public struct DecodeError: Error, Equatable, Sendable {
        public var reason: String
    }

    private enum State: Sendable {
        case size
        case data(Int)
        case dataCRLF
        case trailer
        case done
    }

    private var state = State.size
    private var line: [UInt8] = []
    public private(set) var chunks = 0
    /// Chunk data bytes decoded so far, kept or not.
    public private(set) var dataBytes = 0
    /// Bytes of trailer fields so far (capped at 64 KiB).
    private var trailerBytes = 0
    public var isComplete: Bool {
        if case .done = state { return true }
        return false
    }

    public init() {}

    /// Decodes `bytes`, appending chunk data to `out` while `out` holds fewer than `limit` bytes.
    public mutating func feed(
        _ bytes: some Collection<UInt8>, into out: inout [UInt8], keepingAtMost limit: Int = .max
    ) throws(DecodeError) {
        var i = bytes.startIndex
        while i != bytes.endIndex {
            let b = bytes[i]
            switch state {
            case .done:
                return
            case .size:
                i = bytes.index(after: i)
                if b == 0x0A {
                    var text = String(decoding: line, as: UTF8.self)
                    line = []
                    if text.hasSuffix("\r") { text.removeLast() }
                    if let semi = text.firstIndex(of: ";") { text = String(text[..<semi]) }
                    text = text.trimmingASCIIWhitespace()
                    guard !text.isEmpty, text.count <= 15,
                        text.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x66) }
                        ),
                        let n = Int(text, radix: 16)
                    else {
                        throw DecodeError(reason: "chunk size \"\(text)\" is not a hex number")
                    }
                    state = n == 0 ? .trailer : .data(n)
                    if n > 0 { chunks += 1 }
                } else {
                    line.append(b)
                    if line.count > 1024 { throw DecodeError(reason: "chunk size line longer than 1024 bytes") }
                }
            case .data(let left):
                let end = bytes.index(i, offsetBy: left, limitedBy: bytes.endIndex) ?? bytes.endIndex
                let n = bytes.distance(from: i, to: end)
                let room = limit - out.count
                if room > 0 { out.append(contentsOf: bytes[i..<end].prefix(room)) }
                dataBytes += n
                state = left == n ? .dataCRLF : .data(left - n)
                i = end
            case .dataCRLF:
                i = bytes.index(after: i)
                if b == 0x0D { continue }
                guard b == 0x0A else { throw DecodeError(reason: "chunk data not followed by CRLF") }
                state = .size
            case .trailer:
                i = bytes.index(after: i)
                trailerBytes += 1
                if trailerBytes > 65536 { throw DecodeError(reason: "trailer fields longer than 64 KiB") }
                if b == 0x0A {
                    let empty = line.isEmpty || line == [0x0D]
                    line = []
                    if empty { state = .done }
                } else {
                    line.append(b)
                }
            }
        }
    }
}
