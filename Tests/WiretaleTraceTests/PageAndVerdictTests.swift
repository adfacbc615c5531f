import Testing
import WiretaleCore

@testable import WiretaleTrace

@Suite("Step g: scanning the page")
struct HTMLScannerTests {
    static let page = Array(
        """
        <!DOCTYPE html><html><head>
        <META http-equiv="Content-Type" content="text/html; charset=GB2312">
        <title>
          访问一个网站 &amp; the notes
        </title>
        <link rel="stylesheet" href="/s.css"><link rel="icon" href=/favicon.ico>
        <script src="/app.js"></script>
        <script>document.write("<img src=fake.png>")</script>
        <style>p::before { content: "<img src=also-fake.png>" }</style>
        </head><body>
        <!-- <a href="/hidden">hidden</a> -->
        <img src='/a.png' alt="a > b"><IMG SRC="/b.png">
        <a href="/next.html">next</a><a name="anchor-without-href">x</a>
        <iframe src="/frame.html"></iframe>
        </body></html>
        """.utf8)

    @Test("title, charset and the sub-resources a browser would load are found")
    func scan() {
        let s = HTMLScanner.scan(Self.page)
        #expect(s.title == "访问一个网站 & the notes")
        #expect(s.metaCharset == "gb2312")
        #expect(s.stylesheets == ["/s.css"])
        #expect(s.scripts == ["/app.js"])
        #expect(s.images == ["/a.png", "/b.png"])
        #expect(s.links == ["/next.html"])
        #expect(s.other == ["/favicon.ico", "/frame.html"])
        #expect(s.subresourceCount == 6)
    }

    @Test("text inside scripts, styles and comments is not taken for tags")
    func skipsScriptsAndComments() {
        let s = HTMLScanner.scan(Self.page)
        #expect(!s.images.contains("fake.png"))
        #expect(!s.images.contains("also-fake.png"))
        #expect(!s.links.contains("/hidden"))
    }

    @Test("broken HTML does not stop the scanner")
    func tolerant() {
        let s = HTMLScanner.scan(Array("<title>t</title><img src=\"/x.png <a href=/y>".utf8))
        #expect(s.title == "t")
        let cut = HTMLScanner.scan(Array("<html><head><title>never closed".utf8))
        #expect(cut.title == nil)
        #expect(HTMLScanner.scan([]).tagCount == 0)
        for n in 0..<Self.page.count { _ = HTMLScanner.scan(Array(Self.page.prefix(n))) }
    }

    @Test("the charset is read from a Content-Type value")
    func contentTypeCharset() {
        #expect(HTMLScanner.charset(fromContentType: "text/html; charset=UTF-8") == "utf-8")
        #expect(HTMLScanner.charset(fromContentType: "text/html;charset=\"iso-8859-1\"") == "iso-8859-1")
        #expect(HTMLScanner.charset(fromContentType: "text/html") == nil)
    }
}

@Suite("The ordering verdict: notes a..i against what happened")
struct OrderingVerdictTests {
    static func step(_ k: TraceStepKind, _ start: Double, before: Bool = false, status: TraceStep.Status = .ok)
        -> TraceStep
    {
        TraceStep(k, startMs: start, durationMs: 1, status: status, beforeFetch: before)
    }

    @Test("a typical HTTPS fetch is observed as d h f a b i e c g, with TLS and teardown beside")
    func typical() {
        let steps = [
            Self.step(.url, 0), Self.step(.dns, 1), Self.step(.localAddress, 3, before: true),
            Self.step(.link, 3, before: true), Self.step(.neighbour, 3, before: true), Self.step(.tcp, 4),
            Self.step(.tls, 5), Self.step(.httpRequest, 9), Self.step(.httpResponse, 10), Self.step(.teardown, 12),
            Self.step(.page, 13),
        ]
        let v = OrderingVerdict(steps: steps)
        #expect(v.observed.map(\.letter) == ["d", "h", "f", "a", "b", "i", "e", "c", "g"])
        #expect(v.missing.isEmpty)
        #expect(v.notInNotes == [.tls, .teardown])
        #expect(v.outOfPlace.map(\.letter) == ["a", "b", "c", "d", "e", "f", "g", "h", "i"])
        let d = v.placements.first { $0.letter == .d }
        #expect(d?.notesPosition == 4)
        #expect(d?.observedPosition == 1)
        #expect(d?.why != nil)
    }

    @Test("a cold neighbour cache puts f where its first packet went out")
    func coldNeighbour() {
        let steps = [
            Self.step(.url, 0), Self.step(.dns, 1), Self.step(.localAddress, 2, before: true),
            Self.step(.link, 2, before: true), Self.step(.neighbour, 1), Self.step(.tcp, 4),
        ]
        #expect(OrderingVerdict(steps: steps).observed.map(\.letter) == ["d", "h", "a", "b", "f", "i"])
    }

    @Test("steps that failed or never happened are missing")
    func failed() {
        let steps = [Self.step(.url, 0), Self.step(.dns, 1, status: .failed)]
        let v = OrderingVerdict(steps: steps)
        #expect(v.observed == [.a])
        #expect(v.missing.map(\.letter) == ["b", "c", "d", "e", "f", "g", "h", "i"])
        #expect(v.outOfPlace.isEmpty)
    }

    @Test("each letter's names come from one table, in the notes' Chinese too")
    func vocabulary() {
        #expect(NotesStep.notesOrder.map(\.letter).joined() == "abcdefghi")
        #expect(NotesStep.b.chinese == "通过DNS服务器获得Web服务器的IP地址")
        #expect(TraceStepKind.tcp.note == .i)
        #expect(TraceStepKind.tls.note == nil)
        // Without a capture the teardown claims no count of segments (TraceLabelsTests: named by the shape seen).
        #expect(
            TraceStepKind.teardown.chineseTitle.hasPrefix("挥手") && !TraceStepKind.teardown.chineseTitle.contains("四次"))
        let letters = TraceStepKind.allCases.compactMap(\.note)
        #expect(Set(letters) == Set(NotesStep.allCases))
        #expect(letters.count == 9)
    }
}
