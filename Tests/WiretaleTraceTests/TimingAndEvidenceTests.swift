import Foundation
import Testing
import WiretaleCore

@testable import WiretaleTrace

/// Issue 11, section 4: the httpstat box and JSON's `timings` from the timeline's own times, time
/// to first byte from the wire, a refused connection's packets, the resolver's port in the
/// capture filter, and localhost answered locally.
@Suite("trace timing and evidence", .serialized)
struct TimingAndEvidenceTests {
    static func step(
        _ k: TraceStepKind, _ start: Double, _ duration: Double, hop: Int = 0, status: TraceStep.Status = .ok
    ) -> TraceStep {
        TraceStep(k, hop: hop, startMs: start, durationMs: duration, status: status)
    }

    /// An IP-address URL over plain HTTP, with gaps between the steps (the DNS step is skipped).
    static func literalFetch() -> [TraceStep] {
        var c = step(.httpResponse, 3.60, 3.40)
        c.detail.set("status", 200)
        c.detail.set("ttfb_ms", 0.58)
        c.detail.set("download_ms", 2.82)
        c.detail.set("first_byte_ms", 4.18)
        return [
            step(.url, 0, 0.12), step(.dns, 0.20, 0, status: .skipped), step(.tcp, 0.82, 1.85),
            step(.httpRequest, 3.50, 0.10), c, step(.teardown, 7.10, 0), step(.page, 7.50, 0.18),
        ]
    }

    @Test("the httpstat box is cumulative from the timeline's times: an IP-address URL's labels line up, gaps count")
    func httpstatBox() throws {
        let r = TraceReport(
            url: "http://127.0.0.1:8702/", steps: Self.literalFetch(), result: .ok,
            packets: PacketStatus(captured: false, note: "not captured"))
        #expect(r.timings.namelookupMs == 0.20)
        #expect(abs(r.timings.connectMs! - 2.67) < 1e-9)
        #expect(r.timings.appconnectMs == nil)
        #expect(abs(r.timings.pretransferMs! - 3.60) < 1e-9)
        #expect(abs(r.timings.starttransferMs! - 4.18) < 1e-9)
        #expect(abs(r.timings.totalMs! - 7.00) < 1e-9)
        let text = TraceText.render(r)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let header = try #require(lines.firstIndex { $0.contains("DNS Lookup") })
        #expect(lines[header].contains("TCP Connection"))
        // Each label ends under its column: the first is namelookup (not connect), the last total.
        let labels = lines[(header + 3)...].prefix(4).map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(labels.map { String($0.prefix { $0 != ":" }) } == ["namelookup", "connect", "starttransfer", "total"])
        #expect(text.contains("namelookup:0.20ms"))
        #expect(text.contains("connect:2.7ms"))
        #expect(text.contains("starttransfer:4.2ms"))
        #expect(text.contains("total:7.0ms"), "the total holds the gaps between steps: \(text)")
        // The phases add up to the total: 0.20 + 2.5 + 1.5 + 2.8.
        #expect(text.contains("[   0.20ms   |     2.5ms      |       1.5ms       |      2.8ms       ]"), "\(text)")
    }

    @Test("JSON has curl's timings, appconnect null without TLS, the end of TLS with it")
    func jsonTimings() {
        var steps = Self.literalFetch()
        let plain = TraceJSON.render(
            TraceReport(url: "u", steps: steps, result: .ok, packets: PacketStatus(captured: false, note: "")))
        #expect(
            plain.contains(
                "\"timings\":{\"namelookup_ms\":0.200,\"connect_ms\":2.670,\"appconnect_ms\":null,\"pretransfer_ms\":3.600,\"starttransfer_ms\":4.180,\"total_ms\":7.000,\"redirect_ms\":0.000}"
            ), "\(plain)")
        steps.insert(Self.step(.tls, 2.70, 0.70), at: 3)
        let r = TraceReport(url: "u", steps: steps, result: .ok, packets: PacketStatus(captured: false, note: ""))
        #expect(abs(r.timings.appconnectMs! - 3.40) < 1e-9)
        #expect(TraceText.render(r).contains("pretransfer:3.6ms"))
    }

    @Test("with -L each figure adds up every hop's from that hop's start, as curl -w; total runs from 0")
    func redirectTimings() {
        var steps = Self.literalFetch().filter { $0.kind != .page }
        var hop1: [TraceStep] = []
        for var s in Self.literalFetch() {
            s.hop = 1
            s.startMs += 10
            if case .double(let f)? = s.detail["first_byte_ms"] { s.detail.set("first_byte_ms", f + 10) }
            hop1.append(s)
        }
        steps += hop1
        let t = TraceTimings(steps: steps)
        #expect(abs(t.namelookupMs! - 0.40) < 1e-9)
        #expect(abs(t.connectMs! - 5.34) < 1e-9)
        #expect(abs(t.starttransferMs! - 8.36) < 1e-9)
        #expect(abs(t.totalMs! - 17.00) < 1e-9)
        #expect(t.redirectMs == 10)
    }

    @Test("a refused connect counts as attempted in the observed order")
    func refusedIsAttempted() {
        var i = Self.step(.tcp, 1, 0.1, status: .failed)
        i.detail.set("attempted", true)
        let v = OrderingVerdict(steps: [Self.step(.url, 0, 0.1), Self.step(.dns, 0.2, 0, status: .skipped), i])
        #expect(v.observed == [.a, .i])
        #expect(v.attempted == [.i])
        #expect(!v.missing.contains(.i))
    }

    @Test(
        "a refused connection lists its SYN and RST in step i, and i is attempted (live capture, root)",
        .enabled(if: CapturePrivilege.canCapture(), "capturing needs root or CAP_NET_RAW"))
    func refusedFrames() async throws {
        let port = try closedPort()
        var o = TraceOptions(url: "http://127.0.0.1:\(port)/")
        o.timeoutSeconds = 3
        let r = await TraceRunner.run(o)
        #expect(r.exitCode == 7)
        let i = try #require(r.step(.tcp))
        #expect(i.frames.count == 2, "\(i.evidence)")
        #expect(i.evidence.contains { $0.contains(" [S] ") }, "\(i.evidence)")
        #expect(i.evidence.contains { $0.contains("RST") }, "\(i.evidence)")
        #expect(r.observedOrder.contains("i"))
        #expect(TraceText.render(r).contains("i (attempted, failed)"))
    }

    @Test("the capture filter takes the port of the resolver asked")
    func filterFollowsResolver() {
        #expect(
            CapturePrivilege.filter(ports: [80], dnsPorts: [5399])
                == "arp or icmp or icmp6 or port 53 or port 5399 or tcp port 80")
    }

    @Test(
        "--resolver 127.0.0.1:PORT: its DNS frames are captured and tied to step b (live capture, root)",
        .enabled(if: CapturePrivilege.canCapture(), "capturing needs root or CAP_NET_RAW"))
    func resolverPortFrames() async throws {
        let dns = try HostileServer("dns-wrong-question")
        let port = try closedPort()
        var o = TraceOptions(url: "http://www.hostile.test:\(port)/")
        o.timeoutSeconds = 3
        o.family = .ipv4
        o.resolvConfPath = "/nonexistent/resolv.conf"
        o.hostsPath = "/nonexistent/hosts"
        o.resolver = DNSServer(parsing: "127.0.0.1:\(dns.port)")
        let r = await TraceRunner.run(o)
        let b = try #require(r.step(.dns))
        #expect(b.status == .ok, "\(b.evidence)")
        #expect(b.frames.count >= 2, "the query and its answers: \(b.evidence)")
        #expect(b.evidence.contains { $0.contains("\(dns.port)") && $0.hasPrefix("frame ") })
    }

    @Test(
        "time to first byte comes from the wire when captured: the request's last byte to the response's first",
        .enabled(if: CapturePrivilege.canCapture(), "capturing needs root or CAP_NET_RAW"))
    func wireTTFB() async throws {
        let s = try HostileServer("continue")
        var o = TraceOptions(url: "http://127.0.0.1:\(s.port)/")
        o.timeoutSeconds = 3
        let r = await TraceRunner.run(o)
        #expect(r.exitCode == 0)
        let c = try #require(r.step(.httpResponse))
        #expect(c.detail["ttfb_source"]?.stringValue == "wire")
        guard case .double(let ttfb)? = c.detail["ttfb_ms"], case .double(let socket)? = c.detail["ttfb_socket_ms"]
        else {
            Issue.record("no ttfb_ms or ttfb_socket_ms: \(c.detail)")
            return
        }
        #expect(ttfb > 0)
        // The frames it names: frame times printed in the evidence.
        let line = try #require(c.evidence.first { $0.hasPrefix("time to first byte") && $0.contains("on the wire") })
        let numbers = line.split(separator: " ").compactMap { Int($0) }
        #expect(numbers.count == 2, "\(line)")
        func time(_ n: Int) -> Double? {
            for s in r.steps {
                for e in s.evidence where e.hasPrefix("frame \(n) at ") {
                    return Double(e.dropFirst("frame \(n) at ".count).prefix { $0 != " " })
                }
            }
            return nil
        }
        if numbers.count == 2, let a = time(numbers[0]), let b = time(numbers[1]) {
            #expect(abs((b - a) - ttfb) < 0.002, "\(line)")
        }
        // Socket-level timing starts the response when the request was handed to the kernel, so it
        // is not shorter than the wire's by more than scheduling noise.
        #expect(socket > ttfb - 0.5, "socket \(socket) ms, wire \(ttfb) ms")
    }

    @Test("localhost and *.localhost are answered locally (RFC 6761 section 6.3), -4/-6 respected, no query sent")
    func localhost() throws {
        // A DNS server on loopback that counts what reaches it: nothing should.
        let (fd, port) = try boundLoopback(Int32(SOCK_DGRAM.rawValue))
        defer { close(fd) }
        var conf = ResolvConf.parse("nameserver 127.0.0.1\noptions timeout:1 attempts:1\n")
        conf.nameservers = [DNSServer(address: IPAddress("127.0.0.1")!, port: port)]
        func resolver(_ types: [DNSRecordType], hosts: String = "") -> Resolver {
            Resolver(conf: conf, hosts: HostsFile.parse(hosts), types: types, timeoutCapMs: 500)
        }
        let v6 = try resolver([.aaaa]).resolve("localhost")
        #expect(v6.addresses.map(\.address) == [IPAddress("::1")!])
        #expect(v6.exchanges.isEmpty)
        let v4 = try resolver([.a]).resolve("App.LOCALHOST.")
        #expect(v4.addresses.map(\.address) == [IPAddress("127.0.0.1")!])
        let both = try resolver([.aaaa, .a]).resolve("x.y.localhost")
        #expect(both.addresses.map(\.address) == [IPAddress("::1")!, IPAddress("127.0.0.1")!])
        let step = DNSStep.make(v6, startMs: 0, endMs: 0.01, t0: 0, hop: 0)
        #expect(step.detail["source"]?.stringValue == "localhost")
        #expect(step.evidence.contains { $0.contains("RFC 6761") && $0.contains("answered locally") })
        // /etc/hosts comes first, as glibc's files-before-dns.
        let hosts = try resolver([.a], hosts: "127.0.1.1 localhost\n").resolve("localhost")
        guard case .hostsFile = hosts.source else {
            Issue.record("the hosts file was not honoured first")
            return
        }
        #expect(hosts.addresses.map(\.address) == [IPAddress("127.0.1.1")!])
        // Not a loopback name: it does go to the server (which stays silent): the counter works.
        #expect(throws: DNSFailure.self) { try resolver([.a]).resolve("localhost.example") }
        var buf = [UInt8](repeating: 0, count: 512)
        var got = 0
        while recv(fd, &buf, buf.count, Int32(MSG_DONTWAIT)) > 0 { got += 1 }
        #expect(got == 1, "only the query for localhost.example reached the server")
    }
}

/// A socket bound to 127.0.0.1 on a port the kernel picks, and that port.
func boundLoopback(_ type: Int32) throws -> (Int32, Int) {
    let fd = socket(AF_INET, type, 0)
    var a = sockaddr_in()
    a.sin_family = sa_family_t(AF_INET)
    a.sin_addr.s_addr = inet_addr("127.0.0.1")
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    let ok = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
    try #require(ok == 0)
    _ = withUnsafeMutablePointer(to: &a) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
    }
    return (fd, Int(UInt16(bigEndian: a.sin_port)))
}

/// A loopback TCP port where nothing listens (bound, then closed).
func closedPort() throws -> Int {
    let (fd, port) = try boundLoopback(Int32(SOCK_STREAM.rawValue))
    close(fd)
    return port
}
