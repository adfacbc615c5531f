import Testing

@testable import WiretaleCore

/// The notes' section 2, state by state: FIN-WAIT-1, CLOSE-WAIT, FIN-WAIT-2, LAST-ACK, TIME-WAIT,
/// CLOSING, and the RST that skips them.
@Suite("Teardown: FIN-WAIT-1, FIN-WAIT-2, CLOSE-WAIT, LAST-ACK, TIME-WAIT")
struct FlowTeardownTests {
    @Test("the client's close takes the notes' four segments and leaves the client in TIME-WAIT")
    func fourWayFromClient() {
        var h = FlowAnomalyTests.established()
        let f1 = h.send(.client, [.fin, .ack], seq: 1101, ack: 5001)
        #expect(f1.step == .teardown1)
        #expect(f1.changes == ["client ESTABLISHED→FIN-WAIT-1", "server ESTABLISHED→CLOSE-WAIT"])
        let a2 = h.send(.server, .ack, seq: 5001, ack: 1102)
        #expect(a2.step == .teardown2)
        #expect(a2.changes == ["client FIN-WAIT-1→FIN-WAIT-2"])
        let f3 = h.send(.server, [.fin, .ack], seq: 5001, ack: 1102)
        #expect(f3.step == .teardown3)
        #expect(f3.changes == ["server CLOSE-WAIT→LAST-ACK", "client FIN-WAIT-2→TIME-WAIT"])
        let a4 = h.send(.client, .ack, seq: 1102, ack: 5002)
        #expect(a4.step == .teardown4)
        #expect(a4.changes == ["server LAST-ACK→CLOSED"])
        #expect(a4.anomalies.isEmpty)
        let c = h.onlyConversation()
        #expect(c?.teardown.kind == .fourWay)
        #expect(c?.teardown.firstCloserIsClient == true)
        #expect(c?.teardown.clientInTimeWait == true)
        #expect(c?.teardown.serverInTimeWait == false)
        #expect(c?.clientState == .timeWait && c?.serverState == .closed)
        #expect(c?.connState == "SF")
        #expect(c?.history == "ShADaFf")
        #expect(c?.finSeen == true && c?.rstSeen == false)
        #expect(c?.completeness == UInt8(1 | 2 | 4 | 8 | 16))
        #expect(c?.clientToServer.packets == 5 && c?.serverToClient.packets == 4)
        #expect(c?.clientToServer.payloadBytes == 100)
    }

    @Test("the server's close leaves the server in TIME-WAIT")
    func fourWayFromServer() {
        var h = FlowAnomalyTests.established()
        #expect(h.send(.server, [.fin, .ack], seq: 5001, ack: 1101).step == .teardown1)
        #expect(h.send(.client, .ack, seq: 1101, ack: 5002).step == .teardown2)
        #expect(h.send(.client, [.fin, .ack], seq: 1101, ack: 5002).step == .teardown3)
        #expect(h.send(.server, .ack, seq: 5002, ack: 1102).step == .teardown4)
        let c = h.onlyConversation()
        #expect(c?.teardown.kind == .fourWay)
        #expect(c?.teardown.firstCloserIsClient == false)
        #expect(c?.serverState == .timeWait && c?.clientState == .closed)
        #expect(c?.connState == "SF")
    }

    @Test("a FIN carrying the ACK of the first FIN is the common three-segment close")
    func threeSegmentClose() {
        var h = FlowAnomalyTests.established()
        h.send(.client, [.fin, .ack], seq: 1101, ack: 5001)
        let n = h.send(.server, [.fin, .ack], seq: 5001, ack: 1102)
        #expect(n.step == .teardown2and3)
        // Figure 5 has no FIN-WAIT-1 → TIME-WAIT: the ACK moves it on, then the FIN.
        #expect(
            n.changes == ["client FIN-WAIT-1→FIN-WAIT-2", "server CLOSE-WAIT→LAST-ACK", "client FIN-WAIT-2→TIME-WAIT"])
        #expect(h.send(.client, .ack, seq: 1102, ack: 5002).step == .teardown4)
        let c = h.onlyConversation()
        #expect(c?.teardown.kind == .threeWay)
        #expect(c?.clientState == .timeWait && c?.serverState == .closed)
    }

    @Test("FINs that cross are a simultaneous close: both FIN-WAIT-1 → CLOSING → TIME-WAIT")
    func simultaneousClose() {
        var h = FlowAnomalyTests.established()
        h.send(.client, [.fin, .ack], seq: 1101, ack: 5001)
        let n = h.send(.server, [.fin, .ack], seq: 5001, ack: 1101)
        #expect(n.step == .simultaneousClose)
        // The server's FIN (ack=1101) proves it had not got the client's: CLOSE-WAIT is corrected.
        #expect(
            n.changes == [
                "server CLOSE-WAIT→ESTABLISHED", "server ESTABLISHED→FIN-WAIT-1", "server FIN-WAIT-1→CLOSING",
                "client FIN-WAIT-1→CLOSING",
            ])
        #expect(n.transitions[0].correction && n.corrections == .finsCrossed)
        let a = h.send(.client, .ack, seq: 1102, ack: 5002)
        #expect(a.step == .teardown4)
        #expect(a.changes == ["server CLOSING→TIME-WAIT"])
        let b = h.send(.server, .ack, seq: 5002, ack: 1102)
        #expect(b.changes == ["client CLOSING→TIME-WAIT"])
        let c = h.onlyConversation()
        #expect(c?.teardown.kind == .simultaneous)
        #expect(c?.teardown.clientInTimeWait == true && c?.teardown.serverInTimeWait == true)
    }

    @Test("data after the first FIN is a half-close, and the close still ends in four segments")
    func halfClose() {
        var h = FlowAnomalyTests.established()
        h.send(.client, [.fin, .ack], seq: 1101, ack: 5001)
        h.send(.server, .ack, seq: 5001, ack: 1102)
        let d = h.send(.server, [.psh, .ack], seq: 5001, ack: 1102, len: 500)
        #expect(d.step == .halfCloseData)
        #expect(d.clientState == .finWait2 && d.serverState == .closeWait)
        h.send(.client, .ack, seq: 1102, ack: 5501)
        #expect(h.send(.server, [.fin, .ack], seq: 5501, ack: 1102).step == .teardown3)
        #expect(h.send(.client, .ack, seq: 1102, ack: 5502).step == .teardown4)
        let c = h.onlyConversation()
        #expect(c?.teardown.kind == .fourWay)
        #expect(c?.teardown.halfCloseBytes == 500)
    }

    @Test("a FIN sent again is a retransmission, not a new teardown step")
    func finRetransmitted() {
        var h = FlowAnomalyTests.established()
        h.send(.client, [.fin, .ack], seq: 1101, ack: 5001)
        let n = h.send(.client, [.fin, .ack], seq: 1101, ack: 5001, after: 300)
        #expect(n.step == .finRetransmitted)
        #expect(n.anomalies.contains(.retransmission))
        #expect(n.transitions.isEmpty)
    }

    @Test("a capture that ends mid-teardown says where each side was left")
    func captureEndsMidTeardown() {
        var h = FlowAnomalyTests.established()
        h.send(.client, [.fin, .ack], seq: 1101, ack: 5001)
        h.send(.server, .ack, seq: 5001, ack: 1102)
        let c = h.onlyConversation()
        #expect(c?.teardown.kind == .incomplete)
        #expect(c?.clientState == .finWait2 && c?.serverState == .closeWait)
        #expect(c?.endReason == .captureEnded)
        #expect(c?.connState == "S2")
    }
}

@Suite("RST: abort from either side, after a FIN, after the close")
struct FlowResetTests {
    @Test("the client's RST aborts: both CLOSED, conn_state RSTO")
    func clientAbort() {
        var h = FlowAnomalyTests.established()
        let n = h.send(.client, [.rst, .ack], seq: 1101, ack: 5001)
        #expect(n.step == .reset)
        #expect(n.changes == ["client ESTABLISHED→CLOSED", "server ESTABLISHED→CLOSED"])
        let c = h.onlyConversation()
        #expect(c?.teardown.kind == .reset)
        #expect(c?.teardown.rstFromClient == true)
        #expect(c?.connState == "RSTO")
        #expect(c?.history == "ShADaR")
    }

    @Test("the server's RST aborts: conn_state RSTR")
    func serverAbort() {
        var h = FlowAnomalyTests.established()
        h.send(.server, .rst, seq: 5001)
        let c = h.onlyConversation()
        #expect(c?.teardown.rstFromClient == false)
        #expect(c?.connState == "RSTR")
    }

    @Test("a RST after the first FIN still ends the teardown by RST")
    func rstAfterFin() {
        var h = FlowAnomalyTests.established()
        h.send(.client, [.fin, .ack], seq: 1101, ack: 5001)
        h.send(.server, [.rst, .ack], seq: 5001, ack: 1102)
        let c = h.onlyConversation()
        #expect(c?.teardown.kind == .reset)
        #expect(c?.teardown.rstAfterClose == false)
        #expect(c?.connState == "RSTR")
    }

    @Test("a RST after a finished close does not undo the four-way teardown")
    func rstAfterClose() {
        var h = FlowAnomalyTests.established()
        h.send(.client, [.fin, .ack], seq: 1101, ack: 5001)
        h.send(.server, [.fin, .ack], seq: 5001, ack: 1102)
        h.send(.client, .ack, seq: 1102, ack: 5002)
        h.send(.client, .rst, seq: 1102)
        let c = h.onlyConversation()
        #expect(c?.teardown.kind == .threeWay)
        #expect(c?.teardown.rstAfterClose == true)
        #expect(c?.rstSeen == true)
    }

    @Test("SYN then RST from the client, no answer: RSTOS0")
    func synThenClientReset() {
        var h = FlowHarness()
        h.send(.client, .syn, seq: 1000)
        h.send(.client, .rst, seq: 1001)
        let c = h.onlyConversation()
        #expect(c?.connState == "RSTOS0")
        #expect(c?.history == "SR")
    }
}
