/// What step g can honestly say about a page without a browser engine: its title, its charset, and
/// the sub-resources a browser would fetch next. A tolerant tag scanner (no DOM, no scripts run,
/// nothing is laid out or painted).
public struct PageSummary: Sendable, Equatable {
    public var title: String?
    /// The charset from `<meta charset>` or `<meta http-equiv=Content-Type content="...charset=">`.
    public var metaCharset: String?
    public var scripts: [String] = []
    public var stylesheets: [String] = []
    public var images: [String] = []
    public var links: [String] = []
    /// Other loads a browser would start: iframes, media, preloads, icons.
    public var other: [String] = []
    public var tagCount = 0

    public var subresourceCount: Int { scripts.count + stylesheets.count + images.count + other.count }
}

public enum HTMLScanner {
    /// Scans `html` once. Comments, `<script>` and `<style>` bodies are skipped so that text inside
    /// them is not taken for tags.
    public static func scan(_ html: [UInt8]) -> PageSummary {
        var s = PageSummary()
        let b = html
        var i = 0
        let n = b.count
        var titleStart: Int?
        while i < n {
            guard b[i] == UInt8(ascii: "<") else {
                i += 1
                continue
            }
            if hasPrefix(b, i, "<!--") {
                i = find(b, i + 4, "-->").map { $0 + 3 } ?? n
                continue
            }
            if i + 1 < n, b[i + 1] == UInt8(ascii: "!") || b[i + 1] == UInt8(ascii: "?") {
                i = find(b, i, ">").map { $0 + 1 } ?? n
                continue
            }
            let closing = i + 1 < n && b[i + 1] == UInt8(ascii: "/")
            var j = i + (closing ? 2 : 1)
            let nameStart = j
            while j < n, isNameByte(b[j]) { j += 1 }
            if j == nameStart {
                i += 1
                continue
            }
            let name = String(decoding: b[nameStart..<j], as: UTF8.self).lowercased()
            let (attrs, end) = attributes(b, j)
            i = end
            s.tagCount += 1
            if closing {
                if name == "title", let t = titleStart, s.title == nil {
                    s.title = collapse(decodeEntities(String(decoding: b[t..<max(t, tagStart(b, end))], as: UTF8.self)))
                    titleStart = nil
                }
                continue
            }
            func attr(_ k: String) -> String? { attrs.first { $0.0 == k }?.1 }
            switch name {
            case "title":
                if s.title == nil { titleStart = end }
            case "meta":
                if let cs = attr("charset") {
                    s.metaCharset = s.metaCharset ?? cs.trimmingASCIIWhitespace().lowercased()
                } else if attr("http-equiv")?.lowercased() == "content-type", let c = attr("content") {
                    s.metaCharset = s.metaCharset ?? charset(fromContentType: c)
                }
            case "script":
                if let src = attr("src") { s.scripts.append(src) }
                i = find(b, end, "</script", caseInsensitive: true) ?? n
            case "style":
                i = find(b, end, "</style", caseInsensitive: true) ?? n
            case "link":
                guard let href = attr("href") else { break }
                let rel = (attr("rel") ?? "").lowercased().split(separator: " ")
                if rel.contains("stylesheet") {
                    s.stylesheets.append(href)
                } else if rel.contains(where: {
                    ["icon", "preload", "modulepreload", "manifest", "apple-touch-icon"].contains($0)
                }) {
                    s.other.append(href)
                }
            case "img":
                if let src = attr("src") { s.images.append(src) }
            case "a":
                if let href = attr("href") { s.links.append(href) }
            case "iframe", "video", "audio", "source", "embed":
                if let src = attr("src") { s.other.append(src) }
            default:
                break
            }
        }
        return s
    }

    /// "text/html; charset=UTF-8" -> "utf-8".
    public static func charset(fromContentType value: String) -> String? {
        for part in value.split(separator: ";") {
            let kv = part.split(separator: "=", maxSplits: 1)
            if kv.count == 2, kv[0].trimmingCharacters() == "charset" {
                var v = String(kv[1]).trimmingASCIIWhitespace()
                if v.hasPrefix("\"") && v.hasSuffix("\"") && v.count >= 2 { v = String(v.dropFirst().dropLast()) }
                return v.lowercased()
            }
        }
        return nil
    }

    static func isNameByte(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || c == 0x2D
    }

    static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x0C }

    /// Reads attributes up to the closing ">" (HTML's attribute syntax: unquoted, '...' or "...").
    static func attributes(_ b: [UInt8], _ start: Int) -> ([(String, String)], Int) {
        var out: [(String, String)] = []
        var i = start
        let n = b.count
        while i < n {
            while i < n, isSpace(b[i]) || b[i] == UInt8(ascii: "/") { i += 1 }
            guard i < n else { break }
            if b[i] == UInt8(ascii: ">") { return (out, i + 1) }
            let ks = i
            while i < n, !isSpace(b[i]), b[i] != UInt8(ascii: "="), b[i] != UInt8(ascii: ">") { i += 1 }
            let key = String(decoding: b[ks..<i], as: UTF8.self).lowercased()
            while i < n, isSpace(b[i]) { i += 1 }
            var value = ""
            if i < n, b[i] == UInt8(ascii: "=") {
                i += 1
                while i < n, isSpace(b[i]) { i += 1 }
                if i < n, b[i] == UInt8(ascii: "\"") || b[i] == UInt8(ascii: "'") {
                    let q = b[i]
                    let vs = i + 1
                    i = vs
                    while i < n, b[i] != q { i += 1 }
                    value = String(decoding: b[vs..<min(i, n)], as: UTF8.self)
                    i += 1
                } else {
                    let vs = i
                    while i < n, !isSpace(b[i]), b[i] != UInt8(ascii: ">") { i += 1 }
                    value = String(decoding: b[vs..<i], as: UTF8.self)
                }
            }
            if !key.isEmpty { out.append((key, decodeEntities(value))) }
        }
        return (out, n)
    }

    static func hasPrefix(_ b: [UInt8], _ at: Int, _ p: String) -> Bool {
        let pb = Array(p.utf8)
        guard at + pb.count <= b.count else { return false }
        return Array(b[at..<(at + pb.count)]) == pb
    }

    static func find(_ b: [UInt8], _ from: Int, _ needle: String, caseInsensitive: Bool = false) -> Int? {
        let nb = Array((caseInsensitive ? needle.lowercased() : needle).utf8)
        guard !nb.isEmpty, b.count >= nb.count else { return nil }
        var i = from
        while i + nb.count <= b.count {
            var k = 0
            while k < nb.count {
                var c = b[i + k]
                if caseInsensitive, c >= 0x41, c <= 0x5A { c += 0x20 }
                if c != nb[k] { break }
                k += 1
            }
            if k == nb.count { return i }
            i += 1
        }
        return nil
    }

    /// The "<" that starts the tag ending just before `end`.
    static func tagStart(_ b: [UInt8], _ end: Int) -> Int {
        var i = min(end, b.count) - 1
        while i > 0, b[i] != UInt8(ascii: "<") { i -= 1 }
        return i
    }

    static func collapse(_ s: String) -> String {
        s.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }).joined(separator: " ")
    }

    /// The entities a title or URL commonly holds; numeric references too.
    static func decodeEntities(_ s: String) -> String {
        guard s.contains("&") else { return s }
        var out = ""
        var rest = Substring(s)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            let after = rest[amp...]
            if let semi = after.firstIndex(of: ";"), after.distance(from: amp, to: semi) <= 10 {
                let name = String(after[after.index(after: amp)..<semi])
                var rep: String?
                switch name {
                case "amp": rep = "&"
                case "lt": rep = "<"
                case "gt": rep = ">"
                case "quot": rep = "\""
                case "apos", "#39": rep = "'"
                case "nbsp": rep = " "
                default:
                    if name.hasPrefix("#x") || name.hasPrefix("#X"), let v = UInt32(name.dropFirst(2), radix: 16),
                        let u = Unicode.Scalar(v)
                    {
                        rep = String(u)
                    } else if name.hasPrefix("#"), let v = UInt32(name.dropFirst()), let u = Unicode.Scalar(v) {
                        rep = String(u)
                    }
                }
                if let rep {
                    out += rep
                    rest = after[after.index(after: semi)...]
                    continue
                }
            }
            out += "&"
            rest = after.dropFirst()
        }
        return out + rest
    }
}

extension Substring {
    func trimmingCharacters() -> String { String(self).trimmingASCIIWhitespace().lowercased() }
}
