import Testing

@testable import WiretaleCore

extension FlowHarness {
    /// Sends `payload` from `peer` in one segment (PSH+ACK unless told), carried in the packet's bytes.
    @discardableResult
    mutating func sendData(
        _ peer: Peer, seq: UInt32, ack: UInt32, _ payload: [UInt8], flags: TCPFlags = [.psh, .ack], captured: Int? = nil
    ) -> PacketNote {
        let (src, dst) = peer == .client ? (client, server) : (server, client)
        var p = Self.segment(from: src, to: dst, flags, seq: seq, ack: ack, len: payload.count)
        p.tcp.payloadOffset = 0
        p.tcp.capturedPayload = captured ?? payload.count
        return feed(p, wireLength: 54 + payload.count, bytes: Array(payload.prefix(captured ?? payload.count)))
    }
}

/// Both directions' next sequence numbers after `FlowHarness.handshake()`, for tests that send a
/// conversation's payload one message at a time.
struct StreamDialog {
    var client: UInt32 = 1001
    var server: UInt32 = 5001

    /// Sends `bytes` from the client or the server, acknowledging what the other side sent.
    mutating func send(_ h: inout FlowHarness, fromClient: Bool, _ bytes: [UInt8]) {
        if fromClient {
            h.sendData(.client, seq: client, ack: server, bytes)
            client &+= UInt32(bytes.count)
        } else {
            h.sendData(.server, seq: server, ack: client, bytes)
            server &+= UInt32(bytes.count)
        }
    }
}

@Suite("Services are found from a stream's first bytes, not its port")
struct StreamDetectionTests {
    static func detect(client: String, server: String, port: UInt16 = 40123, full: Bool = false) -> (
        StreamService, Bool
    ) {
        detect(client: Array(client.utf8), server: Array(server.utf8), port: port, full: full)
    }

    static func detect(client: [UInt8], server: [UInt8], port: UInt16 = 40123, full: Bool = false) -> (
        StreamService, Bool
    ) {
        client.withUnsafeBytes { c in
            server.withUnsafeBytes { s in
                let r = StreamDetectors.detect(
                    StreamStart(
                        client: c, server: s, clientPort: 51000, serverPort: port, clientFull: full, serverFull: full))
                return (r.service, r.decided)
            }
        }
    }

    @Test("each service is named from its signature, on a port that is not its own")
    func signatures() {
        #expect(Self.detect(client: "GET / HTTP/1.1\r\nHost: a\r\n", server: "") == (.http, true))
        #expect(Self.detect(client: "\r\nPOST /x HTTP/1.1\r\n", server: "") == (.http, true))
        #expect(Self.detect(client: "", server: "HTTP/1.1 200 OK\r\n") == (.http, true))
        #expect(Self.detect(client: [22, 3, 1, 0, 200, 1, 0, 0, 196, 3, 3], server: []) == (.tls, true))
        #expect(Self.detect(client: [], server: [22, 3, 3, 0, 90, 2, 0, 0, 86]) == (.tls, true))
        #expect(Self.detect(client: "", server: "SSH-2.0-OpenSSH_9.2p1\r\n") == (.ssh, true))
        let greeting: [UInt8] = [74, 0, 0, 0, 10] + Array("8.0.36\0".utf8) + Array(repeating: 1, count: 20)
        #expect(Self.detect(client: [], server: greeting) == (.mysql, true))
        #expect(Self.detect(client: "EHLO client.example\r\n", server: "220 mail.example ESMTP\r\n") == (.smtp, true))
        #expect(Self.detect(client: "USER anonymous\r\n", server: "220 ProFTPD Server\r\n") == (.ftp, true))
        #expect(Self.detect(client: "", server: "+OK POP3 ready\r\n") == (.pop3, true))
        #expect(Self.detect(client: "", server: "* OK IMAP4rev1 ready\r\n") == (.imap, true))
        #expect(Self.detect(client: "*2\r\n$4\r\nAUTH\r\n", server: "") == (.redis, true))
    }

    @Test("a question too short to answer stays open; bytes that match nothing are decided as none")
    func openAndClosed() {
        #expect(Self.detect(client: "GE", server: "").1 == false)
        // SMTP or FTP: the client's first word tells.
        #expect(Self.detect(client: "", server: "220 mail.example ESMTP\r\n").1 == false)
        let noise = [UInt8](repeating: 0xA5, count: 64)
        #expect(Self.detect(client: noise, server: noise, full: true) == (.none, true))
        // A lower-case "get" is a token, but no method the detectors know: not HTTP once the window is full.
        #expect(Self.detect(client: "get / http/1.1\r\n", server: "", full: true).0 != .http)
    }

    @Test("a connection carrying HTTP on port 9999 has the service http; one carrying noise has none")
    func serviceOnTheConversation() {
        var h = FlowHarness()
        h.server = FlowEndpoint(IPAddress("192.0.2.80")!, 9999)
        h.handshake()
        h.sendData(.client, seq: 1001, ack: 5001, Array("GET /x HTTP/1.1\r\nHost: a\r\n\r\n".utf8))
        #expect(h.onlyConversation()?.streams.service == .http)

        var n = FlowHarness()
        n.handshake()
        n.sendData(.client, seq: 1001, ack: 5001, [UInt8](repeating: 0x01, count: 100))
        n.sendData(.server, seq: 5001, ack: 1101, [UInt8](repeating: 0x02, count: 100))
        #expect(n.onlyConversation()?.streams.service == StreamService.none)
    }

    @Test("a service without a stream decoder stops reassembly: its streams are let go at once")
    func noDecoderStopsReading() {
        var h = FlowHarness()
        h.handshake()
        h.sendData(.server, seq: 5001, ack: 1001, Array("SSH-2.0-OpenSSH_9.2\r\n".utf8))
        // An out-of-order segment would be held if the stream were still read.
        h.sendData(.client, seq: 1500, ack: 5022, [UInt8](repeating: 7, count: 300))
        #expect(h.tracker.reassemblyBudget.heldBytes == 0)
        #expect(h.onlyConversation()?.streams.service == .ssh)
    }

    @Test("held out-of-order bytes stay within the tracker's cap across many open connections, and are given back")
    func trackerCap() {
        var configuration = ConnectionTracker.Configuration()
        configuration.maxReassemblyBytes = 64 << 10
        configuration.maxStreamHeldBytes = 4 << 10
        var h = FlowHarness(configuration: configuration)
        var most = 0
        for c in 0..<2000 {
            h.client = FlowEndpoint(IPAddress("192.0.2.10")!, UInt16(20000 + c))
            h.handshake()
            h.sendData(.client, seq: 1001, ack: 5001, Array("GET /a HTTP/1.1\r\nHost: a\r\n".utf8))
            // A hole, then bytes after it: held until the cap flushes them.
            h.sendData(.client, seq: 1200, ack: 5001, [UInt8](repeating: 0x41, count: 1000))
            most = max(most, h.tracker.reassemblyBudget.heldBytes)
        }
        #expect(most <= 64 << 10)
        #expect(most > 0)
        h.finish()
        #expect(h.tracker.reassemblyBudget.heldBytes == 0)
        #expect(h.conversations.count == 2000)
        #expect(h.conversations.allSatisfy { $0.streams.service == .http })
    }

    @Test("a segment cut by the snapshot length leaves a gap, not a hole that holds what follows")
    func snapshotLengthGap() {
        var stream = TCPHalfStream()
        var budget = ReassemblyBudget()
        var events: [String] = []
        func record(_ e: TCPStreamEvent) {
            switch e {
            case .data(let b, _, _): events.append("data \(b.count)")
            case .gap(let n): events.append("gap \(n)")
            case .end: events.append("end")
            }
        }
        stream.add(seq: 100, payload: [], syn: true, frame: 1, budget: &budget, record)
        stream.add(
            seq: 101, payload: [UInt8](repeating: 1, count: 60), frame: 2, missing: 1400, budget: &budget, record)
        stream.add(seq: 1561, payload: [UInt8](repeating: 2, count: 60), frame: 3, missing: 40, budget: &budget, record)
        stream.add(seq: 1661, payload: [], fin: true, frame: 4, budget: &budget, record)
        #expect(events == ["data 60", "gap 1400", "data 60", "gap 40", "end"])
        #expect(budget.heldBytes == 0)
        #expect(stream.gapBytes == 1440)
    }
}
