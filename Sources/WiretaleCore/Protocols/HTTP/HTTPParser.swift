// HTTP/1.x messages on a byte stream (RFC 9112), requests or responses: the head read with the
// start-line and header parsers of HTTPMessage.swift, the body framed by RFC 9112 section 6.3
// (Content-Length, chunked, or the end of the connection). A byte-level state machine with no I/O:
// `trace`'s exchange feeds it a socket's bytes, and a reassembled TCP stream can feed it either
// direction of a connection, message after message.

/// Which side of an exchange a message is.
public enum HTTPMessageKind: String, Sendable, Hashable {
    case request
    case response
}

/// A request head (RFC 9112 section 3): the request line and the header fields, in order, names
/// as sent. The target is kept whole (unlike `HTTPStartLine`'s, which is cut for display).
public struct HTTPRequestHead: Sendable, Hashable {
    public var method: String
    public var target: String
    public var version: String
    public var headers: [HTTPHeaders.Field]

    public init(method: String, target: String, version: String, headers: [HTTPHeaders.Field] = []) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
    }

    /// The first value of a field, by name without regard to ASCII case (RFC 9110 section 5.1).
    public func header(_ name: String) -> String? {
        headers.first { HTTPHeaders.sameName($0.name, name) }?.value
    }
}

/// A response head (RFC 9112 section 4): the status line and the header fields, in order, names
/// as sent.
public struct HTTPResponseHead: Sendable, Hashable {
    public var version: String
    public var status: Int
    public var reason: String
    public var headers: [HTTPHeaders.Field]

    public init(version: String, status: Int, reason: String, headers: [HTTPHeaders.Field] = []) {
        self.version = version
        self.status = status
        self.reason = reason
        self.headers = headers
    }

    /// The first value of a field, by name without regard to ASCII case (RFC 9110 section 5.1).
    public func header(_ name: String) -> String? {
        headers.first { HTTPHeaders.sameName($0.name, name) }?.value
    }

    /// An interim response (1xx other than 101): the final one follows (RFC 9110 section 15.2).
    public var isInterim: Bool { (100..<200).contains(status) && status != 101 }
}

/// The head of either kind of message.
public enum HTTPHead: Sendable, Hashable {
    case request(HTTPRequestHead)
    case response(HTTPResponseHead)

    public var headers: [HTTPHeaders.Field] {
        switch self {
        case .request(let h): h.headers
        case .response(let h): h.headers
        }
    }
}

/// How a message's body is delimited (RFC 9112 section 6.3).
public enum HTTPFraming: Sendable, Hashable {
    case contentLength(Int)
    case chunked
    /// The body ends when the connection does (a response only).
    case untilClose
    /// No body: a request without Content-Length or Transfer-Encoding, Content-Length 0, a 1xx,
    /// 204 or 304 response, or a response to HEAD.
    case none
}

/// Why bytes could not be read as an HTTP/1.x message.
public enum HTTPParseError: Error, Equatable, Sendable, CustomStringConvertible {
    case badStatusLine(String)
    case badRequestLine(String)
    case badHeader(String)
    case badChunk(String)
    case headTooLarge(HTTPMessageKind, limit: Int)
    /// A response that does not begin with "HTTP/" (an HTTP/0.9 reply, a bare body, or not HTTP at
    /// all), or a request that does not begin with a method.
    case notHTTP(HTTPMessageKind, began: String)
    /// Content-Length is not a number, is out of range, or its values conflict (RFC 9112 section
    /// 6.3 item 5: an unrecoverable framing error).
    case badContentLength(HTTPMessageKind, String)
    /// A request's Transfer-Encoding does not end in chunked (RFC 9112 section 6.3 item 4).
    case badTransferEncoding(String)
    case tooManyInterim(Int)

    public var description: String {
        switch self {
        case .badStatusLine(let s): "malformed status line: \(s)"
        case .badRequestLine(let s): "malformed request line: \(s)"
        case .badHeader(let s): "malformed header field: \(s)"
        case .badChunk(let s): "malformed chunk: \(s)"
        case .headTooLarge(let kind, let limit):
            "the \(kind.rawValue) head is larger than \(limit % 1024 == 0 ? "\(limit >> 10) KiB" : "\(limit) bytes")"
        case .notHTTP(.response, let began):
            "the reply is not HTTP/1.x (HTTP/0.9 or binary): it began with '\(began)'"
        case .notHTTP(.request, let began): "the bytes are not an HTTP/1.x request: they began with '\(began)'"
        case .badContentLength(let kind, let s):
            "invalid Content-Length (\(s)): the body cannot be framed (RFC 9112 section 6.3), so the \(kind.rawValue) is unusable"
        case .badTransferEncoding(let s):
            "Transfer-Encoding \(s) does not end in chunked: the request body cannot be framed (RFC 9112 section 6.3)"
        case .tooManyInterim(let n): "more than \(n) interim (1xx) responses before the final one"
        }
    }
}

/// Something a lenient read of a head overlooked (`HTTPParser.lenient`): which line (1 = the start
/// line), at which offset from the head's first byte, and what was wrong.
public struct HTTPHeadProblem: Sendable, Hashable {
    public var line: Int
    public var offset: Int
    public var text: String

    public init(line: Int, offset: Int, text: String) {
        self.line = line
        self.offset = offset
        self.text = text
    }
}

/// An incremental HTTP/1.x parser for one direction of a connection: fed bytes as they arrive, it
/// returns events, one at a time: a head (interim 1xx heads included), runs of body bytes (chunk
/// framing removed, content coding kept) as ranges of the bytes given, and the end of each message.
/// After an end the next bytes start the next message (a persistent connection, RFC 9112 section
/// 9.3), except after a 101 or a 2xx to CONNECT, where the connection leaves HTTP and the parser
/// reads nothing more.
///
/// States: `head` -> (an interim head: `head` again) -> `body` -> `end` -> `head` ...; any state ->
/// a thrown `HTTPParseError` on bad input, after which the parser must not be fed again.
/// Bounded: the head at `Limits.maxHeadBytes`, interim responses at `Limits.maxInterim`, chunk
/// lines and trailers by `HTTPChunkedDecoder`.
public struct HTTPParser: Sendable {
    public struct Limits: Sendable, Hashable {
        /// The most bytes of a head (start line, fields and the blank line).
        public var maxHeadBytes: Int
        /// The most interim (1xx) responses before a final one.
        public var maxInterim: Int

        public init(maxHeadBytes: Int = 65536, maxInterim: Int = 16) {
            self.maxHeadBytes = maxHeadBytes
            self.maxInterim = maxInterim
        }
    }

    public enum Event: Sendable, Hashable {
        case head(HTTPHead)
        /// Body bytes at this range of the bytes just given.
        case body(Range<Int>)
        /// The message is complete.
        case end
    }

    private enum State: Sendable {
        case head
        case body
        /// A message without body bytes left: `end` is the next event.
        case ending
        /// After a 101 or a 2xx to CONNECT: the bytes are not HTTP any more.
        case left
    }

    public let kind: HTTPMessageKind
    public let limits: Limits
    /// For a response parser: the method of the request the next response answers (HEAD and
    /// CONNECT change its framing, RFC 9112 section 6.3 items 1 and 2). Set before each response.
    public var requestMethod = "GET"
    /// The current (or last) message's framing, known once its head is read.
    public private(set) var framing: HTTPFraming?
    /// What the framing rules had to say about the current message's head (e.g. Transfer-Encoding
    /// with Content-Length).
    public private(set) var framingNotes: [String] = []
    /// Bytes of the current (or last) message after its head, chunk framing included.
    public private(set) var wireBodyBytes = 0
    /// Messages completed so far.
    public private(set) var messages = 0
    /// Read as a passive observer reads a capture (Zeek's leniency), for `HTTPConversation`: a
    /// malformed field line is skipped and recorded in `headProblems` instead of failing the head;
    /// a request line without a target (`GET HTTP/1.1`) or with blanks inside its target is read
    /// as Zeek reads it; a request line of a known method and a target with no version (`GET /`)
    /// is an HTTP/0.9 request (RFC 1945 section 4.1), complete at its line end; and a start line
    /// that cannot begin a message fails at its line end rather than after a whole head. Off by
    /// default (`trace` reads its own server strictly).
    public var lenient = false
    /// What a lenient read of the current (or last) head had to overlook, in order.
    public private(set) var headProblems: [HTTPHeadProblem] = []
    /// The head that was read whole but whose body could not be framed (an invalid Content-Length,
    /// a request's Transfer-Encoding without chunked): set when `next` throws
    /// `badContentLength` or `badTransferEncoding`, nil otherwise.
    public private(set) var unframedHead: HTTPHead?

    private var state = State.head
    private var headBuffer: [UInt8] = []
    private var interim = 0
    private var leavesHTTP = false
    private var remaining = 0
    private var chunked = HTTPChunkedDecoder()
    /// The offset in `headBuffer` just past the start line's LF, once seen (lenient reading).
    private var startLineEnd = 0
    /// The status line began `http/` (lenient reading), now upper-cased in `headBuffer`.
    private var lowerCaseName = false

    public init(_ kind: HTTPMessageKind, limits: Limits = Limits()) {
        self.kind = kind
        self.limits = limits
    }

    /// Chunks of data in the current (or last) message's chunked body.
    public var chunkCount: Int { chunked.chunks }

    /// Between messages: nothing of a next message has arrived yet.
    public var isIdle: Bool {
        if case .head = state { return headBuffer.isEmpty }
        return false
    }

    /// The connection left HTTP (after a 101, or a 2xx to CONNECT).
    public var hasLeftHTTP: Bool {
        if case .left = state { return true }
        return false
    }

    /// The next event from `bytes` at `offset` on, moving `offset` past what it read; nil when the
    /// bytes are all read and more are needed. Call it until it returns nil.
    public mutating func next(_ bytes: UnsafeRawBufferPointer, at offset: inout Int) throws(HTTPParseError) -> Event? {
        switch state {
        case .left:
            offset = bytes.count
            return nil
        case .ending:
            endMessage()
            return .end
        case .head:
            while offset < bytes.count {
                if headBuffer.count >= 5 {
                    // Past the bytes `checkStart` looks at: up to the next LF at once (never past
                    // the byte that would take the head over its limit).
                    let stop = min(bytes.count, offset + max(1, limits.maxHeadBytes + 1 - headBuffer.count))
                    let lf = HTTPBytes.firstLF(bytes, from: offset, to: stop)
                    let end = lf.map { $0 + 1 } ?? stop
                    headBuffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[offset..<end]))
                    offset = end
                    if lf != nil, let head = try lineEnded() { return .head(head) }
                    if headBuffer.count > limits.maxHeadBytes { throw .headTooLarge(kind, limit: limits.maxHeadBytes) }
                    continue
                }
                let c = bytes.u8(offset)
                // A request may follow stray empty lines (RFC 9112 section 2.2).
                if kind == .request, headBuffer.isEmpty, c == 0x0D || c == 0x0A {
                    offset += 1
                    continue
                }
                headBuffer.append(c)
                offset += 1
                try checkStart(bytes, offset)
                if c == 0x0A, let head = try lineEnded() { return .head(head) }
                if headBuffer.count > limits.maxHeadBytes { throw .headTooLarge(kind, limit: limits.maxHeadBytes) }
            }
            return nil
        case .body:
            guard offset < bytes.count else { return nil }
            let start = offset
            defer { wireBodyBytes += offset - start }
            switch framing {
            case .contentLength?:
                let n = min(remaining, bytes.count - offset)
                offset += n
                remaining -= n
                if remaining == 0 { state = .ending }
                return .body(start..<offset)
            case .chunked?:
                let range: Range<Int>?
                do { range = try chunked.next(bytes, at: &offset) } catch { throw .badChunk(error.reason) }
                if chunked.isComplete { state = .ending }
                if let range { return .body(range) }
                return chunked.isComplete ? try next(bytes, at: &offset) : nil
            case .untilClose?:
                offset = bytes.count
                return .body(start..<offset)
            case .none?, nil:
                state = .ending
                return try next(bytes, at: &offset)
            }
        }
    }

    /// The connection closed: `end` when that ends the current message (a body that runs until the
    /// close, or one whose last bytes were read), nil otherwise (nothing pending, or a message cut).
    public mutating func finish() -> Event? {
        switch state {
        case .ending:
            endMessage()
            return .end
        case .body where framing == .untilClose:
            endMessage()
            return .end
        case .body, .head, .left:
            return nil
        }
    }

    /// A message is under way and not complete (its head started, its end not reached).
    public var isInMessage: Bool {
        switch state {
        case .head: !headBuffer.isEmpty || interim > 0
        case .body, .ending: true
        case .left: false
        }
    }

    /// Bytes of an unfinished head held now (start line and fields so far).
    public var bufferedHeadBytes: Int { headBuffer.count }

    /// The start line of the head being read, when its line end has arrived (nil otherwise): what
    /// can be said of a message whose head was cut (by a gap, or at the head limit).
    public func bufferedStartLine() -> HTTPStartLine? {
        headBuffer.withUnsafeBytes { p -> HTTPStartLine? in
            guard let lf = HTTPBytes.firstLF(p, from: 0, to: p.count) else { return nil }
            if let (line, _) = HTTPMessage.startLine(p, limit: lf + 1, targetLimit: .max) { return line }
            guard kind == .request else { return nil }
            var end = lf
            if end > 0 && p.u8(end - 1) == 0x0D { end -= 1 }
            guard let r = HTTPMessage.lenientRequestLine(p, end: end) else { return nil }
            return .request(method: r.method, target: r.target, version: r.version ?? "HTTP/0.9")
        }
    }

    /// Starts over at a message boundary, as a fresh parser would, keeping its buffers' storage:
    /// after a thrown error (the bytes from here on are taken as the start of a message), or to
    /// drop a head cut by a gap. Leaves the left-HTTP state too.
    public mutating func reset() {
        state = .head
        if headBuffer.capacity > Self.keptHeadCapacity {
            headBuffer = []
        } else {
            headBuffer.removeAll(keepingCapacity: true)
        }
        interim = 0
        leavesHTTP = false
        remaining = 0
        framing = nil
        startLineEnd = 0
        lowerCaseName = false
        unframedHead = nil
        if !headProblems.isEmpty { headProblems = [] }
    }

    /// Steps over `count` bytes that never arrived (a gap in the TCP stream) inside the current
    /// body, as Zeek does: within a Content-Length body, within the data of the current chunk,
    /// or anywhere in a body that runs until the close. Returns how many of them the body took
    /// (0 when not in a body, or between chunks); when fewer than `count`, the rest lies past the
    /// body's end (or past the chunk, where the framing is lost). Moves to the message's end when
    /// the body is done: `next` then returns `.end`.
    public mutating func skipBody(_ count: Int) -> Int {
        guard case .body = state, count > 0 else { return 0 }
        let taken: Int
        switch framing {
        case .contentLength?:
            taken = min(count, remaining)
            remaining -= taken
            if remaining == 0 { state = .ending }
        case .chunked?:
            taken = chunked.skipData(count)
        case .untilClose?:
            taken = count
        case .none?, nil:
            taken = 0
        }
        wireBodyBytes += taken
        return taken
    }

    /// A head buffer grown past this (a large head) is released after the head, not kept.
    static let keptHeadCapacity = 16 << 10

    private mutating func endMessage() {
        messages += 1
        interim = 0
        state = leavesHTTP ? .left : .head
    }

    /// The head buffer just took an LF: the head when that ended it (or, lenient, ended a start line
    /// that is a head of its own), else nil.
    private mutating func lineEnded() throws(HTTPParseError) -> HTTPHead? {
        if lenient && startLineEnd == 0 {
            startLineEnd = headBuffer.count
            if let head = try lenientStartLine() { return head }
        }
        return headEnded() ? try headComplete() : nil
    }

    /// The first bytes must start a message: `HTTP/` for a response, a method token for a request.
    private func checkStart(_ bytes: UnsafeRawBufferPointer, _ offset: Int) throws(HTTPParseError) {
        let n = headBuffer.count
        let ok: Bool
        switch kind {
        case .response:
            guard n <= 5 else { return }
            let http: StaticString = "HTTP/"
            let want = http.utf8Start[n - 1]
            // Lenient: `http/1.1` as some servers send it (the name is case-sensitive, RFC 9112 2.3).
            ok = headBuffer[n - 1] == want || (lenient && n <= 4 && headBuffer[n - 1] | 0x20 == want | 0x20)
        case .request:
            guard n == 1 else { return }
            ok = HTTPMessage.isTokenChar(headBuffer[0])
        }
        if !ok {
            let seen = headBuffer + bytes[offset..<min(bytes.count, offset + 16)]
            throw .notHTTP(kind, began: Self.printable(seen.prefix(16)))
        }
    }

    /// The head buffer ends with an empty line (LF LF, or LF CR LF).
    private func headEnded() -> Bool {
        let n = headBuffer.count
        guard n >= 2 else { return false }
        if headBuffer[n - 2] == 0x0A { return true }
        return n >= 3 && headBuffer[n - 2] == 0x0D && headBuffer[n - 3] == 0x0A
    }

    /// Parses the buffered head, sets the framing of a final one.
    private mutating func headComplete() throws(HTTPParseError) -> HTTPHead {
        defer {
            if headBuffer.capacity > Self.keptHeadCapacity {
                headBuffer = []
            } else {
                headBuffer.removeAll(keepingCapacity: true)
            }
            startLineEnd = 0
        }
        if !headProblems.isEmpty { headProblems = [] }
        unframedHead = nil
        let lenient = self.lenient
        var problems: [HTTPHeadProblem] = []
        if lowerCaseName {
            lowerCaseName = false
            problems.append(
                HTTPHeadProblem(
                    line: 1, offset: 0,
                    text: "the version is in lower case (HTTP-name is case-sensitive, RFC 9112 section 2.3)"))
        }
        let parsed: Result<HTTPHead, HTTPParseError> = headBuffer.withUnsafeBytes { p in
            var start = HTTPMessage.startLine(p, limit: p.count, targetLimit: .max)
            if start == nil, lenient, kind == .request, let lf = HTTPBytes.firstLF(p, from: 0, to: p.count) {
                var end = lf
                if end > 0 && p.u8(end - 1) == 0x0D { end -= 1 }
                if let r = HTTPMessage.lenientRequestLine(p, end: end), let version = r.version {
                    start = (.request(method: r.method, target: r.target, version: version), lf + 1)
                    if let why = r.problem { problems.append(HTTPHeadProblem(line: 1, offset: 0, text: why)) }
                }
            }
            guard let (line, next) = start else {
                return .failure(badStartLine(Self.line(p, at: 0)))
            }
            var fields = HTTPHeaders.parse(p, from: next, maxBytes: .max, maxFields: .max)
            while lenient, case .malformed(let at) = fields.end {
                // Skip the line (Zeek logs a weird and reads on) and go on after it.
                problems.append(
                    HTTPHeadProblem(
                        line: Self.lineNumber(p, at: at), offset: at,
                        text: HTTPParseError.badHeader(Self.line(p, at: at)).description))
                guard let lf = HTTPBytes.firstLF(p, from: at, to: p.count) else { break }
                let more = HTTPHeaders.parse(p, from: lf + 1, maxBytes: .max, maxFields: .max)
                fields.fields += more.fields
                fields.end = more.end
            }
            switch fields.end {
            case .complete: break
            case .malformed(let at): return .failure(.badHeader(Self.line(p, at: at)))
            case .incomplete, .tooLarge: return .failure(.headTooLarge(kind, limit: limits.maxHeadBytes))
            }
            switch (kind, line) {
            case (.request, .request(let method, let target, let version)):
                return .success(
                    .request(HTTPRequestHead(method: method, target: target, version: version, headers: fields.fields)))
            case (.response, .response(let version, let status, let reason)):
                return .success(
                    .response(
                        HTTPResponseHead(version: version, status: status, reason: reason, headers: fields.fields)))
            case (.request, .response), (.response, .request):
                return .failure(badStartLine(Self.line(p, at: 0)))
            }
        }
        if !problems.isEmpty { headProblems = problems }
        let head = try parsed.get()
        if case .response(let h) = head, h.isInterim {
            // An interim response: the final one follows on the same connection (RFC 9110 15.2).
            if interim >= limits.maxInterim { throw .tooManyInterim(limits.maxInterim) }
            interim += 1
            return head
        }
        let f: HTTPFraming
        let notes: [String]
        do {
            (f, notes) = try Self.framing(for: head, requestMethod: requestMethod)
        } catch {
            unframedHead = head
            throw error
        }
        framing = f
        framingNotes = notes
        wireBodyBytes = 0
        chunked = HTTPChunkedDecoder()
        leavesHTTP = false
        if case .response(let h) = head {
            leavesHTTP = h.status == 101 || (requestMethod == "CONNECT" && (200..<300).contains(h.status))
        }
        if case .contentLength(let n) = f { remaining = n }
        state = f == .none ? .ending : .body
        return head
    }

    /// Lenient reading at the start line's end: an HTTP/0.9 request is complete here (no fields,
    /// no body: RFC 1945 section 4.1); a line that cannot start a message fails here.
    private mutating func lenientStartLine() throws(HTTPParseError) -> HTTPHead? {
        if kind == .response, headBuffer.count >= 5, !headBuffer.starts(with: "HTTP/".utf8) {
            // `http/1.1 200 OK`: read as `HTTP/1.1`, noted at the head's end.
            for i in 0..<4 { headBuffer[i] &= ~0x20 }
            lowerCaseName = true
        }
        let outcome: Result<HTTPHead?, HTTPParseError> = headBuffer.withUnsafeBytes { p in
            var end = p.count - 1
            if end > 0 && p.u8(end - 1) == 0x0D { end -= 1 }
            if let (line, _) = HTTPMessage.startLine(p, limit: p.count, targetLimit: 0) {
                switch (kind, line) {
                case (.request, .request), (.response, .response): return .success(nil)
                case (.request, .response), (.response, .request): return .failure(badStartLine(Self.line(p, at: 0)))
                }
            }
            guard kind == .request, let r = HTTPMessage.lenientRequestLine(p, end: end) else {
                return .failure(badStartLine(Self.line(p, at: 0)))
            }
            guard r.version == nil else { return .success(nil) }  // read at the head's end
            guard HTTPMessage.isKnownMethod(r.method) else { return .failure(badStartLine(Self.line(p, at: 0))) }
            return .success(.request(HTTPRequestHead(method: r.method, target: r.target, version: "HTTP/0.9")))
        }
        guard let head = try outcome.get() else { return nil }
        headBuffer.removeAll(keepingCapacity: true)
        startLineEnd = 0
        if !headProblems.isEmpty { headProblems = [] }
        framing = HTTPFraming.none
        framingNotes = []
        wireBodyBytes = 0
        leavesHTTP = false
        state = .ending
        return head
    }

    /// The line number (1 = the start line) of the line at `offset`.
    static func lineNumber(_ p: UnsafeRawBufferPointer, at offset: Int) -> Int {
        var n = 1
        for i in 0..<min(offset, p.count) where p.u8(i) == 0x0A { n += 1 }
        return n
    }

    private func badStartLine(_ text: String) -> HTTPParseError {
        kind == .response ? .badStatusLine(text) : .badRequestLine(text)
    }

    /// The line at `at` without its line end, as text (for error messages).
    static func line(_ p: UnsafeRawBufferPointer, at: Int) -> String {
        var end = HTTPBytes.firstLF(p, from: at, to: p.count) ?? p.count
        if end > at && p.u8(end - 1) == 0x0D { end -= 1 }
        return HTTPBytes.string(p, at, end)
    }

    /// The body length rules of RFC 9112 section 6.3, with notes on what was overridden. An invalid
    /// or conflicting Content-Length with no Transfer-Encoding is an error, as is a request whose
    /// Transfer-Encoding does not end in chunked.
    static func framing(for head: HTTPHead, requestMethod: String) throws(HTTPParseError) -> (HTTPFraming, [String]) {
        var what = HTTPMessageKind.request
        if case .response(let h) = head {
            if (100..<200).contains(h.status) || h.status == 204 || h.status == 304 || requestMethod == "HEAD" {
                return (.none, [])
            }
            if requestMethod == "CONNECT" && (200..<300).contains(h.status) { return (.none, []) }
            what = .response
        }
        let fields = head.headers
        let lengths = fields.filter { HTTPHeaders.sameName($0.name, "Content-Length") }.map(\.value)
        let codings = fields.filter { HTTPHeaders.sameName($0.name, "Transfer-Encoding") }
            .flatMap { $0.value.split(separator: ",") }
            .map { HTTPBytes.trimmed(String($0)).lowercased() }
            .filter { !$0.isEmpty }
        if !codings.isEmpty {
            var notes: [String] = []
            let list = codings.joined(separator: ", ")
            if !lengths.isEmpty {
                notes.append(
                    "both Transfer-Encoding (\(list)) and Content-Length (\(lengths.joined(separator: ", "))) were sent: "
                        + "Transfer-Encoding overrides Content-Length (RFC 9112 section 6.3), but such a \(what.rawValue) is a request-smuggling"
                        + (what == .response ? " / response-splitting risk" : " risk"))
            }
            if codings.last == "chunked" { return (.chunked, notes) }
            guard what == .response else { throw .badTransferEncoding(list) }
            notes.append(
                "Transfer-Encoding \(list) does not end in chunked: the body ends when the connection does (RFC 9112 section 6.3)"
            )
            return (.untilClose, notes)
        }
        var value: Int?
        for field in lengths {
            for part in field.split(separator: ",", omittingEmptySubsequences: false) {
                let text = HTTPBytes.trimmed(String(part))
                guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                    throw .badContentLength(what, "\"\(text)\" is not a non-negative decimal number")
                }
                guard let n = Int(text) else { throw .badContentLength(what, "\(text) is too large") }
                if let v = value, v != n { throw .badContentLength(what, "conflicting values \(v) and \(n)") }
                value = n
            }
        }
        guard let n = value else { return (what == .response ? .untilClose : .none, []) }
        return (n == 0 ? .none : .contentLength(n), [])
    }

    /// Up to 16 bytes for a message: printable ASCII as it is, anything else as \xNN.
    public static func printable(_ bytes: some Collection<UInt8>) -> String {
        var s = ""
        let hex: StaticString = "0123456789abcdef"
        for b in bytes.prefix(16) {
            if b >= 0x20 && b < 0x7F && b != UInt8(ascii: "'") && b != UInt8(ascii: "\\") {
                s.unicodeScalars.append(Unicode.Scalar(b))
            } else {
                s += "\\x"
                s.unicodeScalars.append(Unicode.Scalar(hex.utf8Start[Int(b >> 4)]))
                s.unicodeScalars.append(Unicode.Scalar(hex.utf8Start[Int(b & 0xF)]))
            }
        }
        return s
    }
}
