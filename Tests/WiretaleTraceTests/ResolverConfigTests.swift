import Testing
import WiretaleCore

@testable import WiretaleTrace

@Suite("Step b's inputs: resolv.conf and /etc/hosts")
struct ResolverConfigTests {
    @Test("resolv.conf gives servers, search list and the options glibc honours")
    func resolvConf() {
        let c = ResolvConf.parse(
            """
            # generated
            nameserver 10.203.2.2
            nameserver fd00:203:2::2
            nameserver fe80::1%eth0
            nameserver 10.0.0.4
            search wt.test example.org ; comment
            options ndots:2 timeout:3 attempts:4 rotate edns0
            """)
        #expect(c.nameservers.map(\.description) == ["10.203.2.2", "fd00:203:2::2", "fe80::1"])
        #expect(c.search == ["wt.test", "example.org"])
        #expect(c.ndots == 2)
        #expect(c.timeoutSeconds == 3)
        #expect(c.attempts == 4)
        #expect(c.rotate)
        #expect(c.edns0)
        #expect(!c.defaultedNameserver)
    }

    @Test("with no nameserver line, glibc's default 127.0.0.1 is assumed and said so")
    func defaults() {
        let c = ResolvConf.parse("search lan\n")
        #expect(c.nameservers == [DNSServer(address: IPAddress("127.0.0.1")!)])
        #expect(c.defaultedNameserver)
        #expect(c.timeoutSeconds == 5)
        #expect(c.attempts == 2)
        #expect(c.ndots == 1)
    }

    @Test("out-of-range options are clamped like glibc clamps them")
    func clamped() {
        let c = ResolvConf.parse("options timeout:0 attempts:99 ndots:40\n")
        #expect(c.timeoutSeconds == 1)
        #expect(c.attempts == 5)
        #expect(c.ndots == 15)
    }

    @Test("search and ndots decide the order of names asked")
    func candidates() {
        var c = ResolvConf.parse("nameserver 10.0.0.1\nsearch a.test b.test\n")
        #expect(c.candidates(for: "www") == ["www.a.test", "www.b.test", "www"])
        #expect(c.candidates(for: "www.wt.test") == ["www.wt.test", "www.wt.test.a.test", "www.wt.test.b.test"])
        #expect(c.candidates(for: "abs.") == ["abs"])
        c.ndots = 3
        #expect(c.candidates(for: "www.wt.test").first == "www.wt.test.a.test")
    }

    @Test("--resolver takes IP, IP:port and [IPv6]:port")
    func resolverOption() {
        #expect(DNSServer(parsing: "10.203.2.2") == DNSServer(address: IPAddress("10.203.2.2")!, port: 53))
        #expect(DNSServer(parsing: "10.203.2.2:5353")?.port == 5353)
        #expect(DNSServer(parsing: "fd00::1")?.address == IPAddress("fd00::1"))
        #expect(DNSServer(parsing: "[fd00::1]:5353")?.port == 5353)
        #expect(DNSServer(parsing: "[fd00::1]:5353")?.description == "[fd00::1]:5353")
        #expect(DNSServer(parsing: "example.com") == nil)
        #expect(DNSServer(parsing: "10.0.0.1:0") == nil)
        #expect(DNSServer(parsing: "[fd00::1") == nil)
    }

    @Test("/etc/hosts is read line by line, names case-insensitively, comments ignored")
    func hosts() {
        let h = HostsFile.parse(
            """
            127.0.0.1\tlocalhost
            ::1 localhost ip6-localhost
            # 10.0.0.9 commented.test
            10.203.2.2 Hosts-Only.wt.test alias # trailing
            not-an-ip name
            fe80::1%lo linklocal
            """)
        #expect(h.lookup("hosts-only.WT.test").map(\.address) == [IPAddress("10.203.2.2")!])
        #expect(h.lookup("hosts-only.wt.test.").first?.line == 4)
        #expect(h.lookup("alias").count == 1)
        #expect(h.lookup("localhost").map(\.address.isIPv6) == [false, true])
        #expect(h.lookup("commented.test").isEmpty)
        #expect(h.lookup("linklocal").first?.address == IPAddress("fe80::1"))
    }
}

@Suite("DNS on the wire: the answer read through the core's DNSMessage (the query: DNSBuilderTests)")
struct DNSWireTests {
    // A response to "A alias.wt.test": CNAME www.wt.test (compressed), then A 10.203.2.2.
    //   id 0x1234, flags 8580 (QR AA RD RA), 1 question, 2 answers
    static let cnameResponse: [UInt8] = [
        0x12, 0x34, 0x85, 0x80, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
        // question at 12: alias.wt.test A IN
        5, 0x61, 0x6C, 0x69, 0x61, 0x73, 2, 0x77, 0x74, 4, 0x74, 0x65, 0x73, 0x74, 0, 0x00, 0x01, 0x00, 0x01,
        // answer 1: ptr->12, CNAME, IN, ttl 300, rdlength 6: "www" + ptr->18 (wt.test)
        0xC0, 0x0C, 0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2C, 0x00, 0x06, 3, 0x77, 0x77, 0x77, 0xC0, 0x12,
        // answer 2: ptr->43 (www.wt.test), A, IN, ttl 299, 10.203.2.2
        0xC0, 0x2B, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2B, 0x00, 0x04, 10, 203, 2, 2,
    ]

    @Test("an answer with a CNAME and compressed names is read with TTLs")
    func parseCNAME() throws {
        let r = try DNSResponse.parse(Self.cnameResponse)
        #expect(r.id == 0x1234)
        #expect(r.isResponse && r.authoritative && r.recursionAvailable && !r.truncated)
        #expect(r.rcode == .noError)
        #expect(r.questionName == "alias.wt.test")
        #expect(r.answers.count == 2)
        #expect(r.answers[0] == .init(name: "alias.wt.test", type: .cname, ttl: 300, data: "www.wt.test"))
        #expect(r.answers[1] == .init(name: "www.wt.test", type: .a, ttl: 299, data: "10.203.2.2"))
    }

    @Test("every prefix of a response is reported truncated, never read as a whole")
    func everyPrefix() {
        for n in 0..<Self.cnameResponse.count {
            #expect(throws: DecodeError.self) { try DNSResponse.parse(Array(Self.cnameResponse.prefix(n))) }
        }
    }

    @Test("a name pointer loop is an error, not a hang")
    func pointerLoop() {
        var b: [UInt8] = [0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0]
        b += [0xC0, 0x0C, 0, 1, 0, 1]  // the question's name points at itself
        let e = #expect(throws: DecodeError.self) { try DNSResponse.parse(b) }
        #expect(e?.truncated == false)
    }

    @Test("NXDOMAIN with an SOA gives the negative-caching TTL")
    func nxdomain() throws {
        var b: [UInt8] = [0, 7, 0x85, 0x83, 0, 1, 0, 0, 0, 1, 0, 0]
        b += [4, 0x6E, 0x6F, 0x70, 0x65, 0, 0, 1, 0, 1]  // nope A IN
        // authority: root SOA, ttl 600, rdata: mname ".", rname ".", serial..minimum (minimum 60)
        b += [0, 0, 6, 0, 1, 0, 0, 2, 0x58, 0, 22, 0, 0]
        b += [0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 60]
        let r = try DNSResponse.parse(b)
        #expect(r.rcode == .nxDomain)
        #expect(r.answers.isEmpty)
        #expect(r.negativeTTL == 60)
    }
}
