import Testing

@testable import WiretaleTrace

@Suite("Step c: reading the response")
struct HTTPWireTests {
    static let chunked = Array(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/html\r\n\r\n5;ext=1\r\nhello\r\n7\r\n, notes\r\n0\r\nX-Trailer: t\r\n\r\n"
            .utf8)

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
        var d = ChunkedDecoder()
        var out: [UInt8] = []
        try d.feed(Array("A;name=value\r\n0123456789\r\n0\r\nTrailer: x\r\n\r\n".utf8), into: &out)
        #expect(d.isComplete)
        #expect(out == Array("0123456789".utf8))
        var bad = ChunkedDecoder()
        #expect(throws: ChunkedDecoder.DecodeError.self) { try bad.feed(Array("3\r\nabcX".utf8), into: &out) }
    }
}

@Suite("gzip and DEFLATE (RFC 1952, RFC 1951), through zlib")
struct InflateTests {
    // python3: gzip.compress(b"hello, notes", mtime=0) (fixed Huffman block)
    static let hello: [UInt8] = [
        0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0xcb, 0x48, 0xcd, 0xc9, 0xc9, 0xd7, 0x51, 0xc8,
        0xcb, 0x2f, 0x49, 0x2d, 0x06, 0x00, 0xf5, 0xc5, 0xc7, 0xc4, 0x0c, 0x00, 0x00, 0x00,
    ]
    // python3: gzip.compress(b"".join(b"<p>line %d of the page</p>\n" % i for i in range(60)), mtime=0,
    // compresslevel=9): 1610 bytes in 192 (dynamic Huffman codes)
    static let page: [UInt8] = [
        0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x7d, 0xd4, 0x39, 0x4e, 0x04, 0x51, 0x0c, 0x40,
        0xc1, 0x9c, 0x53, 0xf4, 0x0d, 0x18, 0x6f, 0x2c, 0x52, 0x6b, 0xee, 0x32, 0x41, 0xc3, 0x20, 0x21, 0xe8, 0x80,
        0xfb, 0x8b, 0x84, 0x0c, 0xd5, 0x8f, 0x5f, 0xe4, 0x92, 0xed, 0xfd, 0xbc, 0x7e, 0x7e, 0x7c, 0x1d, 0xdb, 0x65,
        0xfb, 0x7e, 0xdb, 0x7e, 0xee, 0xc7, 0x76, 0xde, 0xde, 0x8f, 0xfd, 0xf1, 0xbc, 0x3e, 0xec, 0x7f, 0x25, 0x58,
        0x92, 0xa5, 0x58, 0x9a, 0x65, 0x58, 0x9e, 0x58, 0x9e, 0x59, 0x5e, 0x58, 0x5e, 0x3d, 0xe9, 0x02, 0xc1, 0x0a,
        0x61, 0x86, 0xb0, 0x43, 0x18, 0x22, 0x2c, 0x11, 0xa6, 0x08, 0x5b, 0x84, 0x31, 0xc2, 0x1a, 0x69, 0x8d, 0x5c,
        0xec, 0x84, 0x35, 0xd2, 0x1a, 0x69, 0x8d, 0xb4, 0x46, 0x5a, 0x23, 0xad, 0x91, 0xd6, 0x48, 0x6b, 0x94, 0x35,
        0xca, 0x1a, 0xb5, 0x38, 0x11, 0x6b, 0x94, 0x35, 0xca, 0x1a, 0x65, 0x8d, 0xb2, 0x46, 0x59, 0xa3, 0xac, 0xd1,
        0xd6, 0x68, 0x6b, 0xb4, 0x35, 0x7a, 0xf1, 0x31, 0xac, 0xd1, 0xd6, 0x68, 0x6b, 0xb4, 0x35, 0xda, 0x1a, 0x6d,
        0x8d, 0xb1, 0xc6, 0x58, 0x63, 0xac, 0x31, 0xd6, 0x98, 0xc5, 0x03, 0xb5, 0xc6, 0x58, 0x63, 0xac, 0x31, 0xd6,
        0x98, 0xff, 0x1a, 0xbf, 0xb6, 0x52, 0x95, 0x08, 0x4a, 0x06, 0x00, 0x00,
    ]

    @Test("a small gzip member inflates and its CRC checks")
    func small() throws {
        #expect(try Inflate.gunzip(Self.hello) == Array("hello, notes".utf8))
    }

    @Test("dynamic Huffman blocks with back-references inflate to the original page")
    func dynamic() throws {
        let out = try Inflate.gunzip(Self.page)
        var expected = ""
        for i in 0..<60 { expected += "<p>line \(i) of the page</p>\n" }
        #expect(out == Array(expected.utf8))
    }

    @Test("a stored block in a zlib wrapper is copied as it is")
    func stored() throws {
        // python3: zlib.compress(b"stored block!", 0)
        let zlibStream: [UInt8] =
            [0x78, 0x01, 0x01, 0x0d, 0x00, 0xf2, 0xff] + Array("stored block!".utf8) + [0x24, 0x5e, 0x04, 0xde]
        #expect(try Inflate.gunzip(zlibStream) == Array("stored block!".utf8))
    }

    @Test("corrupt or cut gzip data is an error at every prefix")
    func corrupt() {
        for n in 0..<Self.hello.count {
            #expect(throws: Inflate.Failure.self) { try Inflate.gunzip(Array(Self.hello.prefix(n))) }
        }
        var bad = Self.hello
        bad[bad.count - 5] ^= 0xFF  // CRC
        #expect(throws: Inflate.Failure(reason: "the gzip data is corrupt: incorrect data check")) {
            try Inflate.gunzip(bad)
        }
    }

    @Test("the output limit stops a decompression bomb")
    func limit() throws {
        #expect(throws: Inflate.Failure.self) { try Inflate.gunzip(Self.page, limit: 100) }
        #expect(try Inflate.gunzip(Self.page, limit: 1610).count == 1610)
    }
}
