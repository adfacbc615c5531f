import Testing

@testable import WiretaleCore

/// ESTABLISHED, with data: Wireshark's anomalies, each as `packet-tcp.c` defines it.
@Suite("ESTABLISHED: anomalies as Wireshark defines them")
struct FlowAnomalyTests {
    /// Handshake (x = 1000, y = 5000), then the server sends 1000 bytes.
    static func established() -> FlowHarness {
        var h = FlowHarness()
        h.handshake()
        h.send(.client, [.psh, .ack], seq: 1001, ack: 5001, len: 100)
        h.send(.server, .ack, seq: 5001, ack: 1101)
        return h
    }

    @Test("data sent again after a pause is a retransmission, counted once")
    func retransmission() {
        var h = Self.established()
        h.send(.server, [.psh, .ack], seq: 5001, ack: 1101, len: 1000)
        let n = h.send(.server, [.psh, .ack], seq: 5001, ack: 1101, len: 1000, after: 300)
        #expect(n.anomalies == .retransmission)
        #expect(n.relativeSeq == 1)
        let c = h.onlyConversation()
        #expect(c?.anomalies[.retransmission] == 1)
        #expect(c?.anomalies.retransmissions == 1)
        #expect(c?.history.contains("t") == true)
    }

    @Test("data the receiver already acknowledged is a spurious retransmission")
    func spuriousRetransmission() {
        var h = Self.established()
        h.send(.server, [.psh, .ack], seq: 5001, ack: 1101, len: 1000)
        h.send(.client, .ack, seq: 1101, ack: 6001)
        let n = h.send(.server, [.psh, .ack], seq: 5001, ack: 1101, len: 1000, after: 200)
        #expect(n.anomalies == .spuriousRetransmission)
    }

    @Test(
        "a segment that fills a hole soon after is out-of-order; the one after the hole was 'previous segment not captured'"
    )
    func outOfOrder() {
        var h = Self.established()
        let jump = h.send(.server, [.psh, .ack], seq: 6001, ack: 1101, len: 1000)
        #expect(jump.anomalies == .previousSegmentNotCaptured)
        let late = h.send(.server, [.psh, .ack], seq: 5001, ack: 1101, len: 1000, after: 0.5)
        #expect(late.anomalies == .outOfOrder)
    }

    @Test(
        "ACKs repeating the previous segment's seq, ack and window are duplicate ACKs #1, #2; a fast retransmission follows"
    )
    func duplicateAcksAndFastRetransmission() {
        var h = Self.established()
        h.send(.server, [.psh, .ack], seq: 5001, ack: 1101, len: 1000)
        h.send(.server, [.psh, .ack], seq: 6001, ack: 1101, len: 1000)
        // The client's data segment before already carried ack 5001: this ACK repeats it.
        let d1 = h.send(.client, .ack, seq: 1101, ack: 5001)
        let d2 = h.send(.client, .ack, seq: 1101, ack: 5001)
        #expect(d1.anomalies == .duplicateAck && d1.duplicateAckNumber == 1)
        #expect(d2.anomalies == .duplicateAck && d2.duplicateAckNumber == 2)
        let r = h.send(.server, [.psh, .ack], seq: 5001, ack: 1101, len: 1000, after: 5)
        #expect(r.anomalies == .fastRetransmission)
        #expect(r.anomalies.isRetransmission)
        let c = h.onlyConversation()
        #expect(c?.anomalies[.duplicateAck] == 2)
        #expect(c?.anomalies.retransmissions == 1)
    }

    @Test("an advertised window of 0 is a zero window; one byte into it a probe; the repeat its ACK")
    func zeroWindow() {
        var h = Self.established()
        let z = h.send(.client, .ack, seq: 1101, ack: 5001, window: 0)
        #expect(z.anomalies.contains(.zeroWindow))
        let probe = h.send(.server, [.ack], seq: 5001, ack: 1101, len: 1, after: 200)
        #expect(probe.anomalies == .zeroWindowProbe)
        let probeAck = h.send(.client, .ack, seq: 1101, ack: 5001, window: 0)
        #expect(probeAck.anomalies.contains(.zeroWindowProbeAck))
        let c = h.onlyConversation()
        #expect(c?.anomalies[.zeroWindow] ?? 0 >= 1)
        #expect(c?.history.contains("W") == true)
    }

    @Test("data reaching exactly the edge of the peer's window is window full")
    func windowFull() {
        var h = FlowHarness()
        h.send(.client, .syn, seq: 1000, windowScale: 0)
        h.send(.server, [.syn, .ack], seq: 5000, ack: 1001, windowScale: 0)
        h.send(.client, .ack, seq: 1001, ack: 5001, window: 1000)
        let n = h.send(.server, [.psh, .ack], seq: 5001, ack: 1001, len: 1000)
        #expect(n.anomalies.contains(.windowFull))
    }

    @Test("an empty segment one byte below the next sequence number is a keep-alive, and its answer a keep-alive ACK")
    func keepAlive() {
        var h = Self.established()
        let k = h.send(.client, .ack, seq: 1100, ack: 5001, after: 60_000)
        #expect(k.anomalies == .keepAlive)
        let a = h.send(.server, .ack, seq: 5001, ack: 1101)
        #expect(a.anomalies == .keepAliveAck)
        let c = h.onlyConversation()
        #expect(c?.anomalies.retransmissions == 0)
    }

    @Test("an ACK for data never seen is 'ACKed unseen segment'")
    func ackedUnseen() {
        var h = Self.established()
        let n = h.send(.client, .ack, seq: 1101, ack: 9001)
        #expect(n.anomalies.contains(.ackedUnseenSegment))
    }

    @Test("a window update repeats seq and ack with a new window")
    func windowUpdate() {
        var h = Self.established()
        let n = h.send(.client, .ack, seq: 1101, ack: 5001, window: 30000)
        #expect(n.anomalies == .windowUpdate)
    }

    @Test("relative numbers and anomalies survive a wrap of the sequence space mid-transfer")
    func wrapMidTransfer() {
        var h = FlowHarness()
        let x = UInt32.max - 150
        h.handshake(x: x, y: 5000)
        h.send(.client, [.psh, .ack], seq: x &+ 1, ack: 5001, len: 100)
        let across = h.send(.client, [.psh, .ack], seq: x &+ 101, ack: 5001, len: 100)
        #expect(across.anomalies.isEmpty)
        #expect(across.relativeSeq == 101)
        let ack = h.send(.server, .ack, seq: 5001, ack: x &+ 201)
        #expect(ack.anomalies.isEmpty)
        #expect(ack.relativeAck == 201)
        let again = h.send(.client, [.psh, .ack], seq: x &+ 101, ack: 5001, len: 100, after: 300)
        #expect(again.anomalies == .spuriousRetransmission)
    }
}
