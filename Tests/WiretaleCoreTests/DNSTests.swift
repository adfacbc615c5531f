import Foundation
import Testing
import WiretaleCore

// MARK: - Building messages byte by byte

private func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xFF)] }
private func be32(_ v: UInt32) -> [UInt8] {
    [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
}

/// Uncompressed wire form of a dotted name ("" is the root). Labels are taken as bytes.
private func wireName(_ dotted: String) -> [UInt8] {
    var out: [UInt8] = []
    for label in dotted.split(separator: ".") {
        out.append(UInt8(label.utf8.count))
        out += Array(label.utf8)
    }
    return out + [0]
}

/// Wire form from raw labels, for names whose labels hold dots or odd bytes.
private func wireLabels(_ labels: [[UInt8]]) -> [UInt8] {
    labels.flatMap { [UInt8($0.count)] + $0 } + [0]
}

private func header(
    id: UInt16 = 0x1234, flags: UInt16 = 0x8180, qd: UInt16 = 0, an: UInt16 = 0, ns: UInt16 = 0, ar: UInt16 = 0
) -> [UInt8] {
    be16(id) + be16(flags) + be16(qd) + be16(an) + be16(ns) + be16(ar)
}

private func question(_ name: [UInt8], _ type: UInt16 = 1, class qclass: UInt16 = 1) -> [UInt8] {
    name + be16(type) + be16(qclass)
}

private func rr(_ name: [UInt8], _ type: UInt16, class rrclass: UInt16 = 1, ttl: UInt32 = 3600, _ rdata: [UInt8])
    -> [UInt8]
{
    name + be16(type) + be16(rrclass) + be32(ttl) + be16(UInt16(rdata.count)) + rdata
}

private func characterString(_ s: String) -> [UInt8] { [UInt8(s.utf8.count)] + Array(s.utf8) }

private func parse(_ bytes: [UInt8], base: Int = 0) -> Result<DNSMessage, DecodeError> {
    bytes.withUnsafeBytes { raw -> Result<DNSMessage, DecodeError> in
        do throws(DecodeError) {
            return .success(try DNSMessage.parse(raw, base: base))
        } catch {
            return .failure(error)
        }
    }
}

private func partial(_ bytes: [UInt8], base: Int = 0) -> (DNSMessage, DecodeError?) {
    bytes.withUnsafeBytes { DNSMessage.parsePartial($0, base: base) }
}

private func error(_ bytes: [UInt8], base: Int = 0) -> DecodeError? {
    if case .failure(let e) = parse(bytes, base: base) { return e }
    return nil
}

/// A response for example.com A with one answer of `type` holding `rdata`, owner compressed.
private func oneAnswer(_ type: UInt16, class rrclass: UInt16 = 1, ttl: UInt32 = 3600, _ rdata: [UInt8]) -> [UInt8] {
    header(qd: 1, an: 1) + question(wireName("example.com")) + rr([0xC0, 0x0C], type, class: rrclass, ttl: ttl, rdata)
}

private func answer(_ type: UInt16, class rrclass: UInt16 = 1, ttl: UInt32 = 3600, _ rdata: [UInt8]) -> DNSRecord? {
    guard case .success(let m) = parse(oneAnswer(type, class: rrclass, ttl: ttl, rdata)), m.answers.count == 1 else {
        return nil
    }
    return m.answers[0]
}

// MARK: - Real messages

@Suite("DNS messages (RFC 1035)")
struct DNSTests {
    @Test func aRealQueryDecodesItsHeaderQuestionAndOPTRecord() throws {
        let m = try parse(DNSFixtures.tcpdumpQuery).get()
        #expect(m.id == 0x5934)
        #expect(m.flags == 0x0120)
        #expect(!m.isResponse)
        #expect(m.opcode == 0 && m.opcodeName == "QUERY")
        #expect(m.recursionDesired && m.authenticData && !m.checkingDisabled && !m.truncated)
        #expect(m.rcode == .noError)
        #expect([m.questionCount, m.answerCount, m.authorityCount, m.additionalCount] == [1, 0, 0, 1])
        #expect(m.questions == [DNSQuestion(name: "www.tcpdump.org", type: .a, qclass: 1)])
        #expect(m.questions[0].className == "IN")
        let opt = try #require(m.opt)
        #expect(opt.name == "<Root>")
        #expect(opt.type == .opt && opt.rrclass == 4096 && !opt.cacheFlush)
        #expect(opt.data == "udp payload size 4096, version 0, COOKIE 42F5D00996F90B13")
        #expect(m.length == DNSFixtures.tcpdumpQuery.count)
    }

    @Test func aRealResponseFollowsCompressionPointersInEverySection() throws {
        let m = try parse(DNSFixtures.tcpdumpResponse).get()
        #expect(m.isResponse && m.authoritative && m.recursionDesired && !m.recursionAvailable)
        #expect(m.rcode == .noError && m.extendedRCode == .noError)
        #expect(m.answers.map(\.name) == ["www.tcpdump.org", "www.tcpdump.org"])
        #expect(m.answers.map(\.data) == ["192.139.46.66", "198.199.88.104"])
        #expect(m.answers[0].address == IPAddress("192.139.46.66"))
        #expect(m.answers[0].ttl == 60 && m.answers[0].rdataLength == 4)
        #expect(m.authorities.map(\.name) == ["tcpdump.org", "tcpdump.org"])
        #expect(m.authorities.map(\.target) == ["sns.cooperix.net", "nic.sandelman.ca"])
        #expect(m.additionals.map(\.type) == [.a, .aaaa, .a, .aaaa, .opt])
        #expect(m.additionals[1].name == "nic.sandelman.ca")
        #expect(m.additionals[1].data == "2607:f0b0:f::babe:f00d")
        #expect(m.additionals[3].data == "2600:3c03::f03c:91ff:fe96:e8ef")
        #expect(m.additionals[4].data == "udp payload size 4096, version 0")
        #expect(m.length == DNSFixtures.tcpdumpResponse.count)
    }

    @Test func aCNAMEChainKeepsEachTarget() throws {
        let m = try parse(DNSFixtures.cnameChain).get()
        #expect(m.answers.map(\.type) == [.cname, .cname, .cname, .a])
        #expect(
            m.answers.map(\.data) == [
                "www-apple-com.v.aaplimg.com", "www.apple.com.edgekey.net", "e6858.dsce9.akamaiedge.net",
                "23.194.101.24",
            ])
        #expect(m.answers[1].name == "www-apple-com.v.aaplimg.com")
        #expect(m.answers[0].target == "www-apple-com.v.aaplimg.com")
        #expect(m.answers[3].name == "e6858.dsce9.akamaiedge.net")
        #expect(m.opt?.rrclass == 1232)
    }

    @Test func mxAnswersShowPreferenceAndExchange() throws {
        let m = try parse(DNSFixtures.mxResponse).get()
        #expect(m.answers.count == 6 && m.additionals.count == 6)
        #expect(m.answers[0].data == "40 smtp4.google.com")
        #expect(m.answers[0].target == "smtp4.google.com")
        #expect(m.answers[1].data == "10 smtp5.google.com")
        #expect(m.additionals[0].name == "smtp4.google.com" && m.additionals[0].data == "216.239.37.26")
    }

    @Test func ptrAnswerNamesTheHost() throws {
        let m = try parse(DNSFixtures.ptrResponse).get()
        #expect(m.questions[0].name == "104.9.192.66.in-addr.arpa" && m.questions[0].type == .ptr)
        #expect(m.answers[0].data == "66-192-9-104.gen.twtelecom.net")
        #expect(m.answers[0].target == "66-192-9-104.gen.twtelecom.net")
        #expect(m.answers[0].ttl == 86309)
    }

    @Test func uriAnswerIsPriorityWeightAndQuotedTarget() throws {
        let m = try parse(DNSFixtures.uriResponse).get()
        #expect(m.questions[0].type == .uri && m.questions[0].type.name == "URI")
        #expect(m.answers[0].data == #"10 5 "http://www.dns.test:8000""#)
    }

    @Test func nxdomainCarriesTheZoneSOA() throws {
        let m = try parse(DNSFixtures.nxdomainResponse).get()
        #expect(m.rcode == .nxDomain && m.rcode.name == "NXDOMAIN")
        #expect(m.answers.isEmpty)
        #expect(m.authorities[0].type == .soa && m.authorities[0].name == "test")
        #expect(m.authorities[0].data == "localhost nobody.invalid 1 3600 1200 604800 10800")
    }

    @Test func ednsClientSubnetShowsThePrefix() throws {
        let m = try parse(DNSFixtures.ecsQuery).get()
        #expect(m.questions[0].type == .aaaa && m.questions[0].name == "pa.weberlab.de")
        #expect(m.opt?.data == "udp payload size 4096, version 0, DO, ECS 2001:470:1f0b:1600::/56 scope 0")
    }
}

// MARK: - Names

@Suite("DNS names: escaping and bounds")
struct DNSNameTests {
    private func questionName(_ name: [UInt8]) -> Result<String, DecodeError> {
        parse(header(flags: 0x0100, qd: 1) + question(name)).map { $0.questions[0].name }
    }

    @Test func namesPrintWithoutTrailingDotAndKeepCase() throws {
        #expect(try questionName(wireName("WwW.Example.COM")).get() == "WwW.Example.COM")
    }

    @Test func theRootNameIsShownAsRoot() throws {
        #expect(try questionName([0]).get() == "<Root>")
    }

    @Test func dotsAndBackslashesInsideLabelsAreEscaped() throws {
        let name = wireLabels([Array("a.b".utf8), Array(#"c\d"#.utf8), Array("com".utf8)])
        #expect(try questionName(name).get() == #"a\.b.c\\d.com"#)
    }

    @Test func unprintableBytesAreWrittenAsDecimalEscapes() throws {
        let name = wireLabels([[0x61, 0x00, 0x62], [0x09, 0x7F, 0x20], Array("com".utf8)])
        #expect(try questionName(name).get() == #"a\000b.\009\127 .com"#)
    }

    @Test func validUTF8IsKeptAndInvalidUTF8IsEscaped() throws {
        // "Jane’s iPhone" as mDNS sends it (RFC 6762 section 16), then a lone 0xC3 and an overlong 0xC0 0xAF.
        let name = wireLabels([Array("Jane’s iPhone".utf8), [0x61, 0xC3], [0xC0, 0xAF], [0xED, 0xA0, 0x80]])
        #expect(try questionName(name).get() == #"Jane’s iPhone.a\195.\192\175.\237\160\128"#)
    }

    @Test func aSelfPointerIsALoop() throws {
        // dns-invalid-names.pcap frame 2: the question name is a pointer to itself (offset 12).
        // 0000  22 23 01 00 00 01 00 00 00 00 00 00 c0 0c 00 01  "#..............
        // 0010  00 01                                            ..
        let bytes: [UInt8] = [
            0x22, 0x23, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01,
        ]
        let e = try #require(error(bytes, base: 42))
        #expect(e == DecodeError(.dns, at: 54, "name pointer loop"))
        #expect(!e.truncated)
        #expect(e.description == "dns: malformed (name pointer loop) at byte 54")
    }

    @Test func aPointerBackIntoTheSameNameIsALoop() throws {
        // "a" then a pointer to the start of the same name: it goes back, but not past the lowest offset seen.
        let e = try #require(error(header(qd: 1) + [0x01, 0x61, 0xC0, 0x0C, 0x00, 0x01, 0x00, 0x01]))
        #expect(e == DecodeError(.dns, at: 14, "name pointer loop"))
    }

    @Test func aTwoPointerCycleIsRejected() throws {
        // Answer 1 is a NULL record whose RDATA (offset 31) holds a pointer to answer 2's name (offset 33);
        // answer 2's name points back to offset 31: 33 -> 31 -> 33.
        let q = question(wireName("a"))  // 12..<19
        let a1 = rr([0xC0, 0x0C], 10, [0xC0, 0x21])  // name 19, RDATA at 31
        let a2 = rr([0xC0, 0x1F], 1, [1, 2, 3, 4])  // name at 33
        let bytes = header(qd: 1, an: 2) + q + a1 + a2
        #expect(bytes[31] == 0xC0 && bytes[33] == 0xC0)
        let e = try #require(error(bytes))
        #expect(e == DecodeError(.dns, at: 31, "name pointer points forward"))
        let (m, _) = partial(bytes)
        #expect(m.answers.count == 1)
    }

    @Test func aForwardPointerIsMalformed() throws {
        let bytes = header(qd: 1) + [0xC0, 0x12, 0x00, 0x01, 0x00, 0x01] + wireName("x")
        #expect(try #require(error(bytes)) == DecodeError(.dns, at: 12, "name pointer points forward"))
    }

    /// NULL records carry raw bytes; answer 2's name enters a chain of `hops` pointers that ends at a root.
    private func pointerChain(hops: Int) -> [UInt8] {
        let rdataStart = 12 + 5 + 2 + 10  // question "<Root>" A IN, then answer 1's compressed owner and fixed fields
        var chain: [UInt8] = [0]
        var last = rdataStart
        for _ in 0..<hops {
            let here = rdataStart + chain.count
            chain += [0xC0 | UInt8(last >> 8), UInt8(last & 0xFF)]
            last = here
        }
        return header(qd: 1, an: 2) + question([0]) + rr([0xC0, 0x0C], 10, chain)
            + rr([0xC0 | UInt8(last >> 8), UInt8(last & 0xFF)], 1, [1, 2, 3, 4])
    }

    @Test func pointerChainsAreCappedAt127Jumps() throws {
        let ok = try parse(pointerChain(hops: 126)).get()
        #expect(ok.answers[1].name == "<Root>")
        let e = try #require(error(pointerChain(hops: 127)))
        #expect(e.reason.description == "too many name pointers" && !e.truncated)
    }

    @Test func aNameOf255BytesIsAcceptedAnd256IsNot() throws {
        let l63 = String(repeating: "a", count: 63)
        let fits = wireName([l63, l63, l63, String(repeating: "b", count: 61)].joined(separator: "."))
        #expect(fits.count == 255)
        #expect(try questionName(fits).get().utf8.count == 253)
        let tooLong = wireName([l63, l63, l63, String(repeating: "b", count: 62)].joined(separator: "."))
        let e = try #require(error(header(qd: 1) + question(tooLong)))
        #expect(e == DecodeError(.dns, at: 12 + 192, "name longer than 255 bytes"))
        // 127 one-byte labels are the most a name can have.
        let many = wireName(Array(repeating: "x", count: 127).joined(separator: "."))
        #expect(many.count == 255)
        #expect(try questionName(many).get().count == 253)
    }

    @Test func aNameTooLongThroughCompressionIsRejected() throws {
        // Question: 4 labels of 60 bytes (245 wire bytes). Answer owner: 3 more labels (12) then a pointer to it.
        let l60 = String(repeating: "q", count: 60)
        let q = question(wireName([l60, l60, l60, l60].joined(separator: ".")))
        let owner: [UInt8] =
            wireLabels([Array("abc".utf8), Array("def".utf8), Array("ghi".utf8)]).dropLast() + [0xC0, 0x0C]
        let e = try #require(error(header(qd: 1, an: 1) + q + rr(owner, 1, [1, 2, 3, 4])))
        #expect(e.reason.description == "name longer than 255 bytes")
    }

    @Test(arguments: [UInt8(0x40), 0x41, 0x80, 0xBF])
    func reservedLabelTypesAreMalformed(_ prefix: UInt8) throws {
        let e = try #require(error(header(qd: 1) + [prefix, 0x61, 0x00, 0x00, 0x01, 0x00, 0x01]))
        #expect(e == DecodeError(.dns, at: 12, "reserved label type (0x40 or 0x80)"))
    }

    @Test func aNameInRDATAMustEndWithinIt() throws {
        // CNAME RDATA of 4 bytes holding the start of a 5-byte label, then more bytes of the next record.
        let bytes = oneAnswer(5, [5, 0x61, 0x62, 0x63]) + [0x64, 0x65, 0x00]
        let e = try #require(error(bytes))
        #expect(e.reason.description == "name overruns its RDATA" && !e.truncated)
    }
}

// MARK: - Counts, truncation, partial results

@Suite("DNS bounds and truncation")
struct DNSBoundsTests {
    @Test func absurdCountsStopAtTheBytesWithoutHugeAllocations() throws {
        // The header claims 65535 of everything; 48 more bytes follow it.
        var bytes = header(qd: 1, an: 65535, ns: 65535, ar: 65535) + question(wireName("example.com"))
        bytes += rr([0xC0, 0x0C], 1, [192, 0, 2, 1]) + rr([0xC0, 0x0C], 1, [192, 0, 2, 2])
        let (m, e) = partial(bytes)
        let err = try #require(e)
        #expect(err == DecodeError(.dns, at: bytes.count, "message ends before all counted entries", truncated: true))
        #expect(m.answers.count == 2)
        #expect(m.answerCount == 65535)
        #expect(m.answers.capacity <= 8)
        #expect(m.length == bytes.count)
    }

    @Test func absurdQuestionCountInAnEmptyMessage() throws {
        let (m, e) = partial(header(qd: 65535))
        #expect(e?.truncated == true && e?.offset == 12)
        #expect(m.questions.isEmpty && m.questions.capacity <= 1)
    }

    @Test func aShortHeaderIsTruncatedAtTheMessageStart() throws {
        let e = try #require(error(Array(header()[..<11]), base: 42))
        #expect(e == DecodeError.truncated(.dns, at: 42, "header truncated"))
    }

    @Test func rdataLongerThanTheBytesIsTruncated() throws {
        var bytes = oneAnswer(1, [192, 0, 2, 1])
        bytes[bytes.count - 5] = 100  // RDLENGTH low byte: 100
        let e = try #require(error(bytes))
        #expect(e == DecodeError(.dns, at: bytes.count - 4, "RDATA truncated", truncated: true))
    }

    @Test func parsePartialKeepsWhatWasDecodedBeforeAMalformedRecord() throws {
        let bytes =
            header(qd: 1, an: 2) + question(wireName("example.com")) + rr([0xC0, 0x0C], 1, [192, 0, 2, 1])
            + rr([0xC0, 0x0C], 1, [192, 0, 2])
        let (m, e) = partial(bytes, base: 42)
        #expect(m.answers.map(\.data) == ["192.0.2.1"])
        #expect(e == DecodeError(.dns, at: 42 + bytes.count - 3, "A record RDATA is not 4 bytes"))
        #expect(e?.truncated == false)
    }

    @Test func bytesAfterTheLastRecordAreIgnored() throws {
        let bytes = oneAnswer(1, [192, 0, 2, 1])
        let m = try parse(bytes + [0xDE, 0xAD]).get()
        #expect(m.length == bytes.count)
    }

    /// Valid messages of every shape the tests know, each with no trailing bytes.
    static let wholeMessages: [[UInt8]] = [
        DNSFixtures.tcpdumpQuery, DNSFixtures.tcpdumpResponse, DNSFixtures.uriResponse, DNSFixtures.nxdomainResponse,
        DNSFixtures.cnameChain, DNSFixtures.mxResponse, DNSFixtures.ptrResponse, DNSFixtures.ecsQuery,
        header(qd: 1) + question([0]),
        header(qd: 1, an: UInt16(RDATACase.all.count))
            + question(wireName("example.com")) + RDATACase.all.flatMap { rr([0xC0, 0x0C], $0.type, $0.rdata) },
    ]

    @Test(arguments: wholeMessages.indices)
    func everyProperPrefixFailsAsTruncatedAndOnlyTheWholeMessageSucceeds(_ index: Int) throws {
        let whole = Self.wholeMessages[index]
        let full = try parse(whole).get()
        #expect(full.length == whole.count)
        for n in 0..<whole.count {
            let prefix = Array(whole[..<n])
            let result = parse(prefix)
            guard case .failure(let e) = result else {
                Issue.record("prefix of \(n) of \(whole.count) bytes parsed")
                continue
            }
            #expect(e.truncated, "prefix \(n): \(e)")
            #expect(e.offset <= n, "prefix \(n): \(e)")
            let (m, pe) = partial(prefix)
            #expect(pe == e)
            #expect(m.length <= n)
        }
    }

    @Test func adversarialMessagesStayLinear() throws {
        // 64 KiB: a 126-pointer chain, then as many records as fit, each named through the whole chain.
        var chain: [UInt8] = [0]
        let rdataStart = 12 + 5 + 2 + 10
        var last = rdataStart
        for _ in 0..<126 {
            let here = rdataStart + chain.count
            chain += [0xC0 | UInt8(last >> 8), UInt8(last & 0xFF)]
            last = here
        }
        var bytes = header(qd: 1, an: 65535) + question([0]) + rr([0xC0, 0x0C], 10, chain)
        let record = rr([0xC0 | UInt8(last >> 8), UInt8(last & 0xFF)], 10, [])
        while bytes.count + record.count <= 65535 { bytes += record }
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            let (m, e) = partial(bytes)
            #expect(m.answers.count > 5000)
            #expect(e?.truncated == true)
        }
        #expect(elapsed < .seconds(5))
    }
}

// MARK: - Codes and flags

@Suite("DNS codes")
struct DNSCodeTests {
    static let typeNames: [(UInt16, String)] = [
        (1, "A"), (2, "NS"), (3, "MD"), (4, "MF"), (5, "CNAME"), (6, "SOA"), (7, "MB"), (8, "MG"), (9, "MR"),
        (10, "NULL"), (11, "WKS"), (12, "PTR"), (13, "HINFO"), (14, "MINFO"), (15, "MX"), (16, "TXT"), (17, "RP"),
        (18, "AFSDB"), (19, "X25"), (20, "ISDN"), (21, "RT"), (22, "NSAP"), (23, "NSAP-PTR"), (24, "SIG"),
        (25, "KEY"), (26, "PX"), (27, "GPOS"), (28, "AAAA"), (29, "LOC"), (30, "NXT"), (31, "EID"), (32, "NIMLOC"),
        (33, "SRV"), (34, "ATMA"), (35, "NAPTR"), (36, "KX"), (37, "CERT"), (38, "A6"), (39, "DNAME"), (40, "SINK"),
        (41, "OPT"), (42, "APL"), (43, "DS"), (44, "SSHFP"), (45, "IPSECKEY"), (46, "RRSIG"), (47, "NSEC"),
        (48, "DNSKEY"), (49, "DHCID"), (50, "NSEC3"), (51, "NSEC3PARAM"), (52, "TLSA"), (53, "SMIMEA"), (55, "HIP"),
        (56, "NINFO"), (57, "RKEY"), (58, "TALINK"), (59, "CDS"), (60, "CDNSKEY"), (61, "OPENPGPKEY"),
        (62, "CSYNC"), (63, "ZONEMD"), (64, "SVCB"), (65, "HTTPS"), (66, "DSYNC"), (99, "SPF"), (100, "UINFO"),
        (101, "UID"), (102, "GID"), (103, "UNSPEC"), (104, "NID"), (105, "L32"), (106, "L64"), (107, "LP"),
        (108, "EUI48"), (109, "EUI64"), (249, "TKEY"), (250, "TSIG"), (251, "IXFR"), (252, "AXFR"),
        (253, "MAILB"), (254, "MAILA"), (255, "ANY"), (256, "URI"), (257, "CAA"), (258, "AVC"), (259, "DOA"),
        (260, "AMTRELAY"), (261, "RESINFO"), (262, "WALLET"), (32768, "TA"), (32769, "DLV"),
        (0, "TYPE0"), (54, "TYPE54"), (65534, "TYPE65534"), (65535, "TYPE65535"),
    ]

    @Test func everyRecordTypeHasItsRegistryName() throws {
        for (value, name) in Self.typeNames {
            let t = DNSRecordType(rawValue: value)
            #expect(t.name == name)
            #expect(t.description == name)
        }
        #expect(DNSRecordType.https.name == "HTTPS" && DNSRecordType.svcb.rawValue == 64)
        #expect(DNSRecordType.any.rawValue == 255 && DNSRecordType.caa.rawValue == 257)
    }

    @Test func everyRCodeHasItsName() throws {
        let names: [(UInt16, String)] = [
            (0, "NOERROR"), (1, "FORMERR"), (2, "SERVFAIL"), (3, "NXDOMAIN"), (4, "NOTIMP"), (5, "REFUSED"),
            (6, "YXDOMAIN"), (7, "YXRRSET"), (8, "NXRRSET"), (9, "NOTAUTH"), (10, "NOTZONE"), (11, "DSOTYPENI"),
            (12, "RCODE12"), (15, "RCODE15"), (16, "BADVERS"), (17, "BADKEY"), (18, "BADTIME"), (19, "BADMODE"),
            (20, "BADNAME"), (21, "BADALG"), (22, "BADTRUNC"), (23, "BADCOOKIE"), (24, "RCODE24"),
            (4095, "RCODE4095"),
        ]
        for (value, name) in names {
            #expect(DNSRCode(rawValue: value).name == name)
            #expect(DNSRCode(rawValue: value).description == name)
        }
    }

    @Test func headerRCodeIsFourBitsAndOPTExtendsIt() throws {
        for code in UInt16(0)..<16 {
            let m = try parse(header(flags: 0x8180 | code)).get()
            #expect(m.rcode.rawValue == code && m.extendedRCode.rawValue == code)
        }
        // BADVERS (16): OPT extended RCODE 1 over header RCODE 0 (RFC 6891 section 6.1.3).
        let bytes = header(ar: 1) + rr([0], 41, class: 1232, ttl: 0x0100_0000, [])
        let m = try parse(bytes).get()
        #expect(m.rcode == .noError && m.extendedRCode.name == "BADVERS")
        #expect(m.opt?.className == "UDP1232")
    }

    @Test func flagBitsAndOpcodes() throws {
        let m = try parse(header(flags: 0b1_0101_1_1_1_1_0_1_1_0000)).get()
        #expect(m.isResponse && m.opcode == 5 && m.opcodeName == "UPDATE")
        #expect(m.authoritative && m.truncated && m.recursionDesired && m.recursionAvailable)
        #expect(m.authenticData && m.checkingDisabled)
        let names = (0..<16).map { op in try? parse(header(flags: UInt16(op) << 11)).get().opcodeName }
        #expect(names[0] == "QUERY" && names[1] == "IQUERY" && names[2] == "STATUS" && names[3] == "OPCODE3")
        #expect(names[4] == "NOTIFY" && names[6] == "DSO" && names[15] == "OPCODE15")
    }

    @Test func classNames() throws {
        #expect([1, 2, 3, 4, 254, 255, 42].map(DNSClass.name) == ["IN", "CS", "CH", "HS", "NONE", "ANY", "CLASS42"])
    }

    @Test func mdnsTopClassBitsAreUnicastResponseAndCacheFlush() throws {
        // An mDNS answer (RFC 6762): QU question, cache-flush record.
        let bytes =
            header(id: 0, flags: 0x8400, qd: 1, an: 1) + question(wireName("printer.local"), class: 0x8001)
            + rr([0xC0, 0x0C], 1, class: 0x8001, ttl: 120, [169, 254, 1, 2])
        let m = try parse(bytes).get()
        #expect(m.questions[0].qclass == 1 && m.questions[0].unicastResponse)
        #expect(m.answers[0].rrclass == 1 && m.answers[0].cacheFlush && m.answers[0].className == "IN")
    }
}

// MARK: - RDATA presentation

/// One RDATA fixture and the presentation form it must produce.
struct RDATACase: Sendable, CustomTestStringConvertible {
    var type: UInt16
    var rdata: [UInt8]
    var data: String
    var target: String? = nil
    var testDescription: String { "\(DNSRecordType(rawValue: type).name): \(data)" }

    static let rrsigTimes = be32(1_735_689_600) + be32(1_704_067_200)  // 2025-01-01, 2024-01-01 00:00:00 UTC

    static let all: [RDATACase] = [
        RDATACase(type: 1, rdata: [192, 0, 2, 1], data: "192.0.2.1"),
        RDATACase(
            type: 28, rdata: [0x20, 0x01, 0x0d, 0xb8] + Array(repeating: 0, count: 11) + [1], data: "2001:db8::1"),
        RDATACase(type: 2, rdata: wireName("ns1.example.net"), data: "ns1.example.net", target: "ns1.example.net"),
        RDATACase(
            type: 5, rdata: wireName("Alias.Example.org"), data: "Alias.Example.org", target: "Alias.Example.org"),
        RDATACase(
            type: 12, rdata: [3] + Array("www".utf8) + [0xC0, 0x0C], data: "www.example.com", target: "www.example.com"),
        RDATACase(type: 39, rdata: wireName("example.net"), data: "example.net", target: "example.net"),
        RDATACase(
            type: 15, rdata: be16(10) + wireName("mail.example.com"), data: "10 mail.example.com",
            target: "mail.example.com"),
        RDATACase(type: 36, rdata: be16(5) + [0xC0, 0x0C], data: "5 example.com", target: "example.com"),
        RDATACase(
            type: 33, rdata: be16(0) + be16(5) + be16(5060) + wireName("sip.example.com"),
            data: "0 5 5060 sip.example.com", target: "sip.example.com"),
        RDATACase(
            type: 6,
            rdata: wireName("ns.example.com") + wireName("hostmaster.example.com") + be32(2_024_010_101) + be32(7200)
                + be32(3600) + be32(1_209_600) + be32(300),
            data: "ns.example.com hostmaster.example.com 2024010101 7200 3600 1209600 300"),
        RDATACase(
            type: 14, rdata: wireName("admin.example.com") + wireName("errors.example.com"),
            data: "admin.example.com errors.example.com"),
        RDATACase(type: 17, rdata: wireName("admin.example.com") + [0], data: "admin.example.com <Root>"),
        RDATACase(
            type: 13, rdata: characterString("INTEL-386") + characterString("UNIX"), data: #""INTEL-386" "UNIX""#),
        RDATACase(
            type: 16, rdata: characterString("v=spf1 -all") + characterString(#"say "hi"\"#) + [2, 0x00, 0xFF],
            data: #""v=spf1 -all" "say \"hi\"\\" "\000\255""#),
        RDATACase(type: 16, rdata: [0], data: #""""#),
        RDATACase(type: 99, rdata: characterString("v=spf1 mx"), data: #""v=spf1 mx""#),
        RDATACase(
            type: 35,
            rdata: be16(100) + be16(10) + characterString("S") + characterString("SIP+D2U") + [0]
                + wireName("_sip._udp.example.com"),
            data: #"100 10 "S" "SIP+D2U" "" _sip._udp.example.com"#),
        RDATACase(
            type: 41,
            rdata: be16(3) + be16(2) + [0xAB, 0xCD] + be16(8) + be16(7) + be16(1) + [24, 0, 192, 0, 2]
                + be16(10) + be16(8) + [1, 2, 3, 4, 5, 6, 7, 8] + be16(11) + be16(2) + be16(300)
                + be16(12) + be16(3) + [0, 0, 0] + be16(15) + be16(6) + be16(18) + Array("oops".utf8)
                + be16(65001) + be16(1) + [0x7F] + be16(8) + be16(4) + be16(9) + [0, 0],
            data: "udp payload size 4096, version 0, NSID ABCD, ECS 192.0.2.0/24 scope 0, COOKIE 0102030405060708, "
                + "TCP-KEEPALIVE 300, PADDING 3, EDE 18 \"oops\", option 65001 7F, ECS family 9/0 scope 0"),
        RDATACase(
            type: 43, rdata: be16(60485) + [5, 1] + [0x2B, 0xB1, 0x83, 0xAF, 0x5F],
            data: "60485 5 1 2BB183AF5F"),
        RDATACase(
            type: 48, rdata: be16(256) + [3, 8] + Array(1...39),
            data: "256 3 8 AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJSYn"),
        RDATACase(type: 48, rdata: be16(257) + [3, 13] + [0xFF], data: "257 3 13 /w=="),
        RDATACase(type: 48, rdata: be16(257) + [3, 13] + [0xFF, 0xEE], data: "257 3 13 /+4="),
        RDATACase(
            type: 46,
            rdata: be16(1) + [8, 2] + be32(3600) + rrsigTimes + be16(12345) + wireName("example.com") + [1, 2, 3],
            data: "A 8 2 3600 20250101000000 20240101000000 12345 example.com AQID"),
        RDATACase(
            type: 47,
            rdata: wireName("host.example.com") + [0, 6, 0x40, 0x01, 0, 0, 0, 0x03] + [4, 27]
                + Array(repeating: 0, count: 26) + [0x20],
            data: "host.example.com A MX RRSIG NSEC TYPE1234"),
        RDATACase(
            type: 50,
            rdata: [1, 1] + be16(12) + [4, 0xAA, 0xBB, 0xCC, 0xDD] + [20]
                + [
                    0x17, 0x4e, 0xb2, 0x40, 0x9f, 0xe2, 0x8b, 0xcb, 0x48, 0x87, 0xa1, 0x83, 0x6f, 0x95, 0x7f, 0x0a,
                    0x84, 0x25, 0xe2, 0x7b,
                ] + [0, 7, 0x22, 0x01, 0, 0, 0, 0x02, 0x90],
            data: "1 1 12 AABBCCDD 2t7b4g4vsa5smi47k61mv5bv1a22bojr NS SOA MX RRSIG DNSKEY NSEC3PARAM"),
        RDATACase(type: 50, rdata: [1, 0] + be16(0) + [0, 1, 0xFF], data: "1 0 0 - vs"),
        RDATACase(type: 51, rdata: [1, 0] + be16(0) + [0], data: "1 0 0 -"),
        RDATACase(type: 52, rdata: [3, 1, 1, 0xDE, 0xAD, 0xBE, 0xEF], data: "3 1 1 DEADBEEF"),
        RDATACase(type: 44, rdata: [4, 2, 0x12, 0x34], data: "4 2 1234"),
        RDATACase(
            type: 65,
            rdata: be16(1) + [0] + be16(1) + be16(6) + characterString("h2") + characterString("h3")
                + be16(3) + be16(2) + be16(8443) + be16(4) + be16(8) + [192, 0, 2, 1, 192, 0, 2, 2]
                + be16(6) + be16(16) + [0x20, 0x01, 0x0d, 0xb8] + Array(repeating: 0, count: 11) + [1]
                + be16(5) + be16(3) + [1, 2, 3] + be16(0) + be16(2) + be16(1) + be16(2) + be16(0)
                + be16(7) + be16(4) + Array("/q{}".utf8),
            data: "1 <Root> alpn=h2,h3 port=8443 ipv4hint=192.0.2.1,192.0.2.2 ipv6hint=2001:db8::1 ech=AQID "
                + "mandatory=alpn no-default-alpn dohpath=\"/q{}\""),
        RDATACase(type: 64, rdata: be16(0) + wireName("pool.svc.example"), data: "0 pool.svc.example"),
        RDATACase(
            type: 256, rdata: be16(10) + be16(1) + Array("ftp://ftp1.example.com/public".utf8),
            data: #"10 1 "ftp://ftp1.example.com/public""#),
        RDATACase(
            type: 257, rdata: [0, 5] + Array("issue".utf8) + Array("letsencrypt.org".utf8),
            data: #"0 issue "letsencrypt.org""#),
        RDATACase(type: 257, rdata: [128, 3] + Array("tbs".utf8), data: #"128 tbs """#),
        RDATACase(type: 10, rdata: [0x0A, 0x0B, 0x0C], data: ##"\# 3 0A0B0C"##),
        RDATACase(type: 29, rdata: [0, 0x12], data: ##"\# 2 0012"##),
        RDATACase(type: 65534, rdata: [], data: ##"\# 0"##),
    ]

    static let malformed: [(type: UInt16, rdata: [UInt8], reason: String)] = [
        (1, [192, 0, 2], "A record RDATA is not 4 bytes"),
        (28, [0, 0, 0, 0], "AAAA record RDATA is not 16 bytes"),
        (15, [0], "RDATA shorter than its type's fixed fields"),
        (33, be16(1) + be16(1) + be16(1), "RDATA shorter than its type's fixed fields"),
        (6, wireName("a") + wireName("b") + be32(1), "SOA RDATA too short"),
        (16, [5, 0x61], "character-string overruns RDATA"),
        (13, characterString("cpu"), "character-string overruns RDATA"),
        (41, be16(10) + be16(9) + [1, 2], "EDNS option overruns RDATA"),
        (41, [0, 10, 0], "EDNS option overruns RDATA"),
        (47, [0, 0, 0], "bad type bitmap length"),
        (47, [0, 0, 33] + Array(repeating: 0xFF, count: 33), "bad type bitmap length"),
        (47, [0, 1], "type bitmap truncated inside RDATA"),
        (50, [1, 0, 0, 0, 9], "NSEC3 salt overruns RDATA"),
        (50, [1, 0, 0, 0, 0, 5, 1], "NSEC3 hash overruns RDATA"),
        (65, be16(1) + [0] + be16(1) + be16(9), "SvcParam overruns RDATA"),
        (257, [0, 9, 0x61], "CAA tag overruns RDATA"),
        (5, [0x40], "reserved label type (0x40 or 0x80)"),
    ]
}

@Suite("DNS RDATA presentation")
struct DNSRDATATests {
    @Test(arguments: RDATACase.all)
    func rdataIsShownInPresentationForm(_ c: RDATACase) throws {
        let r = try #require(answer(c.type, class: c.type == 41 ? 4096 : 1, c.rdata))
        #expect(r.data == c.data)
        #expect(r.target == c.target)
        #expect(r.rdataLength == UInt16(c.rdata.count))
        #expect((r.address != nil) == (c.type == 1 || c.type == 28))
        if let a = r.address { #expect(a.description == c.data) }
    }

    @Test(arguments: RDATACase.malformed.indices)
    func malformedRDATAIsReportedAtTheRecord(_ i: Int) throws {
        let c = RDATACase.malformed[i]
        let bytes = oneAnswer(c.type, c.rdata)
        let e = try #require(error(bytes))
        #expect(e.reason.description == c.reason)
        #expect(!e.truncated)
        #expect(e.offset >= bytes.count - c.rdata.count && e.offset <= bytes.count)
    }
}

// MARK: - Against tshark (exploratory; runs only where the shared captures and tshark exist)

/// Feeds every DNS message tshark finds in the shared captures to the decoder and compares the
/// fields both report: id, QR, RCODE, the first question's name and type, the answer count, and
/// each record's owner, type and data (A, AAAA, CNAME, NS, PTR, MX, SRV, SOA names). A message
/// tshark calls malformed (or whose name "contains a pointer that loops") must fail here too.
@Suite("DNS against tshark")
struct DNSTsharkComparisonTests {
    static let captures = "/work/shared/captures"
    static let tshark = ["/usr/bin/tshark", "/usr/local/bin/tshark"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }
    static let available = tshark != nil && FileManager.default.fileExists(atPath: captures)

    static let files = [
        "dns-edns-ecs.pcap", "dns-invalid-names.pcap", "dns-uri.pcap", "dns_tcp.pcap", "dns_udp.pcap",
        "long-connection.pcap", "nmap-vsn.pcap", "pcapng-multi-interface.pcapng", "LINKTYPE_IPV4.pcap",
        "LINKTYPE_IPV6.pcap", "LINKTYPE_RAW_ipv4.pcap", "wikipedia.pcap",
    ]

    static let fields = [
        "frame.number", "udp.payload", "tcp.payload", "dns.id", "dns.flags.response", "dns.flags.rcode",
        "dns.qry.name", "dns.qry.type", "dns.count.answers", "dns.resp.name", "dns.resp.type", "dns.a", "dns.aaaa",
        "dns.cname", "dns.ns", "dns.ptr.domain_name", "dns.mx.mail_exchange", "dns.srv.target", "dns.soa.mname",
        "dns.soa.rname", "_ws.malformed",
    ]

    static let typeNumbers: [String: UInt16] = Dictionary(
        uniqueKeysWithValues: (0...UInt16.max).map { (DNSRecordType(rawValue: $0).name, $0) })

    /// tshark lists an NSEC or NSEC3 record's type bitmap under `dns.resp.type` too, after the record's own type.
    private static func typesAsTsharkLists(_ r: DNSRecord) -> [String] {
        let words = r.data.split(separator: " ")
        let bitmap: ArraySlice<Substring>
        switch r.type {
        case .nsec: bitmap = words.dropFirst(1)
        case .nsec3: bitmap = words.dropFirst(5)
        default: bitmap = []
        }
        return [String(r.type.rawValue)] + bitmap.map { typeNumbers[String($0)].map(String.init) ?? "?" }
    }

    /// Values of one field across a message, split on tshark's aggregator.
    private static func list(_ s: String) -> [String] {
        s.isEmpty ? [] : s.split(separator: "\u{1}", omittingEmptySubsequences: false).map(String.init)
    }

    private static func bytes(hex: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(hex.utf8.count / 2)
        var high: UInt8? = nil
        for c in hex.utf8 {
            let v: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): v = c - UInt8(ascii: "a") + 10
            default: return nil
            }
            if let h = high {
                out.append(h << 4 | v)
                high = nil
            } else {
                high = v
            }
        }
        return high == nil ? out : nil
    }

    private static func runTshark(_ file: String) throws -> [String] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tshark!)
        p.arguments =
            [
                "-r", "\(captures)/\(file)", "-Y", "dns", "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a",
                "-E", "aggregator=\u{1}",
            ] + fields.flatMap { ["-e", $0] }
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    @Test(.enabled(if: available))
    func theDecoderAgreesWithTsharkOnEveryDNSCapture() throws {
        var messages = 0
        var comparisons = 0
        var bothFailed = 0
        var skipped = 0
        var disagreements: [String] = []
        for file in Self.files {
            for line in try Self.runTshark(file) {
                let c = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
                guard c.count == Self.fields.count else {
                    skipped += 1
                    continue
                }
                let field = { (name: String) in c[Self.fields.firstIndex(of: name)!] }
                var payload = Self.bytes(hex: field("udp.payload")) ?? []
                if field("udp.payload").isEmpty {
                    // DNS over TCP: only segments holding exactly one length-prefixed message.
                    guard let tcp = Self.bytes(hex: field("tcp.payload")), tcp.count >= 2,
                        Int(tcp[0]) << 8 | Int(tcp[1]) == tcp.count - 2, Self.list(field("dns.id")).count == 1
                    else {
                        skipped += 1
                        continue
                    }
                    payload = Array(tcp[2...])
                }
                messages += 1
                let location = "\(file) frame \(field("frame.number"))"
                let (m, error) = payload.withUnsafeBytes { DNSMessage.parsePartial($0) }
                let tsharkFailed =
                    !field("_ws.malformed").isEmpty || field("dns.qry.name").contains("pointer that loops")
                comparisons += 1
                if tsharkFailed || error != nil {
                    if tsharkFailed && error != nil {
                        bothFailed += 1
                    } else {
                        disagreements.append(
                            "\(location): tshark failed \(tsharkFailed), wiretale error \(String(describing: error))")
                    }
                    continue
                }
                let records = m.answers + m.authorities + m.additionals
                func data(_ types: Set<UInt16>) -> [String] {
                    records.filter { types.contains($0.type.rawValue) }.map(\.data)
                }
                func targets(_ types: Set<UInt16>) -> [String] {
                    records.filter { types.contains($0.type.rawValue) }.compactMap(\.target)
                }
                let soa = records.filter { $0.type == .soa }.map { $0.data.split(separator: " ").map(String.init) }
                let pairs: [(String, [String], [String])] = [
                    ("id", [field("dns.id")], ["0x" + String(m.id, radix: 16).leftPadded(to: 4)]),
                    ("response", [field("dns.flags.response")], [m.isResponse ? "1" : "0"]),
                    ("rcode", Self.list(field("dns.flags.rcode")), m.isResponse ? [String(m.rcode.rawValue)] : []),
                    ("qname", Array(Self.list(field("dns.qry.name")).prefix(1)), m.questions.prefix(1).map(\.name)),
                    (
                        "qtype", Array(Self.list(field("dns.qry.type")).prefix(1)),
                        m.questions.prefix(1).map { String($0.type.rawValue) }
                    ),
                    ("ancount", [field("dns.count.answers")], [String(m.answerCount)]),
                    ("rr names", Self.list(field("dns.resp.name")), records.map(\.name)),
                    ("rr types", Self.list(field("dns.resp.type")), records.flatMap(Self.typesAsTsharkLists)),
                    ("a", Self.list(field("dns.a")), data([1])),
                    ("aaaa", Self.list(field("dns.aaaa")), data([28])),
                    ("cname", Self.list(field("dns.cname")), targets([5])),
                    ("ns", Self.list(field("dns.ns")), targets([2])),
                    ("ptr", Self.list(field("dns.ptr.domain_name")), targets([12])),
                    ("mx", Self.list(field("dns.mx.mail_exchange")), targets([15])),
                    ("srv", Self.list(field("dns.srv.target")), targets([33])),
                    ("soa mname", Self.list(field("dns.soa.mname")), soa.map { $0[0] }),
                    ("soa rname", Self.list(field("dns.soa.rname")), soa.map { $0[1] }),
                ]
                for (name, theirs, ours) in pairs {
                    comparisons += 1
                    if theirs != ours { disagreements.append("\(location) \(name): tshark \(theirs) wiretale \(ours)") }
                }
            }
        }
        print(
            "DNS vs tshark: \(messages) messages, \(comparisons) comparisons, \(bothFailed) rejected by both, "
                + "\(skipped) skipped, \(disagreements.count) disagreements")
        #expect(messages > 150)
        #expect(disagreements.isEmpty, "\(disagreements.joined(separator: "\n"))")
    }
}

extension String {
    fileprivate func leftPadded(to n: Int) -> String {
        count >= n ? self : String(repeating: "0", count: n - count) + self
    }
}

// Fixtures for DNSTests: real messages as byte arrays under the hex dump they came from
// (tshark -T fields -e udp.payload on the named capture in /work/shared/captures).
enum DNSFixtures {
    // dns_udp.pcap frame 1: query for www.tcpdump.org A with an OPT record (EDNS COOKIE).
    // 0000  59 34 01 20 00 01 00 00 00 00 00 01 03 77 77 77  Y4. .........www
    // 0010  07 74 63 70 64 75 6d 70 03 6f 72 67 00 00 01 00  .tcpdump.org....
    // 0020  01 00 00 29 10 00 00 00 00 00 00 0c 00 0a 00 08  ...)............
    // 0030  42 f5 d0 09 96 f9 0b 13                          B.......
    static let tcpdumpQuery: [UInt8] = [
        0x59, 0x34, 0x01, 0x20, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
        0x03, 0x77, 0x77, 0x77, 0x07, 0x74, 0x63, 0x70, 0x64, 0x75, 0x6d, 0x70,
        0x03, 0x6f, 0x72, 0x67, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x29,
        0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x0a, 0x00, 0x08,
        0x42, 0xf5, 0xd0, 0x09, 0x96, 0xf9, 0x0b, 0x13,
    ]

    // dns_udp.pcap frame 2: the response, 2 A answers, 2 NS, 5 additionals, compression throughout.
    // 0000  59 34 85 00 00 01 00 02 00 02 00 05 03 77 77 77  Y4...........www
    // 0010  07 74 63 70 64 75 6d 70 03 6f 72 67 00 00 01 00  .tcpdump.org....
    // 0020  01 c0 0c 00 01 00 01 00 00 00 3c 00 04 c0 8b 2e  ..........<.....
    // 0030  42 c0 0c 00 01 00 01 00 00 00 3c 00 04 c6 c7 58  B.........<....X
    // 0040  68 c0 10 00 02 00 01 00 01 51 80 00 12 03 73 6e  h........Q....sn
    // 0050  73 08 63 6f 6f 70 65 72 69 78 03 6e 65 74 00 c0  s.cooperix.net..
    // 0060  10 00 02 00 01 00 01 51 80 00 12 03 6e 69 63 09  .......Q....nic.
    // 0070  73 61 6e 64 65 6c 6d 61 6e 02 63 61 00 c0 6b 00  sandelman.ca..k.
    // 0080  01 00 01 00 00 01 2c 00 04 d1 57 f9 12 c0 6b 00  ......,...W...k.
    // 0090  1c 00 01 00 00 01 2c 00 10 26 07 f0 b0 00 0f 00  ......,..&......
    // 00a0  00 00 00 00 00 ba be f0 0d c0 4d 00 01 00 01 00  ..........M.....
    // 00b0  00 1c 20 00 04 61 6b 85 0f c0 4d 00 1c 00 01 00  .. ..ak...M.....
    // 00c0  00 1c 20 00 10 26 00 3c 03 00 00 00 00 f0 3c 91  .. ..&.<......<.
    // 00d0  ff fe 96 e8 ef 00 00 29 10 00 00 00 00 00 00 00  .......)........
    static let tcpdumpResponse: [UInt8] = [
        0x59, 0x34, 0x85, 0x00, 0x00, 0x01, 0x00, 0x02, 0x00, 0x02, 0x00, 0x05,
        0x03, 0x77, 0x77, 0x77, 0x07, 0x74, 0x63, 0x70, 0x64, 0x75, 0x6d, 0x70,
        0x03, 0x6f, 0x72, 0x67, 0x00, 0x00, 0x01, 0x00, 0x01, 0xc0, 0x0c, 0x00,
        0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x04, 0xc0, 0x8b, 0x2e,
        0x42, 0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3c, 0x00,
        0x04, 0xc6, 0xc7, 0x58, 0x68, 0xc0, 0x10, 0x00, 0x02, 0x00, 0x01, 0x00,
        0x01, 0x51, 0x80, 0x00, 0x12, 0x03, 0x73, 0x6e, 0x73, 0x08, 0x63, 0x6f,
        0x6f, 0x70, 0x65, 0x72, 0x69, 0x78, 0x03, 0x6e, 0x65, 0x74, 0x00, 0xc0,
        0x10, 0x00, 0x02, 0x00, 0x01, 0x00, 0x01, 0x51, 0x80, 0x00, 0x12, 0x03,
        0x6e, 0x69, 0x63, 0x09, 0x73, 0x61, 0x6e, 0x64, 0x65, 0x6c, 0x6d, 0x61,
        0x6e, 0x02, 0x63, 0x61, 0x00, 0xc0, 0x6b, 0x00, 0x01, 0x00, 0x01, 0x00,
        0x00, 0x01, 0x2c, 0x00, 0x04, 0xd1, 0x57, 0xf9, 0x12, 0xc0, 0x6b, 0x00,
        0x1c, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x10, 0x26, 0x07, 0xf0,
        0xb0, 0x00, 0x0f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xba, 0xbe, 0xf0,
        0x0d, 0xc0, 0x4d, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x1c, 0x20, 0x00,
        0x04, 0x61, 0x6b, 0x85, 0x0f, 0xc0, 0x4d, 0x00, 0x1c, 0x00, 0x01, 0x00,
        0x00, 0x1c, 0x20, 0x00, 0x10, 0x26, 0x00, 0x3c, 0x03, 0x00, 0x00, 0x00,
        0x00, 0xf0, 0x3c, 0x91, 0xff, 0xfe, 0x96, 0xe8, 0xef, 0x00, 0x00, 0x29,
        0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    ]

    // dns-uri.pcap frame 2: URI answer for _http.dns.test.
    // 0000  af 2d 85 80 00 01 00 01 00 00 00 01 05 5f 68 74  .-..........._ht
    // 0010  74 70 03 64 6e 73 04 74 65 73 74 00 01 00 00 01  tp.dns.test.....
    // 0020  c0 0c 01 00 00 01 00 00 2a 30 00 1c 00 0a 00 05  ........*0......
    // 0030  68 74 74 70 3a 2f 2f 77 77 77 2e 64 6e 73 2e 74  http://www.dns.t
    // 0040  65 73 74 3a 38 30 30 30 00 00 29 10 00 00 00 00  est:8000..).....
    // 0050  00 00 00                                         ...
    static let uriResponse: [UInt8] = [
        0xaf, 0x2d, 0x85, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01,
        0x05, 0x5f, 0x68, 0x74, 0x74, 0x70, 0x03, 0x64, 0x6e, 0x73, 0x04, 0x74,
        0x65, 0x73, 0x74, 0x00, 0x01, 0x00, 0x00, 0x01, 0xc0, 0x0c, 0x01, 0x00,
        0x00, 0x01, 0x00, 0x00, 0x2a, 0x30, 0x00, 0x1c, 0x00, 0x0a, 0x00, 0x05,
        0x68, 0x74, 0x74, 0x70, 0x3a, 0x2f, 0x2f, 0x77, 0x77, 0x77, 0x2e, 0x64,
        0x6e, 0x73, 0x2e, 0x74, 0x65, 0x73, 0x74, 0x3a, 0x38, 0x30, 0x30, 0x30,
        0x00, 0x00, 0x29, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    ]

    // dns-uri.pcap frame 4: NXDOMAIN with an SOA in the authority section.
    // 0000  65 65 85 83 00 01 00 00 00 01 00 01 04 5f 66 74  ee..........._ft
    // 0010  70 03 64 6e 73 04 74 65 73 74 00 01 00 00 01 c0  p.dns.test......
    // 0020  15 00 06 00 01 00 00 2a 30 00 2f 09 6c 6f 63 61  .......*0./.loca
    // 0030  6c 68 6f 73 74 00 06 6e 6f 62 6f 64 79 07 69 6e  lhost..nobody.in
    // 0040  76 61 6c 69 64 00 00 00 00 01 00 00 0e 10 00 00  valid...........
    // 0050  04 b0 00 09 3a 80 00 00 2a 30 00 00 29 10 00 00  ....:...*0..)...
    // 0060  00 00 00 00 00                                   .....
    static let nxdomainResponse: [UInt8] = [
        0x65, 0x65, 0x85, 0x83, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01,
        0x04, 0x5f, 0x66, 0x74, 0x70, 0x03, 0x64, 0x6e, 0x73, 0x04, 0x74, 0x65,
        0x73, 0x74, 0x00, 0x01, 0x00, 0x00, 0x01, 0xc0, 0x15, 0x00, 0x06, 0x00,
        0x01, 0x00, 0x00, 0x2a, 0x30, 0x00, 0x2f, 0x09, 0x6c, 0x6f, 0x63, 0x61,
        0x6c, 0x68, 0x6f, 0x73, 0x74, 0x00, 0x06, 0x6e, 0x6f, 0x62, 0x6f, 0x64,
        0x79, 0x07, 0x69, 0x6e, 0x76, 0x61, 0x6c, 0x69, 0x64, 0x00, 0x00, 0x00,
        0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x00, 0x04, 0xb0, 0x00, 0x09,
        0x3a, 0x80, 0x00, 0x00, 0x2a, 0x30, 0x00, 0x00, 0x29, 0x10, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00,
    ]

    // pcapng-multi-interface.pcapng frame 2: www.apple.com, three CNAMEs then an A.
    // 0000  4f e8 81 80 00 01 00 04 00 00 00 01 03 77 77 77  O............www
    // 0010  05 61 70 70 6c 65 03 63 6f 6d 00 00 01 00 01 c0  .apple.com......
    // 0020  0c 00 05 00 01 00 00 01 0f 00 1a 0d 77 77 77 2d  ............www-
    // 0030  61 70 70 6c 65 2d 63 6f 6d 01 76 07 61 61 70 6c  apple-com.v.aapl
    // 0040  69 6d 67 c0 16 c0 2b 00 05 00 01 00 00 01 0f 00  img...+.........
    // 0050  1b 03 77 77 77 05 61 70 70 6c 65 03 63 6f 6d 07  ..www.apple.com.
    // 0060  65 64 67 65 6b 65 79 03 6e 65 74 00 c0 51 00 05  edgekey.net..Q..
    // 0070  00 01 00 00 01 0f 00 19 05 65 36 38 35 38 05 64  .........e6858.d
    // 0080  73 63 65 39 0a 61 6b 61 6d 61 69 65 64 67 65 c0  sce9.akamaiedge.
    // 0090  67 c0 78 00 01 00 01 00 00 00 09 00 04 17 c2 65  g.x............e
    // 00a0  18 00 00 29 04 d0 00 00 00 00 00 00              ...)........
    static let cnameChain: [UInt8] = [
        0x4f, 0xe8, 0x81, 0x80, 0x00, 0x01, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01,
        0x03, 0x77, 0x77, 0x77, 0x05, 0x61, 0x70, 0x70, 0x6c, 0x65, 0x03, 0x63,
        0x6f, 0x6d, 0x00, 0x00, 0x01, 0x00, 0x01, 0xc0, 0x0c, 0x00, 0x05, 0x00,
        0x01, 0x00, 0x00, 0x01, 0x0f, 0x00, 0x1a, 0x0d, 0x77, 0x77, 0x77, 0x2d,
        0x61, 0x70, 0x70, 0x6c, 0x65, 0x2d, 0x63, 0x6f, 0x6d, 0x01, 0x76, 0x07,
        0x61, 0x61, 0x70, 0x6c, 0x69, 0x6d, 0x67, 0xc0, 0x16, 0xc0, 0x2b, 0x00,
        0x05, 0x00, 0x01, 0x00, 0x00, 0x01, 0x0f, 0x00, 0x1b, 0x03, 0x77, 0x77,
        0x77, 0x05, 0x61, 0x70, 0x70, 0x6c, 0x65, 0x03, 0x63, 0x6f, 0x6d, 0x07,
        0x65, 0x64, 0x67, 0x65, 0x6b, 0x65, 0x79, 0x03, 0x6e, 0x65, 0x74, 0x00,
        0xc0, 0x51, 0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x01, 0x0f, 0x00, 0x19,
        0x05, 0x65, 0x36, 0x38, 0x35, 0x38, 0x05, 0x64, 0x73, 0x63, 0x65, 0x39,
        0x0a, 0x61, 0x6b, 0x61, 0x6d, 0x61, 0x69, 0x65, 0x64, 0x67, 0x65, 0xc0,
        0x67, 0xc0, 0x78, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x09, 0x00,
        0x04, 0x17, 0xc2, 0x65, 0x18, 0x00, 0x00, 0x29, 0x04, 0xd0, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00,
    ]

    // long-connection.pcap frame 2: six MX answers and their A records.
    // 0000  f7 6f 81 80 00 01 00 06 00 00 00 06 06 67 6f 6f  .o...........goo
    // 0010  67 6c 65 03 63 6f 6d 00 00 0f 00 01 c0 0c 00 0f  gle.com.........
    // 0020  00 01 00 00 02 28 00 0a 00 28 05 73 6d 74 70 34  .....(...(.smtp4
    // 0030  c0 0c c0 0c 00 0f 00 01 00 00 02 28 00 0a 00 0a  ...........(....
    // 0040  05 73 6d 74 70 35 c0 0c c0 0c 00 0f 00 01 00 00  .smtp5..........
    // 0050  02 28 00 0a 00 0a 05 73 6d 74 70 36 c0 0c c0 0c  .(.....smtp6....
    // 0060  00 0f 00 01 00 00 02 28 00 0a 00 0a 05 73 6d 74  .......(.....smt
    // 0070  70 31 c0 0c c0 0c 00 0f 00 01 00 00 02 28 00 0a  p1...........(..
    // 0080  00 0a 05 73 6d 74 70 32 c0 0c c0 0c 00 0f 00 01  ...smtp2........
    // 0090  00 00 02 28 00 0a 00 28 05 73 6d 74 70 33 c0 0c  ...(...(.smtp3..
    // 00a0  c0 2a 00 01 00 01 00 00 02 58 00 04 d8 ef 25 1a  .*.......X....%.
    // 00b0  c0 40 00 01 00 01 00 00 02 58 00 04 40 e9 a7 19  .@.......X..@...
    // 00c0  c0 56 00 01 00 01 00 00 02 58 00 04 42 66 09 19  .V.......X..Bf..
    // 00d0  c0 6c 00 01 00 01 00 00 02 58 00 04 d8 ef 39 19  .l.......X....9.
    // 00e0  c0 82 00 01 00 01 00 00 02 58 00 04 d8 ef 25 19  .........X....%.
    // 00f0  c0 98 00 01 00 01 00 00 02 58 00 04 d8 ef 39 1a  .........X....9.
    static let mxResponse: [UInt8] = [
        0xf7, 0x6f, 0x81, 0x80, 0x00, 0x01, 0x00, 0x06, 0x00, 0x00, 0x00, 0x06,
        0x06, 0x67, 0x6f, 0x6f, 0x67, 0x6c, 0x65, 0x03, 0x63, 0x6f, 0x6d, 0x00,
        0x00, 0x0f, 0x00, 0x01, 0xc0, 0x0c, 0x00, 0x0f, 0x00, 0x01, 0x00, 0x00,
        0x02, 0x28, 0x00, 0x0a, 0x00, 0x28, 0x05, 0x73, 0x6d, 0x74, 0x70, 0x34,
        0xc0, 0x0c, 0xc0, 0x0c, 0x00, 0x0f, 0x00, 0x01, 0x00, 0x00, 0x02, 0x28,
        0x00, 0x0a, 0x00, 0x0a, 0x05, 0x73, 0x6d, 0x74, 0x70, 0x35, 0xc0, 0x0c,
        0xc0, 0x0c, 0x00, 0x0f, 0x00, 0x01, 0x00, 0x00, 0x02, 0x28, 0x00, 0x0a,
        0x00, 0x0a, 0x05, 0x73, 0x6d, 0x74, 0x70, 0x36, 0xc0, 0x0c, 0xc0, 0x0c,
        0x00, 0x0f, 0x00, 0x01, 0x00, 0x00, 0x02, 0x28, 0x00, 0x0a, 0x00, 0x0a,
        0x05, 0x73, 0x6d, 0x74, 0x70, 0x31, 0xc0, 0x0c, 0xc0, 0x0c, 0x00, 0x0f,
        0x00, 0x01, 0x00, 0x00, 0x02, 0x28, 0x00, 0x0a, 0x00, 0x0a, 0x05, 0x73,
        0x6d, 0x74, 0x70, 0x32, 0xc0, 0x0c, 0xc0, 0x0c, 0x00, 0x0f, 0x00, 0x01,
        0x00, 0x00, 0x02, 0x28, 0x00, 0x0a, 0x00, 0x28, 0x05, 0x73, 0x6d, 0x74,
        0x70, 0x33, 0xc0, 0x0c, 0xc0, 0x2a, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
        0x02, 0x58, 0x00, 0x04, 0xd8, 0xef, 0x25, 0x1a, 0xc0, 0x40, 0x00, 0x01,
        0x00, 0x01, 0x00, 0x00, 0x02, 0x58, 0x00, 0x04, 0x40, 0xe9, 0xa7, 0x19,
        0xc0, 0x56, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x58, 0x00, 0x04,
        0x42, 0x66, 0x09, 0x19, 0xc0, 0x6c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
        0x02, 0x58, 0x00, 0x04, 0xd8, 0xef, 0x39, 0x19, 0xc0, 0x82, 0x00, 0x01,
        0x00, 0x01, 0x00, 0x00, 0x02, 0x58, 0x00, 0x04, 0xd8, 0xef, 0x25, 0x19,
        0xc0, 0x98, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x58, 0x00, 0x04,
        0xd8, 0xef, 0x39, 0x1a,
    ]

    // long-connection.pcap frame 6: PTR for 104.9.192.66.in-addr.arpa.
    // 0000  9b bb 81 80 00 01 00 01 00 00 00 00 03 31 30 34  .............104
    // 0010  01 39 03 31 39 32 02 36 36 07 69 6e 2d 61 64 64  .9.192.66.in-add
    // 0020  72 04 61 72 70 61 00 00 0c 00 01 c0 0c 00 0c 00  r.arpa..........
    // 0030  01 00 01 51 25 00 20 0c 36 36 2d 31 39 32 2d 39  ...Q%. .66-192-9
    // 0040  2d 31 30 34 03 67 65 6e 09 74 77 74 65 6c 65 63  -104.gen.twtelec
    // 0050  6f 6d 03 6e 65 74 00                             om.net.
    static let ptrResponse: [UInt8] = [
        0x9b, 0xbb, 0x81, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
        0x03, 0x31, 0x30, 0x34, 0x01, 0x39, 0x03, 0x31, 0x39, 0x32, 0x02, 0x36,
        0x36, 0x07, 0x69, 0x6e, 0x2d, 0x61, 0x64, 0x64, 0x72, 0x04, 0x61, 0x72,
        0x70, 0x61, 0x00, 0x00, 0x0c, 0x00, 0x01, 0xc0, 0x0c, 0x00, 0x0c, 0x00,
        0x01, 0x00, 0x01, 0x51, 0x25, 0x00, 0x20, 0x0c, 0x36, 0x36, 0x2d, 0x31,
        0x39, 0x32, 0x2d, 0x39, 0x2d, 0x31, 0x30, 0x34, 0x03, 0x67, 0x65, 0x6e,
        0x09, 0x74, 0x77, 0x74, 0x65, 0x6c, 0x65, 0x63, 0x6f, 0x6d, 0x03, 0x6e,
        0x65, 0x74, 0x00,
    ]

    // dns-edns-ecs.pcap frame 55: AAAA query with EDNS client subnet 2001:470:1f0b:16::/56.
    // 0000  e9 c4 00 10 00 01 00 00 00 00 00 01 02 70 61 08  .............pa.
    // 0010  77 65 62 65 72 6c 61 62 02 64 65 00 00 1c 00 01  weberlab.de.....
    // 0020  00 00 29 10 00 00 00 80 00 00 0f 00 08 00 0b 00  ..).............
    // 0030  02 38 00 20 01 04 70 1f 0b 16                    .8. ..p...
    static let ecsQuery: [UInt8] = [
        0xe9, 0xc4, 0x00, 0x10, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
        0x02, 0x70, 0x61, 0x08, 0x77, 0x65, 0x62, 0x65, 0x72, 0x6c, 0x61, 0x62,
        0x02, 0x64, 0x65, 0x00, 0x00, 0x1c, 0x00, 0x01, 0x00, 0x00, 0x29, 0x10,
        0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x0f, 0x00, 0x08, 0x00, 0x0b, 0x00,
        0x02, 0x38, 0x00, 0x20, 0x01, 0x04, 0x70, 0x1f, 0x0b, 0x16,
    ]
}
