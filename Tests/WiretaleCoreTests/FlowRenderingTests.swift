import Foundation
import Testing

@testable import WiretaleCore

/// What `conversations` and `explain` print, drawn from the same reports.
@Suite("Rendering: conversations JSON and tables, explain's ladder")
struct FlowRenderingTests {
    static func text(_ body: (inout OutputBuffer) -> Void) -> String {
        var o = OutputBuffer(fd: -1)
        body(&o)
        return String(decoding: o.bytes, as: UTF8.self)
    }

    static func json(_ body: (inout OutputBuffer) -> Void) throws -> [String: Any] {
        let line = text(body)
        #expect(line.hasSuffix("}\n") && line.filter { $0 == "\n" }.count == 1)
        return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test("a TCP conversation is one JSON line with the keys the issue asks for")
    func tcpJSON() throws {
        let t = try TrackedCapture("tcp-close-client.pcap")
        let c = try #require(t.conversation)
        let o = try Self.json { (o: inout OutputBuffer) in c.appendJSON(to: &o) }
        #expect(o["kind"] as? String == "tcp")
        #expect(o["stream"] as? Int == 0)
        #expect(o["client"] as? String == "127.0.0.1:45326")
        #expect(o["server"] as? String == "127.0.0.1:47001")
        #expect(o["handshake"] as? String == "complete")
        #expect(o["fin"] as? Bool == true && o["rst"] as? Bool == false)
        #expect(o["client_state"] as? String == "TIME-WAIT" && o["server_state"] as? String == "CLOSED")
        #expect(o["conn_state"] as? String == "SF" && o["history"] as? String == "ShADadFf")
        #expect(o["packets_client_to_server"] as? Int == 6 && o["packets_server_to_client"] as? Int == 5)
        #expect(o["bytes_client_to_server"] as? Int == 445 && o["bytes_server_to_client"] as? Int == 379)
        #expect((o["start"] as? String)?.hasSuffix("Z") == true)
        #expect(o["duration"] is Double && o["rtt_ms"] is Double)
        #expect((o["anomalies"] as? [String: Int])?.isEmpty == true)
        #expect(o["teardown"] as? String == "four-way")
        #expect(o["time_wait"] as? [String] == ["client"])
    }

    @Test("IPv6 endpoints are written [addr]:port, and anomalies are counted by name")
    func ipv6AndAnomalies() throws {
        var h = FlowHarness()
        h.client = FlowEndpoint(IPAddress("2001:db8::10")!, 50000)
        h.server = FlowEndpoint(IPAddress("2001:db8::80")!, 443)
        h.handshake()
        h.send(.server, [.psh, .ack], seq: 5001, ack: 1001, len: 100)
        h.send(.server, [.psh, .ack], seq: 5001, ack: 1001, len: 100, after: 400)
        let only = h.onlyConversation()
        let c = try #require(only)
        let o = try Self.json { (o: inout OutputBuffer) in c.appendJSON(to: &o) }
        #expect(o["client"] as? String == "[2001:db8::10]:50000")
        #expect(o["server"] as? String == "[2001:db8::80]:443")
        #expect(o["anomalies"] as? [String: Int] == ["retransmission": 1])
    }

    @Test("UDP flows and DNS transactions are told apart by kind")
    func udpAndDNSJSON() throws {
        let t = try TrackedCapture("udp-dns.pcap")
        for r in t.reports {
            let o: [String: Any]
            switch r {
            case .udp(let u):
                o = try Self.json { (o: inout OutputBuffer) in u.appendJSON(to: &o) }
                #expect(o["kind"] as? String == "udp")
                #expect(o["stream"] == nil)
            case .dns(let d):
                o = try Self.json { (o: inout OutputBuffer) in d.appendJSON(to: &o) }
                #expect(o["kind"] as? String == "dns")
                #expect(o["rcode"] is String || o["rcode"] is NSNull)
            case .tcp, .http, .mysqlSession, .mysqlCommand, .tls:
                Issue.record("no TCP in udp-dns.pcap")
            }
        }
    }

    /// The ladder rows of a shipped capture's only TCP connection, and its report.
    static func ladderRows(_ file: String) throws -> ([LadderRow], TCPConversation?) {
        var rows: [LadderRow] = []
        var tracker = ConnectionTracker()
        var packet = DecodedPacket()
        var conversation: TCPConversation? = nil
        let reader = try CaptureFileReader(path: "\(flowCaptures)/\(file)")
        var frame = 0
        while let r = try reader.next() {
            frame += 1
            PacketDecoder.decode(r.bytes, linkType: r.linkType, into: &packet)
            let note = tracker.track(packet, frame: frame, time: r.timestamp, wireLength: r.originalLength)
            rows.append(LadderRow(frame: frame, time: r.timestamp, packet: packet, note: note))
        }
        tracker.finish()
        while let r = tracker.nextReport() { if case .tcp(let c) = r { conversation = c } }
        return (rows, conversation)
    }

    @Test("explain draws the ladder with the notes' step names, in English and in Chinese")
    func ladder() throws {
        let (rows, conversation) = try Self.ladderRows("tcp-close-client.pcap")
        let en = Self.text { (o: inout OutputBuffer) in
            Ladder.render(rows, conversation: conversation, lang: .en, to: &o)
        }
        #expect(en.contains("──SYN seq=0 len=0"))
        #expect(en.contains("SYN,ACK seq=0 ack=1 len=0──"))
        #expect(en.contains("first handshake (SYN)"))
        #expect(en.contains("teardown 4 (last ACK)"))
        #expect(en.contains("the notes start both ends CLOSED"))
        #expect(en.contains("client waits 2MSL in TIME-WAIT, then CLOSED"))
        #expect(en.contains("= x+1 ✓") && en.contains("= y+1 ✓"))
        let zh = Self.text { (o: inout OutputBuffer) in
            Ladder.render(rows, conversation: conversation, lang: .zh, to: &o)
        }
        for term in ["第一次握手", "第二次握手", "第三次握手", "第一次挥手", "第四次挥手", "四次挥手", "经过等待计时器时间2MSL后"] {
            #expect(zh.contains(term))
        }
    }

    @Test("the ladder's model says which side changed state and each deviation once, for any renderer")
    func ladderModel() throws {
        let (rows, conversation) = try Self.ladderRows("tcp-close-client.pcap")
        let model = LadderModel(rows: rows, conversation: try #require(conversation))
        #expect(model.startState == .closed)
        #expect(model.steps.count == rows.count)
        #expect(model.steps.first?.sinceFirstNs == 0)
        // The SYN moves the client CLOSED → SYN-SENT and, taken to arrive when captured, the
        // server CLOSED → LISTEN → SYN-RCVD on the same row: the ladder and read agree.
        #expect(model.steps[0].clientChanged && model.steps[0].serverChanged)
        #expect(!model.steps[1].serverChanged)
        // The server was listening; said once in the whole ladder.
        #expect(model.steps[0].deviations.contains(.notesSayBothClosed))
        let all = model.steps.flatMap(\.deviations)
        #expect(Set(all).count == all.count)
    }

    @Test("the conversation table has a row per stream, in stream order, and the totals")
    func table() throws {
        let t = try TrackedCapture("tcp-rst-abort.pcap")
        var rows = t.reports.compactMap { if case .tcp(let c) = $0 { ConversationTable.TCPRow(c) } else { nil } }
        let origin = Timestamp(seconds: 0, fraction: 0, digits: 6)
        let s = Self.text { (o: inout OutputBuffer) in
            ConversationTable.renderTCP(&rows, origin: origin, lang: .en, to: &o)
            ConversationTable.renderTotals(t.totals, lang: .en, to: &o)
        }
        let lines = s.split(separator: "\n")
        #expect(lines[0] == "TCP conversations: 1 (connection-oriented: handshake, teardown)")
        #expect(
            lines[2].contains("127.0.0.1:59168") && lines[2].contains("aborted by RST") && lines[2].contains("RSTO"))
        #expect(lines[3].hasPrefix("totals: TCP conversations 1 (three-way handshakes 1"))
    }

    @Test("a text table holds at most its cap of rows, the first in its order, and says how many it left out")
    func heldRowsCap() throws {
        var held = ConversationTable.HeldRows<Int>(cap: 3) { $0 < $1 }
        // Arriving out of order and past the slack (1,024), so trimming happens on the way.
        for n in (0..<5000).reversed() { held.append(n) }
        #expect(held.rows.count <= 3 + 1024)
        #expect(held.take() == [0, 1, 2])
        #expect(held.unlisted == 4997)
        var none = ConversationTable.HeldRows<Int>(cap: 0) { $0 < $1 }
        none.append(1)
        #expect(none.take().isEmpty && none.unlisted == 1)

        let t = try TrackedCapture("tcp-rst-abort.pcap")
        var rows = t.reports.compactMap { if case .tcp(let c) = $0 { ConversationTable.TCPRow(c) } else { nil } }
        let origin = Timestamp(seconds: 0, fraction: 0, digits: 6)
        let s = Self.text { (o: inout OutputBuffer) in
            ConversationTable.renderTCP(&rows, unlisted: 41, origin: origin, lang: .en, to: &o)
        }
        let lines = s.split(separator: "\n")
        #expect(lines[0].hasPrefix("TCP conversations: 42 "))
        #expect(lines.last?.hasPrefix("… and 41 more not listed (the table keeps its first 1 rows") == true)
    }
}
