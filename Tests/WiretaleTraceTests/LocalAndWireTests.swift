import Testing
import WiretaleCore

@testable import WiretaleTrace

@Suite("Steps d and f: the kernel's tables")
struct KernelTableTests {
    static let procRoute = """
        Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
        wtt-c0\t00000000\t0101CB0A\t0003\t0\t0\t0\t00000000\t0\t0\t0
        wtt-c0\t0001CB0A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
        """

    @Test("/proc/net/route gives the default gateway and the on-link network")
    func ipv4Routes() {
        let r = RouteTable.parseIPv4(Self.procRoute)
        #expect(r.count == 2)
        #expect(r[0].isDefault)
        #expect(r[0].gateway == IPAddress("10.203.1.1"))
        #expect(r[1].destination == IPAddress("10.203.1.0"))
        #expect(r[1].prefixLength == 24)
        #expect(r[1].gateway == nil)
        #expect(RouteTable.lookup(IPAddress("10.203.1.7")!, in: r)?.gateway == nil)
        #expect(RouteTable.lookup(IPAddress("10.203.2.2")!, in: r)?.gateway == IPAddress("10.203.1.1"))
    }

    @Test("/proc/net/ipv6_route gives the IPv6 default gateway")
    func ipv6Routes() {
        let text = """
            fd000203000100000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001   wtt-c0
            00000000000000000000000000000000 00 00000000000000000000000000000000 00 fd000203000100000000000000000001 00000400 00000001 00000000 00000003   wtt-c0
            00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo
            """
        let r = RouteTable.parseIPv6(text)
        #expect(r.count == 2)
        let route = RouteTable.lookup(IPAddress("fd00:203:2::2")!, in: r)
        #expect(route?.gateway == IPAddress("fd00:203:1::1"))
        #expect(RouteTable.lookup(IPAddress("fd00:203:1::9")!, in: r)?.gateway == nil)
    }

    @Test("the neighbour cache is read from /proc/net/arp and from ip neigh")
    func neighbours() {
        let arp = """
            IP address       HW type     Flags       HW address            Mask     Device
            10.203.1.1       0x1         0x2         6e:aa:a8:ae:79:6a     *        wtt-c0
            10.203.1.9       0x1         0x0         00:00:00:00:00:00     *        wtt-c0
            """
        let a = NeighbourCache.parseProcArp(arp)
        #expect(a.count == 2)
        #expect(a[0].isUsable && a[0].mac == "6e:aa:a8:ae:79:6a")
        #expect(!a[1].isUsable)
        let n = NeighbourCache.parseIPNeigh(
            "fd00:203:1::1 dev wtt-c0 lladdr 6e:aa:a8:ae:79:6a router STALE\nfd00:203:1::5 dev wtt-c0 FAILED\n")
        #expect(n[0].state == "STALE" && n[0].isUsable)
        #expect(n[1].state == "FAILED" && !n[1].isUsable)
        #expect(NeighbourCache.lookup(IPAddress("fd00:203:1::1")!, in: n)?.interface == "wtt-c0")
    }

    @Test("the loopback route needs no gateway and no neighbour")
    func loopback() throws {
        let info = try LocalAddress.inspect(destination: IPAddress("127.0.0.1")!, port: 80, origin: false)
        #expect(info.local == IPAddress("127.0.0.1"))
        #expect(info.interface == "lo")
        #expect(info.isLoopback)
        #expect(Link.inspect("lo").medium == "loopback")
    }
}

@Suite("TLS in the clear and frames tied to steps")
struct WireAttributionTests {
    @Test("the ServerHello gives the TLS 1.3 version (supported_versions) and the cipher")
    func serverHello() {
        var hello: [UInt8] = [2, 0, 0, 0]  // ServerHello, length patched below
        hello += [0x03, 0x03] + [UInt8](repeating: 7, count: 32) + [0]  // legacy version, random, no session id
        hello += [0x13, 0x02, 0x00]  // TLS_AES_256_GCM_SHA384, no compression
        hello += [0x00, 0x06, 0x00, 0x2B, 0x00, 0x02, 0x03, 0x04]  // supported_versions: TLS 1.3
        hello[3] = UInt8(hello.count - 4)
        let record: [UInt8] = [22, 0x03, 0x03, 0, UInt8(hello.count)] + hello
        var s = TLSRecordSniffer()
        s.feed(Array(record.prefix(10)))
        #expect(s.cipherSuite == nil)
        s.feed(Array(record.dropFirst(10)))
        #expect(s.serverHelloVersion == 0x0304)
        #expect(TLSRecordSniffer.cipherName(s.cipherSuite!) == "TLS_AES_256_GCM_SHA384")
        var plain = TLSRecordSniffer()
        plain.feed(Array("HTTP/1.1 400 Bad Request\r\n".utf8))
        #expect(plain.plainHTTP)
    }

    @Test("frames go to their steps, and the handshake's ack = x+1 and ack = y+1 are checked")
    func attribution() {
        let client = IPAddress("10.203.1.2")!
        let server = IPAddress("10.203.2.2")!
        let gw = IPAddress("10.203.1.1")!
        var keys = AttributionKeys()
        keys.nextHops = [gw]
        keys.dns = [.init(hop: 0, server: server, localPort: 40000, id: 77)]
        keys.connections = [
            .init(
                hop: 0, local: client, localPort: 50000, remote: server, remotePort: 80, tls: false, tlsDoneMs: nil,
                requestWrittenMs: 5)
        ]
        func tcp(_ n: Int, _ fromClient: Bool, _ f: TCPFlags, seq: UInt32, ack: UInt32, len: Int = 0) -> TraceFrame {
            TraceFrame(
                number: n, timeMs: Double(n),
                kind: fromClient
                    ? .tcp(
                        src: client, srcPort: 50000, dst: server, dstPort: 80, flags: f, seq: seq, ack: ack,
                        payload: len)
                    : .tcp(
                        src: server, srcPort: 80, dst: client, dstPort: 50000, flags: f, seq: seq, ack: ack,
                        payload: len),
                summary: "")
        }
        let frames = [
            TraceFrame(number: 1, timeMs: 0, kind: .arp(sender: client, target: gw, isReply: false), summary: ""),
            TraceFrame(number: 2, timeMs: 0.1, kind: .arp(sender: gw, target: client, isReply: true), summary: ""),
            TraceFrame(
                number: 3, timeMs: 1,
                kind: .dns(src: client, srcPort: 40000, dst: server, dstPort: 53, id: 77, isResponse: false),
                summary: ""),
            TraceFrame(
                number: 4, timeMs: 2,
                kind: .dns(src: server, srcPort: 53, dst: client, dstPort: 40000, id: 77, isResponse: true), summary: ""
            ),
            TraceFrame(
                number: 5, timeMs: 2.5,
                kind: .dns(src: server, srcPort: 53, dst: client, dstPort: 40001, id: 77, isResponse: true), summary: ""
            ),
            tcp(6, true, [.syn], seq: 1000, ack: 0),
            tcp(7, false, [.syn, .ack], seq: 5000, ack: 1001),
            tcp(8, true, [.ack], seq: 1001, ack: 5001),
            tcp(9, true, [.ack, .psh], seq: 1001, ack: 5001, len: 100),
            tcp(10, false, [.ack, .psh], seq: 5001, ack: 1101, len: 400),
            tcp(11, true, [.ack], seq: 1101, ack: 5401),
            tcp(12, false, [.fin, .ack], seq: 5401, ack: 1101),
            tcp(13, true, [.fin, .ack], seq: 1101, ack: 5402),
            tcp(14, false, [.ack], seq: 5402, ack: 1102),
        ]
        let (by, hs) = FrameAttribution.assign(frames, keys: keys)
        #expect(by["neighbour#0"] == [1, 2])
        #expect(by["dns#0"] == [3, 4])
        #expect(by["tcp#0"] == [6, 7, 8])
        #expect(by["http-request#0"] == [9])
        #expect(by["http-response#0"] == [10, 11])
        #expect(by["teardown#0"] == [12, 13, 14])
        let h = hs[0]
        #expect(h?.synFrame == 6 && h?.synAckFrame == 7 && h?.ackFrame == 8)
        #expect(h?.x == 1000 && h?.y == 5000)
        #expect(h?.synAckAckIsXPlus1 == true && h?.ackAckIsYPlus1 == true)
    }

    @Test("the capture filter covers neighbour, DNS and the web ports")
    func filter() {
        #expect(
            CapturePrivilege.filter(ports: [443, 80, 443])
                == "arp or icmp or icmp6 or port 53 or tcp port 80 or tcp port 443")
    }
}

@Suite("Output: JSON and text from the same report")
struct RenderTests {
    static func report() -> TraceReport {
        var a = TraceStep(.url, startMs: 0, durationMs: 0.1)
        a.detail.set("host", "www.wt.test")
        var t = TraceStep(.tls, startMs: 3, durationMs: 4)
        t.detail.set("version", "TLS 1.3")
        t.frames = [7, 8, 9]
        var b = TraceStep(.dns, startMs: 1, durationMs: 1.5, status: .failed)
        b.evidence = ["NXDOMAIN \"quoted\"\n"]
        let f = TraceFailure(.dns, .dnsNoName, "NXDOMAIN: no such name", hint: "check the spelling")
        return TraceReport(
            url: "https://www.wt.test/", steps: [a, b, t], result: .failed(f),
            packets: PacketStatus(captured: false, note: "packets were not captured"))
    }

    @Test("the JSON has url, steps with note letters or null, both orders and the result")
    func json() {
        let j = TraceJSON.render(Self.report())
        #expect(j.hasPrefix("{\"url\":\"https://www.wt.test/\",\"steps\":[{\"id\":\"url\",\"note\":\"a\","))
        #expect(j.contains("{\"id\":\"tls\",\"note\":null,"))
        #expect(
            j.contains(
                "\"start_ms\":3.000,\"duration_ms\":4.000,\"frames\":[7,8,9],\"detail\":{\"version\":\"TLS 1.3\"}"))
        #expect(j.contains("\"notes_order\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\"]"))
        #expect(j.contains("\"observed_order\":[\"a\"]"))
        #expect(
            j.contains(
                "\"result\":{\"step\":\"dns\",\"note\":\"b\",\"class\":\"DNS: no such name\",\"why\":\"NXDOMAIN: no such name\""
            ))
        #expect(j.contains("\"exit_code\":5"))
        #expect(j.contains("NXDOMAIN \\\"quoted\\\"\\n"))
    }

    @Test("the text report names the failed step with its letter and exit code, in Chinese on request")
    func text() {
        let t = TraceText.render(Self.report())
        #expect(t.contains("result: FAILED at b: DNS lookup [DNS: no such name, exit 5]"))
        #expect(t.contains("hint: check the spelling"))
        let zh = TraceText.render(Self.report(), lang: .zh)
        #expect(zh.contains("通过DNS服务器获得Web服务器的IP地址"))
        #expect(zh.contains("TLS握手（笔记未列出）"))
    }

    @Test("every failure class has its own exit code")
    func exitCodes() {
        let codes = FailureClass.allCases.map(\.exitCode)
        #expect(Set(codes).count == codes.count)
        #expect(!codes.contains(0) && !codes.contains(1) && !codes.contains(2))
    }
}
