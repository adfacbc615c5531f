/// One response as a client reads it, over `HTTPParser`: fed the bytes from the socket, it keeps
/// the final head, the interim (1xx) heads before it, and the body's first `keepLimit` bytes. The
/// body is counted in full but only that much is kept, so an endless body costs time, never memory.
/// `trace`'s exchange reads its responses with it. Bytes after the response are not read.
public struct HTTPResponseParser: Sendable {
    public typealias Framing = HTTPFraming
    public typealias ParseError = HTTPParseError

    /// Body bytes kept by default (for trace's step g): 4 MiB.
    public static let defaultKeepLimit = 4 << 20
    /// The most interim (1xx) responses accepted before the final one.
    public static let maxInterim = HTTPParser.Limits().maxInterim

    private var parser: HTTPParser
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
    public private(set) var isComplete = false

    /// `requestMethod`: the method of the request this answers (a response to HEAD has no body).
    public init(keepLimit: Int = HTTPResponseParser.defaultKeepLimit, requestMethod: String = "GET") {
        self.keepLimit = max(0, keepLimit)
        parser = HTTPParser(.response)
        parser.requestMethod = requestMethod
    }

    public var isHeadComplete: Bool { head != nil }
    /// More body arrived than was kept.
    public var bodyTruncated: Bool { bodyBytes > body.count }
    /// Bytes of the message on the wire after the head (chunk framing included).
    public var wireBodyBytes: Int { head == nil ? 0 : parser.wireBodyBytes }
    public var chunkCount: Int { head == nil ? 0 : parser.chunkCount }

    /// The connection may carry another request after this complete response (RFC 9112 section
    /// 9.3): HTTP/1.1 unless `Connection: close`, HTTP/1.0 only with `Connection: keep-alive`, and a
    /// body whose end is not the connection's.
    public var isPersistent: Bool {
        guard isComplete, let h = head, framing != .untilClose, h.status != 101 else { return false }
        let tokens = (h.header("Connection") ?? "").lowercased().split(separator: ",").map {
            HTTPBytes.trimmed(String($0))
        }
        if tokens.contains("close") { return false }
        if h.version == "HTTP/1.1" { return true }
        return h.version == "HTTP/1.0" && tokens.contains("keep-alive")
    }

    /// Feeds bytes; check `head` / `isComplete` after.
    public mutating func feed(_ bytes: some Collection<UInt8>) throws(ParseError) {
        guard !isComplete else { return }
        let failure: ParseError?? = bytes.withContiguousStorageIfAvailable { buffer in
            feedRaw(UnsafeRawBufferPointer(buffer))
        }
        let problem: ParseError?
        if let failure {
            problem = failure
        } else {
            problem = Array(bytes).withUnsafeBytes { feedRaw($0) }
        }
        if let problem { throw problem }
    }

    private mutating func feedRaw(_ raw: UnsafeRawBufferPointer) -> ParseError? {
        var offset = 0
        do {
            while !isComplete, let event = try parser.next(raw, at: &offset) {
                take(event, raw)
            }
            return nil
        } catch {
            return error
        }
    }

    private mutating func take(_ event: HTTPParser.Event, _ raw: UnsafeRawBufferPointer) {
        switch event {
        case .head(.response(let h)):
            if h.isInterim {
                interim.append(h)
            } else {
                head = h
                framing = parser.framing
                framingNotes = parser.framingNotes
            }
        case .head(.request):
            break  // a response parser reads responses only
        case .body(let range):
            let room = keepLimit - body.count
            if room > 0 { body.append(contentsOf: raw[range].prefix(room)) }
            bodyBytes += range.count
        case .end:
            isComplete = true
        }
    }

    /// The connection ended: completes an until-close body, else reports whether the body was cut.
    public mutating func connectionClosed() -> Bool {
        if !isComplete, case .end? = parser.finish() { isComplete = true }
        return isComplete
    }
}
