import Testing

@testable import WiretaleCore

private typealias F = FrameBuilder

@Suite("Link layers")
struct LinkLayerTests {
    @Test("Ethernet II carries IPv4 and its MAC addresses are read")
    func ethernet() {
        let p = F.decode(F.ethernet(type: 0x0800, F.ipv4(proto: 6, F.tcp())))
        #expect(p.error == nil)
        #expect(p.link.src == 0x02_00_00_00_00_0A)
        #expect(p.link.dst == 0x02_00_00_00_00_0B)
        #expect(p.link.etherType == .ipv4)
        #expect(p.hasIP && p.hasTCP)
    }

    @Test("802.1Q and QinQ tags are peeled off and their VLAN IDs kept")
    func vlans() {
        let one = F.decode(F.ethernet(type: 0x0800, vlans: [50], F.ipv4(proto: 6, F.tcp())))
        #expect(one.link.vlanCount == 1 && one.link.vlan0 == 50 && one.hasTCP)
        let two = F.decode(F.ethernet(type: 0x86DD, vlans: [100, 200], F.ipv6(next: 17, F.udp([1, 2, 3]))))
        #expect(two.link.vlanCount == 2 && two.link.vlan0 == 100 && two.link.vlan1 == 200 && two.hasUDP)
    }

    @Test("Linux cooked v1 and v2 headers give the protocol and packet type")
    func sll() {
        let ip = F.ipv4(proto: 17, F.udp([0]))
        let v1: [UInt8] = F.be16(4) + F.be16(1) + F.be16(6) + F.macA + [0, 0] + F.be16(0x0800) + ip
        let p1 = F.decode(v1, link: .linuxSLL)
        #expect(p1.hasUDP && p1.link.sllPacketType == 4 && p1.error == nil)
        let v2: [UInt8] = F.be16(0x0800) + [0, 0] + F.be32(3) + F.be16(1) + [0, 6] + F.macA + [0, 0] + ip
        let p2 = F.decode(v2, link: .linuxSLL2)
        #expect(p2.hasUDP && p2.link.ifIndex == 3 && p2.error == nil)
    }

    @Test("BSD loopback families in either byte order, OpenBSD loop, and raw IP")
    func loopbackAndRaw() {
        let ip6 = F.ipv6(next: 6, F.tcp())
        #expect(F.decode([30, 0, 0, 0] + ip6, link: .null).hasTCP)
        #expect(F.decode([0, 0, 0, 24] + ip6, link: .null).hasTCP)
        #expect(F.decode([0, 0, 0, 2] + F.ipv4(proto: 6, F.tcp()), link: .loop).hasTCP)
        #expect(F.decode(ip6, link: .raw).ip.version == 6)
        #expect(F.decode(F.ipv4(proto: 6, F.tcp()), link: .ipv4).hasTCP)
        let bad = F.decode([99, 0, 0, 0] + ip6, link: .null)
        #expect(bad.error?.layer == .loopback)
    }

    @Test("An unknown link type is reported as not decoded, not guessed, and not malformed")
    func unknownLink() {
        let p = F.decode([1, 2, 3, 4], link: LinkType(rawValue: 284))
        #expect(p.linkNotDecoded && p.error == nil && !p.hasLink && !p.hasIP)
    }
}

@Suite("IPv4 and IPv6")
struct IPTests {
    @Test("IPv4 header fields, options and Ethernet padding")
    func ipv4() {
        let frame = F.ethernet(
            type: 0x0800, F.ipv4(proto: 17, ttl: 7, options: [1, 1, 1, 0], F.udp([9, 9])) + [0, 0, 0, 0])
        let p = F.decode(frame)
        #expect(p.ip.version == 4 && p.ip.ttl == 7 && p.ip.hasOptions)
        #expect(p.ip.src.description == "10.0.0.1" && p.ip.dst.description == "10.0.0.2")
        #expect(p.udp.capturedPayload == 2, "padding after the IP total length is not payload")
        #expect(!p.payloadTruncated)
    }

    @Test("IPv4 fragments are marked; a later fragment has no transport header")
    func fragments() {
        let later = F.decode(
            F.ethernet(type: 0x0800, F.ipv4(proto: 6, flagsFragment: 0x0010, [1, 2, 3, 4, 5, 6, 7, 8])))
        #expect(later.ip.isFragment && later.ip.fragmentOffset == 128 && !later.hasTCP && later.error == nil)
        let first = F.decode(F.ethernet(type: 0x0800, F.ipv4(proto: 6, flagsFragment: 0x2000, F.tcp())))
        #expect(first.ip.isFragment && first.ip.moreFragments && first.ip.fragmentOffset == 0)
    }

    @Test("IPv6 extension headers are walked to the transport header")
    func ipv6Extensions() {
        let hop: [UInt8] = [60, 0, 1, 4, 0, 0, 0, 0]  // hop-by-hop → destination options
        let dest: [UInt8] = [43, 0, 1, 4, 0, 0, 0, 0]  // destination options → routing
        let routing: [UInt8] = [44, 0, 0, 0, 0, 0, 0, 0]  // routing → fragment
        let frag: [UInt8] = [6, 0, 0, 0, 0, 0, 0, 42]  // atomic fragment → TCP
        let p = F.decode(
            F.ethernet(
                type: 0x86DD,
                F.ipv6(
                    next: 0, extensions: hop + dest + routing + frag,
                    F.tcp(flags: 0x12, [1, 2, 3]))))
        #expect(p.error == nil)
        #expect(p.ip.proto == .tcp && p.hasTCP && p.tcp.payloadLength == 3)
        #expect(p.ip.isFragment && p.ip.identification == 42)
        #expect(p.ip.src.description == "2001:db8::1")
    }

    @Test("A non-atomic IPv6 fragment stops at the fragment header")
    func ipv6Fragment() {
        let frag: [UInt8] = [6, 0, 0, 0x09, 0, 0, 0, 1]
        let p = F.decode(F.ethernet(type: 0x86DD, F.ipv6(next: 44, extensions: frag, [1, 2, 3, 4])))
        #expect(p.ip.isFragment && p.ip.moreFragments && !p.hasTCP && p.error == nil)
    }

    @Test("IP-in-IP counts two IP headers and keeps the outer one")
    func tunnel() {
        let inner = F.ipv4(src: [192, 168, 0, 1], dst: [192, 168, 0, 2], proto: 6, F.tcp())
        let p = F.decode(F.ethernet(type: 0x0800, F.ipv4(proto: 4, inner)))
        #expect(p.ipLayerCount == 2 && p.ip.src.description == "10.0.0.1" && p.hasTCP)
    }

    @Test("A total length of 0 (segmentation offload) uses the captured length")
    func tso() {
        let p = F.decode(F.ethernet(type: 0x0800, F.ipv4(proto: 6, totalLength: 0, F.tcp(flags: 0x18, [1, 2, 3, 4]))))
        #expect(p.tcp.payloadLength == 4 && p.error == nil)
    }
}

@Suite("TCP, UDP, ICMP, ARP")
struct TransportTests {
    @Test("TCP fields and the SYN's options: MSS, SACK-permitted, timestamps, window scale")
    func tcpOptions() {
        let p = F.decode(
            F.ethernet(type: 0x0800, F.ipv4(proto: 6, F.tcp(seq: 0xFFFF_FFF0, flags: 0x02, options: F.synOptions))))
        #expect(p.tcp.seq == 0xFFFF_FFF0 && p.tcp.flags == .syn && p.tcp.headerLength == 40)
        #expect(p.tcp.mss == 1460 && p.tcp.sackPermitted && p.tcp.windowScale == 7)
        #expect(p.tcp.hasTimestamps && p.tcp.tsVal == 0x0102_0304 && p.tcp.tsEcr == 0)
        #expect(p.tcp.payloadLength == 0)
    }

    @Test("SACK blocks are read")
    func sack() {
        let opts: [UInt8] = [1, 1, 5, 18] + F.be32(100) + F.be32(200) + F.be32(300) + F.be32(400)
        let p = F.decode(F.ethernet(type: 0x0800, F.ipv4(proto: 6, F.tcp(flags: 0x10, options: opts))))
        #expect(p.tcp.sackBlockCount == 2)
        #expect(p.tcp.sackBlock(1) == (300, 400))
    }

    @Test("A bad option length marks the packet but keeps the header")
    func badOption() {
        let p = F.decode(F.ethernet(type: 0x0800, F.ipv4(proto: 6, F.tcp(options: [2, 40, 0, 0]))))
        #expect(p.hasTCP && p.tcp.srcPort == 40000)
        #expect(p.error?.layer == .tcp && p.error?.truncated == false)
    }

    @Test("TCP length is what the IP header declares, even past the snapshot")
    func declaredLength() {
        var frame = F.ethernet(type: 0x0800, F.ipv4(proto: 6, F.tcp(flags: 0x18, Array(repeating: 0x41, count: 100))))
        frame.removeLast(60)
        let p = F.decode(frame)
        #expect(p.tcp.payloadLength == 100 && p.tcp.capturedPayload == 40 && p.payloadTruncated && p.error == nil)
    }

    @Test("UDP to port 53 is DNS; to 5353 mDNS; to 5355 LLMNR")
    func dnsPorts() {
        let msg = Array(repeating: UInt8(0), count: 12)
        for port in [53, 5353, 5355] {
            let p = F.decode(F.ethernet(type: 0x0800, F.ipv4(proto: 17, F.udp(dst: port, msg))))
            #expect(p.application == .dns && p.applicationLength == 12)
        }
        let other = F.decode(F.ethernet(type: 0x0800, F.ipv4(proto: 17, F.udp(dst: 9999, msg))))
        #expect(other.application == .none && other.udp.length == 20)
    }

    @Test("DNS over TCP needs the whole message in the segment")
    func dnsOverTCP() {
        let msg = Array(repeating: UInt8(0), count: 12)
        let whole = F.decode(F.ethernet(type: 0x0800, F.ipv4(proto: 6, F.tcp(dst: 53, flags: 0x18, F.be16(12) + msg))))
        #expect(whole.application == .dns && whole.applicationLength == 12)
        let part = F.decode(F.ethernet(type: 0x0800, F.ipv4(proto: 6, F.tcp(dst: 53, flags: 0x18, F.be16(40) + msg))))
        #expect(part.application == .none)
    }

    @Test("HTTP request lines are recognised on any port")
    func http() {
        let p = F.decode(
            F.ethernet(
                type: 0x0800, F.ipv4(proto: 6, F.tcp(dst: 8080, flags: 0x18, Array("GET / HTTP/1.1\r\n\r\n".utf8)))))
        #expect(p.application == .http)
    }

    @Test("ICMP echo and ICMPv6 neighbour solicitation")
    func icmp() {
        let echo = F.decode(F.ethernet(type: 0x0800, F.ipv4(proto: 1, [8, 0, 0, 0] + F.be16(7) + F.be16(3))))
        #expect(echo.hasICMP && echo.icmp.type == 8 && echo.icmp.identifier == 7 && echo.icmp.sequence == 3)
        #expect(ICMPDecoder.describe(type: 3, code: 3, v6: false) == "destination unreachable (port unreachable)")
        let target: [UInt8] = [0xfe, 0x80] + Array(repeating: 0, count: 13) + [5]
        let ns = F.decode(F.ethernet(type: 0x86DD, F.ipv6(next: 58, [135, 0, 0, 0, 0, 0, 0, 0] + target)))
        #expect(ns.icmp.isV6 && ns.icmp.ndTarget?.description == "fe80::5")
    }

    @Test("ARP request and reply for IPv4 over Ethernet")
    func arp() {
        let body: [UInt8] =
            F.be16(1) + F.be16(0x0800) + [6, 4] + F.be16(1) + F.macA + [10, 0, 0, 1]
            + [0, 0, 0, 0, 0, 0] + [10, 0, 0, 2]
        let p = F.decode(F.ethernet(type: 0x0806, body))
        #expect(p.hasARP && p.arp.operation == 1 && p.arp.targetIP.description == "10.0.0.2")
        #expect(p.arp.senderMAC == 0x02_00_00_00_00_0A)
    }
}

@Suite("Truncation at every prefix")
struct PrefixTests {
    static var frames: [(String, [UInt8], LinkType)] {
        [
            (
                "tcp syn over ethernet", F.ethernet(type: 0x0800, F.ipv4(proto: 6, F.tcp(options: F.synOptions))),
                .ethernet
            ),
            (
                "tcp data over qinq",
                F.ethernet(type: 0x0800, vlans: [1, 2], F.ipv4(proto: 6, F.tcp(flags: 0x18, [1, 2, 3]))), .ethernet
            ),
            (
                "udp over ipv6 with extensions",
                F.ethernet(type: 0x86DD, F.ipv6(next: 0, extensions: [17, 0, 1, 4, 0, 0, 0, 0], F.udp([1, 2]))),
                .ethernet
            ),
            ("icmp echo", F.ethernet(type: 0x0800, F.ipv4(proto: 1, [8, 0, 0, 0, 0, 1, 0, 1])), .ethernet),
            (
                "arp",
                F.ethernet(
                    type: 0x0806,
                    F.be16(1) + F.be16(0x0800) + [6, 4] + F.be16(2) + F.macA + [10, 0, 0, 1] + F.macB + [10, 0, 0, 2]),
                .ethernet
            ),
            (
                "sll2 udp",
                F.be16(0x0800) + [0, 0] + F.be32(1) + F.be16(1) + [0, 6] + F.macA + [0, 0]
                    + F.ipv4(proto: 17, F.udp([7])), .linuxSLL2
            ),
            (
                "sll tcp",
                F.be16(0) + F.be16(1) + F.be16(6) + F.macA + [0, 0] + F.be16(0x0800) + F.ipv4(proto: 6, F.tcp()),
                .linuxSLL
            ),
            ("null ipv6 tcp", [30, 0, 0, 0] + F.ipv6(next: 6, F.tcp(flags: 0x11)), .null),
        ]
    }

    @Test("Only the whole frame decodes cleanly; every shorter prefix is reported, none crashes")
    func everyPrefix() {
        for (name, frame, link) in Self.frames {
            let whole = F.decode(frame, link: link)
            #expect(whole.error == nil && !whole.payloadTruncated, "\(name): the whole frame is clean")
            for n in 0..<frame.count {
                let p = F.decode(Array(frame.prefix(n)), link: link)
                #expect(p.error != nil || p.payloadTruncated, "\(name): a prefix of \(n) bytes must be reported")
                if let e = p.error { #expect(e.offset <= n, "\(name): the error offset lies inside the prefix") }
            }
        }
    }

    @Test("Random bytes never crash any link decoder")
    func randomBytes() {
        var rng = SystemRandomNumberGenerator()
        for link in [LinkType.ethernet, .linuxSLL, .linuxSLL2, .null, .loop, .raw, .ipv4, .ipv6] {
            for _ in 0..<2000 {
                let n = Int.random(in: 0..<120, using: &rng)
                var bytes = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
                if n > 14, Bool.random(using: &rng) {
                    bytes[12] = 0x08
                    bytes[13] = 0x00
                    bytes[14] = 0x45
                }
                _ = F.decode(bytes, link: link)
            }
        }
    }
}

@Suite("Fragment reassembly")
struct ReassemblyTests {
    /// A UDP datagram to port 53 carrying a 12-byte DNS header and 28 bytes more, cut in two.
    func fragments(id: Int = 0x1234) -> (first: [UInt8], second: [UInt8]) {
        let udp = F.udp(src: 53, dst: 40000, [0xAB, 0xCD, 0x81, 0x80] + Array(repeating: 0, count: 36))
        let head = Array(udp[0..<24])
        let tail = Array(udp[24...])
        var a = F.ipv4(proto: 17, flagsFragment: 0x2000, head)
        var b = F.ipv4(proto: 17, flagsFragment: 24 / 8, tail)
        a[4] = UInt8(id >> 8)
        a[5] = UInt8(id & 0xFF)
        b[4] = UInt8(id >> 8)
        b[5] = UInt8(id & 0xFF)
        return (F.ethernet(type: 0x0800, a), F.ethernet(type: 0x0800, b))
    }

    func feed(_ frames: [[UInt8]], _ r: FragmentReassembler) -> [DecodedPacket] {
        frames.enumerated().map { i, f in
            var p = DecodedPacket()
            f.withUnsafeBytes { PacketDecoder.decode($0, linkType: .ethernet, frame: i + 1, reassembler: r, into: &p) }
            return p
        }
    }

    @Test("Two IPv4 fragments give the UDP and DNS layers on the frame that completes them")
    func ipv4InOrder() {
        let (a, b) = fragments()
        let r = FragmentReassembler()
        let ps = feed([a, b], r)
        #expect(!ps[0].hasUDP && ps[0].ip.isFragment)
        #expect(ps[1].hasUDP && ps[1].udp.length == 48 && ps[1].reassembledFirstFrame == 1)
        #expect(ps[1].application == .dns && ps[1].applicationLength == 40)
        #expect(r.datagram.count == 20 + 48)
    }

    @Test("Fragments out of order and duplicated still reassemble once")
    func outOfOrder() {
        let (a, b) = fragments()
        let ps = feed([b, b, a], FragmentReassembler())
        #expect(!ps[0].hasUDP && !ps[1].hasUDP)
        #expect(ps[2].hasUDP && ps[2].reassembledFirstFrame == 1)
    }

    @Test("A lost fragment never completes, and old datagrams are evicted past the bound")
    func bounded() {
        let r = FragmentReassembler(maxDatagrams: 4)
        var frames: [[UInt8]] = []
        for id in 0..<10 { frames.append(fragments(id: id).first) }
        let ps = feed(frames, r)
        #expect(ps.allSatisfy { !$0.hasUDP })
        let late = feed([fragments(id: 0).second], r)
        #expect(!late[0].hasUDP, "the first datagram was evicted")
        let recent = feed([fragments(id: 9).second], r)
        #expect(recent[0].hasUDP)
    }

    /// The bytes: offset 0 with 65,512 bytes (more to come), then offset 65,512 with 23.
    static func oversizedIPv4() -> [[UInt8]] {
        let first = F.ethernet(
            type: 0x0800, F.ipv4(proto: 17, flagsFragment: 0x2000, F.udp(Array(repeating: 0x41, count: 65_504))))
        let second = F.ethernet(
            type: 0x0800, F.ipv4(proto: 17, flagsFragment: 65_512 / 8, Array(repeating: 0x42, count: 23)))
        return [first, second]
    }

    @Test("IPv4 fragments reassembling past 65,535 bytes are marked malformed, and decoding goes on")
    func ipv4Oversized() {
        let frames = Self.oversizedIPv4()
        #expect(frames[0].count == 14 + 20 + 65_512 && frames[1].count == 14 + 20 + 23)
        let r = FragmentReassembler()
        let ps = feed(frames + [fragments().first, fragments().second], r)
        #expect(ps[0].error == nil && !ps[0].hasUDP)
        #expect(ps[1].error?.layer == .ipv4 && ps[1].error?.truncated == false)
        #expect(!ps[1].hasUDP && ps[1].reassembledFirstFrame == 0)
        #expect(ps[3].hasUDP && ps[3].reassembledFirstFrame == 3, "the next datagram still reassembles")
        // The other order: the last fragment alone shows the datagram cannot fit; the first waits.
        let reversed = feed(frames.reversed(), FragmentReassembler())
        #expect(reversed[0].error?.layer == .ipv4 && reversed[1].error == nil && !reversed[1].hasUDP)
    }

    @Test("An IPv4 fragment ending past 65,535 bytes on its own is marked malformed")
    func ipv4FragmentPastEnd() {
        let frame = F.ethernet(type: 0x0800, F.ipv4(proto: 17, flagsFragment: 8191, Array(repeating: 0, count: 16)))
        let ps = feed([frame], FragmentReassembler())
        #expect(ps[0].error?.layer == .ipv4 && ps[0].error?.truncated == false)
    }

    @Test("An IPv6 fragment ending past a 65,535-byte payload is marked malformed")
    func ipv6Oversized() {
        // Offset 65,528 (the largest the 13-bit field holds) with 16 bytes: the payload would end at 65,544.
        let f = F.ethernet(
            type: 0x86DD,
            F.ipv6(next: 44, extensions: [17, 0, 0xFF, 0xF8, 0, 0, 0, 9], Array(repeating: 7, count: 16)))
        let start = F.ethernet(
            type: 0x86DD,
            F.ipv6(next: 44, extensions: [17, 0, 0, 0x01, 0, 0, 0, 9], Array(repeating: 7, count: 16)))
        let ps = feed([start, f], FragmentReassembler())
        #expect(ps[0].error == nil)
        #expect(ps[1].error?.layer == .ipv6Extension && ps[1].error?.truncated == false && !ps[1].hasUDP)
    }

    @Test("IPv6 fragments reassemble through the fragment header")
    func ipv6() {
        let udp = F.udp(src: 5353, dst: 5353, Array(repeating: 7, count: 40))
        let f1 = F.ethernet(
            type: 0x86DD, F.ipv6(next: 44, extensions: [17, 0, 0, 0x01, 0, 0, 0, 9], Array(udp[0..<24])))
        let f2 = F.ethernet(type: 0x86DD, F.ipv6(next: 44, extensions: [17, 0, 0, 24, 0, 0, 0, 9], Array(udp[24...])))
        let ps = feed([f1, f2], FragmentReassembler())
        #expect(!ps[0].hasUDP)
        #expect(ps[1].hasUDP && ps[1].udp.srcPort == 5353 && ps[1].application == .dns)
    }
}

@Suite("Small decode errors (issue 9, item 12)")
struct SmallDecodeErrorTests {
    /// Decodes and follows `frame` as `read` does, and renders its text line.
    static func line(_ frame: [UInt8], wireLength: Int? = nil) -> (DecodedPacket, String) {
        var follower = PacketFollower()
        var o = OutputBuffer(fd: -1)
        let wire = wireLength ?? frame.count
        frame.withUnsafeBytes { b in
            _ = follower.follow(
                b, linkType: .ethernet, frame: 1, time: Timestamp(seconds: 0, fraction: 0, digits: 6),
                wireLength: wire)
            let info = FrameInfo(
                number: 1, timestamp: Timestamp(seconds: 0, fraction: 0, digits: 6), originalLength: wire,
                capturedLength: b.count)
            PacketText.render(info, follower.packet, application: follower.application, to: &o)
        }
        return (follower.packet, String(decoding: o.bytes, as: UTF8.self))
    }

    @Test("A total length shorter than the header prints no negative length and is marked malformed")
    func shortTotalLength() {
        let (p, text) = Self.line(F.ethernet(type: 0x0800, F.ipv4(proto: 6, totalLength: 12, F.tcp())))
        #expect(p.ip.payloadLength == 0 && p.error?.layer == .ipv4 && p.error?.truncated == false)
        #expect(!text.contains("length -"), "\(text)")
        #expect(text.contains("TCP, length 0") && text.contains("malformed"))
    }

    @Test("IPv6 extension headers past the payload length print no negative length")
    func ipv6ShortPayload() {
        // The bytes: a 2,048-byte hop-by-hop header under a payload length of 28 printed
        // "TCP, length -2020".
        var frame = F.ipv6(next: 0, extensions: [6, 255] + Array(repeating: 0, count: 2046), F.tcp())
        frame[4] = 0
        frame[5] = 28
        let (p, text) = Self.line(F.ethernet(type: 0x86DD, frame))
        #expect(p.ip.payloadLength == 0 && p.error != nil)
        #expect(!text.contains("length -"), "\(text)")
    }

    @Test("A UDP length below 8 prints no negative length")
    func shortUDPLength() {
        var udp = F.udp(src: 1000, dst: 2000, [1, 2, 3, 4])
        udp[4] = 0
        udp[5] = 3
        let (p, text) = Self.line(F.ethernet(type: 0x0800, F.ipv4(proto: 17, udp)))
        #expect(p.error?.layer == .udp)
        #expect(text.contains("UDP length 0") && !text.contains("length -"), "\(text)")
    }

    @Test("An IPv4 total length of 65,535 in a whole 54-byte frame is a bad length, not a snapshot cut")
    func totalLengthPastFrame() {
        let frame = F.ethernet(type: 0x0800, F.ipv4(proto: 6, totalLength: 65_535, F.tcp(flags: 0x10)))
        #expect(frame.count == 54)
        let (p, text) = Self.line(frame)
        #expect(!p.payloadTruncated && p.error?.layer == .ipv4 && p.error?.truncated == false)
        #expect(p.hasTCP && p.tcp.payloadLength == 0, "the TCP length is what the frame holds")
        #expect(!text.contains("payload cut") && text.contains("total length exceeds"), "\(text)")
        // The same frame cut by a snapshot length (the wire held more) is a cut, as before.
        let (cut, cutText) = Self.line(frame, wireLength: 65_549)
        #expect(cut.payloadTruncated && cut.error == nil && cut.tcp.payloadLength == 65_495)
        #expect(cutText.contains("[payload cut at 54 of 65549 bytes]"), "\(cutText)")
    }

    @Test(
        "Bad IPv4 option lengths (0, 1, past the header, no length byte) are malformed; the TCP layer stays",
        arguments: [
            [0x07, 0x00, 0x00, 0x00], [0x07, 0x01, 0x00, 0x00], [0x07, 0x09, 0x00, 0x00], [0x01, 0x01, 0x01, 0x83],
        ] as [[UInt8]])
    func badOptionLengths(options: [UInt8]) {
        let (p, text) = Self.line(F.ethernet(type: 0x0800, F.ipv4(proto: 6, options: options, F.tcp())))
        #expect(p.error?.layer == .ipv4 && p.error?.truncated == false, "\(text)")
        #expect(p.hasTCP && text.contains("malformed"))
    }

    @Test("Good IPv4 options (NOP, EOL, router alert, record route) are not flagged")
    func goodOptions() {
        for options: [UInt8] in [[1, 1, 1, 0], [0x94, 4, 0, 0], [7, 7, 4, 0, 0, 0, 0, 0]] {
            let (p, text) = Self.line(F.ethernet(type: 0x0800, F.ipv4(proto: 6, options: options, F.tcp())))
            #expect(p.error == nil && p.hasTCP, "\(text)")
        }
    }

    @Test("A NULL-link frame decoded after an Ethernet frame keeps none of its MACs or VLAN tags")
    func linkFactsDoNotLeakIntoTheNextFrame() {
        var p = DecodedPacket()
        let udp = F.ipv4(proto: 17, F.udp([0, 1, 2, 3]))
        let ethernet = F.ethernet(type: 0x0800, vlans: [7], udp)
        ethernet.withUnsafeBytes { PacketDecoder.decode($0, linkType: .ethernet, into: &p) }
        #expect(p.link.hasMACs && p.link.vlanCount == 1)
        let null: [UInt8] = [2, 0, 0, 0] + udp  // BSD loopback, AF_INET in host order
        null.withUnsafeBytes { PacketDecoder.decode($0, linkType: .null, into: &p) }
        #expect(p.hasUDP)
        #expect(!p.link.hasMACs && p.link.vlanCount == 0 && !p.link.hasSLLPacketType)
        var o = OutputBuffer(fd: -1)
        let info = FrameInfo(
            number: 2, timestamp: Timestamp(seconds: 0, fraction: 0, digits: 6), originalLength: null.count,
            capturedLength: null.count, interfaceIndex: 0, stream: -1)
        null.withUnsafeBytes { PacketJSON.render(info, p, bytes: $0, to: &o) }
        #expect(!String(decoding: o.bytes, as: UTF8.self).contains("\"eth\""))
    }
}
