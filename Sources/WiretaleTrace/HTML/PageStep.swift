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
            s.say(.notHTML, contentType)
            s.say(.notABrowser)
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
        s.lines.append(
            Bilingual(
                TraceSay.title, parts: [p.title.map { Bilingual(verbatim: "\"\($0)\"") } ?? Bilingual(TraceSay.noTitle)]
            ))
        let cs =
            headerCharset.map { Bilingual(TraceSay.fromHeader, $0) }
            ?? p.metaCharset.map { Bilingual(TraceSay.fromMeta, $0) } ?? Bilingual(TraceSay.charsetUndeclared)
        s.lines.append(Bilingual(TraceSay.charset, parts: [cs]))
        let counts = [p.subresourceCount, p.scripts.count, p.stylesheets.count, p.images.count]
        s.lines.append(
            Bilingual(
                TraceSay.subresources,
                parts: counts.map { Bilingual(verbatim: "\($0)") }
                    + [
                        p.other.isEmpty
                            ? Bilingual(verbatim: "") : Bilingual(TraceSay.otherResources, "\(p.other.count)")
                    ]))
        for r in (p.stylesheets + p.scripts + p.images + p.other).prefix(8) { s.say(verbatim: "  " + r) }
        s.say(.links, "\(p.links.count)")
        s.say(.noRendering)
        return s
    }
}
