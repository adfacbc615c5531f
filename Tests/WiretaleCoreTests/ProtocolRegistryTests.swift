import Testing

@testable import WiretaleCore

private typealias F = FrameBuilder

/// A DNS message for example.com A: a query, or a response with one answer 192.0.2.7.
private func dnsMessage(id: UInt16, response: Bool) -> [UInt8] {
    let name: [UInt8] = [7] + Array("example".utf8) + [3] + Array("com".utf8) + [0]
    var m = F.be16(Int(id)) + (response ? [0x81, 0x80] : [0x01, 0x00]) + F.be16(1) + F.be16(response ? 1 : 0)
    m += F.be16(0) + F.be16(0) + name + F.be16(1) + F.be16(1)
    if response { m += [0xC0, 0x0C] + F.be16(1) + F.be16(1) + F.be32(300) + F.be16(4) + [192, 0, 2, 7] }
    return m
}

private let time = Timestamp(seconds: 1_700_000_000, fraction: 0, digits: 6)

/// Follows `frames` as `read` does; returns the follower after the last one and each frame's text line.
private func follow(_ frames: [[UInt8]], reports: Bool = false) -> (PacketFollower, [String]) {
    var configuration = ConnectionTracker.Configuration()
    configuration.reports = reports
    var follower = PacketFollower(configuration: configuration)
    var lines: [String] = []
    for (i, frame) in frames.enumerated() {
        frame.withUnsafeBytes { b in
            _ = follower.follow(b, linkType: .ethernet, frame: i + 1, time: time, wireLength: b.count)
            var o = OutputBuffer(fd: -1)
            PacketText.appendSummary(
                follower.packet, application: follower.application, capturedLength: b.count,
                originalLength: b.count, to: &o)
            lines.append(String(decoding: o.bytes, as: UTF8.self))
        }
    }
    return (follower, lines)
}

@Suite("Application protocols: one registry, claimed once, parsed once")
struct ProtocolRegistryTests {
    @Test("a port-53 TCP segment that does not hold its DNS message is nobody's, even if it reads like HTTP")
    func dnsPortStopsTheSearch() {
        let get = Array("GET / HTTP/1.1\r\n\r\n".utf8)
        let on53 = F.decode(F.ethernet(type: 0x0800, F.ipv4(proto: 6, F.tcp(dst: 53, flags: 0x18, get))))
        #expect(on53.application == .none)
        let on80 = F.decode(F.ethernet(type: 0x0800, F.ipv4(proto: 6, F.tcp(dst: 80, flags: 0x18, get))))
        #expect(on80.application == .http && on80.applicationLength == get.count)
        // Below 14 bytes the DNS decoder passes, and the HTTP one may claim it (today's results, kept).
        let short = Array("GET / HTTP/1.1".utf8).prefix(13)
        let small = F.decode(F.ethernet(type: 0x0800, F.ipv4(proto: 6, F.tcp(dst: 53, flags: 0x18, Array(short)))))
        #expect(small.application == .http)
    }

    @Test("HTTP is claimed from content only over TCP; a UDP datagram starting with GET is not HTTP")
    func httpOnlyOverTCP() {
        let get = Array("GET / HTTP/1.1\r\n\r\n".utf8)
        let p = F.decode(F.ethernet(type: 0x0800, F.ipv4(proto: 17, F.udp(dst: 8080, get))))
        #expect(p.hasUDP && p.application == .none)
    }

    @Test("a claim records the message's offset past DNS-over-TCP's length prefix")
    func claimOffsets() {
        let m = dnsMessage(id: 9, response: false)
        let p = F.decode(F.ethernet(type: 0x0800, F.ipv4(proto: 6, F.tcp(dst: 53, flags: 0x18, F.be16(m.count) + m))))
        #expect(p.application == .dns && p.applicationOffset == p.tcp.payloadOffset + 2)
        #expect(p.applicationLength == m.count)
    }

    @Test("the follower parses a DNS message once and the flow table, text and JSON read that value")
    func oneParseForEveryReader() throws {
        let q = F.ethernet(
            type: 0x0800, F.ipv4(proto: 17, F.udp(src: 40000, dst: 53, dnsMessage(id: 0x1A2B, response: false))))
        let r = F.ethernet(
            type: 0x0800,
            F.ipv4(
                src: [10, 0, 0, 2], dst: [10, 0, 0, 1], proto: 17,
                F.udp(src: 53, dst: 40000, dnsMessage(id: 0x1A2B, response: true))))
        let (follower, lines) = follow([q, r], reports: true)
        let dns = try #require(follower.application?.dns)
        #expect(dns.id == 0x1A2B && dns.isResponse && dns.answers.count == 1)
        #expect(lines[0] == "IP 10.0.0.1:40000 > 10.0.0.2:53 UDP length 29: DNS query 0x1a2b A example.com")
        #expect(
            lines[1]
                == "IP 10.0.0.2:53 > 10.0.0.1:40000 UDP length 45: DNS response 0x1a2b NOERROR A example.com -> A 192.0.2.7"
        )
        var tracker = follower.tracker
        tracker.finish()
        var transactions: [DNSTransaction] = []
        while let report = tracker.nextReport() {
            if case .dns(let t) = report { transactions.append(t) }
        }
        #expect(transactions.count == 1)
        #expect(transactions.first?.queryFrame == 1 && transactions.first?.responseFrame == 2)
        #expect(transactions.first?.name == "example.com" && transactions.first?.answers == 1)

        var o = OutputBuffer(fd: -1)
        let info = FrameInfo(number: 2, timestamp: time, originalLength: r.count, capturedLength: r.count)
        PacketJSON.render(info, follower.packet, application: follower.application, to: &o)
        let json = String(decoding: o.bytes, as: UTF8.self)
        #expect(
            json.contains(
                #","dns":{"id":6699,"response":true,"opcode":0,"rcode":"NOERROR","tc":false,"questions":[{"name":"example.com","type":"A"}],"answers":[{"name":"example.com","type":"A","ttl":300,"data":"192.0.2.7"}],"authorities":0,"additionals":0}}"#
            ), "\(json)")
    }

    @Test("a DNS message cut short keeps what it read, and its problem follows the summary and fills JSON's error")
    func truncatedMessage() {
        let m = Array(dnsMessage(id: 5, response: false).prefix(20))
        let frame = F.ethernet(type: 0x0800, F.ipv4(proto: 17, F.udp(dst: 53, m)))
        let (follower, lines) = follow([frame])
        #expect(follower.application?.dns?.id == 5 && follower.application?.error?.layer == .dns)
        #expect(lines[0].hasPrefix("IP 10.0.0.1:40000 > 10.0.0.2:53 UDP length 20: DNS query 0x0005 ["))
        var o = OutputBuffer(fd: -1)
        let info = FrameInfo(number: 1, timestamp: time, originalLength: frame.count, capturedLength: frame.count)
        PacketJSON.render(info, follower.packet, application: follower.application, to: &o)
        #expect(String(decoding: o.bytes, as: UTF8.self).contains(#""error":{"layer":"dns""#))
    }

    @Test("an HTTP start line is parsed once and shown as text and JSON")
    func httpPresentation() {
        let get = Array("GET /index.html HTTP/1.1\r\nHost: a\r\n\r\n".utf8)
        let frame = F.ethernet(type: 0x0800, F.ipv4(proto: 6, F.tcp(dst: 8080, flags: 0x18, get)))
        let (follower, lines) = follow([frame])
        #expect(lines[0].hasSuffix("length \(get.count): HTTP GET /index.html HTTP/1.1"))
        var o = OutputBuffer(fd: -1)
        follower.application?.message.appendJSON(to: &o)
        #expect(
            String(decoding: o.bytes, as: UTF8.self)
                == #"{"request":{"method":"GET","target":"/index.html","version":"HTTP/1.1"}}"#)
        var r = OutputBuffer(fd: -1)
        HTTPDecoder.appendJSON(.response(version: "HTTP/1.1", status: 404, reason: "Not Found"), to: &r)
        #expect(
            String(decoding: r.bytes, as: UTF8.self)
                == #"{"response":{"version":"HTTP/1.1","status":404,"reason":"Not Found"}}"#)
    }

    @Test("a packet no decoder claims has no application layer")
    func noApplication() {
        let frame = F.ethernet(type: 0x0800, F.ipv4(proto: 6, F.tcp(dst: 443, flags: 0x18, [0x16, 3, 1, 0, 5])))
        let (follower, _) = follow([frame])
        #expect(follower.packet.application == .none && follower.application == nil)
    }

    @Test("statistics count each decoder's claims under its name, in the registry's order")
    func statistics() {
        var s = DecodeStatistics()
        let dns = F.decode(
            F.ethernet(type: 0x0800, F.ipv4(proto: 17, F.udp(dst: 53, dnsMessage(id: 1, response: false)))))
        let http = F.decode(
            F.ethernet(type: 0x0800, F.ipv4(proto: 6, F.tcp(dst: 80, flags: 0x18, Array("HTTP/1.1 200 OK\r\n".utf8)))))
        s.count(dns, length: 60)
        s.count(dns, length: 60)
        s.count(http, length: 60)
        #expect(s.dns == 2 && s.http == 1 && s[.dns] == 2)
        var o = OutputBuffer(fd: -1)
        s.render(to: &o)
        #expect(String(decoding: o.bytes, as: UTF8.self).contains("\ndns 2, http 1\n"))
    }

    @Test("every application kind but none has a name, and each decoder passes on an empty-ish payload")
    func everyKindIsRegistered() {
        let bytes: [UInt8] = [0]
        for kind in ApplicationKind.allCases where kind != .none {
            #expect(!"\(kind.name)".isEmpty && "\(kind.name)" != "none")
            bytes.withUnsafeBytes { b in
                let payload = ApplicationPayload(
                    bytes: b, offset: 0, count: 1, transport: .tcp, srcPort: 53, dstPort: 80)
                #expect(ApplicationRegistry.claim(kind, payload) == .pass)
            }
        }
    }
}

@Suite("Protocol numbers as values")
struct ProtocolNumberTests {
    @Test("IP protocol numbers have names, and unknown ones survive as proto-N")
    func ipProtocols() {
        #expect(IPProtocol.tcp.rawValue == 6 && IPProtocol.udp.name == "UDP" && IPProtocol.icmpv6.name == "ICMPv6")
        #expect(IPProtocol(rawValue: 2).name == "IGMP" && IPProtocol(rawValue: 200).name == "proto-200")
        let p = F.decode(F.ethernet(type: 0x0800, F.ipv4(proto: 89, [0, 0, 0, 0])))
        #expect(p.ip.proto == .ospf && "\(p.ip.proto)" == "OSPF")
    }

    @Test("EtherTypes have names, and unknown ones survive as four hex digits")
    func etherTypes() {
        #expect(EtherType.ipv6.rawValue == 0x86DD && EtherType.arp.name == "ARP")
        #expect(EtherType(rawValue: 0x88CC).name == "0x88cc" && EtherType(rawValue: 0x42).name == "0x0042")
        let p = F.decode(F.ethernet(type: 0x88CC, [1, 2, 3]))
        #expect(p.link.etherType == EtherType(rawValue: 0x88CC) && p.link.etherType.rawValue == 0x88CC)
        let v = F.decode(F.ethernet(type: 0x86DD, vlans: [10], F.ipv6(next: 59, [])))
        #expect(v.link.etherType == .ipv6 && v.link.vlan0 == 10)
    }
}
