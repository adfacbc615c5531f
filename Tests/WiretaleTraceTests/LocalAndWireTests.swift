import Testing

@testable import WiretaleCore
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

    static let client = IPAddress("10.203.1.2")!
    static let server = IPAddress("10.203.2.2")!
    static let gw = IPAddress("10.203.1.1")!

    static func keys() -> AttributionKeys {
        var keys = AttributionKeys()
        keys.nextHops = [gw]
        keys.dns = [.init(hop: 0, server: server, localPort: 40000, id: 77)]
        keys.connections = [
            .init(
                hop: 0, local: client, localPort: 50000, remote: server, remotePort: 80, tls: false, tlsDoneMs: nil,
                requestWrittenMs: 5)
        ]
        return keys
    }

    /// ARP, DNS and one HTTP connection, decoded packets fed through the trace's decode → track path;
    /// `ending` are the connection's last segments (from the client?, flags, seq, ack), with
    /// `payload[i]` bytes of data on the i-th of them.
    static func capture(ending: [(Bool, TCPFlags, UInt32, UInt32)], payload: [Int: Int] = [:]) -> CapturedTrace {
        var t = TraceFrameTracker()
        var n = 0
        func feed(_ p: DecodedPacket, _ bytes: [UInt8] = []) {
            n += 1
            bytes.withUnsafeBytes { b in
                t.add(
                    p, bytes: b, timeMs: Double(n), time: Timestamp(seconds: 1000 + Int64(n), fraction: 0, digits: 6),
                    wireLength: 60)
            }
        }
        func arp(_ sender: IPAddress, _ target: IPAddress, reply: Bool) {
            var p = DecodedPacket()
            p.hasARP = true
            p.arp.operation = reply ? 2 : 1
            p.arp.senderIP = sender
            p.arp.targetIP = target
            feed(p)
        }
        func dns(query: Bool, localPort: UInt16) {
            var p = DecodedPacket()
            p.hasIP = true
            p.ip.src = query ? client : server
            p.ip.dst = query ? server : client
            p.hasUDP = true
            p.udp.srcPort = query ? localPort : 53
            p.udp.dstPort = query ? 53 : localPort
            p.application = .dns
            p.applicationLength = 12
            feed(p, [0, 77, query ? 0x01 : 0x81, 0x00, 0, 0, 0, 0, 0, 0, 0, 0])
        }
        func tcp(_ fromClient: Bool, _ f: TCPFlags, seq: UInt32, ack: UInt32, len: Int = 0) {
            var p = DecodedPacket()
            p.hasIP = true
            p.ip.src = fromClient ? client : server
            p.ip.dst = fromClient ? server : client
            p.hasTCP = true
            p.tcp.srcPort = fromClient ? 50000 : 80
            p.tcp.dstPort = fromClient ? 80 : 50000
            p.tcp.flags = f
            p.tcp.seq = seq
            p.tcp.ack = ack
            p.tcp.window = 64000
            p.tcp.payloadLength = len
            p.tcp.capturedPayload = len
            feed(p)
        }
        arp(client, gw, reply: false)
        arp(gw, client, reply: true)
        dns(query: true, localPort: 40000)
        dns(query: false, localPort: 40000)
        dns(query: false, localPort: 40001)
        tcp(true, [.syn], seq: 1000, ack: 0)
        tcp(false, [.syn, .ack], seq: 5000, ack: 1001)
        tcp(true, [.ack], seq: 1001, ack: 5001)
        tcp(true, [.ack, .psh], seq: 1001, ack: 5001, len: 100)
        tcp(false, [.ack, .psh], seq: 5001, ack: 1101, len: 400)
        tcp(true, [.ack], seq: 1101, ack: 5401)
        for (i, (fromClient, flags, seq, ack)) in ending.enumerated() {
            tcp(fromClient, flags, seq: seq, ack: ack, len: payload[i] ?? 0)
        }
        return t.finish()
    }

    @Test("frames go to their steps, and the tracker's ack = x+1, ack = y+1 and three-segment close are shown")
    func attribution() {
        let captured = Self.capture(ending: [
            (false, [.fin, .ack], 5401, 1101), (true, [.fin, .ack], 1101, 5402), (false, [.ack], 5402, 1102),
        ])
        let (by, connections) = FrameAttribution.assign(captured, keys: Self.keys())
        #expect(by["neighbour#0"] == [1, 2])
        #expect(by["dns#0"] == [3, 4])
        #expect(by["tcp#0"] == [6, 7, 8])
        #expect(by["http-request#0"] == [9])
        #expect(by["http-response#0"] == [10, 11])
        #expect(by["teardown#0"] == [12, 13, 14])
        let c = connections[0]
        #expect(c?.frameOf[.handshake1] == 6 && c?.frameOf[.handshake2] == 7 && c?.frameOf[.handshake3] == 8)
        #expect(c?.report.handshake.clientISN == 1000 && c?.report.handshake.serverISN == 5000)
        #expect(
            FrameEvidence.handshake(c!)?.english
                == "frames 6, 7, 8: SYN seq=x=1000; SYN-ACK seq=y=5000, ack=x+1 ✓; ACK ack=y+1 ✓ (three-way handshake)")
        #expect(captured.frames[6].summary.contains("-- second handshake (SYN+ACK): ack = x+1 holds"))
        // The frame lines are `wiretale read`'s, without the frame number and time.
        #expect(captured.frames[0].summary == "ARP who-has 10.203.1.1 tell 10.203.1.2")
        #expect(captured.frames[1].summary == "ARP reply 10.203.1.1 is-at 00:00:00:00:00:00")
        #expect(captured.frames[2].summary == "IP 10.203.1.2:40000 > 10.203.2.2:53 UDP length 0: DNS query 0x004d")
        #expect(
            captured.frames[2].kind
                == .dns(src: Self.client, srcPort: 40000, dst: Self.server, dstPort: 53, id: 77, isResponse: false))
        // The SYN's receiver changes on the SYN's own row (a segment arrives when it is captured).
        #expect(
            captured.frames[5].summary
                == "IP 10.203.1.2:50000 > 10.203.2.2:80 TCP [S] seq 1000 win 64000 length 0 -- first handshake (SYN); client CLOSED → SYN-SENT, server CLOSED → LISTEN → SYN-RCVD"
        )
        var step = TraceStep(.teardown, startMs: 0)
        FrameEvidence.apply(
            to: &step, frames: [12, 13, 14].map { captured.frames[$0 - 1] }, connection: c)
        #expect(step.detail["teardown_kind"]?.stringValue == "three-segment")
        #expect(step.detail["closed_first_by"]?.stringValue == "server")
        #expect(step.detail["time_wait"]?.stringValue == "server")
        #expect(
            step.evidence.contains(
                "captured: the first FIN (frame 12) came from the server (10.203.2.2): that side is A"))
        #expect(
            step.evidence.contains(
                "captured: three-segment close: the notes' steps 2 and 3 are one segment: B had nothing more to send"))
    }

    @Test("a RST teardown is the tracker's reset: its sender and frame are named, and no side is left in TIME-WAIT")
    func resetTeardown() {
        let captured = Self.capture(ending: [(true, [.rst, .ack], 1101, 5401)])
        let (by, connections) = FrameAttribution.assign(captured, keys: Self.keys())
        #expect(by["teardown#0"] == [12])
        var step = TraceStep(.teardown, startMs: 0)
        FrameEvidence.apply(to: &step, frames: [captured.frames[11]], connection: connections[0])
        #expect(step.detail["teardown_kind"]?.stringValue == "reset")
        #expect(step.detail["time_wait"]?.stringValue == "none (ended by RST)")
        #expect(step.detail["rst_frame"] == .int(12))
        #expect(
            step.evidence.contains {
                $0.hasPrefix("captured: an RST from wiretale (the client, 10.203.1.2) (frame 12)")
            })
    }

    @Test(
        "data sent after the server's FIN draws its RST: the capture's reason comes first, the sockets' orderly close is withdrawn"
    )
    func resetAfterServerFIN() {
        // Frames 12-14: the server's FIN, then the client's 31-byte TLS close_notify, then the RST.
        let captured = Self.capture(
            ending: [(false, [.fin, .ack], 5401, 1101), (true, [.ack, .psh], 1101, 5402), (false, [.rst], 5402, 0)],
            payload: [1: 31])
        var keys = Self.keys()
        keys.connections[0].responseCompleteMs = 11.5
        let (by, connections) = FrameAttribution.assign(captured, keys: keys)
        #expect(by["http-response#0"] == [10, 11])
        #expect(by["teardown#0"] == [12, 13, 14])
        var step = TraceStep(.teardown, startMs: 0)
        step.detail.set("closed_first_by", "server")
        step.evidence = [
            "the server closed first (its FIN arrived with the last byte): it is A, the side that starts the notes' teardown (FIN-WAIT-1, FIN-WAIT-2, then TIME-WAIT for 2MSL)",
            "wiretale then closed its side; the server's socket is the one left in TIME-WAIT",
        ]
        FrameEvidence.apply(
            to: &step, frames: [12, 13, 14].map { captured.frames[$0 - 1] }, connection: connections[0])
        #expect(step.detail["teardown_kind"]?.stringValue == "reset")
        #expect(step.evidence.first?.hasPrefix("captured: an RST from the server (10.203.2.2) (frame 14)") == true)
        #expect(
            step.evidence.dropFirst().first?.hasPrefix(
                "why: the server's FIN (frame 12) came first and its socket was already fully closed; the 31 bytes wiretale sent after that FIN"
            )
                == true)
        #expect(
            !step.evidence.contains { $0.contains("left in TIME-WAIT") || $0.contains("it is A") }, "\(step.evidence)")
    }

    @Test("a TLS close_notify after the response is the teardown's, not the request's")
    func closeNotifyIsTeardown() {
        // Frame 12: the client's 31-byte close_notify once the response (frames 10-11) was read.
        let captured = Self.capture(
            ending: [
                (true, [.ack, .psh], 1101, 5401), (true, [.fin, .ack], 1132, 5401), (false, [.fin, .ack], 5401, 1133),
                (true, [.ack], 1133, 5402),
            ],
            payload: [0: 31])
        var keys = Self.keys()
        keys.connections[0].responseCompleteMs = 11.5
        let (by, _) = FrameAttribution.assign(captured, keys: keys)
        #expect(by["http-request#0"] == [9])
        #expect(by["teardown#0"] == [12, 13, 14, 15])
        keys.connections[0].responseCompleteMs = nil
        #expect(FrameAttribution.assign(captured, keys: keys).byStep["http-request#0"] == [9, 12])
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
        b.evidence = ["NXDOMAIN \"quoted\"\n", "bell\u{07}"]
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
        #expect(j.contains("\"bell\\u0007\""))  // the core's escaper (OutputBuffer.appendJSONString)
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
