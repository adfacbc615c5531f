import Testing

@testable import WiretaleCore

/// `wiretale ` × 500 (4,500 bytes), gzip-compressed with mtime 0: Python's
/// `gzip.compress(b"wiretale " * 500, mtime=0)`.
let wiretaleGzip: [UInt8] = hexBytes(
    "1f8b0800000000000203edc6b10900300800b0577cad8383e05404dfef179d92295b37e774c68a88888888888888c8af3c8686d5bb94110000"
)
/// The same text as zlib (RFC 1950): `zlib.compress(b"wiretale " * 500)`.
let wiretaleZlib: [UInt8] = hexBytes(
    "789cedc6b10900300800b0577cad8383e05404dfef179d92295b37e774c68a88888888888888c8af3c3733d07f")
/// The same text as raw DEFLATE (RFC 1951): `zlib.compressobj(9, zlib.DEFLATED, -15)`.
let wiretaleRawDeflate: [UInt8] = hexBytes(
    "edc6b10900300800b0577cad8383e05404dfef179d92295b37e774c68a88888888888888c8af3c")

func hexBytes(_ s: String) -> [UInt8] {
    var out: [UInt8] = []
    var it = s.utf8.makeIterator()
    func nibble(_ c: UInt8) -> UInt8 { c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x61 + 10 }
    while let a = it.next(), let b = it.next() { out.append(nibble(a) << 4 | nibble(b)) }
    return out
}

private func b(_ s: String) -> [UInt8] { Array(s.utf8) }

/// One direction's bytes at one point of an exchange.
struct HTTPStep {
    var fromClient: Bool
    var bytes: [UInt8]
}

/// What a conversation reported.
struct HTTPRecord {
    var transactions: [HTTPTransaction] = []
    var messages: [HTTPMessageSummary] = []
    var left: [(to: String, frame: Int)] = []

    mutating func take(_ e: HTTPEvent) {
        switch e {
        case .message(let m): messages.append(m)
        case .transaction(let t): transactions.append(t)
        case .left(let to, let frame): left.append((to, frame))
        }
    }

    /// The transactions without their frames and latencies (which depend on how the bytes were cut).
    var shapes: [String] { transactions.map(HTTPRecord.shape) }

    static func shape(_ t: HTTPTransaction) -> String {
        var parts: [String] = ["#\(t.index)"]
        parts.append(
            "\(t.method ?? "-") \(t.uri ?? "-") \(t.version ?? "-") host=\(t.host ?? "-") ua=\(t.userAgent ?? "-")")
        parts.append(
            "\(t.status.map(String.init) ?? "-") \(t.reason ?? "-") \(t.responseVersion ?? "-") \(t.contentType ?? "-")"
        )
        parts.append("bodies \(t.requestBodyLength)/\(t.responseBodyLength)")
        parts.append(
            "decoded \(String(describing: t.requestDecodedLength))/\(String(describing: t.responseDecodedLength))")
        parts.append("interim \(t.interim) flags \(t.flags.rawValue) left \(t.leftTo ?? "-")")
        parts.append("gaps \(t.requestGapBytes)/\(t.responseGapBytes)")
        parts.append("problems \(t.problems.map(\.text))")
        return parts.joined(separator: " | ")
    }
}

/// Feeds steps straight to a conversation as data events, each step cut by `cut` (sizes of its
/// pieces), one frame a piece; then both ends and `finish`.
func runHTTP(
    _ steps: [HTTPStep], budget: inout HTTPBudget, ends: Bool = true,
    cut: (Int, [UInt8]) -> [Int] = { _, s in [s.count] }
) -> (HTTPRecord, HTTPConversation) {
    var conv = HTTPConversation()
    var rec = HTTPRecord()
    var frame = 0
    for (i, step) in steps.enumerated() {
        var at = 0
        for size in cut(i, step.bytes) where size > 0 {
            frame += 1
            let piece = Array(step.bytes[at..<min(step.bytes.count, at + size)])
            at += size
            piece.withUnsafeBytes { p in
                conv.receive(
                    .data(p, firstFrame: frame, lastFrame: frame), fromClient: step.fromClient, frame: frame,
                    time: Timestamp(seconds: 1_000, fraction: UInt64(frame), digits: 3), budget: &budget
                ) { rec.take($0) }
            }
        }
    }
    frame += 1
    if ends {
        for client in [true, false] {
            conv.receive(
                .end, fromClient: client, frame: frame, time: Timestamp(seconds: 1_001, fraction: 0, digits: 3),
                budget: &budget
            ) {
                rec.take($0)
            }
        }
    }
    conv.finish(budget: &budget) { rec.take($0) }
    return (rec, conv)
}

func runHTTP(_ steps: [HTTPStep], cut: (Int, [UInt8]) -> [Int] = { _, s in [s.count] }) -> HTTPRecord {
    var budget = HTTPBudget()
    let (rec, _) = runHTTP(steps, budget: &budget, cut: cut)
    #expect(budget.inflaters == 0 && budget.bufferedHeadBytes == 0)
    return rec
}

@Suite("HTTP/1.x conversations: requests matched to responses over reassembled streams")
struct HTTPConversationTests {
    /// A keep-alive connection: three pipelined requests (GET, chunked POST, HEAD) and their
    /// responses, then a POST with 100-continue, a 204, a 304 and a chunked gzip body.
    static let exchange: [HTTPStep] = {
        var chunkedGzip: [UInt8] = []
        for piece in [wiretaleGzip[..<20], wiretaleGzip[20...]] {
            chunkedGzip += b(String(piece.count, radix: 16) + "\r\n") + piece + b("\r\n")
        }
        chunkedGzip += b("0\r\n\r\n")
        return [
            HTTPStep(
                fromClient: true,
                bytes: b(
                    "GET /index.html HTTP/1.1\r\nHost: example.org\r\nUser-Agent: wt-test/1\r\n\r\n"
                        + "POST /upload HTTP/1.1\r\nHost: example.org\r\nTransfer-Encoding: chunked\r\n"
                        + "Content-Type: text/plain\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
                        + "HEAD /index.html HTTP/1.1\r\nHost: example.org\r\n\r\n")),
            HTTPStep(
                fromClient: false,
                bytes: b(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 11\r\n\r\nhello world"
                        + "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"
                        + "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 11\r\n\r\n")),
            HTTPStep(
                fromClient: true,
                bytes: b(
                    "POST /form HTTP/1.1\r\nHost: example.org\r\nExpect: 100-continue\r\nContent-Length: 7\r\n\r\n")),
            HTTPStep(fromClient: false, bytes: b("HTTP/1.1 100 Continue\r\n\r\n")),
            HTTPStep(fromClient: true, bytes: b("a=1&b=2")),
            HTTPStep(fromClient: false, bytes: b("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")),
            HTTPStep(fromClient: true, bytes: b("DELETE /x HTTP/1.1\r\nHost: example.org\r\n\r\n")),
            HTTPStep(fromClient: false, bytes: b("HTTP/1.1 204 No Content\r\n\r\n")),
            HTTPStep(
                fromClient: true, bytes: b("GET /cached HTTP/1.1\r\nHost: example.org\r\nIf-None-Match: \"e\"\r\n\r\n")),
            HTTPStep(
                fromClient: false, bytes: b("HTTP/1.1 304 Not Modified\r\nETag: \"e\"\r\nContent-Length: 100\r\n\r\n")),
            HTTPStep(
                fromClient: true, bytes: b("GET /gzip HTTP/1.1\r\nHost: example.org\r\nAccept-Encoding: gzip\r\n\r\n")),
            HTTPStep(
                fromClient: false,
                bytes: b(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"
                )
                    + chunkedGzip),
        ]
    }()

    static let whole = runHTTP(exchange)

    @Test("the keep-alive exchange gives one transaction per request, each matched to its response")
    func exchangeTransactions() {
        let t = Self.whole.transactions
        #expect(t.count == 7)
        guard t.count == 7 else { return }
        #expect(t.map { $0.method ?? "-" } == ["GET", "POST", "HEAD", "POST", "DELETE", "GET", "GET"])
        #expect(
            t.map { $0.uri ?? "-" } == ["/index.html", "/upload", "/index.html", "/form", "/x", "/cached", "/gzip"])
        #expect(t.map { $0.status ?? 0 } == [200, 201, 200, 200, 204, 304, 200])
        #expect(t[0].host == "example.org" && t[0].userAgent == "wt-test/1" && t[0].version == "HTTP/1.1")
        #expect(t[0].contentType == "text/html" && t[0].responseBodyLength == 11 && t[0].reason == "OK")
        #expect(t[1].requestBodyLength == 11 && t[1].requestContentType == "text/plain")
        #expect(t[2].responseBodyLength == 0, "a response to HEAD has no body")
        #expect(t[3].interim == [100] && t[3].requestBodyLength == 7 && t[3].responseBodyLength == 2)
        #expect(t[5].responseBodyLength == 0, "a 304 has no body, whatever its Content-Length")
        #expect(t[6].responseBodyLength == wiretaleGzip.count)
        #expect(t[6].responseDecodedLength == .bytes(4500) && t[6].responseCoding == "gzip")
        #expect(t.allSatisfy { $0.flags.isEmpty && $0.problems.isEmpty })
        // Frames: each step is one frame, 1...12.
        #expect(t[0].requestFrame == 1 && t[0].responseFrame == 2 && t[2].responseFrame == 2)
        #expect(t[3].requestFirstFrame == 3 && t[3].requestFrame == 5 && t[3].responseFrame == 6)
        #expect(t[6].requestFrame == 11 && t[6].responseFrame == 12)
        // Latency: the request's completing frame to the response's first (1 ms a frame here).
        #expect(t[3].latency == 1_000_000)
        #expect(t[0].latency == 1_000_000)
    }

    @Test("each message is reported on the frame that completes it, the 100 Continue too")
    func exchangeMessages() {
        let m = Self.whole.messages
        #expect(m.count == 15)
        let interim = m.filter(\.isInterim)
        #expect(interim.count == 1 && interim.first?.status == 100 && interim.first?.lastFrame == 4)
        let requests = m.filter { $0.kind == .request }
        #expect(requests.map(\.lastFrame) == [1, 1, 1, 5, 7, 9, 11])
        #expect(requests[1].bodyLength == 11 && requests[1].contentType == "text/plain")
    }

    @Test("the same bytes in every segmentation give the same transactions: whole, byte by byte, every split into two")
    func everySegmentation() {
        let want = Self.whole.shapes
        #expect(runHTTP(Self.exchange) { _, s in Array(repeating: 1, count: s.count) }.shapes == want)
        for (i, step) in Self.exchange.enumerated() {
            for k in 1..<step.bytes.count {
                let got = runHTTP(Self.exchange) { j, s in j == i ? [k, s.count - k] : [s.count] }.shapes
                #expect(got == want, "step \(i) split at \(k)")
                if got != want { return }
            }
        }
    }

    @Test("random segmentations (seeded) give the same transactions")
    func randomSegmentations() {
        let want = Self.whole.shapes
        var g = SplitMix64(state: 2026)
        for round in 0..<300 {
            let got = runHTTP(Self.exchange) { _, s in
                var sizes: [Int] = []
                var left = s.count
                while left > 0 {
                    let n = Int.random(in: 1...max(1, min(left, 40)), using: &g)
                    sizes.append(n)
                    left -= n
                }
                return sizes
            }.shapes
            #expect(got == want, "round \(round)")
            if got != want { return }
        }
    }

    @Test("reordered, duplicated and overlapping segments through a real TCPHalfStream give the same transactions")
    func throughTheReassembler() {
        let want = Self.whole.shapes
        var g = SplitMix64(state: 9)
        for round in 0..<150 {
            var conv = HTTPConversation()
            var rec = HTTPRecord()
            var budget = HTTPBudget()
            var rbudget = ReassemblyBudget()
            var halves = [TCPHalfStream(), TCPHalfStream()]
            let isn: [UInt32] = [4_294_967_000, 77]  // the client's wraps around 2^32
            var sent = [0, 0]
            var frame = 0
            for (side, _) in halves.enumerated() {
                frame += 1
                halves[side].add(
                    seq: isn[side], payload: [], syn: true, frame: frame, budget: &rbudget
                ) { _ in }
            }
            for step in Self.exchange {
                let side = step.fromClient ? 0 : 1
                // Segments of random size, some resent whole or in part, in a locally shuffled order.
                var segments: [(Int, [UInt8])] = []
                var at = 0
                while at < step.bytes.count {
                    let n = Int.random(in: 1...30, using: &g)
                    let end = min(step.bytes.count, at + n)
                    segments.append((at, Array(step.bytes[at..<end])))
                    if Int.random(in: 0..<5, using: &g) == 0 { segments.append((at, Array(step.bytes[at..<end]))) }
                    if Int.random(in: 0..<7, using: &g) == 0, end - at > 2 {
                        let from = at + 1
                        segments.append((from, Array(step.bytes[from..<end])))
                    }
                    at = end
                }
                for i in segments.indices.reversed() where i > 0 && Int.random(in: 0..<3, using: &g) == 0 {
                    segments.swapAt(i, i - 1)
                }
                for (offset, bytes) in segments {
                    frame += 1
                    let seq = isn[side] &+ 1 &+ UInt32(truncatingIfNeeded: sent[side] + offset)
                    let f = frame
                    halves[side].add(seq: seq, payload: bytes, frame: f, budget: &rbudget) { event in
                        conv.receive(
                            event, fromClient: side == 0, frame: f,
                            time: Timestamp(seconds: 5, fraction: UInt64(f), digits: 6),
                            budget: &budget
                        ) { rec.take($0) }
                    }
                }
                sent[side] += step.bytes.count
            }
            for side in 0..<2 {
                frame += 1
                let f = frame
                halves[side].finish(budget: &rbudget) { event in
                    conv.receive(event, fromClient: side == 0, frame: f, time: .missing, budget: &budget) {
                        rec.take($0)
                    }
                }
            }
            conv.finish(budget: &budget) { rec.take($0) }
            #expect(rec.shapes == want, "round \(round)")
            #expect(budget.inflaters == 0 && budget.bufferedHeadBytes == 0)
            #expect(rec.transactions.allSatisfy { ($0.requestFrame ?? 0) <= frame && ($0.responseFrame ?? 0) <= frame })
            if rec.shapes != want { return }
        }
    }

    @Test("every prefix of the exchange: no crash, never more transactions than the whole, the budget given back")
    func everyPrefix() {
        let whole = Self.whole.transactions.count
        let total = Self.exchange.reduce(0) { $0 + $1.bytes.count }
        for cutAt in 0...total {
            var left = cutAt
            var steps: [HTTPStep] = []
            for s in Self.exchange where left > 0 {
                let n = min(left, s.bytes.count)
                steps.append(HTTPStep(fromClient: s.fromClient, bytes: Array(s.bytes[..<n])))
                left -= n
            }
            var budget = HTTPBudget()
            let (rec, _) = runHTTP(steps, budget: &budget, ends: cutAt % 2 == 0)
            #expect(rec.transactions.count <= whole, "prefix \(cutAt)")
            #expect(budget.inflaters == 0 && budget.bufferedHeadBytes == 0, "prefix \(cutAt)")
        }
    }

    @Test("random bytes and damaged exchanges (seeded) never crash, and the budget returns to 0")
    func randomBytes() {
        var g = SplitMix64(state: 404)
        let valid = Self.exchange
        for round in 0..<600 {
            var conv = HTTPConversation()
            var budget = HTTPBudget(maxInflaters: 1, maxBufferedHeadBytes: 4096)
            var count = 0
            for (frame, step) in valid.enumerated() {
                var bytes = step.bytes
                switch round % 3 {
                case 0:  // pure noise
                    bytes = (0..<Int.random(in: 0...300, using: &g)).map { _ in UInt8.random(in: 0...255, using: &g) }
                case 1:  // the exchange with bytes changed
                    for _ in 0..<Int.random(in: 1...6, using: &g) where !bytes.isEmpty {
                        bytes[Int.random(in: 0..<bytes.count, using: &g)] = UInt8.random(in: 0...255, using: &g)
                    }
                default:  // the exchange with HTTP-looking noise spliced in
                    let noise = b(
                        ["GET ", "HTTP/1.", "\r\n", "Content-Length: 9\r\n", "0\r\n", ":", "\r\n\r\n"][
                            Int.random(in: 0..<7, using: &g)])
                    bytes.insert(contentsOf: noise, at: Int.random(in: 0...bytes.count, using: &g))
                }
                bytes.withUnsafeBytes { p in
                    conv.receive(
                        .data(p, firstFrame: frame + 1, lastFrame: frame + 1), fromClient: step.fromClient,
                        frame: frame + 1,
                        time: .missing, budget: &budget
                    ) { if case .transaction = $0 { count += 1 } }
                }
                if Int.random(in: 0..<4, using: &g) == 0 {
                    conv.receive(
                        .gap(Int.random(in: 1...200, using: &g)), fromClient: Bool.random(using: &g), frame: frame + 1,
                        time: .missing, budget: &budget
                    ) { if case .transaction = $0 { count += 1 } }
                }
            }
            conv.finish(budget: &budget) { if case .transaction = $0 { count += 1 } }
            #expect(budget.inflaters == 0 && budget.bufferedHeadBytes == 0, "round \(round)")
            #expect(count == conv.counters.transactions)
        }
    }
}

@Suite("HTTP/1.x conversations: gaps, malformed messages, leaving HTTP, caps")
struct HTTPConversationEdgeTests {
    static func feed(
        _ conv: inout HTTPConversation, _ rec: inout HTTPRecord, _ budget: inout HTTPBudget, client: Bool, _ s: String,
        frame: Int
    ) {
        Array(s.utf8).withUnsafeBytes { p in
            conv.receive(
                .data(p, firstFrame: frame, lastFrame: frame), fromClient: client, frame: frame, time: .missing,
                budget: &budget
            ) { rec.take($0) }
        }
    }

    static func gap(
        _ conv: inout HTTPConversation, _ rec: inout HTTPRecord, _ budget: inout HTTPBudget, client: Bool, _ n: Int,
        frame: Int
    ) {
        conv.receive(.gap(n), fromClient: client, frame: frame, time: .missing, budget: &budget) { rec.take($0) }
    }

    @Test("a gap inside a Content-Length body is stepped over: the transaction completes, the gap counted")
    func gapInBody() {
        var conv = HTTPConversation()
        var rec = HTTPRecord()
        var budget = HTTPBudget()
        Self.feed(
            &conv, &rec, &budget, client: true, "GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n",
            frame: 1)
        Self.feed(
            &conv, &rec, &budget, client: false,
            "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + String(repeating: "x", count: 30), frame: 2)
        Self.gap(&conv, &rec, &budget, client: false, 40, frame: 3)
        Self.feed(
            &conv, &rec, &budget, client: false,
            String(repeating: "y", count: 30) + "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", frame: 4)
        conv.finish(budget: &budget) { rec.take($0) }
        let t = rec.transactions
        #expect(t.count == 2)
        guard t.count == 2 else { return }
        #expect(t[0].uri == "/a" && t[0].status == 200 && t[0].responseBodyLength == 100 && t[0].responseGapBytes == 40)
        #expect(t[0].flags.isEmpty && !t[0].isMalformed && t[0].responseFrame == 4)
        #expect(t[1].uri == "/b" && t[1].status == 404)
        #expect(conv.counters.gapBytes == 40)
        let m = rec.messages.first { $0.kind == .response }
        #expect(m?.gapBytes == 40)
    }

    @Test("a gap inside a head loses that head, marked, and the stream picks up at the next request")
    func gapInHead() {
        var conv = HTTPConversation()
        var rec = HTTPRecord()
        var budget = HTTPBudget()
        Self.feed(&conv, &rec, &budget, client: true, "GET /a HTTP/1.1\r\nHo", frame: 1)
        Self.gap(&conv, &rec, &budget, client: true, 10, frame: 2)
        Self.feed(
            &conv, &rec, &budget, client: true, "st: x\r\nAccept: */*\r\n\r\nGET /b HTTP/1.1\r\nHost: y\r\n\r\n",
            frame: 3)
        Self.feed(
            &conv, &rec, &budget, client: false,
            "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nAHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nB", frame: 4)
        conv.finish(budget: &budget) { rec.take($0) }
        let t = rec.transactions
        #expect(t.count == 2)
        guard t.count == 2 else { return }
        #expect(t[0].uri == "/a" && t[0].flags.contains(.requestIncomplete) && t[0].isMalformed && t[0].status == 200)
        #expect(t[0].problems.first?.text.contains("gap of 10 bytes inside the request head") == true)
        #expect(t[1].uri == "/b" && t[1].host == "y" && t[1].status == 200 && !t[1].isMalformed)
        #expect(budget.bufferedHeadBytes == 0)
    }

    @Test("a malformed header line is marked with its line and offset; the message and the next one are read")
    func malformedHeader() {
        var conv = HTTPConversation()
        var rec = HTTPRecord()
        var budget = HTTPBudget()
        Self.feed(
            &conv, &rec, &budget, client: true,
            "GET /a HTTP/1.1\r\nHost: x\r\nbad line here\r\nUser-Agent: u\r\n\r\nGET /b HTTP/1.1\r\n\r\n", frame: 1)
        Self.feed(&conv, &rec, &budget, client: false, "HTTP/1.1 200 OK\r\n\r\n", frame: 2)
        conv.finish(budget: &budget) { rec.take($0) }
        let t = rec.transactions
        #expect(t.count == 2)
        guard t.count == 2 else { return }
        #expect(t[0].isMalformed && t[0].userAgent == "u" && t[0].status == 200)
        let p = t[0].problems.first
        #expect(p?.place == .request && p?.line == 3 && p?.offset == 26 && p?.frame == 1)
        #expect(p?.text == "malformed header field: bad line here")
        #expect(rec.messages.first?.malformed == "malformed header field: bad line here")
        #expect(t[1].uri == "/b" && t[1].flags.contains(.noResponse) && !t[1].isMalformed)
    }

    @Test("bytes that are not a request are marked and skipped up to the next request line")
    func garbageBeforeRequest() {
        var conv = HTTPConversation()
        var rec = HTTPRecord()
        var budget = HTTPBudget()
        Self.feed(
            &conv, &rec, &budget, client: true, "\u{16}\u{03}\u{01}junk\r\nmore junk\r\nGET /ok HTTP/1.1\r\n\r\n",
            frame: 1)
        Self.feed(&conv, &rec, &budget, client: false, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", frame: 2)
        conv.finish(budget: &budget) { rec.take($0) }
        #expect(rec.transactions.count == 1)
        let t = rec.transactions.first
        #expect(t?.uri == "/ok" && t?.status == 200 && t?.isMalformed == false)
        #expect(t?.problems.first?.place == .beforeRequest)
        #expect(rec.messages.first?.malformed?.contains("not an HTTP/1.x request") == true)
        #expect(conv.counters.skippedBytes > 0)
    }

    @Test("a request line with no target reads as Zeek reads it (empty URI, marked)")
    func noURI() {
        var budget = HTTPBudget()
        let (rec, _) = runHTTP(
            [
                HTTPStep(fromClient: true, bytes: b("GET HTTP/1.1\r\nHost: bro.org\r\n\r\n")),
                HTTPStep(fromClient: false, bytes: b("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc")),
            ], budget: &budget)
        let t = rec.transactions.first
        #expect(t?.method == "GET" && t?.uri == "" && t?.version == "HTTP/1.1" && t?.status == 200)
        #expect(t?.problems.first?.text == "the request line has no target (URI)")
    }

    @Test("a status line or a version in lower case (`http/1.1`) is read, and noted")
    func lowerCaseVersion() {
        var budget = HTTPBudget()
        let (rec, _) = runHTTP(
            [
                HTTPStep(fromClient: true, bytes: b("GET /a http/1.1\r\nHost: h\r\n\r\n")),
                HTTPStep(fromClient: false, bytes: b("http/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")),
            ], budget: &budget)
        let t = rec.transactions.first
        #expect(rec.transactions.count == 1)
        #expect(t?.uri == "/a" && t?.version == "HTTP/1.1" && t?.status == 200 && t?.responseVersion == "HTTP/1.1")
        #expect(t?.responseBodyLength == 2 && t?.flags.isEmpty == true)
        #expect(t?.problems.map(\.place) == [.request, .response])
        #expect(t?.problems.allSatisfy { $0.text.contains("lower case") } == true)
    }

    @Test(
        "a gap inside a chunk's data is stepped over; one past it loses the framing, marked, and the next response is found"
    )
    func gapInChunkedBody() {
        var conv = HTTPConversation()
        var rec = HTTPRecord()
        var budget = HTTPBudget()
        Self.feed(
            &conv, &rec, &budget, client: true, "GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\nGET /c HTTP/1.1\r\n\r\n",
            frame: 1)
        Self.feed(
            &conv, &rec, &budget, client: false, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\n01",
            frame: 2)
        Self.gap(&conv, &rec, &budget, client: false, 4, frame: 3)
        Self.feed(&conv, &rec, &budget, client: false, "6789\r\n0\r\n\r\n", frame: 4)
        Self.feed(
            &conv, &rec, &budget, client: false, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
            frame: 5)
        Self.gap(&conv, &rec, &budget, client: false, 50, frame: 6)
        Self.feed(
            &conv, &rec, &budget, client: false, "xyz\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", frame: 7)
        conv.finish(budget: &budget) { rec.take($0) }
        let t = rec.transactions
        #expect(t.map { $0.status ?? 0 } == [200, 200, 404])
        guard t.count == 3 else { return }
        #expect(t[0].responseBodyLength == 10 && t[0].responseGapBytes == 4 && t[0].flags.isEmpty)
        #expect(t[1].flags.contains(.responseIncomplete) && t[1].isMalformed && t[1].responseGapBytes == 50)
        #expect(t[1].problems.first?.text.contains("framing is lost") == true)
        #expect(t[2].uri == "/c" && !t[2].isMalformed)
    }

    @Test("the HTTP/2 connection preface leaves HTTP/1.x for h2; a refused CONNECT stays in HTTP")
    func h2PrefaceAndRefusedConnect() {
        var budget = HTTPBudget()
        let (rec, conv) = runHTTP(
            [
                HTTPStep(
                    fromClient: true, bytes: b("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") + [0, 0, 0x12, 4, 0, 0, 0, 0, 0])
            ],
            budget: &budget)
        #expect(rec.left.map(\.to) == ["h2"] && conv.leftTo == "h2" && rec.transactions.count == 1)
        #expect(rec.transactions.first?.method == "PRI" && rec.transactions.first?.flags.contains(.noResponse) == true)
        let (rec2, conv2) = runHTTP(
            [
                HTTPStep(fromClient: true, bytes: b("CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n")),
                HTTPStep(
                    fromClient: false,
                    bytes: b("HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 3\r\n\r\nno!")),
                HTTPStep(
                    fromClient: true, bytes: b("CONNECT a:443 HTTP/1.1\r\nProxy-Authorization: Basic eA==\r\n\r\n")),
                HTTPStep(fromClient: false, bytes: b("HTTP/1.1 200 OK\r\n\r\n") + [0x16, 3, 3, 0, 1, 2]),
            ], budget: &budget)
        #expect(rec2.transactions.map { $0.status ?? 0 } == [407, 200])
        #expect(rec2.transactions.map(\.leftTo) == [nil, "tunnel"] && conv2.leftTo == "tunnel")
        #expect(budget.inflaters == 0 && budget.bufferedHeadBytes == 0)
    }

    @Test("CONNECT answered 2xx: parsing stops for both directions and the stream became a tunnel")
    func connectTunnel() {
        var conv = HTTPConversation()
        var rec = HTTPRecord()
        var budget = HTTPBudget()
        Self.feed(
            &conv, &rec, &budget, client: true, "CONNECT example.org:443 HTTP/1.1\r\nHost: example.org:443\r\n\r\n",
            frame: 1)
        Self.feed(&conv, &rec, &budget, client: false, "HTTP/1.1 200 Connection established\r\n\r\n", frame: 2)
        Self.feed(&conv, &rec, &budget, client: true, "\u{16}\u{03}\u{01}\u{02}\u{00}GET / HTTP/1.1\r\n\r\n", frame: 3)
        Self.feed(&conv, &rec, &budget, client: false, "HTTP/1.1 200 OK\r\n\r\n", frame: 4)
        conv.finish(budget: &budget) { rec.take($0) }
        #expect(rec.transactions.count == 1)
        #expect(rec.transactions.first?.flags.contains(.connect) == true && rec.transactions.first?.leftTo == "tunnel")
        #expect(rec.left.count == 1 && rec.left.first?.to == "tunnel" && rec.left.first?.frame == 2)
        #expect(conv.hasLeftHTTP && conv.counters.bytesAfterLeaving > 0)
    }

    @Test("101 Switching Protocols: the stream became what Upgrade names (websocket, h2c)")
    func upgrade() {
        for proto in ["websocket", "h2c"] {
            var budget = HTTPBudget()
            let (rec, conv) = runHTTP(
                [
                    HTTPStep(
                        fromClient: true,
                        bytes: b("GET /chat HTTP/1.1\r\nHost: h\r\nUpgrade: \(proto)\r\nConnection: Upgrade\r\n\r\n")),
                    HTTPStep(
                        fromClient: false,
                        bytes: b("HTTP/1.1 101 Switching Protocols\r\nUpgrade: \(proto)\r\nConnection: Upgrade\r\n\r\n")
                            + [0x81, 0x05]
                            + b("hello")),
                    HTTPStep(fromClient: true, bytes: [0x81, 0x85, 1, 2, 3, 4, 5, 6, 7, 8, 9]),
                ], budget: &budget)
            #expect(rec.transactions.count == 1)
            #expect(rec.transactions.first?.status == 101 && rec.transactions.first?.flags.contains(.upgraded) == true)
            #expect(rec.left.map(\.to) == [proto] && conv.leftTo == proto)
            #expect(conv.counters.malformed == 0)
        }
    }

    @Test("HTTP/0.9: a request without version, a reply without status line, read to the close")
    func http09() {
        var budget = HTTPBudget()
        let (rec, _) = runHTTP(
            [
                HTTPStep(fromClient: true, bytes: b("GET /\r\n")),
                HTTPStep(fromClient: false, bytes: b("<html>hello</html>\n")),
            ], budget: &budget)
        let t = rec.transactions.first
        #expect(rec.transactions.count == 1)
        #expect(t?.method == "GET" && t?.uri == "/" && t?.version == "HTTP/0.9" && t?.status == nil)
        #expect(t?.flags.contains(.http09) == true && t?.responseBodyLength == 19 && t?.problems.isEmpty == true)
        #expect(rec.messages.last?.http09 == true)
    }

    @Test("a reply that is not HTTP to an HTTP/1.1 request is marked as such, status nil")
    func replyNotHTTP() {
        var budget = HTTPBudget()
        let (rec, _) = runHTTP(
            [
                HTTPStep(fromClient: true, bytes: b("GET / HTTP/1.1\r\nHost: h\r\n\r\n")),
                HTTPStep(fromClient: false, bytes: b("SSH-2.0-OpenSSH_9.6\r\n")),
            ], budget: &budget)
        let t = rec.transactions.first
        #expect(t?.status == nil && t?.flags.contains(.http09) == true && t?.isMalformed == true)
        #expect(t?.problems.first?.text.contains("not HTTP/1.x") == true)
    }

    @Test("a response with no request seen, and a request with no response, are transactions too")
    func unmatched() {
        var budget = HTTPBudget()
        let (rec, _) = runHTTP(
            [HTTPStep(fromClient: false, bytes: b("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"))], budget: &budget)
        #expect(rec.transactions.count == 1)
        #expect(rec.transactions.first?.method == nil && rec.transactions.first?.uri == nil)
        #expect(rec.transactions.first?.flags == [.noRequest] && rec.transactions.first?.status == 200)
        let (rec2, _) = runHTTP([HTTPStep(fromClient: true, bytes: b("GET /lonely HTTP/1.1\r\n\r\n"))], budget: &budget)
        #expect(rec2.transactions.first?.flags == [.noResponse] && rec2.transactions.first?.uri == "/lonely")
        #expect(rec2.transactions.first?.latency == nil)
    }

    @Test("a body that runs until the close ends at the server's end")
    func untilClose() {
        var budget = HTTPBudget()
        let (rec, _) = runHTTP(
            [
                HTTPStep(fromClient: true, bytes: b("GET / HTTP/1.0\r\n\r\n")),
                HTTPStep(
                    fromClient: false, bytes: b("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nbody until close")),
            ], budget: &budget)
        #expect(rec.transactions.first?.responseBodyLength == 16 && rec.transactions.first?.flags.isEmpty == true)
    }

    @Test("the pending FIFO is capped: the oldest requests are given up, and their responses come alone")
    func pendingCap() {
        let n = HTTPConversation.maxPending + 6
        var requests = ""
        var responses = ""
        for i in 0..<n {
            requests += "GET /\(i) HTTP/1.1\r\nHost: h\r\n\r\n"
            responses += "HTTP/1.1 200 R\(i)\r\nContent-Length: 0\r\n\r\n"
        }
        var budget = HTTPBudget()
        let (rec, conv) = runHTTP(
            [HTTPStep(fromClient: true, bytes: b(requests)), HTTPStep(fromClient: false, bytes: b(responses))],
            budget: &budget)
        let t = rec.transactions
        #expect(t.count == n + 6)
        #expect(t.filter { $0.flags.contains(.evictedAtCap) }.map { $0.uri ?? "" } == (0..<6).map { "/\($0)" })
        #expect(t.filter { $0.flags.contains(.noRequest) }.map { $0.reason ?? "" } == (0..<6).map { "R\($0)" })
        let matched = t.filter { $0.method != nil && $0.status != nil }
        #expect(matched.count == n - 6)
        #expect(matched.allSatisfy { "/" + ($0.reason ?? "").dropFirst() == $0.uri })
        #expect(conv.counters.evictedAtCap == 6)
    }

    @Test("the inflater cap is shared through the budget: a body past it is not decoded, and counted")
    func inflaterCap() {
        var budget = HTTPBudget(maxInflaters: 1)
        var a = HTTPConversation()
        var c = HTTPConversation()
        var rec = HTTPRecord()
        let head = "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: \(wiretaleGzip.count)\r\n\r\n"
        for conv in [0, 1] {
            if conv == 0 {
                Self.feed(&a, &rec, &budget, client: true, "GET / HTTP/1.1\r\n\r\n", frame: 1)
                Self.feed(&a, &rec, &budget, client: false, head, frame: 2)
            } else {
                Self.feed(&c, &rec, &budget, client: true, "GET / HTTP/1.1\r\n\r\n", frame: 1)
                Self.feed(&c, &rec, &budget, client: false, head, frame: 2)
            }
        }
        #expect(budget.inflaters == 1 && budget.inflatersRefused == 1)
        for var conv in [a, c] {
            wiretaleGzip.withUnsafeBytes { p in
                conv.receive(
                    .data(p, firstFrame: 3, lastFrame: 3), fromClient: false, frame: 3, time: .missing, budget: &budget
                ) {
                    rec.take($0)
                }
            }
            conv.finish(budget: &budget) { rec.take($0) }
        }
        #expect(rec.transactions.map(\.responseDecodedLength) == [.bytes(4500), .refused])
        #expect(budget.inflaters == 0 && budget.bufferedHeadBytes == 0)
    }

    @Test("the heads held by all conversations are capped: past it a head is dropped, marked, and given back")
    func headBudget() {
        var budget = HTTPBudget(maxBufferedHeadBytes: 100)
        var conv = HTTPConversation()
        var rec = HTTPRecord()
        Self.feed(
            &conv, &rec, &budget, client: true, "GET /long HTTP/1.1\r\nX-Pad: " + String(repeating: "p", count: 200),
            frame: 1)
        #expect(budget.headsDropped == 1 && budget.bufferedHeadBytes == 0)
        Self.feed(&conv, &rec, &budget, client: true, "\r\n\r\nGET /next HTTP/1.1\r\n\r\n", frame: 2)
        conv.finish(budget: &budget) { rec.take($0) }
        #expect(rec.transactions.map { $0.uri ?? "-" } == ["/long", "/next"])
        #expect(rec.transactions.first?.flags.contains(.requestIncomplete) == true)
        #expect(budget.bufferedHeadBytes == 0)
    }

    @Test("deflate and gzip bodies inflate as they stream, bounded by a per-body limit")
    func inflater() {
        for (data, format) in [
            (wiretaleGzip, HTTPInflater.Format.gzip), (wiretaleZlib, .deflate), (wiretaleRawDeflate, .deflate),
            (wiretaleZlib, .gzip),
        ] {
            let whole = HTTPInflater(format)
            data.withUnsafeBytes { whole.feed($0) }
            #expect(whole.completeLength == 4500)
            let bytewise = HTTPInflater(format)
            for byte in data { [byte].withUnsafeBytes { bytewise.feed($0) } }
            #expect(bytewise.completeLength == 4500)
        }
        let small = HTTPInflater(.gzip, limit: 100)
        wiretaleGzip.withUnsafeBytes { small.feed($0) }
        #expect(small.state == .tooLarge && small.output == 100)
        let corrupt = HTTPInflater(.gzip)
        var bad = wiretaleGzip
        bad[12] ^= 0xFF
        bad.withUnsafeBytes { corrupt.feed($0) }
        if case .corrupt = corrupt.state {} else { Issue.record("corrupt gzip not noticed: \(corrupt.state)") }
        let cut = HTTPInflater(.gzip)
        wiretaleGzip.prefix(30).withUnsafeBytes { cut.feed($0) }
        #expect(cut.state == .running && cut.completeLength == nil)
    }
}
