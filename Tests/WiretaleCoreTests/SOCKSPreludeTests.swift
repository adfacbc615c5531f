import Testing

@testable import WiretaleCore

/// SOCKS 4, 4a and 5 handshakes (RFC 1928, RFC 1929), read as Zeek's SOCKS analyzer reads them:
/// the tunnel's bytes are found by content afterwards.
@Suite("SOCKS: the proxy handshake is read, and what its tunnel carries is found by content")
struct SOCKSPreludeTests {
    /// SOCKS 5 with user/password: greeting, method 2, credentials, status 0, CONNECT to a domain, reply.
    static let v5Client: [[UInt8]] = [
        [5, 2, 0, 2],
        [1, 5] + Array("alice".utf8) + [6] + Array("secret".utf8),
        [5, 1, 0, 3, 11] + Array("example.org".utf8) + [0, 80],
    ]
    static let v5Server: [[UInt8]] = [[5, 2], [1, 0], [5, 0, 0, 1, 10, 0, 0, 1, 0x1F, 0x90]]
    /// SOCKS 4a: CONNECT to port 80 of a name (address 0.0.0.1), user id "bob"; granted (90).
    static let v4Client: [UInt8] = [4, 1, 0, 80, 0, 0, 0, 1] + Array("bob\0example.org\0".utf8)
    static let v4Server: [UInt8] = [0, 90, 0, 0, 0, 0, 0, 0]

    /// Feeds both directions in `pieces` of at most `step` bytes, client first for each message.
    static func run(_ client: [[UInt8]], _ server: [[UInt8]], step: Int, version: SOCKSPrelude.Version) -> (
        SOCKSPrelude, clientUsed: Int, serverUsed: Int
    ) {
        var p = SOCKSPrelude(version: version)
        var used = (0, 0)
        for i in 0..<max(client.count, server.count) {
            for (bytes, fromClient) in [
                (i < client.count ? client[i] : [], true), (i < server.count ? server[i] : [], false),
            ] {
                var off = 0
                while off < bytes.count {
                    let piece = Array(bytes[off..<min(bytes.count, off + step)])
                    let n = piece.withUnsafeBytes { p.feed($0, fromClient: fromClient) }
                    if fromClient { used.0 += n } else { used.1 += n }
                    off += piece.count
                }
            }
        }
        return (p, used.0, used.1)
    }

    @Test(
        "SOCKS 5 with a user name: the target, the user, the tunnel open, in every segmentation",
        arguments: [1, 2, 3, 7, 100])
    func socks5(step: Int) {
        let (p, c, s) = Self.run(Self.v5Client, Self.v5Server, step: step, version: .v5)
        #expect(p.outcome == .tunnel && p.isOver)
        #expect(p.target == "example.org:80" && p.user == "alice")
        #expect(c == Self.v5Client.joined().count && s == Self.v5Server.joined().count)
    }

    @Test("SOCKS 4a: the name after the user id; a refusal (91) opens no tunnel")
    func socks4() {
        let (p, c, s) = Self.run([Self.v4Client], [Self.v4Server], step: 3, version: .v4)
        #expect(p.outcome == .tunnel && p.target == "example.org:80" && p.user == "bob")
        #expect(c == Self.v4Client.count && s == 8)
        var refused = Self.v4Server
        refused[1] = 91
        let (r, _, _) = Self.run([Self.v4Client], [refused], step: 100, version: .v4)
        #expect(r.outcome == .refused(91) && r.isOver)
    }

    @Test("the bytes after the handshake are the tunnel's: feed returns where they begin")
    func tunnelStart() {
        var p = SOCKSPrelude(version: .v5)
        let request = Self.v5Client[0] + [5, 1, 0, 1, 192, 0, 2, 1, 0, 80] + Array("GET / HTTP/1.1\r\n".utf8)
        // The proxy chose no authentication: the client's second message is the request.
        _ = [UInt8]([5, 0]).withUnsafeBytes { p.feed($0, fromClient: false) }
        let used = request.withUnsafeBytes { p.feed($0, fromClient: true) }
        #expect(used == 4 + 10 && p.target == "192.0.2.1:80")
        let reply: [UInt8] =
            [5, 0, 0, 4] + [UInt8](repeating: 0, count: 15) + [1, 0x04, 0x38] + Array("HTTP/1.1".utf8)
        let s = reply.withUnsafeBytes { p.feed($0, fromClient: false) }
        #expect(s == 22 && p.outcome == .tunnel && p.isOver)
    }

    @Test("every prefix and random bytes: no crash, no hang, nothing read past what was given")
    func hostile() {
        let whole = Self.v5Client.joined().map { $0 }
        for n in 0...whole.count {
            var p = SOCKSPrelude(version: .v5)
            let used = Array(whole.prefix(n)).withUnsafeBytes { p.feed($0, fromClient: true) }
            #expect(used <= n)
        }
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            var p = SOCKSPrelude(version: Bool.random(using: &rng) ? .v5 : .v4)
            for _ in 0..<4 {
                let bytes = (0..<Int.random(in: 0...700, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng)
                }
                let used = bytes.withUnsafeBytes { p.feed($0, fromClient: Bool.random(using: &rng)) }
                #expect(used <= bytes.count)
            }
        }
    }

    @Test("a connection through a SOCKS 5 proxy on port 1080: service http, tunnel socks, its transaction read")
    func throughTheTracker() throws {
        var h = FlowHarness()
        h.server = FlowEndpoint(IPAddress("192.0.2.80")!, 1080)
        h.handshake()
        var c: UInt32 = 1001
        var s: UInt32 = 5001
        let request = Array("GET /x HTTP/1.1\r\nHost: example.org\r\n\r\n".utf8)
        let response = Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".utf8)
        for (i, m) in (Self.v5Client + [request]).enumerated() {
            h.sendData(.client, seq: c, ack: s, m)
            c &+= UInt32(m.count)
            let answer = i < Self.v5Server.count ? Self.v5Server[i] : response
            h.sendData(.server, seq: s, ack: c, answer)
            s &+= UInt32(answer.count)
        }
        let only = h.onlyConversation()
        let conversation = try #require(only)
        #expect(conversation.streams.service == .http && conversation.streams.tunnel == .socks)
        let http = h.reports.compactMap { if case .http(_, let t) = $0 { t } else { nil } }
        #expect(http.map { "\($0.method ?? "-") \($0.uri ?? "-") \($0.status ?? 0)" } == ["GET /x 200"])
    }

    @Test("SOCKS is told from its first bytes both ways; a refused proxy leaves the service socks")
    func detection() {
        let greeting: [UInt8] = [5, 1, 0]
        #expect(StreamDetectionTests.detect(client: greeting, server: [5, 0]) == (.socks, true))
        #expect(StreamDetectionTests.detect(client: greeting, server: []).1 == false, "waits for the proxy")
        #expect(StreamDetectionTests.detect(client: Self.v4Client, server: Self.v4Server) == (.socks, true))
        #expect(StreamDetectionTests.detect(client: [5, 1, 0], server: Array("HTTP/1.1 ".utf8)).0 != .socks)

        var h = FlowHarness()
        h.handshake()
        h.sendData(.client, seq: 1001, ack: 5001, Self.v4Client)
        var refused = Self.v4Server
        refused[1] = 91
        h.sendData(.server, seq: 5001, ack: 1001 + UInt32(Self.v4Client.count), refused)
        let conversation = h.onlyConversation()
        #expect(conversation?.streams.service == .socks && conversation?.streams.tunnel == nil)
    }
}
