import Testing

@testable import WiretaleCore

/// The notes' section 3: UDP is connectionless (flows, not connections), can broadcast, and DNS
/// rides on it as query and response.
@Suite("UDP flows and DNS transactions")
struct FlowUDPTests {
    static let resolver = FlowEndpoint(IPAddress("192.0.2.53")!, 53)
    static let stub = FlowEndpoint(IPAddress("192.0.2.10")!, 33333)

    /// A DNS message: header, one question (`name`, `type`, class IN), `answers` A records.
    static func dns(
        id: UInt16, response: Bool, rcode: UInt8 = 0, name: String = "www.example.test", type: UInt16 = 1,
        answers: Int = 0
    ) -> [UInt8] {
        var m: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xFF), response ? 0x81 : 0x01, response ? 0x80 | rcode : 0]
        m += [0, 1, 0, UInt8(answers), 0, 0, 0, 0]
        for label in name.split(separator: ".") {
            m.append(UInt8(label.utf8.count))
            m += Array(label.utf8)
        }
        m += [0, UInt8(type >> 8), UInt8(type & 0xFF), 0, 1]
        for i in 0..<answers {
            m += [0xC0, 12, 0, 1, 0, 1, 0, 0, 1, 0, 0, 4, 93, 184, 216, UInt8(i)]
        }
        return m
    }

    static func datagram(from src: FlowEndpoint, to dst: FlowEndpoint, payload: [UInt8], dns: Bool = true)
        -> DecodedPacket
    {
        var p = DecodedPacket()
        p.hasIP = true
        p.ip.src = src.address
        p.ip.dst = dst.address
        p.ip.proto = .udp
        p.hasUDP = true
        p.udp.srcPort = src.port
        p.udp.dstPort = dst.port
        p.udp.length = UInt16(8 + payload.count)
        p.udp.capturedPayload = payload.count
        if dns {
            p.application = .dns
            p.applicationOffset = 0
            p.applicationLength = payload.count
        }
        return p
    }

    @Test("a response's answers count the records it holds, not its header's count")
    func answersCounted() {
        var h = FlowHarness()
        let q = Self.dns(id: 7, response: false)
        var r = Self.dns(id: 7, response: true, answers: 1)
        r[6] = 0xFF
        r[7] = 0xFF  // the header claims 65,535 answers; the message holds one
        h.feed(Self.datagram(from: Self.stub, to: Self.resolver, payload: q), bytes: q)
        h.feed(Self.datagram(from: Self.resolver, to: Self.stub, payload: r), bytes: r)
        var none = Self.dns(id: 8, response: true)
        none[6] = 0xFF
        none[7] = 0xFF
        h.feed(Self.datagram(from: Self.resolver, to: Self.stub, payload: none), bytes: none)
        let answers = h.reports.compactMap { report -> Int? in
            if case .dns(let d) = report { return d.answers }
            return nil
        }
        #expect(answers == [1, 0])
    }

    @Test("a query and its response match by ID and endpoints, with the latency and the rcode")
    func matched() {
        var h = FlowHarness()
        let q = Self.dns(id: 0x1234, response: false)
        let r = Self.dns(id: 0x1234, response: true, answers: 2)
        let qn = h.feed(Self.datagram(from: Self.stub, to: Self.resolver, payload: q), bytes: q)
        let rn = h.feed(Self.datagram(from: Self.resolver, to: Self.stub, payload: r), after: 12.5, bytes: r)
        #expect(qn.kind == .udp && qn.stream == 0 && qn.fromClient && qn.newStream)
        #expect(rn.stream == 0 && !rn.fromClient)
        #expect(rn.dnsQueryFrame == 1)
        #expect(rn.dnsLatency == 12_500_000)
        let t = h.dnsTransactions
        #expect(t.count == 1)
        #expect(t.first?.answered == true)
        #expect(t.first?.name == "www.example.test")
        #expect(t.first?.type == 1)
        #expect(t.first?.rcode == 0)
        #expect(t.first?.answers == 2)
        #expect(t.first?.client == Self.stub)
        h.finish()
        #expect(h.udpFlows.count == 1)
        #expect(h.udpFlows.first?.clientToServer.packets == 1)
        #expect(h.udpFlows.first?.serverToClient.packets == 1)
        #expect(h.udpFlows.first?.connState == "SF")
        #expect(h.udpFlows.first?.dnsMessages == 2)
    }

    @Test("NXDOMAIN is reported as the response's rcode")
    func nxdomain() {
        var h = FlowHarness()
        let q = Self.dns(id: 7, response: false)
        let r = Self.dns(id: 7, response: true, rcode: 3)
        h.feed(Self.datagram(from: Self.stub, to: Self.resolver, payload: q), bytes: q)
        h.feed(Self.datagram(from: Self.resolver, to: Self.stub, payload: r), bytes: r)
        #expect(h.dnsTransactions.first?.rcode == 3)
    }

    @Test("a query without a response is reported unanswered; a retry with the same ID is counted")
    func unanswered() {
        var h = FlowHarness()
        let q = Self.dns(id: 9, response: false)
        h.feed(Self.datagram(from: Self.stub, to: Self.resolver, payload: q), bytes: q)
        h.feed(Self.datagram(from: Self.stub, to: Self.resolver, payload: q), after: 1000, bytes: q)
        h.finish()
        let t = h.dnsTransactions
        #expect(t.count == 1)
        #expect(t.first?.answered == false)
        #expect(t.first?.retries == 1)
        #expect(h.udpFlows.first?.connState == "S0")
    }

    @Test("a response with another ID does not answer the query")
    func idMustMatch() {
        var h = FlowHarness()
        let q = Self.dns(id: 1, response: false)
        let r = Self.dns(id: 2, response: true)
        h.feed(Self.datagram(from: Self.stub, to: Self.resolver, payload: q), bytes: q)
        let rn = h.feed(Self.datagram(from: Self.resolver, to: Self.stub, payload: r), bytes: r)
        #expect(rn.dnsQueryFrame == 0)
        h.finish()
        #expect(h.dnsTransactions.filter(\.answered).isEmpty)
        #expect(h.dnsTransactions.count == 2)
    }

    @Test("datagrams to 255.255.255.255 are flagged broadcast, to 224.0.0.0/4 multicast")
    func broadcastAndMulticast() {
        var h = FlowHarness()
        let b = h.feed(
            Self.datagram(
                from: FlowEndpoint(IPAddress("0.0.0.0")!, 68), to: FlowEndpoint(IPAddress("255.255.255.255")!, 67),
                payload: [1, 2, 3], dns: false))
        let m = h.feed(
            Self.datagram(
                from: FlowEndpoint(IPAddress("192.0.2.7")!, 5353), to: FlowEndpoint(IPAddress("224.0.0.251")!, 5353),
                payload: [1, 2, 3], dns: false))
        #expect(b.broadcast && !b.multicast)
        #expect(m.multicast && !m.broadcast)
        h.finish()
        #expect(h.udpFlows.count == 2)
        #expect(h.udpFlows[0].broadcast && h.udpFlows[1].multicast)
        #expect(h.udpFlows[0].client.port == 68)
    }
}
