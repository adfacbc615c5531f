// HTTP/1.x message heads (RFC 9112): the start line and the header field block, read from the
// bytes of one TCP segment. Bounded: nothing past `maxStartLineLength` or `HTTPHeaders.maxBytes`
// is looked at, and an incomplete line is "not yet", never a guess.

/// The first line of an HTTP/1.x message (RFC 9112 sections 3 and 4).
public enum HTTPStartLine: Sendable, Hashable, CustomStringConvertible {
    /// `method SP request-target SP HTTP-version` (RFC 9112 section 3).
    case request(method: String, target: String, version: String)
    /// `HTTP-version SP status-code SP [ reason-phrase ]` (RFC 9112 section 4).
    case response(version: String, status: Int, reason: String)

    /// The line as it was sent, without its line end: `GET /gzip HTTP/1.1`, `HTTP/1.1 200 OK`.
    public var description: String {
        switch self {
        case .request(let method, let target, let version): "\(method) \(target) \(version)"
        case .response(let version, let status, let reason):
            reason.isEmpty ? "\(version) \(status)" : "\(version) \(status) \(reason)"
        }
    }
}

/// Recognising and reading the head of an HTTP/1.x message.
public enum HTTPMessage {
    /// Longest start line looked for; a line not ended within it is not parsed.
    public static let maxStartLineLength = 8192
    /// Request targets longer than this many bytes are cut for display and end in `...`.
    public static let maxTargetLength = 1024

    /// A cheap first look for the per-packet hot path, with no allocation: does the payload begin
    /// with a known method and a space (RFC 9110 section 9, WebDAV's RFC 4918) or with `HTTP/1.`?
    public static func looksLikeHTTP(_ payload: UnsafeRawBufferPointer) -> Bool {
        guard payload.count >= 4 else { return false }
        @inline(__always) func has(_ prefix: StaticString) -> Bool { HTTPBytes.hasPrefix(payload, prefix) }
        switch payload.u8(0) {
        case UInt8(ascii: "G"): return has("GET ")
        case UInt8(ascii: "P"):
            return has("POST ") || has("PUT ") || has("PATCH ") || has("PROPFIND ") || has("PROPPATCH ")
        case UInt8(ascii: "H"): return has("HTTP/1.") || has("HEAD ")
        case UInt8(ascii: "D"): return has("DELETE ")
        case UInt8(ascii: "O"): return has("OPTIONS ")
        case UInt8(ascii: "C"): return has("CONNECT ") || has("COPY ")
        case UInt8(ascii: "T"): return has("TRACE ")
        case UInt8(ascii: "M"): return has("MKCOL ") || has("MOVE ")
        case UInt8(ascii: "L"): return has("LOCK ")
        case UInt8(ascii: "U"): return has("UNLOCK ")
        case UInt8(ascii: "S"): return has("SEARCH ")
        case UInt8(ascii: "R"): return has("REPORT ")
        default: return false
        }
    }

    /// Parses the start line, which must end (CRLF, or a bare LF as RFC 9112 section 2.2 allows)
    /// within the captured bytes and `maxStartLineLength`. Nil when the line is incomplete or is
    /// not an HTTP/1.x request or status line. Any token is accepted as a method; words may be
    /// separated by runs of spaces or tabs (RFC 9112 section 3's lenient reading).
    public static func parseStartLine(_ payload: UnsafeRawBufferPointer) -> HTTPStartLine? {
        startLine(payload)?.line
    }

    /// The start line and the header block after it; nil when the start line is not complete.
    /// The headers say themselves whether they were complete (`HTTPHeaders.end`).
    public static func parseHead(_ payload: UnsafeRawBufferPointer) -> (startLine: HTTPStartLine, headers: HTTPHeaders)?
    {
        guard let (line, next) = startLine(payload) else { return nil }
        return (line, HTTPHeaders.parse(payload, from: next))
    }

    /// The start line and the offset just past its LF. The line must end within `limit` bytes;
    /// a request target longer than `targetLimit` is cut for display (`...`).
    static func startLine(
        _ p: UnsafeRawBufferPointer, limit: Int = maxStartLineLength, targetLimit: Int = maxTargetLength
    ) -> (line: HTTPStartLine, next: Int)? {
        guard let lf = HTTPBytes.firstLF(p, from: 0, to: min(p.count, limit)) else { return nil }
        var end = lf
        if end > 0 && p.u8(end - 1) == UInt8(ascii: "\r") { end -= 1 }
        let line = HTTPBytes.hasPrefix(p, "HTTP/") ? statusLine(p, end) : requestLine(p, end, targetLimit)
        guard let line else { return nil }
        return (line, lf + 1)
    }

    /// `method SP target SP version`.
    private static func requestLine(_ p: UnsafeRawBufferPointer, _ end: Int, _ targetLimit: Int) -> HTTPStartLine? {
        var i = 0
        while i < end && isTokenChar(p.u8(i)) { i += 1 }
        let methodEnd = i
        guard methodEnd > 0, i < end, isBlank(p.u8(i)) else { return nil }
        while i < end && isBlank(p.u8(i)) { i += 1 }
        let targetStart = i
        while i < end && !isBlank(p.u8(i)) {
            let c = p.u8(i)
            guard c > 0x20 && c != 0x7F else { return nil }
            i += 1
        }
        let targetEnd = i
        guard targetEnd > targetStart, i < end else { return nil }
        while i < end && isBlank(p.u8(i)) { i += 1 }
        let versionStart = i
        guard isVersion(p, at: versionStart, end: end) else { return nil }
        i = versionStart + 8
        while i < end && isBlank(p.u8(i)) { i += 1 }
        guard i == end else { return nil }

        let shown = min(targetEnd - targetStart, targetLimit)
        var target = HTTPBytes.string(p, targetStart, targetStart + shown)
        if shown < targetEnd - targetStart { target += "..." }
        return .request(
            method: HTTPBytes.string(p, 0, methodEnd), target: target,
            version: HTTPBytes.string(p, versionStart, versionStart + 8))
    }

    /// `version SP 3DIGIT SP reason`; a missing reason (with or without its space) is accepted.
    private static func statusLine(_ p: UnsafeRawBufferPointer, _ end: Int) -> HTTPStartLine? {
        guard isVersion(p, at: 0, end: end), end > 8, isBlank(p.u8(8)) else { return nil }
        var i = 8
        while i < end && isBlank(p.u8(i)) { i += 1 }
        guard i + 3 <= end else { return nil }
        var status = 0
        for k in 0..<3 {
            let c = p.u8(i + k)
            guard c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") else { return nil }
            status = status * 10 + Int(c - UInt8(ascii: "0"))
        }
        guard status >= 100 else { return nil }
        i += 3
        guard i == end || isBlank(p.u8(i)) else { return nil }
        while i < end && isBlank(p.u8(i)) { i += 1 }
        let reasonStart = i
        for k in reasonStart..<end {
            let c = p.u8(k)
            guard c >= 0x20 || c == 0x09, c != 0x7F else { return nil }
        }
        var reasonEnd = end
        while reasonEnd > reasonStart && isBlank(p.u8(reasonEnd - 1)) { reasonEnd -= 1 }
        return .response(
            version: HTTPBytes.string(p, 0, 8), status: status, reason: HTTPBytes.string(p, reasonStart, reasonEnd))
    }

    /// `HTTP/` DIGIT `.` DIGIT (RFC 9112 section 2.3), 8 bytes.
    static func isVersion(_ p: UnsafeRawBufferPointer, at i: Int, end: Int, anyCase: Bool = false) -> Bool {
        guard i + 8 <= end else { return false }
        let name: StaticString = "HTTP/"
        for k in 0..<5 where p.u8(i + k) != name.utf8Start[k] {
            guard anyCase, k < 4, p.u8(i + k) | 0x20 == name.utf8Start[k] | 0x20 else { return false }
        }
        return isDigit(p.u8(i + 5)) && p.u8(i + 6) == UInt8(ascii: ".") && isDigit(p.u8(i + 7))
    }

    /// The methods a resynchronising reader takes as the start of a request (RFC 9110 section 9,
    /// WebDAV's RFC 4918 and RFC 3253, and HTTP/2's connection preface `PRI`): the same list as
    /// `looksLikeHTTP`.
    public static let knownMethods: [StaticString] = [
        "GET", "POST", "PUT", "PATCH", "PROPFIND", "PROPPATCH", "HEAD", "DELETE", "OPTIONS", "CONNECT", "COPY",
        "TRACE", "MKCOL", "MOVE", "LOCK", "UNLOCK", "SEARCH", "REPORT", "PRI",
    ]

    /// Whether `method` is one of `knownMethods`.
    public static func isKnownMethod(_ method: String) -> Bool {
        knownMethods.contains { m in
            m.withUTF8Buffer { b in b.count == method.utf8.count && zip(b, method.utf8).allSatisfy { $0 == $1 } }
        }
    }

    /// A request line read as Zeek reads one (`GET /a b HTTP/1.1`, `GET HTTP/1.1`, `GET /`): the
    /// method up to the first blank, the version when the line ends in one, the target whatever
    /// lies between (blanks included, possibly empty). `problem` says what a strict reading
    /// (RFC 9112 section 3) would reject. Nil when the line does not begin with a token and a
    /// blank, or has neither a version nor a target.
    static func lenientRequestLine(_ p: UnsafeRawBufferPointer, end: Int) -> (
        method: String, target: String, version: String?, problem: String?
    )? {
        var i = 0
        while i < end && isTokenChar(p.u8(i)) { i += 1 }
        let methodEnd = i
        guard methodEnd > 0, i < end, isBlank(p.u8(i)) else { return nil }
        while i < end && isBlank(p.u8(i)) { i += 1 }
        let s = i
        var e = end
        while e > s && isBlank(p.u8(e - 1)) { e -= 1 }
        let method = HTTPBytes.string(p, 0, methodEnd)
        if e - s >= 8 && isVersion(p, at: e - 8, end: e, anyCase: true) && (e - 8 == s || isBlank(p.u8(e - 9))) {
            var te = e - 8
            while te > s && isBlank(p.u8(te - 1)) { te -= 1 }
            var problem: String? = nil
            if !isVersion(p, at: e - 8, end: e) {
                problem = "the version is in lower case (HTTP-name is case-sensitive, RFC 9112 section 2.3)"
            } else if te == s {
                problem = "the request line has no target (URI)"
            } else if (s..<te).contains(where: { isBlank(p.u8($0)) }) {
                problem = "the request target contains blanks"
            } else if (s..<te).contains(where: { p.u8($0) < 0x20 || p.u8($0) == 0x7F }) {
                problem = "the request target contains control characters"
            }
            return (method, HTTPBytes.string(p, s, te), "HTTP/" + HTTPBytes.string(p, e - 3, e), problem)
        }
        guard e > s, !(s..<e).contains(where: { isBlank(p.u8($0)) || p.u8($0) < 0x20 }) else { return nil }
        return (method, HTTPBytes.string(p, s, e), nil, nil)
    }

    @inline(__always) static func isBlank(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 }
    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    /// tchar (RFC 9110 section 5.6.2): visible ASCII except delimiters.
    static func isTokenChar(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "A")...UInt8(ascii: "Z"):
            return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }
}

/// The header section of an HTTP/1.x message (RFC 9112 section 5): field lines up to the blank
/// line, kept in order with their original case. Bounded by `maxBytes` and `maxFields`.
public struct HTTPHeaders: Sendable, Hashable {
    public struct Field: Sendable, Hashable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// How the header block ended.
    public enum End: Sendable, Hashable {
        /// The blank line was seen; the body (if any) starts at `bodyOffset` in the payload.
        case complete(bodyOffset: Int)
        /// The bytes ran out before the blank line (the rest is in later segments, or not captured).
        case incomplete
        /// A line that is not a field line, at this payload offset (RFC 9112 section 5.1:
        /// no whitespace is allowed between the name and the colon).
        case malformed(offset: Int)
        /// More than `maxBytes` or `maxFields` without reaching the blank line.
        case tooLarge
    }

    public static let maxBytes = 64 * 1024
    public static let maxFields = 128

    public var fields: [Field] = []
    public var end = End.incomplete

    public init(fields: [Field] = [], end: End = .incomplete) {
        self.fields = fields
        self.end = end
    }

    /// The first value of a field, by name without regard to ASCII case (RFC 9110 section 5.1).
    public subscript(name: String) -> String? {
        fields.first { HTTPHeaders.sameName($0.name, name) }?.value
    }

    /// Every value of a field, in order.
    public func values(_ name: String) -> [String] {
        fields.filter { HTTPHeaders.sameName($0.name, name) }.map(\.value)
    }

    /// Reads field lines starting at `offset` (just past the start line). Fields before a problem
    /// are kept; `end` says what stopped the reading. An obsolete folded line (starting with a
    /// space or tab) is joined to the previous value with one space (RFC 9112 section 5.2).
    /// `maxBytes` and `maxFields` bound the reading (`End.tooLarge`).
    public static func parse(
        _ p: UnsafeRawBufferPointer, from offset: Int, maxBytes: Int = HTTPHeaders.maxBytes,
        maxFields: Int = HTTPHeaders.maxFields
    ) -> HTTPHeaders {
        var h = HTTPHeaders()
        guard offset >= 0 && offset <= p.count else { return h }
        let limit = maxBytes >= p.count - offset ? p.count : offset + maxBytes
        var i = offset
        while i <= limit {
            guard let lf = HTTPBytes.firstLF(p, from: i, to: limit) else {
                h.end = limit < p.count ? .tooLarge : .incomplete
                return h
            }
            var lineEnd = lf
            if lineEnd > i && p.u8(lineEnd - 1) == UInt8(ascii: "\r") { lineEnd -= 1 }
            if lineEnd == i {
                h.end = .complete(bodyOffset: lf + 1)
                return h
            }
            if HTTPMessage.isBlank(p.u8(i)) {
                guard !h.fields.isEmpty else {
                    h.end = .malformed(offset: i)
                    return h
                }
                let (s, e) = trimmed(p, i, lineEnd)
                if e > s { h.fields[h.fields.count - 1].value += " " + HTTPBytes.string(p, s, e) }
            } else {
                var colon = i
                while colon < lineEnd && HTTPMessage.isTokenChar(p.u8(colon)) { colon += 1 }
                guard colon > i, colon < lineEnd, p.u8(colon) == UInt8(ascii: ":") else {
                    h.end = .malformed(offset: i)
                    return h
                }
                guard h.fields.count < maxFields else {
                    h.end = .tooLarge
                    return h
                }
                let (s, e) = trimmed(p, colon + 1, lineEnd)
                h.fields.append(Field(name: HTTPBytes.string(p, i, colon), value: HTTPBytes.string(p, s, e)))
            }
            i = lf + 1
        }
        h.end = .incomplete
        return h
    }

    private static func trimmed(_ p: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> (Int, Int) {
        var s = start
        var e = end
        while s < e && HTTPMessage.isBlank(p.u8(s)) { s += 1 }
        while e > s && HTTPMessage.isBlank(p.u8(e - 1)) { e -= 1 }
        return (s, e)
    }

    static func sameName(_ a: String, _ b: String) -> Bool {
        a.utf8.count == b.utf8.count
            && zip(a.utf8, b.utf8).allSatisfy { x, y in
                x == y || (x | 0x20 == y | 0x20 && (x | 0x20) >= UInt8(ascii: "a") && (x | 0x20) <= UInt8(ascii: "z"))
            }
    }
}

/// Byte scanning for the HTTP files, over a payload where it lies.
enum HTTPBytes {
    /// Whether the bytes start with `prefix` (ASCII), by byte compares.
    @inline(__always)
    static func hasPrefix(_ p: UnsafeRawBufferPointer, _ prefix: StaticString) -> Bool {
        let n = prefix.utf8CodeUnitCount
        guard p.count >= n else { return false }
        let q = prefix.utf8Start
        for i in 0..<n where p.u8(i) != q[i] { return false }
        return true
    }

    /// The offset of the first LF in `from..<to`.
    static func firstLF(_ p: UnsafeRawBufferPointer, from: Int, to: Int) -> Int? {
        var i = from
        while i < to {
            if p.u8(i) == 0x0A { return i }
            i += 1
        }
        return nil
    }

    /// The bytes as a String (UTF-8, invalid bytes repaired; obs-text is usually Latin-1).
    static func string(_ p: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: p[start..<end]), as: UTF8.self)
    }

    /// The text without spaces, tabs, CRs and LFs at either end.
    static func trimmed(_ s: String) -> String {
        let u = s.utf8
        func blank(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A }
        guard let first = u.firstIndex(where: { !blank($0) }), let last = u.lastIndex(where: { !blank($0) }) else {
            return ""
        }
        return String(s[first...last])
    }
}
