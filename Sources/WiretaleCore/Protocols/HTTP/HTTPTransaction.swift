// What `HTTPConversation` reports: each message as it completes (`HTTPMessageSummary`, for `read`'s
// frame lines) and each request with its response (`HTTPTransaction`, one record as Zeek's
// http.log has one line, for `conversations`). Values only: the strings are per message, cut at
// `HTTPTransaction.maxURIBytes` / `maxFieldBytes`.

/// What a Content-Encoding body inflated to (gzip, x-gzip, deflate: RFC 9110 section 8.4.1).
public enum HTTPDecodedLength: Sendable, Hashable {
    /// The coded stream ended whole: the body decodes to this many bytes.
    case bytes(Int)
    /// Inflating stopped at the per-body limit (`HTTPInflater.defaultLimit`): more than this.
    case moreThan(Int)
    /// The body ended (or a gap broke it) before its coded stream did: this many bytes so far.
    case incomplete(Int)
    /// zlib rejected the data after this many bytes; the text is why.
    case corrupt(Int, String)
    /// No inflater was free (`HTTPBudget.maxInflaters`): not computed.
    case refused

    /// The decoded length when known exactly.
    public var exact: Int? {
        if case .bytes(let n) = self { return n }
        return nil
    }

    /// One word for JSON: `complete`, `more_than_limit`, `incomplete`, `corrupt`, `refused`.
    public var code: StaticString {
        switch self {
        case .bytes: "complete"
        case .moreThan: "more_than_limit"
        case .incomplete: "incomplete"
        case .corrupt: "corrupt"
        case .refused: "refused"
        }
    }
}

/// Something wrong found in a stream, with where: which message, the frame it was found on, the
/// byte offset in that direction's stream (bytes and gaps counted from its first byte), the line
/// of the head (1 = the start line) when it is in a head, and the parser's text.
public struct HTTPProblem: Sendable, Hashable {
    public enum Place: Sendable, Hashable {
        /// In the request (its head or its body).
        case request
        /// In the response.
        case response
        /// In bytes of the client's before this request that were not a request (skipped).
        case beforeRequest
        /// In bytes of the server's before this response that were not a response (skipped).
        case beforeResponse

        public var code: StaticString {
            switch self {
            case .request: "request"
            case .response: "response"
            case .beforeRequest: "before_request"
            case .beforeResponse: "before_response"
            }
        }
    }

    public var place: Place
    public var frame: Int
    public var offset: Int
    public var line: Int?
    public var text: String

    public init(place: Place, frame: Int, offset: Int, line: Int? = nil, text: String) {
        self.place = place
        self.frame = frame
        self.offset = offset
        self.line = line
        self.text = text
    }

    /// Whether the problem is in the message itself (not in bytes skipped before it).
    public var isInMessage: Bool { place == .request || place == .response }
}

/// One HTTP/1.x message as it completed (tshark shows it on the frame that completes it).
public struct HTTPMessageSummary: Sendable, Hashable {
    public var kind: HTTPMessageKind
    /// The frame that carried its first byte, and the one whose arrival completed it.
    public var firstFrame: Int
    public var lastFrame: Int
    /// A request's method, target (as sent), Host and User-Agent; its version.
    public var method: String?
    public var uri: String?
    public var host: String?
    public var userAgent: String?
    public var version: String?
    /// A response's status and reason (nil for an HTTP/0.9 reply); Content-Type of either.
    public var status: Int?
    public var reason: String?
    public var contentType: String?
    /// Body bytes after de-chunking (the content coding kept), gaps included.
    public var bodyLength = 0
    /// What a gzip/deflate body inflated to (nil: no such coding).
    public var decodedBodyLength: HTTPDecodedLength?
    /// Bytes of the body that never arrived (TCP gaps stepped over).
    public var gapBytes = 0
    /// An interim (1xx) response.
    public var isInterim = false
    /// HTTP/0.9: a request without a version, or a reply that is not a status line.
    public var http09 = false
    /// The first problem found in it (the parser's text), nil when it read cleanly.
    public var malformed: String?

    public var isMalformed: Bool { malformed != nil }

    public init(kind: HTTPMessageKind, firstFrame: Int, lastFrame: Int) {
        self.kind = kind
        self.firstFrame = firstFrame
        self.lastFrame = lastFrame
    }
}

/// One request and its response, as a line of Zeek's http.log: `HTTPConversation` makes one per
/// request, and one for each response with no request seen (`method` and `uri` nil).
public struct HTTPTransaction: Sendable, Hashable {
    /// What else is true of it.
    public struct Flags: OptionSet, Sendable, Hashable {
        public let rawValue: UInt16
        public init(rawValue: UInt16) { self.rawValue = rawValue }

        /// HTTP/0.9: the request had no version, or the reply was not a status line.
        public static let http09 = Flags(rawValue: 1 << 0)
        /// No response was seen to the request.
        public static let noResponse = Flags(rawValue: 1 << 1)
        /// No request was seen for the response.
        public static let noRequest = Flags(rawValue: 1 << 2)
        /// A 101 (Switching Protocols) answered it: the connection left HTTP (`leftTo`).
        public static let upgraded = Flags(rawValue: 1 << 3)
        /// A 2xx answered a CONNECT: the connection became a tunnel.
        public static let connect = Flags(rawValue: 1 << 4)
        /// The request was cut (by the end of the stream or a gap) before its end.
        public static let requestIncomplete = Flags(rawValue: 1 << 5)
        /// The response was cut before its end.
        public static let responseIncomplete = Flags(rawValue: 1 << 6)
        /// Given up on at the pending cap (`HTTPConversation.maxPending`) before its response came.
        public static let evictedAtCap = Flags(rawValue: 1 << 7)
    }

    /// Longest target kept (bytes); a longer one ends in `...`.
    public static let maxURIBytes = 8192
    /// Longest Host, User-Agent, reason or Content-Type kept.
    public static let maxFieldBytes = 1024
    /// Problems kept per transaction; more are counted in `moreProblems`.
    public static let maxProblems = 8

    /// Its place on the connection: 0 for the first request (or response without one), 1 next...
    public internal(set) var index: Int
    public internal(set) var method: String?
    public internal(set) var uri: String?
    public internal(set) var host: String?
    /// The request's version (`HTTP/1.1`, `HTTP/0.9`), and the response's.
    public internal(set) var version: String?
    public internal(set) var responseVersion: String?
    public internal(set) var userAgent: String?
    public internal(set) var requestContentType: String?
    public internal(set) var status: Int?
    public internal(set) var reason: String?
    /// The response's Content-Type.
    public internal(set) var contentType: String?
    /// Interim (1xx) statuses before the final response, in order (e.g. `[100]`).
    public internal(set) var interim: [Int] = []
    /// The frames that carried the request's first byte and completed it (nil: no request seen).
    public internal(set) var requestFirstFrame: Int?
    public internal(set) var requestFrame: Int?
    /// The same for the final response.
    public internal(set) var responseFirstFrame: Int?
    public internal(set) var responseFrame: Int?
    /// Body bytes on the wire after de-chunking, the content coding kept (gaps included).
    public internal(set) var requestBodyLength = 0
    public internal(set) var responseBodyLength = 0
    /// What a gzip/deflate body inflated to (nil: no such Content-Encoding).
    public internal(set) var requestDecodedLength: HTTPDecodedLength?
    public internal(set) var responseDecodedLength: HTTPDecodedLength?
    /// The Content-Encoding decoded (`gzip`, `deflate`), when one was.
    public internal(set) var requestCoding: String?
    public internal(set) var responseCoding: String?
    /// Body bytes that never arrived (TCP gaps stepped over), each way.
    public internal(set) var requestGapBytes = 0
    public internal(set) var responseGapBytes = 0
    /// The request's completing frame time to the final response's first frame time, in
    /// nanoseconds; nil when either is missing (negative when the server answered early).
    public internal(set) var latency: Int64?
    public internal(set) var problems: [HTTPProblem] = []
    public internal(set) var moreProblems = 0
    public internal(set) var flags: Flags = []
    /// What the connection became after it (`websocket`, `h2c`, `tunnel`), when it left HTTP.
    public internal(set) var leftTo: String?

    var requestEnd: Timestamp?
    var responseStart: Timestamp?

    init(index: Int) { self.index = index }

    /// A problem in the request or the response itself (not only bytes skipped before them).
    public var isMalformed: Bool { problems.contains { $0.isInMessage } }
    public var answered: Bool { responseFrame != nil }

    mutating func add(_ p: HTTPProblem) {
        if problems.count < Self.maxProblems { problems.append(p) } else { moreProblems += 1 }
    }

    /// `s` cut to `max` bytes of UTF-8 (ending in `...` when cut).
    static func cut(_ s: String?, _ max: Int) -> String? {
        guard let s, s.utf8.count > max else { return s }
        return String(decoding: s.utf8.prefix(max), as: UTF8.self) + "..."
    }
}
