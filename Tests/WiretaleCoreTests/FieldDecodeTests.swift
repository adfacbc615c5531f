import Foundation
import Testing

@testable import WiretaleCore

/// The fields a script reads (issue 11 section 2): IP's id, flags and DS field, ICMP's echo and the
/// header an error quotes, TCP timestamps and SACK in text, frames without a time, 802.3 LLC/SNAP,
/// STP and RARP, undecoded link types, and multicast DNS in the flow tables.
@Suite("Decoded fields in text and JSON")
struct FieldDecodeTests {
    typealias F = FrameBuilder

    func text(_ frame: [UInt8], link: LinkType = .ethernet) -> String {
        let p = F.decode(frame, link: link)
        var o = OutputBuffer(fd: -1)
        frame.withUnsafeBytes {
            PacketText.render(
                FrameInfo(
                    number: 1, timestamp: Timestamp(seconds: 3600, fraction: 0, digits: 6),
                    originalLength: frame.count, capturedLength: frame.count), p, bytes: $0, to: &o)
        }
        return String(decoding: o.bytes, as: UTF8.self)
    }

    func json(
        _ frame: [UInt8], link: LinkType = .ethernet, time: Timestamp = Timestamp(seconds: 0, fraction: 0, digits: 6)
    )
        -> String
    {
        let p = F.decode(frame, link: link)
        var o = OutputBuffer(fd: -1)
        frame.withUnsafeBytes {
            PacketJSON.render(
                FrameInfo(number: 1, timestamp: time, originalLength: frame.count, capturedLength: frame.count), p,
                bytes: $0, to: &o)
        }
        return String(decoding: o.bytes, as: UTF8.self)
    }

    func object(_ s: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(s.utf8)) as? [String: Any])
    }

    // MARK: IP

    @Test("IPv4 id, DF, MF, DSCP and ECN in JSON (tshark's ip.id, ip.flags.df, ip.dsfield.dscp/ecn)")
    func ipv4Fields() throws {
        var ip = F.ipv4(proto: 17, F.udp(dst: 9, [1, 2, 3]))
        ip[1] = 0xB9  // DSCP 46 (EF), ECN 1 (ECT(1))
        let ipObject = try #require(try object(json(F.ethernet(type: 0x0800, ip)))["ip"] as? [String: Any])
        #expect(ipObject["id"] as? Int == 0x1234)
        #expect(ipObject["df"] as? Bool == true && ipObject["mf"] as? Bool == false)
        #expect(ipObject["dscp"] as? Int == 46 && ipObject["ecn"] as? Int == 1)
        #expect(ipObject["flow_label"] == nil)
    }

    @Test("IPv6 traffic class as DSCP and ECN, and the flow label")
    func ipv6Fields() throws {
        var ip = F.ipv6(next: 17, F.udp(dst: 9, [1]))
        // version 6, traffic class 0x2B (DSCP 10, ECN 3), flow label 0xABCDE
        ip[0] = 0x62
        ip[1] = 0xBA
        ip[2] = 0xBC
        ip[3] = 0xDE
        let ipObject = try #require(try object(json(F.ethernet(type: 0x86DD, ip)))["ip"] as? [String: Any])
        #expect(ipObject["dscp"] as? Int == 10 && ipObject["ecn"] as? Int == 3)
        #expect(ipObject["flow_label"] as? Int == 0xABCDE)
        #expect(ipObject["id"] == nil && ipObject["df"] == nil)
    }

    // MARK: ICMP

    @Test("ICMP echo: id and seq in JSON and text")
    func echo() throws {
        let icmp: [UInt8] = [8, 0, 0, 0] + F.be16(1) + F.be16(2) + [0xAA, 0xBB]
        let frame = F.ethernet(type: 0x0800, F.ipv4(proto: 1, icmp))
        #expect(text(frame).hasSuffix("IP 10.0.0.1 > 10.0.0.2 ICMP echo request, id 1, seq 2, length 10"))
        let o = try #require(try object(json(frame))["icmp"] as? [String: Any])
        #expect(o["id"] as? Int == 1 && o["seq"] as? Int == 2 && o["quoted"] == nil)
        // An echo cut before its identifier shows none.
        let cut = F.ethernet(type: 0x0800, F.ipv4(proto: 1, totalLength: 26, [8, 0, 0, 0, 0, 1]))
        #expect(text(cut).contains("ICMP echo request, length 6"))
    }

    /// An ICMP error from 10.0.0.9 quoting a packet from 10.0.0.1 to 10.0.0.2.
    func icmpError(type: UInt8, code: UInt8, quotedProto: UInt8, _ transport: [UInt8], rest: [UInt8] = [0, 0, 0, 0])
        -> [UInt8]
    {
        let quoted = Array(F.ipv4(proto: quotedProto, transport).prefix(28))
        return F.ethernet(
            type: 0x0800,
            F.ipv4(src: [10, 0, 0, 9], dst: [10, 0, 0, 1], proto: 1, [type, code, 0, 0] + rest + quoted))
    }

    @Test("A port unreachable names the port as tcpdump does, and JSON has the quoted header")
    func portUnreachable() throws {
        let frame = icmpError(type: 3, code: 3, quotedProto: 17, F.udp(src: 5000, dst: 53, [1, 2, 3, 4]))
        #expect(text(frame).hasSuffix("IP 10.0.0.9 > 10.0.0.1 ICMP 10.0.0.2 udp port 53 unreachable, length 36"))
        let o = try #require(try object(json(frame))["icmp"] as? [String: Any])
        let q = try #require(o["quoted"] as? [String: Any])
        #expect(q["src"] as? String == "10.0.0.1" && q["dst"] as? String == "10.0.0.2")
        #expect(q["proto"] as? Int == 17 && q["srcport"] as? Int == 5000 && q["dstport"] as? Int == 53)
        #expect(o["id"] == nil)
    }

    @Test("Other errors name what they quote; fragmentation needed gives the MTU")
    func otherErrors() throws {
        let exceeded = icmpError(type: 11, code: 0, quotedProto: 6, F.tcp(src: 40000, dst: 80))
        #expect(text(exceeded).contains("ICMP time exceeded (TTL), for TCP 10.0.0.1:40000 > 10.0.0.2:80, length"))
        let frag = icmpError(type: 3, code: 4, quotedProto: 6, F.tcp(), rest: [0, 0] + F.be16(1492))
        #expect(text(frag).contains("(fragmentation needed), mtu 1492, for TCP 10.0.0.1:40000 > 10.0.0.2:80"))
        #expect(try object(json(frag))["icmp"].flatMap { $0 as? [String: Any] }?["mtu"] as? Int == 1492)
        // A quote too short for the ports still names the addresses.
        let proto = icmpError(type: 3, code: 2, quotedProto: 132, [])
        #expect(text(proto).contains("(protocol unreachable), for SCTP 10.0.0.1 > 10.0.0.2, length"))
    }

    @Test("ICMPv6 port unreachable quotes the IPv6 header")
    func icmpv6PortUnreachable() throws {
        let quoted = F.ipv6(next: 17, F.udp(src: 5000, dst: 53, [9, 9]))
        let frame = F.ethernet(type: 0x86DD, F.ipv6(next: 58, [1, 4, 0, 0, 0, 0, 0, 0] + quoted))
        #expect(text(frame).contains("ICMP6 2001:db8::2 udp port 53 unreachable, length"))
        let o = try #require(try object(json(frame))["icmpv6"] as? [String: Any])
        #expect((o["quoted"] as? [String: Any])?["dstport"] as? Int == 53)
    }

    // MARK: TCP

    @Test("TCP timestamps and SACK blocks in the text line, tcpdump's words")
    func tcpOptionsText() {
        let syn = F.ethernet(type: 0x0800, F.ipv4(proto: 6, F.tcp(options: F.synOptions)))
        #expect(text(syn).contains("win 65535 <mss 1460 wscale 7 sackOK TS val 16909060 ecr 0> length 0"))
        let sack: [UInt8] = [1, 1, 5, 18] + F.be32(100) + F.be32(200) + F.be32(300) + F.be32(400)
        let ack = F.ethernet(type: 0x0800, F.ipv4(proto: 6, F.tcp(ack: 1, flags: 0x10, options: sack)))
        #expect(text(ack).contains("<sack 2 {100:200} {300:400}> length 0"))
    }

    // MARK: link

    /// An 802.3 frame: the length field, then the LLC payload.
    func ieee8023(_ llc: [UInt8]) -> [UInt8] { F.ethernet(type: llc.count, llc) }

    @Test("An RST BPDU: LLC 42/42 and STP named as tcpdump prints them, in JSON too")
    func stp() throws {
        let bridge: [UInt8] = [0x82, 0xD0, 0x00, 0x13, 0x7F, 0xBE, 0x8C, 0xC0]
        let bpdu: [UInt8] =
            [0, 0, 2, 2, 0x3C] + bridge + F.be32(4) + bridge + F.be16(0x8193) + [0, 0, 0x14, 0, 2, 0, 0x0F, 0, 0]
        let frame = ieee8023([0x42, 0x42, 0x03] + bpdu)
        #expect(
            text(frame).hasSuffix(
                "STP 802.1w, Rapid STP, root-id 82d0.00:13:7f:be:8c:c0, root-pathcost 4, bridge-id 82d0.00:13:7f:be:8c:c0.8193, length 36"
            ))
        let o = try object(json(frame))
        #expect((o["eth"] as? [String: Any])?["length"] as? Int == 39)
        #expect((o["eth"] as? [String: Any])?["type"] == nil)
        let llc = try #require(o["llc"] as? [String: Any])
        #expect(llc["dsap"] as? Int == 0x42 && llc["ssap"] as? Int == 0x42 && llc["control"] as? Int == 3)
        let s = try #require(o["stp"] as? [String: Any])
        #expect(s["version"] as? Int == 2 && s["name"] as? String == "Rapid STP")
        #expect(s["root_mac"] as? String == "00:13:7f:be:8c:c0" && s["root_priority"] as? Int == 0x82D0)
        #expect(s["root_cost"] as? Int == 4 && s["port"] as? Int == 0x8193)
        #expect(o["error"] == nil)
        // A topology change notification has no identifiers.
        #expect(text(ieee8023([0x42, 0x42, 0x03, 0, 0, 0, 0x80])).hasSuffix("STP 802.1d, Topology Change, length 4"))
    }

    @Test("LLC without SNAP or STP, SNAP with a vendor OUI, and SNAP carrying IPv4")
    func llcAndSNAP() throws {
        #expect(text(ieee8023([0xE0, 0xE0, 0x03, 0xFF, 0xFF])).contains("LLC dsap 0xe0 ssap 0xe0 ctrl 0x03, length"))
        let cdp = ieee8023([0xAA, 0xAA, 0x03, 0x00, 0x00, 0x0C, 0x20, 0x00, 1, 2])
        #expect(text(cdp).contains("LLC SNAP oui 0x00000c type 0x2000, length"))
        let ip = F.ipv4(proto: 17, F.udp(dst: 9, [1]))
        let snapIP = ieee8023([0xAA, 0xAA, 0x03, 0, 0, 0, 0x08, 0x00] + ip)
        #expect(text(snapIP).contains("IP 10.0.0.1:40000 > 10.0.0.2:9 UDP length 1"))
        let o = try object(json(snapIP))
        #expect((o["llc"] as? [String: Any])?["type"] as? Int == 0x0800)
        #expect((o["ip"] as? [String: Any])?["src"] as? String == "10.0.0.1")
        // Cut short inside the SNAP header: truncated, not malformed.
        #expect(text(ieee8023([0xAA, 0xAA, 0x03, 0])).contains("[truncated llc: truncated (SNAP header truncated)"))
    }

    @Test("RARP is named, request and reply")
    func rarp() throws {
        func rarp(op: Int, targetIP: [UInt8]) -> [UInt8] {
            F.ethernet(
                type: 0x8035,
                F.be16(1) + F.be16(0x0800) + [6, 4] + F.be16(op) + F.macA + [0, 0, 0, 0] + F.macB + targetIP)
        }
        #expect(
            text(rarp(op: 3, targetIP: [0, 0, 0, 0])).hasSuffix(
                "RARP reverse request who-is 02:00:00:00:00:0b tell 02:00:00:00:00:0a"))
        #expect(
            text(rarp(op: 4, targetIP: [10, 0, 0, 7])).hasSuffix("RARP reverse reply 02:00:00:00:00:0b at 10.0.0.7"))
        let o = try #require(try object(json(rarp(op: 4, targetIP: [10, 0, 0, 7])))["arp"] as? [String: Any])
        #expect(o["rarp"] as? Bool == true && o["op"] as? String == "RARP reply")
    }

    @Test("A link type wiretale does not decode is said so, not malformed")
    func undecodedLink() throws {
        let frame: [UInt8] = Array(repeating: 0x11, count: 20)
        #expect(text(frame, link: LinkType(rawValue: 284)).hasSuffix("linktype-284 not decoded, length 20"))
        let o = try object(json(frame, link: LinkType(rawValue: 284)))
        #expect(o["link_not_decoded"] as? Bool == true && o["error"] == nil)
        #expect(try object(json(F.ethernet(type: 0x0800, F.ipv4(proto: 17, F.udp([])))))["link_not_decoded"] == nil)
    }

    // MARK: time

    @Test("A pcapng Simple Packet Block has no time: JSON null, text 'no timestamp', never 1970")
    func simplePacketBlock() throws {
        func le32(_ v: Int) -> [UInt8] {
            [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)]
        }
        func block(_ type: Int, _ body: [UInt8]) -> [UInt8] {
            var b = body
            while b.count % 4 != 0 { b.append(0) }
            return le32(type) + le32(12 + b.count) + b + le32(12 + b.count)
        }
        let frame = F.ethernet(type: 0x0800, F.ipv4(proto: 17, F.udp(dst: 9, [1, 2])))
        let shb = block(0x0A0D_0D0A, le32(0x1A2B_3C4D) + [1, 0, 0, 0] + Array(repeating: 0xFF, count: 8))
        let idb = block(1, [1, 0, 0, 0] + le32(0))
        let spb = block(3, le32(frame.count) + frame)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("wiretale-spb-\(getpid()).pcapng").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data(shb + idb + spb)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let reader = try CaptureFileReader(path: path)
        let record = try #require(try reader.next())
        #expect(record.timestamp.isMissing)
        let bytes = Array(record.bytes)
        let out = json(bytes, time: record.timestamp)
        #expect(out.hasPrefix("{\"frame\":1,\"time\":null,\"len\""))
        #expect(!out.contains("out_of_range"))
        var o = OutputBuffer(fd: -1)
        let p = F.decode(bytes)
        bytes.withUnsafeBytes {
            PacketText.render(
                FrameInfo(
                    number: 1, timestamp: record.timestamp, originalLength: bytes.count, capturedLength: bytes.count),
                p, bytes: $0, to: &o)
        }
        #expect(String(decoding: o.bytes, as: UTF8.self).hasPrefix("     1 no timestamp IP 10.0.0.1:40000"))
    }

    // MARK: multicast DNS

    @Test("mDNS: a multicast query is not unanswered, an announcement makes the group no client")
    func multicastDNS() throws {
        func frame(src: [UInt8], srcPort: Int, dst: [UInt8], dstPort: Int, _ dns: [UInt8]) -> [UInt8] {
            F.ethernet(type: 0x0800, F.ipv4(src: src, dst: dst, proto: 17, F.udp(src: srcPort, dst: dstPort, dns)))
        }
        let group: [UInt8] = [224, 0, 0, 251]
        let query = try DNSBuilder.query(id: 0, name: "host.local", type: .a, recursionDesired: false)
        let announcement = try DNSBuilder.message(
            id: 0, flags: 0x8400, questions: [],
            answers: [.address("host.local", IPAddress("10.0.0.7")!, ttl: 120)], compress: false)
        let frames = [
            frame(src: [10, 0, 0, 1], srcPort: 5353, dst: group, dstPort: 5353, query),
            frame(src: [10, 0, 0, 7], srcPort: 5353, dst: group, dstPort: 5353, announcement),
            // A server-like source port to a group: the sender stays the client.
            frame(src: [10, 0, 0, 7], srcPort: 53, dst: group, dstPort: 40000, [0, 0]),
        ]
        var follower = PacketFollower()
        var reports: [FlowReport] = []
        for (i, f) in frames.enumerated() {
            _ = f.withUnsafeBytes {
                follower.follow(
                    $0, linkType: .ethernet, frame: i + 1,
                    time: Timestamp(seconds: 100 + Int64(i), fraction: 0, digits: 6),
                    wireLength: f.count)
            }
            while let r = follower.tracker.nextReport() { reports.append(r) }
        }
        follower.tracker.finish()
        while let r = follower.tracker.nextReport() { reports.append(r) }
        var totals = FlowTotals()
        for r in reports { totals.add(r) }
        let dns = reports.compactMap { if case .dns(let d) = $0 { d } else { nil } }
        let q = try #require(dns.first { $0.queryFrame == 1 })
        #expect(q.multicast && !q.unanswered && q.responseFrame == nil)
        let a = try #require(dns.first { $0.responseFrame == 2 })
        #expect(a.client == nil && a.group?.port == 5353 && a.group?.address == IPAddress("224.0.0.251")!)
        #expect(a.server.address == IPAddress("10.0.0.7")! && a.name == "host.local" && a.type == 1)
        #expect(totals.dnsUnanswered == 0)
        var o = OutputBuffer(fd: -1)
        a.appendJSON(to: &o)
        let json = String(decoding: o.bytes, as: UTF8.self)
        #expect(
            json.contains(
                "\"client\":null,\"server\":\"10.0.0.7:5353\",\"multicast\":true,\"group\":\"224.0.0.251:5353\""))
        let udp = reports.compactMap { if case .udp(let u) = $0 { u } else { nil } }
        #expect(udp.count == 3 && udp.allSatisfy { !$0.client.address.isMulticast })
    }
}
