import Testing

@testable import WiretaleCore

/// STARTTLS in SMTP, POP3, IMAP and FTP: the switch is seen where the server agrees, and what
/// follows is read as TLS; a refusal keeps the line protocol.
@Suite("STARTTLS: SMTP, POP3, IMAP and FTP switch to TLS where the server agrees")
struct STARTTLSWatchTests {
    /// Feeds (client?, line) pairs; returns the watch and the bytes each call left to TLS.
    static func run(_ dialect: STARTTLSWatch.Dialect, _ lines: [(Bool, String)]) -> (STARTTLSWatch, [Int]) {
        var w = STARTTLSWatch(dialect)
        var rest: [Int] = []
        for (i, (client, text)) in lines.enumerated() {
            let bytes = Array(text.utf8)
            let used = bytes.withUnsafeBytes { w.feed($0, fromClient: client, frame: i + 1) }
            rest.append(bytes.count - used)
        }
        return (w, rest)
    }

    @Test("each dialect's request and agreement; the bytes after the agreement are TLS")
    func dialects() {
        let cases: [(STARTTLSWatch.Dialect, String, String)] = [
            (.smtp, "STARTTLS\r\n", "220 2.0.0 Ready to start TLS\r\n"),
            (.pop3, "STLS\r\n", "+OK Begin TLS negotiation\r\n"),
            (.imap, "a002 STARTTLS\r\n", "a002 OK Begin TLS negotiation now\r\n"),
            (.ftp, "AUTH TLS\r\n", "234 AUTH TLS successful\r\n"),
        ]
        for (dialect, ask, agree) in cases {
            let (w, rest) = Self.run(
                dialect,
                [
                    (false, "220 hello\r\n"), (true, "NOOP\r\n"), (true, ask), (false, agree + "\u{16}\u{03}"),
                    (true, "\u{16}\u{03}\u{01}"),
                ])
            #expect(w.clientSwitched && w.serverSwitched, "\(dialect)")
            #expect(w.requestFrame == 3 && w.agreedFrame == 4, "\(dialect)")
            #expect(rest == [0, 0, 0, 2, 3], "\(dialect)")
        }
    }

    @Test("a refusal, a multi-line reply, an untagged IMAP line, the greeting: no switch")
    func refusals() {
        #expect(!Self.run(.smtp, [(true, "STARTTLS\r\n"), (false, "454 TLS not available\r\n")]).0.serverSwitched)
        // The 220 greeting before any request is not an agreement.
        #expect(!Self.run(.smtp, [(false, "220 mx ESMTP\r\n"), (true, "EHLO a\r\n")]).0.serverSwitched)
        // A continuation line (220-) is not the final reply.
        let multi = Self.run(.smtp, [(true, "STARTTLS\r\n"), (false, "220-wait\r\n")]).0
        #expect(!multi.serverSwitched && multi.asked)
        let imap = Self.run(.imap, [(true, "x1 STARTTLS\r\n"), (false, "* OK still\r\n"), (false, "x1 NO later\r\n")]).0
        #expect(!imap.serverSwitched && !imap.asked)
        let pop = Self.run(.pop3, [(true, "STLS\r\n"), (false, "-ERR no\r\n"), (true, "USER a\r\n")]).0
        #expect(!pop.serverSwitched && !pop.clientSwitched)
    }

    @Test("random bytes and long lines: bounded, no crash, nothing claimed past the input")
    func hostile() {
        var rng = SplitMix64(state: 7)
        for _ in 0..<500 {
            var w = STARTTLSWatch([.smtp, .pop3, .imap, .ftp][Int(rng.next() % 4)])
            for _ in 0..<6 {
                let bytes = (0..<Int(rng.next() % 900)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                let used = bytes.withUnsafeBytes { w.feed($0, fromClient: rng.next() % 2 == 0, frame: 1) }
                #expect(used <= bytes.count)
            }
        }
    }

    @Test("SMTP with STARTTLS through the tracker: service smtp, became tls, the handshake reported")
    func throughTheTracker() {
        var h = FlowHarness()
        h.server = FlowEndpoint(IPAddress("192.0.2.25")!, 25)
        h.handshake()
        var dialog = StreamDialog()
        func send(_ client: Bool, _ bytes: [UInt8]) { dialog.send(&h, fromClient: client, bytes) }
        send(false, Array("220 mx.example ESMTP\r\n".utf8))
        send(true, Array("EHLO client.example\r\n".utf8))
        send(false, Array("250-mx.example\r\n250 STARTTLS\r\n".utf8))
        send(true, Array("STARTTLS\r\n".utf8))
        send(false, Array("220 2.0.0 Ready to start TLS\r\n".utf8))
        // A ClientHello with SNI mail.example (record, handshake header, body).
        let sni = Array("mail.example".utf8)
        let serverName: [UInt8] =
            [0, 0, 0, UInt8(sni.count + 5), 0, UInt8(sni.count + 3), 0, 0, UInt8(sni.count)] + sni
        var body: [UInt8] = [3, 3] + [UInt8](repeating: 7, count: 32) + [0] + [0, 2, 0x13, 0x01] + [1, 0]
        body += [0, UInt8(serverName.count)] + serverName
        let hello: [UInt8] = [1, 0, 0, UInt8(body.count)] + body
        send(true, [22, 3, 1, 0, UInt8(hello.count)] + hello)
        let conversation = h.onlyConversation()
        #expect(conversation?.streams.service == .smtp && conversation?.streams.became == "tls")
        let handshakes = h.reports.compactMap { if case .tls(_, let x) = $0 { x } else { nil } }
        #expect(handshakes.count == 1 && handshakes.first?.clientHello?.sni == "mail.example")
    }
}
