import Testing

@testable import WiretaleCore

/// The tracker's `maxFlows` cap: memory bounded by it, eviction by the stated policy, every
/// eviction counted and reported.
@Suite("Flow caps and eviction")
struct FlowCapTests {
    static func configuration(maxFlows: Int) -> ConnectionTracker.Configuration {
        var c = ConnectionTracker.Configuration()
        c.maxFlows = maxFlows
        return c
    }

    static func endpoint(_ i: Int, port: UInt16 = 40000) -> FlowEndpoint {
        FlowEndpoint(IPAddress("198.51.\(100 + i / 250).\(1 + i % 250)")!, port)
    }

    static let server = FlowEndpoint(IPAddress("192.0.2.80")!, 80)

    /// A SYN from client `i`.
    static func syn(_ i: Int) -> DecodedPacket {
        FlowHarness.segment(from: endpoint(i), to: server, .syn, seq: UInt32(1000 + i))
    }

    @Test("A SYN flood past the cap holds at most the cap, evicts the oldest half-open first and counts it")
    func synFlood() {
        var h = FlowHarness(configuration: Self.configuration(maxFlows: 64))
        for i in 0..<1000 { h.feed(Self.syn(i)) }
        #expect(h.tracker.openConnections <= 64)
        #expect(h.tracker.evictions.tcp == 1000 - h.tracker.openConnections)
        let evicted = h.reports.compactMap { r -> TCPConversation? in
            if case .tcp(let c) = r, c.endReason == .evicted { return c }
            return nil
        }
        #expect(evicted.count == h.tracker.evictions.tcp)
        #expect(evicted.map(\.stream) == Array(0..<evicted.count), "oldest first")
        #expect(h.tracker.tcpStreamCount == 1000)
    }

    @Test("At the cap, half-open connections go before established ones, even younger ones")
    func halfOpenFirst() {
        var h = FlowHarness(configuration: Self.configuration(maxFlows: 16))
        // Stream 0: an established connection, the oldest of all.
        h.send(.client, .syn, seq: 100)
        h.send(.server, [.syn, .ack], seq: 500, ack: 101)
        h.send(.client, .ack, seq: 101, ack: 501)
        for i in 0..<40 { h.feed(Self.syn(i)) }
        #expect(h.tracker.evictions.tcp > 0)
        let evictedStreams = h.reports.compactMap { r -> Int? in
            if case .tcp(let c) = r, c.endReason == .evicted { return c.stream }
            return nil
        }
        #expect(!evictedStreams.contains(0), "the established connection outlives the half-open ones")
        // It is still followed: its next segment joins stream 0.
        let note = h.send(.client, [.fin, .ack], seq: 101, ack: 501)
        #expect(note.stream == 0)
    }

    @Test("Closed connections waiting out their grace go first and are not counted as evicted")
    func closedFirst() {
        var h = FlowHarness(configuration: Self.configuration(maxFlows: 8))
        h.send(.client, .syn, seq: 100)
        h.send(.server, [.rst, .ack], seq: 0, ack: 101)  // refused: closed at once
        for i in 0..<8 { h.feed(Self.syn(i)) }
        let first = h.reports.first
        if case .tcp(let c) = first {
            #expect(c.stream == 0 && c.endReason == .closed)
        } else {
            Issue.record("the refused connection is reported first, as closed")
        }
        #expect(h.tracker.evictions.tcp == 0)
    }

    @Test("UDP flows past the cap: the longest idle go, counted and reported")
    func udpFlood() {
        var h = FlowHarness(configuration: Self.configuration(maxFlows: 32))
        let sink = FlowEndpoint(IPAddress("192.0.2.9")!, 9999)
        for i in 0..<500 {
            h.feed(FlowUDPTests.datagram(from: Self.endpoint(i, port: 5000), to: sink, payload: [1, 2, 3], dns: false))
        }
        let evicted = h.reports.filter {
            if case .udp(let u) = $0 { return u.endReason == .evicted }
            return false
        }
        #expect(h.tracker.udpIndex.count <= 32)
        #expect(h.tracker.evictions.udp == 500 - h.tracker.udpIndex.count && evicted.count == h.tracker.evictions.udp)
    }

    @Test("Unanswered DNS queries past the cap: the oldest are reported unanswered and counted")
    func dnsFlood() {
        var h = FlowHarness(configuration: Self.configuration(maxFlows: 20))
        for i in 0..<300 {
            let q = FlowUDPTests.dns(id: UInt16(i), response: false)
            h.feed(
                FlowUDPTests.datagram(from: Self.endpoint(i, port: 33333), to: FlowUDPTests.resolver, payload: q),
                bytes: q)
        }
        #expect(h.tracker.dnsPending.count <= 20)
        #expect(h.tracker.evictions.dns == 300 - h.tracker.dnsPending.count)
        let unanswered = h.reports.compactMap { r -> DNSTransaction? in
            if case .dns(let d) = r { return d }
            return nil
        }
        #expect(unanswered.count == h.tracker.evictions.dns && unanswered.allSatisfy { !$0.answered })
        #expect(unanswered.first?.queryFrame == 1, "oldest first")
    }

    @Test("Below the cap nothing is evicted and the default cap is documented")
    func belowCap() {
        #expect(ConnectionTracker.Configuration().maxFlows == 50_000)
        var h = FlowHarness()
        for i in 0..<2000 { h.feed(Self.syn(i)) }
        h.finish()
        #expect(h.tracker.evictions == FlowEvictions())
        #expect(h.reports.count == 2000)
    }
}
