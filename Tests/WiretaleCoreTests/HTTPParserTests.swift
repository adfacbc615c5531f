import Testing
import WiretaleCore

/// What a parser made of a stream: its events, body bytes gathered, in order.
private enum Seen: Equatable {
    case head(HTTPHead)
    case body([UInt8])
    case end
}

/// Feeds `bytes` in pieces of `piece` bytes (all at once by default), then closes if told to;
/// body runs are merged so that any piece size gives the same list.
private func events(
    _ kind: HTTPMessageKind, _ bytes: [UInt8], piece: Int = .max, close: Bool = false, method: String = "GET"
) throws(HTTPParseError) -> [Seen] {
    var parser = HTTPParser(kind)
    parser.requestMethod = method
    var seen: [Seen] = []
    func add(_ s: Seen) {
        if case .body(let more) = s, case .body(let had)? = seen.last {
            seen[seen.count - 1] = .body(had + more)
        } else {
            seen.append(s)
        }
    }
    var start = 0
    while start < bytes.count {
        let end = start + min(piece, bytes.count - start)
        let chunk = Array(bytes[start..<end])
        let failure = chunk.withUnsafeBytes { raw -> HTTPParseError? in
            var offset = 0
            do throws(HTTPParseError) {
                while let e = try parser.next(raw, at: &offset) {
                    switch e {
                    case .head(let h): add(.head(h))
                    case .body(let r): add(.body(Array(raw[r])))
                    case .end: add(.end)
                    }
                }
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
        start = end
    }
    if close, parser.finish() == .end { add(.end) }
    return seen
}

private func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

private func fields(_ pairs: [(String, String)]) -> [HTTPHeaders.Field] {
    pairs.map { HTTPHeaders.Field(name: $0.0, value: $0.1) }
}

@Suite("HTTP/1.x messages on a stream (RFC 9112): heads, framing, chunked bodies")
struct HTTPParserTests {
    static let post = bytes(
        "POST /upload?x=1 HTTP/1.1\r\nHost: wt.test\r\nContent-Length: 5\r\n\r\nhello"
            + "GET /next HTTP/1.1\r\nHost: wt.test\r\n\r\n")

    static let chunked = bytes(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/html\r\n\r\n"
            + "5;ext=1\r\nhello\r\n7\r\n, notes\r\n0\r\nX-Trailer: t\r\n\r\n")

    static let postHead = HTTPHead.request(
        HTTPRequestHead(
            method: "POST", target: "/upload?x=1", version: "HTTP/1.1",
            headers: fields([("Host", "wt.test"), ("Content-Length", "5")])))
    static let nextHead = HTTPHead.request(
        HTTPRequestHead(method: "GET", target: "/next", version: "HTTP/1.1", headers: fields([("Host", "wt.test")])))

    @Test("requests on a persistent connection: a body by Content-Length, then one without a body")
    func requests() throws {
        let expected: [Seen] = [.head(Self.postHead), .body(bytes("hello")), .end, .head(Self.nextHead), .end]
        #expect(try events(.request, Self.post) == expected)
        for piece in [1, 2, 3, 7, 64] {
            #expect(try events(.request, Self.post, piece: piece) == expected, "pieces of \(piece)")
        }
    }

    @Test("a request target is kept whole, however long; stray empty lines before a request are passed over")
    func requestTarget() throws {
        let target = "/" + String(repeating: "t", count: 5000)
        let seen = try events(.request, bytes("\r\n\r\nGET \(target) HTTP/1.0\r\n\r\n"))
        guard case .head(.request(let h))? = seen.first else {
            Issue.record("no request head: \(seen)")
            return
        }
        #expect(h.target == target && h.version == "HTTP/1.0")
        #expect(seen.count == 2 && seen.last == .end)
    }

    @Test("a chunked response: extensions and trailer read, the data given without the framing")
    func chunkedResponse() throws {
        for piece in [1, 4, .max] {
            let seen = try events(.response, Self.chunked, piece: piece)
            #expect(seen.count == 3, "pieces of \(piece): \(seen)")
            guard case .head(.response(let h))? = seen.first else { continue }
            #expect(h.status == 200 && h.header("content-type") == "text/html")
            #expect(seen[1] == .body(bytes("hello, notes")))
            #expect(seen[2] == .end)
        }
        var p = HTTPParser(.response)
        Self.chunked.withUnsafeBytes { raw in
            var offset = 0
            while (try? p.next(raw, at: &offset)) != nil {}
        }
        #expect(p.framing == .chunked && p.chunkCount == 2 && p.messages == 1)
        #expect(p.wireBodyBytes == Self.chunked.count - 72)
    }

    @Test("a chunked request body; a request whose Transfer-Encoding does not end in chunked is refused")
    func chunkedRequest() throws {
        let seen = try events(
            .request, bytes("PUT /f HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"))
        #expect(Array(seen.dropFirst()) == [.body(bytes("abc")), .end])
        #expect(throws: HTTPParseError.badTransferEncoding("gzip")) {
            try events(.request, bytes("PUT /f HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\nxyz"))
        }
    }

    @Test("a response to HEAD, a 204 and a 304 have no body; a response without a length runs to the close")
    func responseFraming() throws {
        let head = bytes("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
        #expect(try events(.response, head, method: "HEAD").count == 2)
        #expect(try events(.response, head).count == 1)  // waits for 1000 bytes
        #expect(try events(.response, bytes("HTTP/1.1 204 No Content\r\n\r\n")).last == .end)
        let old = try events(.response, bytes("HTTP/1.0 200 OK\nServer: old\n\nbody"), close: true)
        #expect(Array(old.dropFirst()) == [.body(bytes("body")), .end])
        #expect(try events(.response, bytes("HTTP/1.0 200 OK\nServer: old\n\nbody")).last == .body(bytes("body")))
    }

    @Test("interim responses come before the final one, at most 16; after a 101 nothing is read")
    func interim() throws {
        let seen = try events(
            .response, bytes("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))
        #expect(seen.count == 4)
        if case .head(.response(let h))? = seen.first { #expect(h.isInterim && h.status == 100) }
        #expect(throws: HTTPParseError.tooManyInterim(16)) {
            try events(.response, bytes(String(repeating: "HTTP/1.1 100 Continue\r\n\r\n", count: 17)))
        }
        let switched = try events(.response, bytes("HTTP/1.1 101 Switching Protocols\r\n\r\n\u{1}\u{2}binary"))
        #expect(switched.count == 2 && switched.last == .end)
    }

    @Test("bad heads are errors that say what was wrong")
    func errors() {
        #expect(throws: HTTPParseError.notHTTP(.response, began: "SSH-2.0-OpenSSH\\x0d")) {
            try events(.response, bytes("SSH-2.0-OpenSSH\r\n\r\n"))
        }
        #expect(throws: HTTPParseError.notHTTP(.request, began: "\\x16\\x03\\x01")) {
            try events(.request, [0x16, 0x03, 0x01])
        }
        #expect(throws: HTTPParseError.badStatusLine("HTTP/1.1 20 OK")) {
            try events(.response, bytes("HTTP/1.1 20 OK\r\n\r\n"))
        }
        #expect(throws: HTTPParseError.badRequestLine("GET /")) { try events(.request, bytes("GET /\r\n\r\n")) }
        #expect(throws: HTTPParseError.badHeader("no colon here")) {
            try events(.request, bytes("GET / HTTP/1.1\r\nno colon here\r\n\r\n"))
        }
        #expect(throws: HTTPParseError.badContentLength(.request, "conflicting values 1 and 2")) {
            try events(.request, bytes("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"))
        }
        #expect(throws: HTTPParseError.badChunk("chunk size \"zz\" is not a hex number")) {
            try events(.response, bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"))
        }
        // Found by `scripts/fuzz http-response`: 16 hex digits overflowed the size.
        #expect(throws: HTTPParseError.badChunk("chunk size \"ffffffffffffffff\" is not a hex number")) {
            try events(.response, bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n"))
        }
        let huge = bytes("GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 70_000))
        #expect(throws: HTTPParseError.headTooLarge(.request, limit: 65536)) { try events(.request, huge) }
        #expect(
            HTTPParseError.headTooLarge(.response, limit: 65536).description
                == "the response head is larger than 64 KiB")
    }

    @Test("every prefix of a valid message is incomplete, never a different message")
    func everyPrefix() throws {
        for (kind, whole) in [(HTTPMessageKind.request, Self.post), (.response, Self.chunked)] {
            let all = try events(kind, whole)
            for n in 0..<whole.count {
                let seen = try events(kind, Array(whole.prefix(n)))
                // What a prefix gives is the start of what the whole gives: a head only once it is
                // whole, body bytes only those of the message, and an end only where the message ends.
                #expect(seen.count <= all.count, "\(kind) prefix \(n)")
                for (i, s) in seen.enumerated() where i < all.count {
                    if case .body(let part) = s, case .body(let full) = all[i] {
                        #expect(full.starts(with: part), "\(kind) prefix \(n)")
                    } else {
                        #expect(s == all[i], "\(kind) prefix \(n)")
                    }
                }
                // Each stream's last message ends with its last byte: a prefix never has every end.
                #expect(seen != all, "\(kind) prefix \(n)")
                #expect(seen.filter { $0 == .end }.count < all.filter { $0 == .end }.count, "\(kind) prefix \(n)")
            }
        }
    }

    @Test("the response parser keeps up to its limit and counts the rest")
    func responseParser() throws {
        var p = HTTPResponseParser(keepLimit: 4)
        try p.feed(Self.chunked)
        #expect(p.isComplete && p.body == bytes("hell") && p.bodyBytes == 12 && p.bodyTruncated)
        #expect(p.chunkCount == 2 && p.framing == .chunked && p.isPersistent)
    }
}

@Suite("HTTPResponseParser: one response as trace's step c reads it")
struct HTTPResponseParserTests {
    /// The chunked response the stream tests read.
    static let chunked = HTTPParserTests.chunked

    @Test("a chunked response is decoded and its chunks counted")
    func chunkedResponse() throws {
        var p = HTTPResponseParser()
        try p.feed(Self.chunked)
        #expect(p.isComplete)
        #expect(p.head?.status == 200)
        #expect(p.head?.header("content-type") == "text/html")
        #expect(p.framing == .chunked)
        #expect(String(decoding: p.body, as: UTF8.self) == "hello, notes")
        #expect(p.chunkCount == 2)
    }

    @Test("fed one byte at a time, the parser gets the same result")
    func byteByByte() throws {
        var p = HTTPResponseParser()
        for b in Self.chunked { try p.feed([b]) }
        #expect(p.isComplete)
        #expect(String(decoding: p.body, as: UTF8.self) == "hello, notes")
    }

    @Test("no proper prefix of a chunked response is complete")
    func everyPrefix() throws {
        for n in 0..<Self.chunked.count {
            var p = HTTPResponseParser()
            try p.feed(Self.chunked.prefix(n))
            #expect(!p.isComplete, "prefix of \(n) bytes")
        }
    }

    @Test("Content-Length frames the body; extra bytes are ignored")
    func contentLength() throws {
        var p = HTTPResponseParser()
        try p.feed(Array("HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nabcdef".utf8))
        #expect(p.isComplete)
        #expect(p.head?.status == 404)
        #expect(p.head?.reason == "Not Found")
        #expect(p.body == Array("abc".utf8))
    }

    @Test("without length or chunking the body ends when the connection does")
    func untilClose() throws {
        var p = HTTPResponseParser()
        try p.feed(Array("HTTP/1.0 200 OK\nServer: old\n\nbody".utf8))
        #expect(!p.isComplete)
        let complete = p.connectionClosed()
        #expect(complete)
        #expect(p.body == Array("body".utf8))
        #expect(p.head?.header("server") == "old")
    }

    @Test("204 and 304 have no body")
    func noBody() throws {
        var p = HTTPResponseParser()
        try p.feed(Array("HTTP/1.1 304 Not Modified\r\nETag: x\r\n\r\n".utf8))
        #expect(p.isComplete)
        #expect(p.framing == HTTPResponseParser.Framing.none)
    }

    @Test("a malformed status line or chunk size is an error")
    func malformed() {
        var p = HTTPResponseParser()
        #expect(throws: HTTPResponseParser.ParseError.self) { try p.feed(Array("SSH-2.0-OpenSSH\r\n\r\n".utf8)) }
        var q = HTTPResponseParser()
        #expect(throws: HTTPResponseParser.ParseError.self) {
            try q.feed(Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n".utf8))
        }
    }

    /// Found by `scripts/fuzz http-response`: its minimised input (after the byte that picks the
    /// piece size) was `HTTP/ 020` and two LFs, read as status 20; "-20" and "+20" passed too.
    @Test("a status code is three digits from 100, as the fuzzer found it was not")
    func statusCodeDigits() throws {
        var found = HTTPResponseParser()
        let crash: [UInt8] = [0x48, 0x54, 0x54, 0x50, 0x2F, 0x20, 0x30, 0x32, 0x30, 0x0A, 0x0A]
        #expect(throws: HTTPResponseParser.ParseError.badStatusLine("HTTP/ 020")) { try found.feed(crash) }
        #expect(found.head == nil)
        for code in ["-20", "+20", " 20", "2a0", "099"] {
            var p = HTTPResponseParser()
            let bytes = Array("HTTP/1.0 \(code) OK\r\nContent-Length: 68\r\n\r\n".utf8)
            #expect(throws: HTTPResponseParser.ParseError.badStatusLine("HTTP/1.0 \(code) OK"), "\(code)") {
                try p.feed(bytes)
            }
        }
        // 100 is the lowest code: accepted, as an interim response the final one follows.
        var p = HTTPResponseParser()
        try p.feed(Array("HTTP/1.0 100 Continue\r\n\r\nHTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n".utf8))
        #expect(p.interim.map(\.status) == [100])
        #expect(p.head?.status == 200)
    }

    @Test("the chunked decoder handles chunk extensions and trailers")
    func chunkDecoder() throws {
        var d = HTTPChunkedDecoder()
        var out: [UInt8] = []
        try d.feed(Array("A;name=value\r\n0123456789\r\n0\r\nTrailer: x\r\n\r\n".utf8), into: &out)
        #expect(d.isComplete)
        #expect(out == Array("0123456789".utf8))
        var bad = HTTPChunkedDecoder()
        #expect(throws: HTTPChunkedDecoder.DecodeError.self) { try bad.feed(Array("3\r\nabcX".utf8), into: &out) }
    }
}
