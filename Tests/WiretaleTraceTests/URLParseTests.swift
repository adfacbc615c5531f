import Testing
import WiretaleCore

@testable import WiretaleTrace

@Suite("Step a: reading a URL")
struct URLParseTests {
    @Test("a plain http URL gets the default port and a root path")
    func plainHTTP() throws {
        let u = try TraceURL.parse("http://Example.COM")
        #expect(u.scheme == .http)
        #expect(u.host == "example.com")
        #expect(u.port == 80)
        #expect(u.portIsDefault)
        #expect(u.path == "/")
        #expect(u.query == nil)
        #expect(u.hostHeader == "example.com")
    }

    @Test("https with a port, path, query; the fragment is kept aside and never sent")
    func fullURL() throws {
        let u = try TraceURL.parse("HTTPS://www.wt.test:8443/a/b.html?x=1&y=2#part")
        #expect(u.scheme == .https)
        #expect(u.port == 8443)
        #expect(!u.portIsDefault)
        #expect(u.path == "/a/b.html")
        #expect(u.query == "x=1&y=2")
        #expect(u.fragment == "part")
        #expect(u.requestTarget == "/a/b.html?x=1&y=2")
        #expect(u.hostHeader == "www.wt.test:8443")
    }

    @Test("IPv6 literals are bracketed in URLs and canonical inside")
    func ipv6Literal() throws {
        let u = try TraceURL.parse("http://[FD00:203:2:0::2]:8080/")
        #expect(u.hostKind == .ipv6)
        #expect(u.host == "fd00:203:2::2")
        #expect(u.hostHeader == "[fd00:203:2::2]:8080")
        #expect(u.address == IPAddress("fd00:203:2::2"))
    }

    @Test("IPv4 literals are recognised, and bad ones point at the host")
    func ipv4Literal() throws {
        let u = try TraceURL.parse("http://10.203.2.2/")
        #expect(u.hostKind == .ipv4)
        #expect(throws: URLParseError.self) { try TraceURL.parse("http://10.203.2.300/") }
    }

    @Test("an internationalized host is sent in punycode")
    func idn() throws {
        let u = try TraceURL.parse("http://Bücher.wt.test/")
        #expect(u.host == "xn--bcher-kva.wt.test")
        #expect(u.originalHost == "Bücher.wt.test")
        let zh = try TraceURL.parse("http://他们为什么不说中文.test/")
        #expect(zh.host == "xn--ihqwcrb4cv8a8dqg056pqjye.test")
    }

    @Test("no scheme means http, as a browser assumes")
    func assumedScheme() throws {
        let u = try TraceURL.parse("www.wt.test/page")
        #expect(u.scheme == .http)
        #expect(u.schemeAssumed)
        #expect(u.path == "/page")
        let p = try TraceURL.parse("localhost:8080")
        #expect(p.port == 8080)
    }

    @Test("non-ASCII in the path is percent-encoded; a bad escape is an error")
    func pathEncoding() throws {
        let u = try TraceURL.parse("http://h/笔记?q=é")
        #expect(u.path == "/%E7%AC%94%E8%AE%B0")
        #expect(u.query == "q=%C3%A9")
        let e = #expect(throws: URLParseError.self) { try TraceURL.parse("http://h/a%zzb") }
        #expect(e?.offset == 10)
    }

    @Test("an unsupported scheme is shown with a caret under it")
    func badScheme() {
        let e = #expect(throws: URLParseError.self) { try TraceURL.parse("ftp://example.com/") }
        #expect(e?.offset == 0)
        #expect(e?.description == "ftp://example.com/\n^\nunsupported scheme \"ftp\": wiretale fetches http and https")
    }

    @Test("a caret points at the offending character")
    func caret() {
        let e = #expect(throws: URLParseError.self) { try TraceURL.parse("http://exa mple.com/") }
        #expect(e?.offset == 10)
        let lines = e?.description.split(separator: "\n").map(String.init) ?? []
        #expect(lines.count == 3)
        #expect(lines[1] == String(repeating: " ", count: 10) + "^")
        let bad = #expect(throws: URLParseError.self) { try TraceURL.parse("http://ex!ample.com/") }
        #expect(bad?.offset == 9)
    }

    @Test("the caret lines up under wide characters")
    func caretWide() {
        let e = #expect(throws: URLParseError.self) { try TraceURL.parse("http://中文.test:99999/") }
        #expect(e?.offset == 15)
        let lines = e?.description.split(separator: "\n").map(String.init) ?? []
        #expect(lines[1] == String(repeating: " ", count: 17) + "^")
    }

    @Test("user names and passwords in the URL are refused")
    func userinfo() {
        let e = #expect(throws: URLParseError.self) { try TraceURL.parse("http://user:pw@example.com/") }
        #expect(e?.offset == 7)
        #expect(e?.reason.contains("credentials") == true)
    }

    @Test("ports are digits 1 to 65535")
    func ports() {
        #expect(throws: URLParseError.self) { try TraceURL.parse("http://h:0/") }
        #expect(throws: URLParseError.self) { try TraceURL.parse("http://h:65536/") }
        let e = #expect(throws: URLParseError.self) { try TraceURL.parse("http://h:8a/") }
        #expect(e?.offset == 10)
        #expect((try? TraceURL.parse("http://h:/"))?.port == 80)
    }

    @Test("host names keep to DNS limits")
    func hostLimits() {
        #expect(throws: URLParseError.self) { try TraceURL.parse("http://a..b/") }
        #expect(throws: URLParseError.self) { try TraceURL.parse("http://-a.b/") }
        #expect(throws: URLParseError.self) {
            try TraceURL.parse("http://" + String(repeating: "a", count: 64) + ".com/")
        }
        #expect(throws: URLParseError.self) { try TraceURL.parse("http:///path") }
        #expect(throws: URLParseError.self) { try TraceURL.parse("") }
        #expect(throws: URLParseError.self) { try TraceURL.parse("mailto:x@y") }
    }

    @Test("redirect locations resolve against the current URL")
    func resolve() throws {
        let base = try TraceURL.parse("http://www.wt.test:8080/a/b.html?q")
        #expect(try base.resolve("/").description == "http://www.wt.test:8080/")
        #expect(try base.resolve("c.html").description == "http://www.wt.test:8080/a/c.html")
        #expect(try base.resolve("https://other.test/x").description == "https://other.test/x")
        #expect(try base.resolve("//cdn.test/y").description == "http://cdn.test/y")
        #expect(try base.resolve("?z=1").description == "http://www.wt.test:8080/a/b.html?z=1")
    }
}

@Suite("Punycode (RFC 3492)")
struct PunycodeTests {
    /// RFC 3492 section 7.1 sample strings, as code points, with their encodings.
    static let vectors: [(String, [UInt32], String)] = [
        (
            "(A) Arabic (Egyptian)",
            [
                0x0644, 0x064A, 0x0647, 0x0645, 0x0627, 0x0628, 0x062A, 0x0643, 0x0644, 0x0645, 0x0648, 0x0634, 0x0639,
                0x0631, 0x0628, 0x064A, 0x061F,
            ], "egbpdaj6bu4bxfgehfvwxn"
        ),
        (
            "(B) Chinese (simplified)", [0x4ED6, 0x4EEC, 0x4E3A, 0x4EC0, 0x4E48, 0x4E0D, 0x8BF4, 0x4E2D, 0x6587],
            "ihqwcrb4cv8a8dqg056pqjye"
        ),
        (
            "(C) Chinese (traditional)", [0x4ED6, 0x5011, 0x7232, 0x4EC0, 0x9EBD, 0x4E0D, 0x8AAA, 0x4E2D, 0x6587],
            "ihqwctvzc91f659drss3x8bo0yb"
        ),
        (
            "(D) Czech",
            [
                0x0050, 0x0072, 0x006F, 0x010D, 0x0070, 0x0072, 0x006F, 0x0073, 0x0074, 0x011B, 0x006E, 0x0065, 0x006D,
                0x006C, 0x0075, 0x0076, 0x00ED, 0x010D, 0x0065, 0x0073, 0x006B, 0x0079,
            ], "Proprostnemluvesky-uyb24dma41a"
        ),
        (
            "(E) Hebrew",
            [
                0x05DC, 0x05DE, 0x05D4, 0x05D4, 0x05DD, 0x05E4, 0x05E9, 0x05D5, 0x05D8, 0x05DC, 0x05D0, 0x05DE, 0x05D3,
                0x05D1, 0x05E8, 0x05D9, 0x05DD, 0x05E2, 0x05D1, 0x05E8, 0x05D9, 0x05EA,
            ], "4dbcagdahymbxekheh6e0a7fei0b"
        ),
        (
            "(L) 3<nen>B<gumi><kinpachi><sensei>", [0x0033, 0x5E74, 0x0042, 0x7D44, 0x91D1, 0x516B, 0x5148, 0x751F],
            "3B-ww4c5e180e575a65lsy2b"
        ),
        (
            "(M) <amuro><namie>-with-SUPER-MONKEYS",
            [
                0x5B89, 0x5BA4, 0x5948, 0x7F8E, 0x6075, 0x002D, 0x0077, 0x0069, 0x0074, 0x0068, 0x002D, 0x0053, 0x0055,
                0x0050, 0x0045, 0x0052, 0x002D, 0x004D, 0x004F, 0x004E, 0x004B, 0x0045, 0x0059, 0x0053,
            ],
            "-with-SUPER-MONKEYS-pc58ag80a8qai00g7n9n"
        ),
        (
            "(N) Hello-Another-Way-<sorezore><no><basho>",
            [
                0x0048, 0x0065, 0x006C, 0x006C, 0x006F, 0x002D, 0x0041, 0x006E, 0x006F, 0x0074, 0x0068, 0x0065, 0x0072,
                0x002D, 0x0057, 0x0061, 0x0079, 0x002D, 0x305D, 0x308C, 0x305E, 0x308C, 0x306E, 0x5834, 0x6240,
            ],
            "Hello-Another-Way--fc4qua05auwb3674vfr0b"
        ),
        (
            "(S) -> $1.00 <-",
            [0x002D, 0x003E, 0x0020, 0x0024, 0x0031, 0x002E, 0x0030, 0x0030, 0x0020, 0x003C, 0x002D],
            "-> $1.00 <--"
        ),
    ]

    @Test("the RFC 3492 section 7.1 samples encode as the RFC says", arguments: vectors.indices)
    func rfcVectors(_ i: Int) {
        let (_, cps, expected) = Self.vectors[i]
        var s = ""
        for c in cps { s.unicodeScalars.append(Unicode.Scalar(c)!) }
        #expect(Punycode.encode(s) == expected)
    }

    @Test("ToASCII leaves ASCII labels alone and prefixes the rest with xn--")
    func toASCII() {
        #expect(Punycode.toASCII(label: "www") == "www")
        #expect(Punycode.toASCII(label: "bücher") == "xn--bcher-kva")
        #expect(Punycode.toASCII(label: "BÜCHER") == "xn--bcher-kva")
    }
}
