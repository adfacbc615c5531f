import WiretaleCore

/// A URL as the trace's step a reads it: the RFC 3986 subset a browser needs to fetch a page over
/// HTTP/1.1 (section 3: scheme "://" authority path ["?" query] ["#" fragment]).
public struct TraceURL: Sendable, Equatable, CustomStringConvertible {
    public enum Scheme: String, Sendable {
        case http, https
        public var defaultPort: Int { self == .http ? 80 : 443 }
    }

    public enum HostKind: String, Sendable {
        case name, ipv4, ipv6
    }

    public var scheme: Scheme
    /// True when the text had no scheme and http was assumed (as browsers and curl do).
    public var schemeAssumed: Bool
    /// The host as sent on the wire: lower case, IDN labels in punycode ("xn--..."), no brackets.
    public var host: String
    /// The host as the user wrote it (Unicode kept), for display.
    public var originalHost: String
    public var hostKind: HostKind
    public var port: Int
    public var portIsDefault: Bool { port == scheme.defaultPort }
    /// The path, percent-encoded where needed; "/" when the URL had none.
    public var path: String
    public var query: String?
    /// The fragment, which the browser keeps to itself: it is never sent.
    public var fragment: String?

    /// The host as it goes in the Host header and in URLs: IPv6 literals in brackets.
    public var hostForURL: String { hostKind == .ipv6 ? "[\(host)]" : host }

    /// "path?query": the request-target of the request line (RFC 9112 section 3.2, origin-form).
    public var requestTarget: String { query.map { "\(path)?\($0)" } ?? path }

    /// The Host header value: host, and the port when it is not the scheme's default.
    public var hostHeader: String { portIsDefault ? hostForURL : "\(hostForURL):\(port)" }

    public var description: String { "\(scheme.rawValue)://\(hostHeader)\(requestTarget)" }

    public var address: IPAddress? { hostKind == .name ? nil : IPAddress(host) }

    /// Parses `text`; throws a `URLParseError` that points at the offending character.
    public static func parse(_ text: String) throws(URLParseError) -> TraceURL {
        try URLParser(text).parse()
    }

    /// Resolves a Location header against this URL (RFC 3986 section 5.2, the common cases:
    /// absolute URLs, scheme-relative "//host/...", absolute paths, and relative paths).
    public func resolve(_ reference: String) throws(URLParseError) -> TraceURL {
        let ref = reference.trimmingASCIIWhitespace()
        if ref.hasPrefixCaseInsensitive("http://") || ref.hasPrefixCaseInsensitive("https://") {
            return try TraceURL.parse(ref)
        }
        // A reference that starts with a scheme is absolute (RFC 3986 sections 3.1 and 5.2.2):
        // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), then ":".
        if let colon = ref.firstIndex(of: ":"), let first = ref.first, first.isASCII, first.isLetter,
            ref[..<colon].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) })
        {
            let name = String(ref[..<colon])
            if ["http", "https"].contains(name.lowercased()) { return try TraceURL.parse(ref) }
            throw URLParseError(url: ref, offset: 0, reason: Bilingual(TraceSay.redirectLeavesHTTP, name))
        }
        if ref.hasPrefix("//") { return try TraceURL.parse("\(scheme.rawValue):\(ref)") }
        let base = "\(scheme.rawValue)://\(hostHeader)"
        if ref.hasPrefix("/") { return try TraceURL.parse(base + ref) }
        if ref.hasPrefix("?") { return try TraceURL.parse(base + path + ref) }
        var dir = path
        if let slash = dir.lastIndex(of: "/") { dir = String(dir[...slash]) }
        return try TraceURL.parse(base + dir + ref)
    }
}

/// A URL that cannot be fetched, with the character at fault.
public struct URLParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var url: String
    /// Offset in Characters of the offending character within `url`.
    public var offset: Int
    /// Why, in both languages.
    public var reasonText: Bilingual
    /// Why, in English.
    public var reason: String { reasonText.english }

    public init(url: String, offset: Int, reason: Bilingual) {
        self.url = url
        self.offset = offset
        self.reasonText = reason
    }

    /// The URL, a caret under the bad character, and the reason:
    /// ```
    /// htp://example.com/
    /// ^^^
    /// unsupported scheme "htp": wiretale fetches http and https
    /// ```
    public var description: String { text(.en) }

    /// The same three lines with the reason in `lang`.
    public func text(_ lang: NotesLanguage) -> String {
        let chars = Array(url)
        var col = 0
        for c in chars.prefix(offset) { col += TraceURL.displayWidth(c) }
        let width = offset < chars.count ? TraceURL.displayWidth(chars[offset]) : 1
        return
            "\(url)\n\(String(repeating: " ", count: col))\(String(repeating: "^", count: width))\n\(reasonText.text(lang))"
    }
}

extension TraceURL {
    /// Terminal columns of a character: 2 for East Asian wide and full-width forms, else 1.
    static func displayWidth(_ c: Character) -> Int {
        guard let v = c.unicodeScalars.first?.value else { return 1 }
        switch v {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
            0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
            0xFFE0...0xFFE6, 0x20000...0x3FFFD:
            return 2
        default:
            return 1
        }
    }
}

/// The parser behind `TraceURL.parse`: walks the text once, keeping Character offsets for errors.
struct URLParser {
    let text: String
    let chars: [Character]

    init(_ text: String) {
        self.text = text
        self.chars = Array(text)
    }

    func fail(_ at: Int, _ reason: Bilingual) -> URLParseError {
        URLParseError(url: text, offset: max(0, min(at, chars.count)), reason: reason)
    }

    func parse() throws(URLParseError) -> TraceURL {
        if chars.isEmpty { throw fail(0, Bilingual(TraceSay.urlEmpty)) }
        for (i, c) in chars.enumerated()
        where c.isWhitespace || c.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw fail(i, Bilingual(TraceSay.urlWhitespace))
        }
        var pos = 0
        // Scheme (RFC 3986 section 3.1): ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":".
        var scheme = TraceURL.Scheme.http
        var assumed = true
        if let sep = find("://", from: 0) {
            let name = String(chars[0..<sep])
            guard let first = name.first, first.isASCII, first.isLetter,
                name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) })
            else {
                throw fail(0, Bilingual(TraceSay.notAScheme, name))
            }
            guard let s = TraceURL.Scheme(rawValue: name.lowercased()) else {
                throw fail(0, Bilingual(TraceSay.unsupportedScheme, name))
            }
            scheme = s
            assumed = false
            pos = sep + 3
        } else if let colon = chars.firstIndex(of: ":"), colon > 0,
            chars[0..<colon].allSatisfy({ $0.isASCII && $0.isLetter }),
            colon + 1 >= chars.count || !chars[colon + 1].isNumber
        {
            // "mailto:x" or "http:/x": a scheme without "//".
            throw fail(colon, Bilingual(TraceSay.expectedSlashes, String(chars[0..<colon])))
        }
        // Authority (section 3.2): up to the first "/", "?" or "#".
        let authStart = pos
        var authEnd = pos
        while authEnd < chars.count, !"/?#".contains(chars[authEnd]) { authEnd += 1 }
        if authStart == authEnd { throw fail(authStart, Bilingual(TraceSay.noHost)) }
        if let at = (authStart..<authEnd).last(where: { chars[$0] == "@" }) {
            throw fail(authStart, Bilingual(TraceSay.credentials, String(chars[authStart...at])))
        }
        var hostEnd = authEnd
        var hostKind = TraceURL.HostKind.name
        var host: String
        var original: String
        if chars[authStart] == "[" {
            guard let close = (authStart..<authEnd).first(where: { chars[$0] == "]" }) else {
                throw fail(authStart, Bilingual(TraceSay.ipv6Unclosed))
            }
            let literal = String(chars[(authStart + 1)..<close])
            if let pct = literal.firstIndex(of: "%") {
                let off = authStart + 1 + literal.distance(from: literal.startIndex, to: pct)
                throw fail(off, Bilingual(TraceSay.ipv6Zone))
            }
            guard let addr = IPAddress(literal), addr.isIPv6 else {
                throw fail(authStart + 1, Bilingual(TraceSay.notIPv6, String(literal)))
            }
            host = addr.description
            original = literal
            hostKind = .ipv6
            hostEnd = close + 1
            if hostEnd < authEnd, chars[hostEnd] != ":" {
                throw fail(hostEnd, Bilingual(TraceSay.expectedPort))
            }
        } else {
            if let colon = (authStart..<authEnd).first(where: { chars[$0] == ":" }) { hostEnd = colon }
            if hostEnd == authStart { throw fail(authStart, Bilingual(TraceSay.noHost)) }
            original = String(chars[authStart..<hostEnd])
            (host, hostKind) = try parseHost(from: authStart, to: hostEnd)
        }
        // Port (section 3.2.3).
        var port = scheme.defaultPort
        if hostEnd < authEnd {  // chars[hostEnd] == ":"
            let digits = String(chars[(hostEnd + 1)..<authEnd])
            if digits.isEmpty {
                port = scheme.defaultPort
            } else {
                if let bad = digits.firstIndex(where: { !($0.isASCII && $0.isNumber) }) {
                    throw fail(
                        hostEnd + 1 + digits.distance(from: digits.startIndex, to: bad), Bilingual(TraceSay.portDigits))
                }
                guard let p = Int(digits.prefix(6)), digits.count <= 5, p >= 1, p <= 65535 else {
                    throw fail(hostEnd + 1, Bilingual(TraceSay.portRange, String(digits)))
                }
                port = p
            }
        }
        // Path, query, fragment (sections 3.3 to 3.5).
        pos = authEnd
        var pathEnd = pos
        while pathEnd < chars.count, !"?#".contains(chars[pathEnd]) { pathEnd += 1 }
        var path = try encodeComponent(from: pos, to: pathEnd, extra: "/:@")
        if path.isEmpty { path = "/" }
        pos = pathEnd
        var query: String?
        if pos < chars.count, chars[pos] == "?" {
            var qEnd = pos + 1
            while qEnd < chars.count, chars[qEnd] != "#" { qEnd += 1 }
            query = try encodeComponent(from: pos + 1, to: qEnd, extra: "/:@?")
            pos = qEnd
        }
        var fragment: String?
        if pos < chars.count, chars[pos] == "#" {
            fragment = String(chars[(pos + 1)...])
        }
        return TraceURL(
            scheme: scheme, schemeAssumed: assumed, host: host, originalHost: original, hostKind: hostKind,
            port: port, path: path, query: query, fragment: fragment)
    }

    /// A registered name or an IPv4 address (section 3.2.2); IDN labels become punycode.
    func parseHost(from start: Int, to end: Int) throws(URLParseError) -> (String, TraceURL.HostKind) {
        let raw = String(chars[start..<end])
        var name = raw
        if name.hasSuffix(".") { name.removeLast() }
        if !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }) {
            guard let a = IPAddress(name), !a.isIPv6 else {
                throw fail(start, Bilingual(TraceSay.notIPv4, String(raw)))
            }
            return (a.description, .ipv4)
        }
        var labels: [String] = []
        var offset = start
        for label in name.split(separator: ".", omittingEmptySubsequences: false) {
            if label.isEmpty { throw fail(offset, Bilingual(TraceSay.emptyLabel)) }
            for (k, c) in label.enumerated() {
                if c.isASCII {
                    guard c.isLetter || c.isNumber || c == "-" || c == "_" else {
                        throw fail(offset + k, Bilingual(TraceSay.badHostChar, String(c)))
                    }
                } else if !(c.isLetter || c.isNumber
                    || c.unicodeScalars.allSatisfy({
                        $0.properties.isAlphabetic || $0.properties.generalCategory == .nonspacingMark
                            || $0.properties.generalCategory == .spacingMark
                    }))
                {
                    throw fail(offset + k, Bilingual(TraceSay.badIDNChar, String(c)))
                }
            }
            if label.first == "-" || label.last == "-" {
                let at = label.first == "-" ? offset : offset + label.count - 1
                throw fail(at, Bilingual(TraceSay.labelHyphen))
            }
            guard let ascii = Punycode.toASCII(label: String(label)) else {
                throw fail(offset, Bilingual(TraceSay.noPunycode))
            }
            if ascii.utf8.count > 63 {
                throw fail(offset, Bilingual(TraceSay.labelTooLong, String(label), "\(ascii.utf8.count)"))
            }
            labels.append(ascii.lowercased())
            offset += label.count + 1
        }
        let host = labels.joined(separator: ".")
        if host.utf8.count > 253 {
            throw fail(start, Bilingual(TraceSay.hostTooLong, "\(host.utf8.count)"))
        }
        return (host, .name)
    }

    /// Copies a path or query, percent-encoding what must be encoded (non-ASCII as UTF-8, spaces
    /// were rejected above) and checking that every "%" starts a two-hex-digit escape.
    func encodeComponent(from start: Int, to end: Int, extra: String) throws(URLParseError) -> String {
        var out = ""
        var i = start
        while i < end {
            let c = chars[i]
            if c == "%" {
                guard i + 2 < end, chars[i + 1].isHexDigit, chars[i + 2].isHexDigit else {
                    throw fail(i, Bilingual(TraceSay.badPercent))
                }
                out.append(c)
                out.append(chars[i + 1])
                out.append(chars[i + 2])
                i += 3
                continue
            }
            if c.isASCII {
                if c.isLetter || c.isNumber || "-._~!$&'()*+,;=".contains(c) || extra.contains(c) {
                    out.append(c)
                } else {
                    for b in String(c).utf8 { out += percent(b) }
                }
            } else {
                for b in String(c).utf8 { out += percent(b) }
            }
            i += 1
        }
        return out
    }

    func percent(_ b: UInt8) -> String {
        let hex = Array("0123456789ABCDEF")
        return "%" + String(hex[Int(b >> 4)]) + String(hex[Int(b & 0xF)])
    }

    func find(_ needle: String, from: Int) -> Int? {
        let n = Array(needle)
        guard chars.count >= n.count else { return nil }
        var i = from
        while i + n.count <= chars.count {
            if chars[i] == "/" || chars[i] == "?" || chars[i] == "#" { return nil }
            if Array(chars[i..<(i + n.count)]) == n { return i }
            i += 1
        }
        return nil
    }
}

extension String {
    func trimmingASCIIWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\r" || f == "\n" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" || l == "\n" { s.removeLast() }
        return String(s)
    }

    func hasPrefixCaseInsensitive(_ prefix: String) -> Bool {
        lowercased().hasPrefix(prefix.lowercased())
    }
}
