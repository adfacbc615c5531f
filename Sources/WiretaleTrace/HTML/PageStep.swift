import WiretaleCore

/// Step g: what a browser would do with the document, without pretending to render it.
enum PageStep {
    /// The most entries each sub-resource or link list carries in the step's detail.
    static let maxListed = 1000

    static func make(head: HTTPResponseHead, body: [UInt8], startMs: Double, t0: Double, hop: Int) -> TraceStep {
        let begin = startMs
        let contentType = head.header("Content-Type") ?? "(none)"
        var s = TraceStep(.page, hop: hop, startMs: startMs - t0)
        s.detail.set("content_type", contentType)
        let isHTML =
            contentType.lowercased().contains("html")
            || (head.header("Content-Type") == nil && body.prefix(512).contains(UInt8(ascii: "<")))
        let headerCharset = HTMLScanner.charset(fromContentType: contentType)
        guard isHTML else {
            s.detail.set("html", false)
            s.evidence.append(
                "the document is \(contentType), not HTML: a browser would show or download it; nothing to parse")
            s.evidence.append("no rendering happens: wiretale is not a browser")
            s.durationMs = Monotonic.nowMs() - begin
            return s
        }
        let p = HTMLScanner.scan(body)
        s.durationMs = Monotonic.nowMs() - begin
        s.detail.set("html", true)
        s.detail.set("title", p.title)
        s.detail.set("charset", headerCharset ?? p.metaCharset)
        s.detail.set("charset_source", headerCharset != nil ? "header" : (p.metaCharset != nil ? "meta" : "none"))
        // Each list keeps its first `maxListed` entries; `<name>_total` gives the count past that.
        func list(_ key: String, _ items: [String]) {
            s.detail.set(key, Array(items.prefix(maxListed)))
            if items.count > maxListed { s.detail.set(key + "_total", items.count) }
        }
        list("scripts", p.scripts)
        list("stylesheets", p.stylesheets)
        list("images", p.images)
        list("links", p.links)
        if !p.other.isEmpty { list("other_resources", p.other) }
        s.evidence.append("title: \(p.title.map { "\"\($0)\"" } ?? "(none)")")
        let cs =
            headerCharset.map { "\($0) (from the Content-Type header)" }
            ?? p.metaCharset.map { "\($0) (from <meta>)" } ?? "not declared (a browser would guess)"
        s.evidence.append("charset: \(cs)")
        s.evidence.append(
            "a browser would next fetch \(p.subresourceCount) sub-resource(s): \(p.scripts.count) script(s), \(p.stylesheets.count) stylesheet(s), \(p.images.count) image(s)\(p.other.isEmpty ? "" : ", \(p.other.count) other")"
        )
        for r in (p.stylesheets + p.scripts + p.images + p.other).prefix(8) { s.evidence.append("  " + r) }
        s.evidence.append("\(p.links.count) link(s) for the user to follow")
        s.evidence.append(
            "no rendering happens: wiretale scanned the HTML's tags; it runs no scripts and lays out and paints nothing"
        )
        return s
    }
}
