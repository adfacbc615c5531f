import Testing

@testable import WiretaleCore

/// The repository's `Captures/` folder (this file is `Tests/WiretaleCoreTests/<name>.swift`).
let flowCaptures: String =
    #filePath.split(separator: "/", omittingEmptySubsequences: false).dropLast(3)
    .joined(separator: "/") + "/Captures"

/// A capture run through the reader, the decoder and the tracker: every note and report.
struct TrackedCapture {
    var notes: [PacketNote] = []
    var reports: [FlowReport] = []
    var totals = FlowTotals()

    init(_ name: String) throws {
        try self.init(path: "\(flowCaptures)/\(name)")
    }

    init(path: String) throws {
        let reader = try CaptureFileReader(path: path)
        var tracker = ConnectionTracker()
        var packet = DecodedPacket()
        var frame = 0
        while let r = try reader.next() {
            frame += 1
            PacketDecoder.decode(r.bytes, linkType: r.linkType, into: &packet)
            notes.append(
                tracker.track(packet, frame: frame, time: r.timestamp, wireLength: r.originalLength, bytes: r.bytes))
            while let report = tracker.nextReport() { reports.append(report) }
        }
        tracker.finish()
        while let report = tracker.nextReport() { reports.append(report) }
        for r in reports { totals.add(r) }
    }

    var steps: [ConnectionStep] { notes.map(\.step) }

    var conversation: TCPConversation? {
        let c = reports.compactMap { if case .tcp(let c) = $0 { c } else { nil } }
        return c.count == 1 ? c[0] : nil
    }
}

/// The notes' sections 1 and 2 on connections recorded on loopback (see Captures/README.md).
@Suite("Recorded captures: handshake and teardown as they really happen")
struct FlowCaptureTests {
    @Test("tcp-close-client.pcap: the client closes, the notes' four segments, the client waits in TIME-WAIT")
    func closeFromClient() throws {
        let t = try TrackedCapture("tcp-close-client.pcap")
        #expect(
            t.steps == [
                .handshake1, .handshake2, .handshake3, .none, .none, .none, .none, .teardown1, .teardown2, .teardown3,
                .teardown4,
            ])
        #expect(t.notes.allSatisfy { $0.stream == 0 && $0.anomalies.isEmpty })
        #expect(t.notes[1].ackCheck == .held && t.notes[2].ackCheck == .held)
        #expect(t.notes[7].changes == ["client ESTABLISHED→FIN-WAIT-1", "server ESTABLISHED→CLOSE-WAIT"])
        #expect(t.notes[10].changes == ["server LAST-ACK→CLOSED"])
        let c = try #require(t.conversation)
        #expect(c.handshake.kind == .threeWay && c.teardown.kind == .fourWay)
        #expect(c.teardown.firstCloserIsClient == true)
        #expect(c.clientState == .timeWait && c.serverState == .closed)
        #expect(c.connState == "SF" && c.history == "ShADadFf")
        #expect(c.clientToServer.payloadBytes == 5 && c.serverToClient.payloadBytes == 11)
        #expect(c.server.port == 47001)
    }

    @Test("tcp-close-server.pcap: the server closes first and is the one left in TIME-WAIT")
    func closeFromServer() throws {
        let t = try TrackedCapture("tcp-close-server.pcap")
        #expect(t.steps.suffix(4) == [.teardown1, .teardown2, .teardown3, .teardown4])
        #expect(t.notes.suffix(4).map(\.fromClient) == [false, true, true, false])
        let c = try #require(t.conversation)
        #expect(c.teardown.kind == .fourWay && c.teardown.firstCloserIsClient == false)
        #expect(c.serverState == .timeWait && c.clientState == .closed)
        #expect(c.connState == "SF")
    }

    @Test("tcp-rst-abort.pcap: SO_LINGER 0 makes close() send a RST: aborted by the client, RSTO")
    func rstAbort() throws {
        let t = try TrackedCapture("tcp-rst-abort.pcap")
        #expect(t.steps.last == .reset)
        #expect(t.notes.last?.changes == ["client ESTABLISHED→CLOSED", "server ESTABLISHED→CLOSED"])
        let c = try #require(t.conversation)
        #expect(c.teardown.kind == .reset && c.teardown.rstFromClient == true)
        #expect(c.connState == "RSTO" && c.rstSeen && !c.finSeen)
        #expect(!c.teardown.clientInTimeWait && !c.teardown.serverInTimeWait)
    }

    @Test("tcp-refused.pcap: nothing listens, the SYN is answered by RST: refused, REJ")
    func refused() throws {
        let t = try TrackedCapture("tcp-refused.pcap")
        #expect(t.steps == [.handshake1, .refused])
        let c = try #require(t.conversation)
        #expect(c.handshake.kind == .refused && c.handshakeCompleteness == .partial)
        #expect(c.connState == "REJ" && c.history == "Sr")
        #expect(t.totals.refused == 1 && t.totals.handshakes == 0)
    }

    @Test("tcp-half-close.pcap: shutdown(SHUT_WR), then data from the server after the client's FIN")
    func halfClose() throws {
        let t = try TrackedCapture("tcp-half-close.pcap")
        #expect(t.steps.filter { $0 == .halfCloseData }.count == 2)
        let firstFin = try #require(t.steps.firstIndex(of: .teardown1))
        let halfClosed = try #require(t.steps.firstIndex(of: .halfCloseData))
        #expect(firstFin < halfClosed)
        #expect(t.notes[halfClosed].clientState == .finWait2 && t.notes[halfClosed].serverState == .closeWait)
        let c = try #require(t.conversation)
        #expect(c.teardown.kind == .fourWay && c.teardown.halfCloseBytes == 44)
        #expect(c.connState == "SF")
    }

    @Test("tcp-simultaneous-close.pcap: the FINs cross, both go through CLOSING to TIME-WAIT")
    func simultaneousClose() throws {
        let t = try TrackedCapture("tcp-simultaneous-close.pcap")
        #expect(t.steps.suffix(4) == [.teardown1, .simultaneousClose, .teardown4, .teardown4])
        #expect(t.notes[4].transitions.contains { $0.client && $0.to == .closing })
        let c = try #require(t.conversation)
        #expect(c.teardown.kind == .simultaneous)
        #expect(c.teardown.clientInTimeWait && c.teardown.serverInTimeWait)
    }

    @Test("udp-dns.pcap: three answers (one NXDOMAIN), one query never answered though retried, one multicast")
    func dnsExchange() throws {
        let t = try TrackedCapture("udp-dns.pcap")
        #expect(t.notes.allSatisfy { $0.kind == .udp })
        #expect(t.notes[1].dnsQueryFrame == 1 && t.notes[1].dnsLatency > 0)
        #expect(t.notes[8].multicast)
        #expect(t.totals.dnsQueries == 4)
        #expect(t.totals.dnsAnswered == 2 && t.totals.dnsNXDomain == 1 && t.totals.dnsUnanswered == 1)
        #expect(t.totals.udpFlows == 2 && t.totals.tcpConversations == 0)
        let dns = t.reports.compactMap { if case .dns(let d) = $0 { d } else { nil } }
        #expect(Set(dns.map(\.name)) == ["notes.example", "missing.example", "silent.example"])
        #expect(dns.first { $0.name == "silent.example" }?.retries == 1)
    }
}
