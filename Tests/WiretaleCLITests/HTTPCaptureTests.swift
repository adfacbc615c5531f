import Foundation
import Testing

/// The HTTP transactions of the loopback captures in `Captures/` (recorded by
/// `scripts/record-http-captures.sh`), against what tshark 4.0 with reassembly reads in them
/// (`tshark -2 -r F -Y http -T fields -e frame.number -e tcp.stream -e http.request.method
/// -e http.request.uri -e http.response.code`): each request and response, at the frame that
/// completes it, and what Zeek's http.log adds (body lengths, codings, interim statuses, gaps).
@Suite("HTTP in the recorded captures: transactions, services, read's lines, explain's messages")
struct HTTPCaptureTests {
    /// One expected transaction: stream, method, URI, status, request frame, response frame.
    struct Want: CustomStringConvertible {
        var stream: Int
        var method: String?
        var uri: String?
        var status: Int?
        var requestFrame: Int?
        var responseFrame: Int?
        var description: String {
            "\(stream) \(method ?? "-") \(uri ?? "-") \(status.map(String.init) ?? "-") "
                + "\(requestFrame.map(String.init) ?? "-") \(responseFrame.map(String.init) ?? "-")"
        }
    }

    static let truth: [(file: String, service: String, transactions: [Want])] = [
        (
            "http-loopback.pcap", "http",
            [Want(stream: 0, method: "GET", uri: "/index.html", status: 200, requestFrame: 4, responseFrame: 8)]
        ),
        (
            "http-keepalive-nginx.pcap", "http",
            [
                Want(stream: 0, method: "GET", uri: "/a.html", status: 200, requestFrame: 4, responseFrame: 6),
                Want(stream: 0, method: "GET", uri: "/b.txt", status: 200, requestFrame: 8, responseFrame: 9),
                Want(stream: 0, method: "GET", uri: "/missing", status: 404, requestFrame: 10, responseFrame: 11),
            ]
        ),
        (
            "http-head-304.pcap", "http",
            [
                Want(stream: 0, method: "HEAD", uri: "/a.html", status: 200, requestFrame: 4, responseFrame: 6),
                Want(stream: 1, method: "GET", uri: "/a.html", status: 304, requestFrame: 14, responseFrame: 16),
            ]
        ),
        (
            "http-pipelined.pcap", "http",
            [
                Want(stream: 0, method: "GET", uri: "/a.html", status: 200, requestFrame: 4, responseFrame: 6),
                Want(stream: 0, method: "GET", uri: "/b.txt", status: 200, requestFrame: 4, responseFrame: 8),
                Want(stream: 0, method: "GET", uri: "/missing", status: 404, requestFrame: 4, responseFrame: 10),
            ]
        ),
        (
            "http-midstream.pcap", "http",
            [
                Want(stream: 0, method: "GET", uri: "/a.html", status: 200, requestFrame: 1, responseFrame: 3),
                Want(stream: 0, method: "GET", uri: "/b.txt", status: 200, requestFrame: 5, responseFrame: 6),
            ]
        ),
        (
            "http-nonstandard-port.pcap", "http",
            [Want(stream: 0, method: "GET", uri: "/a.html", status: 200, requestFrame: 4, responseFrame: 8)]
        ),
        (
            "http-post-100-continue.pcap", "http",
            [Want(stream: 0, method: "POST", uri: "/upload", status: 201, requestFrame: 8, responseFrame: 11)]
        ),
        (
            "http-websocket-upgrade.pcap", "http",
            [Want(stream: 0, method: "GET", uri: "/chat", status: 101, requestFrame: 4, responseFrame: 6)]
        ),
        (
            "http-until-close.pcap", "http",
            [Want(stream: 0, method: "GET", uri: "/stream", status: 200, requestFrame: 4, responseFrame: 8)]
        ),
        (
            "http-snaplen.pcap", "http",
            [Want(stream: 0, method: "GET", uri: "/page4k.html", status: 200, requestFrame: 4, responseFrame: 6)]
        ),
        (
            "http-large-body.pcap", "http",
            [Want(stream: 0, method: "GET", uri: "/large.bin", status: 200, requestFrame: 4, responseFrame: 156)]
        ),
        ("tls-loopback.pcap", "tls", []),
    ]

    static func objects(_ file: String) throws -> [[String: Any]] {
        let r = try CLI.run(["conversations", CLI.capture(file), "--format", "json"])
        #expect(r.status == 0, "\(file): \(r.stderr)")
        return try CLI.json(r)
    }

    static func http(_ objects: [[String: Any]]) -> [[String: Any]] {
        objects.filter { $0["kind"] as? String == "http" && $0["interim_of"] == nil }
    }

    @Test(
        "every request and response tshark reads, at the same frames, and the service by content",
        arguments: truth.indices)
    func transactions(_ i: Int) throws {
        let (file, service, want) = Self.truth[i]
        let all = try Self.objects(file)
        let got = Self.http(all).map {
            Want(
                stream: $0["stream"] as? Int ?? -1, method: $0["method"] as? String, uri: $0["uri"] as? String,
                status: $0["status"] as? Int, requestFrame: $0["request_frame"] as? Int,
                responseFrame: $0["response_frame"] as? Int)
        }
        #expect(got.map(\.description) == want.map(\.description), "\(file)")
        for t in all where t["kind"] as? String == "tcp" {
            #expect(t["service"] as? String == service, "\(file) stream \(t["stream"] ?? "-")")
        }
        for t in Self.http(all) {
            let latency = try #require(t["latency_ms"] as? Double, "\(file)")
            #expect(latency >= 0 && latency < 5000, "\(file): \(latency) ms")
        }
    }

    @Test("bodies as Zeek's http.log counts them: Content-Length, chunked and gzip, until close, none for HEAD and 304")
    func bodies() throws {
        let keepalive = Self.http(try Self.objects("http-keepalive-nginx.pcap"))
        #expect(keepalive.map { $0["response_body_len"] as? Int } == [133, 140, 146])
        #expect(keepalive[1]["response_coding"] as? String == "gzip")
        #expect(keepalive[1]["response_decoded_body_len"] as? Int == 1260)
        #expect(keepalive[1]["response_decoding"] as? String == "complete")
        #expect(
            keepalive[0]["content_type"] as? String == "text/html"
                && keepalive[0]["host"] as? String == "127.0.0.1:8081")
        #expect(keepalive.allSatisfy { ($0["user_agent"] as? String)?.hasPrefix("curl/") == true })

        let head = Self.http(try Self.objects("http-head-304.pcap"))
        #expect(head.map { $0["response_body_len"] as? Int } == [0, 0], "HEAD and 304 have no body")

        let postAll = try Self.objects("http-post-100-continue.pcap")
        let post = Self.http(postAll)
        // The 100 Continue is also an object of its own before its transaction, as tshark lists it.
        let interim = postAll.filter { $0["interim_of"] != nil }
        #expect(interim.count == 1 && interim.first?["status"] as? Int == 100 && interim.first?["method"] is NSNull)
        #expect(
            postAll.firstIndex { $0["interim_of"] != nil } == postAll.firstIndex { $0["kind"] as? String == "http" })
        #expect(post.first?["request_body_len"] as? Int == 2940 && post.first?["response_body_len"] as? Int == 19)
        #expect(post.first?["interim"] as? [Int] == [100])

        let untilClose = Self.http(try Self.objects("http-until-close.pcap"))
        #expect(
            untilClose.first?["response_body_len"] as? Int == 2080
                && untilClose.first?["version"] as? String == "HTTP/1.1")
        #expect(untilClose.first?["response_version"] as? String == "HTTP/1.0")

        let large = Self.http(try Self.objects("http-large-body.pcap"))
        #expect(large.first?["response_body_len"] as? Int == 40960 && large.first?["response_gap_bytes"] as? Int == 0)
    }

    @Test("what the capture missed is a gap, said in both the transaction and the connection")
    func gaps() throws {
        let all = try Self.objects("http-snaplen.pcap")
        // Every frame cut at 120 bytes: the request's 89 payload bytes keep 54, the response's 4301 keep 54.
        let t = try #require(Self.http(all).first)
        #expect(t["malformed"] as? Bool == true && t["response_incomplete"] as? Bool == true)
        let problems = (t["problems"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }
        #expect(problems.count == 2 && problems.allSatisfy { $0.contains("gap") }, "\(problems)")
        let tcp = try #require(all.first { $0["kind"] as? String == "tcp" })
        #expect(tcp["stream_gap_bytes"] as? Int == (89 - 54) + (4301 - 54))
    }

    @Test("a 101 ends HTTP: the stream became websocket, on the frame, the transaction and the connection")
    func upgrade() throws {
        let all = try Self.objects("http-websocket-upgrade.pcap")
        let t = try #require(Self.http(all).first)
        #expect(t["upgraded"] as? Bool == true && t["left_to"] as? String == "websocket")
        let tcp = try #require(all.first { $0["kind"] as? String == "tcp" })
        #expect(tcp["service_became"] as? String == "websocket")
        let frames = try CLI.json(
            try CLI.run(["read", CLI.capture("http-websocket-upgrade.pcap"), "--format", "json"]))
        let left = try #require(frames.first { $0["stream_left"] != nil })
        #expect(left["frame"] as? Int == 6)
        let lines = try CLI.run(["read", CLI.capture("http-websocket-upgrade.pcap")]).lines
        #expect(lines[5].contains("HTTP 101 Switching Protocols") && lines[5].contains("became websocket"))
        // The WebSocket frames after it are not taken for HTTP.
        #expect(lines[7...].allSatisfy { !$0.contains(": HTTP ") })
    }

    @Test("read puts each message on the frame that completes it, text and JSON")
    func readLines() throws {
        let lines = try CLI.run(["read", CLI.capture("http-keepalive-nginx.pcap")]).lines
        #expect(lines[3].hasSuffix(": HTTP GET /a.html (host 127.0.0.1:8081)"), "\(lines[3])")
        #expect(lines[5].contains(": HTTP 200 OK text/html 133 bytes"), "\(lines[5])")
        #expect(lines[8].contains(": HTTP 200 OK text/plain 140 bytes (decoded 1260)"), "\(lines[8])")
        #expect(lines[10].contains(": HTTP 404 Not Found text/html 146 bytes"), "\(lines[10])")
        let frames = try CLI.json(try CLI.run(["read", CLI.capture("http-pipelined.pcap"), "--format", "json"]))
        let requests = try #require(frames[3]["http"] as? [[String: Any]], "three requests complete in frame 4")
        #expect(requests.map { $0["uri"] as? String } == ["/a.html", "/b.txt", "/missing"])
        #expect(requests.allSatisfy { $0["kind"] as? String == "request" })
        let response = try #require(frames[5]["http"] as? [String: Any])
        #expect(response["status"] as? Int == 200 && response["body_len"] as? Int == 133)
        #expect(frames.filter { $0["http"] != nil }.map { $0["frame"] as? Int } == [4, 6, 8, 10])
    }

    @Test("TLS 1.3 to nginx: one handshake object as tshark reads it, the hellos on their frames, encryption said")
    func tlsHandshake() throws {
        let all = try Self.objects("tls-loopback.pcap")
        let handshakes = all.filter { $0["kind"] as? String == "tls" }
        #expect(handshakes.count == 1)
        let h = try #require(handshakes.first)
        // tshark: frame 4 ClientHello (ciphers 0x1302 0x1303 0x1301 0x00ff), frame 6 ServerHello 0x1302.
        #expect(h["client_hello_frame"] as? Int == 4 && h["server_hello_frame"] as? Int == 6)
        #expect(h["version"] as? String == "TLS 1.3" && h["cipher_id"] as? Int == 0x1302)
        #expect(h["cipher"] as? String == "TLS_AES_256_GCM_SHA384" && h["sni"] is NSNull)
        #expect(h["alpn"] as? [String] == ["h2", "http/1.1"] && h["ciphers_offered"] as? Int == 4)
        #expect((h["ja4"] as? String)?.hasPrefix("t13i0410h2_") == true)
        let lines = try CLI.run(["read", CLI.capture("tls-loopback.pcap")]).lines
        #expect(lines[3].hasSuffix(": TLS ClientHello alpn h2,http/1.1 TLS 1.3"), "\(lines[3])")
        #expect(lines[5].contains(": TLS ServerHello TLS 1.3 TLS_AES_256_GCM_SHA384"), "\(lines[5])")
        #expect(lines[5].contains("from here on encrypted"))
        let text = try CLI.run(["conversations", CLI.capture("tls-loopback.pcap")]).stdout
        #expect(text.contains("TLS handshakes: 1") && text.contains("TLS 1.3 TLS_AES_256_GCM_SHA384"))
    }

    @Test("explain names the HTTP messages under the segments that complete them")
    func explainMessages() throws {
        let r = try CLI.run(["explain", CLI.capture("http-keepalive-nginx.pcap"), "--stream", "0"])
        #expect(r.status == 0, "\(r.stderr)")
        let named = r.lines.filter { $0.contains("≡ HTTP") }.map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(
            named == [
                "≡ HTTP GET /a.html (host 127.0.0.1:8081)", "≡ HTTP 200 OK text/html 133 bytes",
                "≡ HTTP GET /b.txt (host 127.0.0.1:8081)", "≡ HTTP 200 OK text/plain 140 bytes (decoded 1260)",
                "≡ HTTP GET /missing (host 127.0.0.1:8081)", "≡ HTTP 404 Not Found text/html 146 bytes",
            ])
        // Each under its frame's row: the row before it starts with the frame number.
        let rows = r.lines
        if let i = rows.firstIndex(where: { $0.contains("≡ HTTP 200 OK text/plain") }) {
            #expect(rows[i - 1].trimmingCharacters(in: .whitespaces).hasPrefix("9 "), "\(rows[i - 1])")
        }
    }
}
