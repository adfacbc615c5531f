import Testing
import WiretaleCore

private func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

private func looks(_ b: [UInt8]) -> Bool { b.withUnsafeBytes { HTTPMessage.looksLikeHTTP($0) } }
private func looks(_ s: String) -> Bool { looks(bytes(s)) }

private func startLine(_ b: [UInt8]) -> HTTPStartLine? { b.withUnsafeBytes { HTTPMessage.parseStartLine($0) } }
private func startLine(_ s: String) -> HTTPStartLine? { startLine(bytes(s)) }

private func headers(_ s: String, from offset: Int = 0) -> HTTPHeaders {
    bytes(s).withUnsafeBytes { HTTPHeaders.parse($0, from: offset) }
}

/// get-gzip.pcap frame 4, the TCP payload: curl's request.
/// 0000  47 45 54 20 2f 67 7a 69 70 20 48 54 54 50 2f 31  GET /gzip HTTP/1
/// 0010  2e 31 0d 0a 55 73 65 72 2d 41 67 65 6e 74 3a 20  .1..User-Agent:
/// 0020  63 75 72 6c 2f 37 2e 32 39 2e 30 0d 0a 48 6f 73  curl/7.29.0..Hos
/// 0030  74 3a 20 68 74 74 70 62 69 6e 2e 6f 72 67 0d 0a  t: httpbin.org..
/// 0040  41 63 63 65 70 74 3a 20 2a 2f 2a 0d 0a 0d 0a     Accept: */*....
private let curlRequest: [UInt8] = [
    0x47, 0x45, 0x54, 0x20, 0x2f, 0x67, 0x7a, 0x69, 0x70, 0x20, 0x48, 0x54, 0x54, 0x50, 0x2f, 0x31,
    0x2e, 0x31, 0x0d, 0x0a, 0x55, 0x73, 0x65, 0x72, 0x2d, 0x41, 0x67, 0x65, 0x6e, 0x74, 0x3a, 0x20,
    0x63, 0x75, 0x72, 0x6c, 0x2f, 0x37, 0x2e, 0x32, 0x39, 0x2e, 0x30, 0x0d, 0x0a, 0x48, 0x6f, 0x73,
    0x74, 0x3a, 0x20, 0x68, 0x74, 0x74, 0x70, 0x62, 0x69, 0x6e, 0x2e, 0x6f, 0x72, 0x67, 0x0d, 0x0a,
    0x41, 0x63, 0x63, 0x65, 0x70, 0x74, 0x3a, 0x20, 0x2a, 0x2f, 0x2a, 0x0d, 0x0a, 0x0d, 0x0a,
]

@Suite("HTTP/1.x start lines (RFC 9112 sections 3, 4)")
struct HTTPStartLineTests {
    static let methods = [
        "GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "CONNECT", "TRACE", "PATCH", "PROPFIND", "PROPPATCH",
        "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "SEARCH", "REPORT",
    ]

    @Test(arguments: methods)
    func aKnownMethodAndSpaceLooksLikeHTTP(_ method: String) {
        #expect(looks(method + " /"))
        #expect(looks(method + " "))
        #expect(!looks(method + "X /"))
        #expect(!looks(method.lowercased() + " /"))
        #expect(!looks(method))
    }

    @Test func statusLinesLookLikeHTTPOnlyForVersion1() {
        #expect(looks("HTTP/1.1 200 OK\r\n"))
        #expect(looks("HTTP/1.0"))
        #expect(!looks("HTTP/1"))
        #expect(!looks("HTTP/2 200"))
        #expect(!looks("PRI * HTTP/2.0\r\n"))
    }

    @Test func otherPayloadsDoNotLookLikeHTTP() {
        #expect(!looks([]))
        #expect(!looks("GE"))
        #expect(!looks([0x16, 0x03, 0x01, 0x02, 0x00]))  // a TLS record
        #expect(!looks("SSH-2.0-OpenSSH_9.6\r\n"))
        #expect(!looks(" GET /"))
    }

    @Test func aRealRequestLine() {
        #expect(startLine(curlRequest) == .request(method: "GET", target: "/gzip", version: "HTTP/1.1"))
        #expect(startLine(curlRequest)?.description == "GET /gzip HTTP/1.1")
        #expect(startLine("HTTP/1.1 204\r\n")?.description == "HTTP/1.1 204")
        #expect(startLine("HTTP/1.1 404 Not Found\r\n")?.description == "HTTP/1.1 404 Not Found")
    }

    @Test func statusLinesWithAndWithoutReason() {
        #expect(startLine("HTTP/1.1 200 OK\r\n") == .response(version: "HTTP/1.1", status: 200, reason: "OK"))
        #expect(
            startLine("HTTP/1.0 304 Not Modified\r\nDate: x\r\n")
                == .response(version: "HTTP/1.0", status: 304, reason: "Not Modified"))
        #expect(startLine("HTTP/1.1 204\r\n") == .response(version: "HTTP/1.1", status: 204, reason: ""))
        #expect(startLine("HTTP/1.1 204 \r\n") == .response(version: "HTTP/1.1", status: 204, reason: ""))
        #expect(
            startLine("HTTP/1.1 599 \tOdd\treason \r\n")
                == .response(version: "HTTP/1.1", status: 599, reason: "Odd\treason"))
    }

    @Test func aBareLFEndsTheLineAndWhitespaceRunsSeparateWords() {
        #expect(startLine("GET / HTTP/1.0\n") == .request(method: "GET", target: "/", version: "HTTP/1.0"))
        #expect(
            startLine("GET  \t/a?b=c   HTTP/1.1 \r\n") == .request(method: "GET", target: "/a?b=c", version: "HTTP/1.1")
        )
        #expect(startLine("OPTIONS * HTTP/1.1\r\n") == .request(method: "OPTIONS", target: "*", version: "HTTP/1.1"))
        #expect(
            startLine("CONNECT example.com:443 HTTP/1.1\r\n")
                == .request(method: "CONNECT", target: "example.com:443", version: "HTTP/1.1"))
        #expect(startLine("BREW /pot HTTP/1.1\r\n") == .request(method: "BREW", target: "/pot", version: "HTTP/1.1"))
    }

    @Test(arguments: [
        "GET / HTTP/1.1",  // no line end yet
        "GET / HTTP/1.1\r",
        "GET /\r\n",  // HTTP/0.9 style: no version
        "GET HTTP/1.1\r\n",
        "GET / x HTTP/1.1\r\n",
        "GET / HTTP/1.1x\r\n",
        "GET / HTTP/11\r\n",
        "GE(T / HTTP/1.1\r\n",
        "GET /a\u{01}b HTTP/1.1\r\n",
        "\r\n",
        "HTTP/1.1\r\n",
        "HTTP/1.1 20\r\n",
        "HTTP/1.1 2000 OK\r\n",
        "HTTP/1.1 099 Low\r\n",
        "HTTP/1.1 2x0 OK\r\n",
        "HTTP/1.1200 OK\r\n",
        "HTTP/1.1 200 O\u{07}K\r\n",
        "HTTP/x.1 200 OK\r\n",
    ])
    func notAStartLine(_ text: String) {
        #expect(startLine(text) == nil)
    }

    @Test func longTargetsAreCutForDisplay() throws {
        let long = "/" + String(repeating: "a", count: 3000)
        guard case .request(_, let target, _) = try #require(startLine("GET \(long) HTTP/1.1\r\n")) else {
            Issue.record("not a request")
            return
        }
        #expect(target.utf8.count == HTTPMessage.maxTargetLength + 3)
        #expect(target.hasPrefix("/aaa") && target.hasSuffix("a..."))
    }

    @Test func aLineMustEndWithin8KiB() {
        let fits = "GET /" + String(repeating: "b", count: HTTPMessage.maxStartLineLength - 15) + " HTTP/1.1\n"
        #expect(fits.utf8.count == HTTPMessage.maxStartLineLength)
        #expect(startLine(fits) != nil)
        let tooLong = "GET /" + String(repeating: "b", count: HTTPMessage.maxStartLineLength - 14) + " HTTP/1.1\n"
        #expect(startLine(tooLong) == nil)
    }

    static let wholeLines: [[UInt8]] = [
        Array(curlRequest[..<20]),
        bytes("HTTP/1.1 200 OK\r\n"),
        bytes("HTTP/1.1 204\n"),
        bytes("DELETE /items/7?force=1 HTTP/1.0\r\n"),
        bytes("HTTP/1.0 404 Not Found\r\n"),
    ]

    @Test(arguments: wholeLines.indices)
    func everyProperPrefixOfAStartLineIsNil(_ index: Int) {
        let whole = Self.wholeLines[index]
        #expect(startLine(whole) != nil)
        for n in 0..<whole.count {
            #expect(startLine(Array(whole[..<n])) == nil, "prefix of \(n) bytes")
        }
    }
}

@Suite("HTTP/1.x header fields (RFC 9112 section 5)")
struct HTTPHeaderTests {
    @Test func aRealHeaderBlock() throws {
        let (line, h) = try #require(curlRequest.withUnsafeBytes { HTTPMessage.parseHead($0) })
        #expect(line == .request(method: "GET", target: "/gzip", version: "HTTP/1.1"))
        #expect(h.fields.map(\.name) == ["User-Agent", "Host", "Accept"])
        #expect(h.fields.map(\.value) == ["curl/7.29.0", "httpbin.org", "*/*"])
        #expect(h.end == .complete(bodyOffset: curlRequest.count))
        #expect(h["host"] == "httpbin.org" && h["HOST"] == "httpbin.org" && h["Cookie"] == nil)
    }

    @Test func valuesAreTrimmedAndRepeatedFieldsKept() {
        let h = headers("Set-Cookie: a=1\r\nX-Empty:\r\nset-cookie:\tb=2 \r\nContent-Length:  5  \r\n\r\nhello")
        #expect(h.values("Set-Cookie") == ["a=1", "b=2"])
        #expect(h["x-empty"] == "")
        #expect(h["Content-Length"] == "5")
        #expect(h.end == .complete(bodyOffset: 69))
    }

    @Test func bareLFLinesAndFromAnOffset() {
        let text = "HTTP/1.1 200 OK\nServer: x\n\nbody"
        #expect(
            headers(text, from: 16)
                == HTTPHeaders(fields: [.init(name: "Server", value: "x")], end: .complete(bodyOffset: 27)))
    }

    @Test func obsoleteLineFoldingJoinsWithOneSpace() {
        let h = headers("X-Long: one\r\n   two\r\n\tthree\r\n\r\n")
        #expect(h["X-Long"] == "one two three")
        #expect(h.end == .complete(bodyOffset: 31))
    }

    @Test func malformedLinesStopTheBlockAndKeepWhatCameBefore() {
        let h = headers("Host: a\r\nBad Name: x\r\n\r\n")
        #expect(h.fields.count == 1)
        #expect(h.end == .malformed(offset: 9))
        #expect(headers("Host : a\r\n\r\n").end == .malformed(offset: 0))
        #expect(headers(" folded-first\r\n\r\n").end == .malformed(offset: 0))
        #expect(headers("NoColon\r\n\r\n").end == .malformed(offset: 0))
        #expect(headers(": empty-name\r\n\r\n").end == .malformed(offset: 0))
    }

    @Test func anUnfinishedBlockIsIncomplete() {
        let h = headers("Host: a\r\nAccept: */*\r\n")
        #expect(h.fields.count == 2 && h.end == .incomplete)
        #expect(headers("").end == .incomplete)
        #expect(headers("Host: a\r\n", from: 99).end == .incomplete)
    }

    @Test func blocksAreBoundedInFieldsAndBytes() {
        let many = (0...HTTPHeaders.maxFields).map { "X-\($0): v\r\n" }.joined() + "\r\n"
        let h = headers(many)
        #expect(h.fields.count == HTTPHeaders.maxFields && h.end == .tooLarge)
        let huge = "X-Big: " + String(repeating: "z", count: HTTPHeaders.maxBytes) + "\r\n\r\n"
        let big = headers(huge)
        #expect(big.fields.isEmpty && big.end == .tooLarge)
    }

    @Test func everyProperPrefixOfAHeadIsIncompleteOrNil() {
        for n in 0..<curlRequest.count {
            let head = Array(curlRequest[..<n]).withUnsafeBytes { HTTPMessage.parseHead($0) }
            if n < 20 {
                #expect(head == nil, "prefix \(n)")
            } else {
                #expect(head?.headers.end == .incomplete, "prefix \(n)")
            }
        }
    }
}
