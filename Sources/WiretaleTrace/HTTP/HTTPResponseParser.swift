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

/// A response parser fed bytes as they arrive. It finds the head, then frames the body by
/// Transfer-Encoding: chunked, Content-Length, or the end of the connection (RFC 9112 section 6.3).
///
/// States and transitions: `head` -> `body(framing)` -> `done`; any state -> `failed` on bad input.
public struct HTTPResponseParser: Sendable {
    public enum Framing: Sendable, Equatable {
        case contentLength(Int)
        case chunked
        case untilClose
        case none  // 1xx, 204, 304, or a response to HEAD
    }

    public enum ParseError: Error, Equatable, Sendable, CustomStringConvertible {
        case badStatusLine(String)
        case badHeader(String)
        case badChunk(String)
        case headTooLarge

        public var description: String {
            switch self {
            case .badStatusLine(let s): "malformed status line: \(s)"
            case .badHeader(let s): "malformed header field: \(s)"
            case .badChunk(let s): "malformed chunk: \(s)"
            case .headTooLarge: "the response head is larger than 64 KiB"
            }
        }
    }

    private enum State: Sendable {
        case head
        case body
        case done
    }

    private var state = State.head
    private var buffer: [UInt8] = []
    public private(set) var head: HTTPResponseHead?
    public private(set) var framing: Framing?
    /// The body as it was framed on the wire (chunk framing removed, content coding kept).
    public private(set) var body: [UInt8] = []
    /// Bytes of the message on the wire after the head (chunk framing included).
    public private(set) var wireBodyBytes = 0
    public private(set) var chunkCount = 0
    private var chunk = ChunkedDecoder()
    public var isHeadComplete: Bool { head != nil }
    public var isComplete: Bool {
        if case .done = state { return true }
        return false
    }

    public init() {}

    /// The connection may carry another request after this complete response (RFC 9112 section
    /// 9.3): HTTP/1.1 unless `Connection: close`, HTTP/1.0 only with `Connection: keep-alive`, and a
    /// body whose end is not the connection's.
    public var isPersistent: Bool {
        guard isComplete, let h = head, framing != .untilClose else { return false }
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
            guard let end = HTTPResponseParser.findHeadEnd(buffer) else {
                if buffer.count > 65536 { throw .headTooLarge }
                return
            }
            let headBytes = Array(buffer[0..<end.start])
            let rest = Array(buffer[end.after...])
            buffer = []
            let h = try HTTPResponseParser.parseHead(headBytes)
            head = h
            framing = HTTPResponseParser.framing(for: h)
            state = .body
            if framing == Framing.none {
                state = .done
                return
            }
            try feedBody(rest)
        case .body:
            try feedBody(bytes)
        }
    }

    /// The connection ended: completes an until-close body, else reports whether the body was cut.
    public mutating func connectionClosed() -> Bool {
        if case .body = state, framing == .untilClose {
            state = .done
        }
        return isComplete
    }

    private mutating func feedBody(_ bytes: some Collection<UInt8>) throws(ParseError) {
        wireBodyBytes += bytes.count
        switch framing {
        case .contentLength(let n)?:
            body.append(contentsOf: bytes.prefix(n - body.count))
            if body.count >= n { state = .done }
        case .chunked?:
            do {
                try chunk.feed(bytes, into: &body)
            } catch {
                throw .badChunk(error.reason)
            }
            chunkCount = chunk.chunks
            if chunk.isComplete { state = .done }
        case .untilClose?:
            body.append(contentsOf: bytes)
        case .none?, nil:
            state = .done
        }
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

    static func framing(for h: HTTPResponseHead) -> Framing {
        if (100..<200).contains(h.status) || h.status == 204 || h.status == 304 { return .none }
        if let te = h.header("Transfer-Encoding"), te.lowercased().contains("chunked") { return .chunked }
        if let cl = h.header("Content-Length"), let n = Int(cl.trimmingASCIIWhitespace()), n >= 0 {
            return n == 0 ? .none : .contentLength(n)
        }
        return .untilClose
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
    public var isComplete: Bool {
        if case .done = state { return true }
        return false
    }

    public init() {}

    public mutating func feed(_ bytes: some Collection<UInt8>, into out: inout [UInt8]) throws(DecodeError) {
        var it = bytes.makeIterator()
        while let b = it.next() {
            switch state {
            case .done:
                return
            case .size:
                if b == 0x0A {
                    var text = String(decoding: line, as: UTF8.self)
                    line = []
                    if text.hasSuffix("\r") { text.removeLast() }
                    if let semi = text.firstIndex(of: ";") { text = String(text[..<semi]) }
                    text = text.trimmingASCIIWhitespace()
                    guard !text.isEmpty, text.count <= 16, let n = Int(text, radix: 16), n >= 0 else {
                        throw DecodeError(reason: "chunk size \"\(text)\" is not a hex number")
                    }
                    state = n == 0 ? .trailer : .data(n)
                    if n > 0 { chunks += 1 }
                } else {
                    line.append(b)
                    if line.count > 1024 { throw DecodeError(reason: "chunk size line longer than 1024 bytes") }
                }
            case .data(let left):
                out.append(b)
                state = left == 1 ? .dataCRLF : .data(left - 1)
            case .dataCRLF:
                if b == 0x0D { continue }
                guard b == 0x0A else { throw DecodeError(reason: "chunk data not followed by CRLF") }
                state = .size
            case .trailer:
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
