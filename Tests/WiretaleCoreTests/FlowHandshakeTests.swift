import Testing

@testable import WiretaleCore

/// The notes' section 1, state by state: CLOSED → SYN-SENT, LISTEN → SYN-RCVD, ESTABLISHED.
@Suite("Handshake: CLOSED, SYN-SENT, SYN-RCVD, ESTABLISHED")
struct FlowHandshakeTests {
    @Test("a SYN takes the client from CLOSED to SYN-SENT and is the first handshake")
    func synEntersSynSent() {
        var h = FlowHarness()
        let n = h.send(.client, .syn, seq: 1000)
        #expect(n.kind == .tcp)
        #expect(n.stream == 0)
        #expect(n.newStream)
        #expect(n.fromClient)
        #expect(n.step == .handshake1)
        // The SYN is taken to arrive when captured: the server, listening, receives it on this row.
        #expect(n.changes == ["client CLOSED→SYN-SENT", "server CLOSED→LISTEN", "server LISTEN→SYN-RCVD"])
        #expect(n.clientState == .synSent)
        #expect(n.serverState == .synReceived)
        #expect(n.relativeSeq == 0)
    }

    @Test("the SYN-ACK shows the server was listening, puts it in SYN-RCVD and the client in ESTABLISHED")
    func synAckEntersSynReceived() {
        var h = FlowHarness()
        h.send(.client, .syn, seq: 1000)
        let n = h.send(.server, [.syn, .ack], seq: 5000, ack: 1001)
        #expect(n.step == .handshake2)
        #expect(!n.fromClient)
        #expect(n.changes == ["client SYN-SENT→ESTABLISHED"])
        #expect(n.serverState == .synReceived)
        #expect(n.ackCheck == .held)
        #expect(n.expectedAck == 1001)
        #expect(n.relativeAck == 1)
    }

    @Test("the third segment checks ack = y+1 and makes the server ESTABLISHED")
    func thirdSegmentEstablishes() {
        var h = FlowHarness()
        h.handshake()
        let n = h.notes[2]
        #expect(n.step == .handshake3)
        #expect(n.changes == ["server SYN-RCVD→ESTABLISHED"])
        #expect(n.ackCheck == .held)
        #expect(n.expectedAck == 5001)
        #expect(n.relativeSeq == 1 && n.relativeAck == 1)
        #expect(n.clientState == .established && n.serverState == .established)
        let c = h.onlyConversation()
        #expect(c?.handshake.kind == .threeWay)
        #expect(c?.handshakeCompleteness == .complete)
        #expect(c?.handshake.clientISN == 1000)
        #expect(c?.handshake.serverISN == 5000)
        #expect(c?.handshake.synAckAckHolds == true)
        #expect(c?.handshake.thirdAckHolds == true)
        #expect(c?.handshake.rtt == 2_000_000)
    }

    @Test("a SYN-ACK acknowledging the wrong number fails the ack = x+1 check and leaves the client in SYN-SENT")
    func wrongSynAckAck() {
        var h = FlowHarness()
        h.send(.client, .syn, seq: 1000)
        let n = h.send(.server, [.syn, .ack], seq: 5000, ack: 7777)
        #expect(n.ackCheck == .failed)
        #expect(n.clientState == .synSent)
        let c = h.onlyConversation()
        #expect(c?.handshake.synAckAckHolds == false)
    }

    @Test("sequence numbers near 2^32 wrap: x = 2^32-1 makes ack = x+1 = 0")
    func isnWrapsAround() {
        var h = FlowHarness()
        h.handshake(x: UInt32.max, y: UInt32.max - 1)
        #expect(h.notes[1].ackCheck == .held)
        #expect(h.notes[1].expectedAck == 0)
        #expect(h.notes[2].ackCheck == .held)
        #expect(h.notes[2].relativeSeq == 1)
        h.send(.client, [.psh, .ack], seq: 0, ack: UInt32.max, len: 100)
        let n = h.send(.server, .ack, seq: UInt32.max, ack: 100)
        #expect(n.relativeAck == 101)
        #expect(n.anomalies.isEmpty)
    }
}

@Suite("Handshake deviations: SYN-SENT and SYN-RCVD that go elsewhere")
struct FlowHandshakeDeviationTests {
    @Test("a SYN sent again with the same x is a retransmission in the same stream")
    func synRetransmitted() {
        var h = FlowHarness()
        h.send(.client, .syn, seq: 1000)
        let n = h.send(.client, .syn, seq: 1000, after: 1000)
        #expect(n.stream == 0 && !n.newStream)
        #expect(n.step == .synRetransmitted)
        #expect(n.anomalies.contains(.retransmission))
        #expect(n.transitions.isEmpty)
        let c = h.onlyConversation()
        #expect(c?.handshake.kind == .unanswered)
        #expect(c?.handshake.synRetransmissions == 1)
        #expect(c?.connState == "S0")
        #expect(c?.history == "S")
        #expect(c?.handshakeCompleteness == .partial)
    }

    @Test("a RST answering the SYN is a refusal; both sides end CLOSED")
    func refused() {
        var h = FlowHarness()
        h.send(.client, .syn, seq: 1000)
        let n = h.send(.server, [.rst, .ack], seq: 0, ack: 1001)
        #expect(n.step == .refused)
        // The server, taken to have received the SYN, never listened: corrected back to CLOSED.
        #expect(n.changes == ["server SYN-RCVD→CLOSED", "client SYN-SENT→CLOSED"])
        #expect(n.transitions[0].correction && n.corrections == .neverListened)
        let c = h.onlyConversation()
        #expect(c?.handshake.kind == .refused)
        #expect(c?.teardown.kind == .neverOpened)
        #expect(c?.teardown.rstFromClient == false)
        #expect(c?.connState == "REJ")
        #expect(c?.history == "Sr")
        #expect(c?.rstSeen == true)
        #expect(c?.handshakeCompleteness == .partial)
        #expect(c?.completeness == UInt8(1 | 4 | 32))
    }

    @Test("a SYN-ACK the client never acknowledges, sent twice, ends in SYN-RCVD")
    func synAckNeverAcknowledged() {
        var h = FlowHarness()
        h.send(.client, .syn, seq: 1000)
        h.send(.server, [.syn, .ack], seq: 5000, ack: 1001)
        let n = h.send(.server, [.syn, .ack], seq: 5000, ack: 1001, after: 1000)
        #expect(n.step == .synAckRetransmitted)
        #expect(n.anomalies.contains(.retransmission))
        let c = h.onlyConversation()
        #expect(c?.handshake.kind == .synAckUnacknowledged)
        #expect(c?.handshake.synAckRetransmissions == 1)
        #expect(c?.serverState == .synReceived)
        #expect(c?.clientState == .established)
        #expect(c?.connState == "S1")
    }

    @Test("both sides sending a SYN is a simultaneous open through SYN-RCVD")
    func simultaneousOpen() {
        var h = FlowHarness()
        h.send(.client, .syn, seq: 1000)
        let n = h.send(.server, .syn, seq: 5000)
        #expect(n.step == .simultaneousOpen)
        #expect(
            n.changes == [
                "server SYN-RCVD→CLOSED", "server CLOSED→SYN-SENT", "server SYN-SENT→SYN-RCVD",
                "client SYN-SENT→SYN-RCVD",
            ])
        #expect(n.transitions[0].correction && n.corrections == .sentOwnSyn)
        let a = h.send(.client, [.syn, .ack], seq: 1000, ack: 5001)
        #expect(a.changes == ["server SYN-RCVD→ESTABLISHED"])
        let b = h.send(.server, [.syn, .ack], seq: 5000, ack: 1001)
        #expect(b.changes == ["client SYN-RCVD→ESTABLISHED"])
        let c = h.onlyConversation()
        #expect(c?.handshake.kind == .simultaneousOpen)
        #expect(c?.clientState == .established && c?.serverState == .established)
    }

    @Test("data on the SYN is noted")
    func dataOnSyn() {
        var h = FlowHarness()
        h.send(.client, .syn, seq: 1000, len: 20)
        h.send(.server, [.syn, .ack], seq: 5000, ack: 1021)
        h.send(.client, .ack, seq: 1021, ack: 5001)
        let c = h.onlyConversation()
        #expect(c?.handshake.dataOnSyn == true)
        #expect(c?.completeness == UInt8(1 | 2 | 4 | 8))
    }

    @Test("a capture that starts after the handshake joins mid-stream with both sides ESTABLISHED")
    func joinedMidStream() {
        var h = FlowHarness()
        let n = h.send(.client, [.psh, .ack], seq: 3000, ack: 9000, len: 10)
        #expect(n.joinedMidStream)
        // Both start ESTABLISHED: nothing before was seen, so no move out of CLOSED is shown.
        #expect(n.changes == [])
        #expect(n.clientState == .established && n.serverState == .established)
        h.send(.server, .ack, seq: 9000, ack: 3010)
        let c = h.onlyConversation()
        #expect(c?.handshake.kind == .joinedMidStream)
        #expect(c?.handshakeCompleteness == HandshakeCompleteness.none)
        #expect(c?.completeness == 4)
        #expect(c?.connState == "OTH")
        #expect(c?.client.port == 40000)
    }

    @Test("a capture that starts at the SYN-ACK infers the client's SYN but checks nothing against it")
    func startsAtSynAck() {
        var h = FlowHarness()
        let n = h.send(.server, [.syn, .ack], seq: 5000, ack: 1001)
        #expect(n.fromClient == false)
        #expect(n.step == .handshake2)
        #expect(n.ackCheck == .none)
        #expect(
            n.changes == [
                "client CLOSED→SYN-SENT", "client SYN-SENT→ESTABLISHED", "server CLOSED→LISTEN",
                "server LISTEN→SYN-RCVD",
            ])
        h.send(.client, .ack, seq: 1001, ack: 5001)
        let c = h.onlyConversation()
        #expect(c?.handshake.kind == .partial)
        #expect(c?.handshake.clientISN == nil && c?.handshake.serverISN == 5000)
        #expect(c?.handshake.thirdAckHolds == true)
        #expect(c?.handshakeCompleteness == .partial)
        #expect(c?.history.first == "^")
    }

    @Test("a mid-stream packet from a server port makes the receiver the client (Zeek's flip, ^ in history)")
    func midStreamFromServerPort() {
        var h = FlowHarness()
        h.send(.server, [.psh, .ack], seq: 9000, ack: 3000, len: 10)
        let c = h.onlyConversation()
        #expect(c?.client.port == 40000)
        #expect(c?.server.port == 80)
        #expect(c?.history.first == "^")
    }
}
