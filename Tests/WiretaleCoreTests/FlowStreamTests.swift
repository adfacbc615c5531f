import Testing

@testable import WiretaleCore

/// Stream numbering (tshark's `tcp.stream`) and the streaming lifecycle: reported, then forgotten.
@Suite("Streams: numbering, port reuse, late packets, memory")
struct FlowStreamTests {
    @Test("streams are numbered from 0 in first-seen order, one per 4-tuple, either direction")
    func firstSeenOrder() {
        var h = FlowHarness()
        let v6client = FlowEndpoint(IPAddress("2001:db8::2")!, 50000)
        let v6server = FlowEndpoint(IPAddress("2001:db8::1")!, 443)
        let a = h.send(.client, .syn, seq: 1)
        let b = h.feed(FlowHarness.segment(from: v6client, to: v6server, .syn, seq: 7))
        let c = h.send(.server, [.syn, .ack], seq: 9, ack: 2)
        let d = h.feed(FlowHarness.segment(from: v6server, to: v6client, [.syn, .ack], seq: 70, ack: 8))
        #expect([a.stream, b.stream, c.stream, d.stream] == [0, 1, 0, 1])
        #expect(a.newStream && b.newStream && !c.newStream && !d.newStream)
        h.finish()
        #expect(h.conversations.map(\.server.description) == ["192.0.2.80:80", "[2001:db8::1]:443"])
        #expect(h.conversations.map(\.client.description) == ["192.0.2.10:40000", "[2001:db8::2]:50000"])
    }

    @Test("a new SYN with another ISN on a closed 4-tuple starts a new stream; the old one is reported as reused")
    func portReuse() {
        var h = FlowAnomalyTests.established()
        h.send(.client, [.fin, .ack], seq: 1101, ack: 5001)
        h.send(.server, [.fin, .ack], seq: 5001, ack: 1102)
        h.send(.client, .ack, seq: 1102, ack: 5002)
        let n = h.send(.client, .syn, seq: 900_000, after: 2000)
        #expect(n.stream == 1 && n.newStream)
        #expect(n.step == .handshake1)
        #expect(n.anomalies.contains(.portsReused))
        #expect(n.changes == ["client CLOSED→SYN-SENT", "server CLOSED→LISTEN", "server LISTEN→SYN-RCVD"])
        h.send(.server, [.syn, .ack], seq: 77, ack: 900_001)
        h.send(.client, .ack, seq: 900_001, ack: 78)
        h.finish()
        let c = h.conversations
        #expect(c.count == 2)
        #expect(c[0].endReason == .reused)
        #expect(c[1].handshakeCompleteness == .complete)
        #expect(c[1].completeness & 7 == 7)
    }

    @Test("a retransmitted FIN after the close, within the grace period, stays in its stream")
    func lateRetransmissionInGrace() {
        var h = FlowAnomalyTests.established()
        h.send(.client, [.fin, .ack], seq: 1101, ack: 5001)
        h.send(.server, [.fin, .ack], seq: 5001, ack: 1102)
        h.send(.client, .ack, seq: 1102, ack: 5002)
        let late = h.send(.server, [.fin, .ack], seq: 5001, ack: 1102, after: 20_000)
        #expect(late.stream == 0 && !late.newStream)
        #expect(late.step == .finRetransmitted)
        #expect(h.conversations.isEmpty)
    }

    @Test("a closed connection is reported after the grace period and forgotten")
    func forgottenAfterGrace() {
        var h = FlowAnomalyTests.established()
        h.send(.client, [.rst, .ack], seq: 1101, ack: 5001)
        #expect(h.tracker.openConnections == 1)
        let other = FlowEndpoint(IPAddress("198.51.100.1")!, 5555)
        h.feed(FlowHarness.segment(from: other, to: h.server, .syn, seq: 1), after: 61_000)
        #expect(h.conversations.count == 1)
        #expect(h.conversations.first?.endReason == .closed)
        #expect(h.tracker.openConnections == 1)
    }

    @Test("memory follows open connections: ten thousand closed ones leave only those in their grace period")
    func memoryFollowsConcurrency() {
        var h = FlowHarness()
        for i in 0..<10_000 {
            h.client = FlowEndpoint(IPAddress(v4: 0x0A00_0000 | UInt32(i)), 40000)
            h.handshake()
            h.send(.client, [.rst, .ack], seq: 1001, ack: 5001, after: 50)
        }
        #expect(h.tracker.tcpStreamCount == 10_000)
        #expect(h.tracker.openConnections < 2000)
        h.finish()
        #expect(h.conversations.count == 10_000)
        #expect(Set(h.conversations.map(\.stream)).count == 10_000)
    }

    @Test("a connection that never got past the SYN expires after the handshake timeout")
    func unansweredSynExpires() {
        var h = FlowHarness()
        h.send(.client, .syn, seq: 1)
        h.client.port = 40001
        h.send(.client, .syn, seq: 1, after: 200_000)
        #expect(h.conversations.count == 1)
        #expect(h.conversations.first?.endReason == .idle)
        #expect(h.conversations.first?.connState == "S0")
    }

    @Test("a close whose end the capture missed is reported after the closing timeout, not the idle one")
    func halfSeenCloseExpires() {
        var h = FlowAnomalyTests.established()
        h.send(.client, [.fin, .ack], seq: 1101, ack: 5001)
        h.client.port = 40001
        h.send(.client, .syn, seq: 1, after: 130_000)
        #expect(h.conversations.count == 1)
        #expect(h.conversations.first?.teardown.kind == .incomplete)
        #expect(h.conversations.first?.endReason == .idle)
    }

    @Test("the same SYN repeated long after stays one stream (tshark: same ISN is a retransmission)")
    func sameIsnSameStream() {
        var h = FlowHarness()
        h.send(.client, .syn, seq: 1)
        let n = h.send(.client, .syn, seq: 1, after: 3000)
        #expect(n.stream == 0)
        #expect(n.step == .synRetransmitted)
    }
}
