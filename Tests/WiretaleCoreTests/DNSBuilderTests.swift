import Testing
import WiretaleCore

private func parse(_ bytes: [UInt8]) -> Result<DNSMessage, DecodeError> {
    bytes.withUnsafeBytes { raw -> Result<DNSMessage, DecodeError> in
        do throws(DecodeError) {
            return .success(try DNSMessage.parse(raw))
        } catch {
            return .failure(error)
        }
    }
}

@Suite("DNS messages built (RFC 1035 section 4.1) and read back by DNSMessage")
struct DNSBuilderTests {
    /// A response to "A alias.wt.test": CNAME www.wt.test, A 10.203.2.2, an SOA in the authority
    /// section, an OPT record: every section used, names compressed.
    static func response() throws -> [UInt8] {
        var query = DNSMessage()
        query.id = 0x1234
        query.flags = DNSBuilder.recursionDesiredFlag
        query.questions = [DNSQuestion(name: "alias.wt.test", type: .a)]
        var soa: [UInt8] = [0, 0]  // mname and rname: the root
        for v: UInt32 in [1, 2, 3, 4, 60] {
            soa += [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
        }
        let built = try DNSBuilder.message(
            id: 0x1234, flags: 0x8580, questions: query.questions,
            answers: [
                DNSBuilder.Resource(name: "alias.wt.test", type: .cname, ttl: 300, rdata: .name("www.wt.test")),
                .address("www.wt.test", IPAddress("10.203.2.2")!, ttl: 299),
                .address("www.wt.test", IPAddress("2001:db8::2")!, ttl: 299),
            ],
            authorities: [DNSBuilder.Resource(name: "wt.test", type: .soa, ttl: 600, rdata: .bytes(soa))],
            additionals: [.opt(payloadSize: 1232)], compress: true)
        return built
    }

    @Test("a query is the RFC 1035 layout the trace sends: one question, RD, no compression")
    func queryBytes() throws {
        let q = try DNSBuilder.query(id: 0xBEEF, name: "www.wt.test", type: .a)
        #expect(
            q == [
                0xBE, 0xEF, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                3, 0x77, 0x77, 0x77, 2, 0x77, 0x74, 4, 0x74, 0x65, 0x73, 0x74, 0,
                0x00, 0x01, 0x00, 0x01,
            ])
        let e = try DNSBuilder.query(id: 1, name: "a.", type: .aaaa, recursionDesired: false, ednsPayload: 1232)
        #expect(Array(e.prefix(4)) == [0, 1, 0, 0])
        #expect(e[11] == 1)  // ARCOUNT
        #expect(Array(e.suffix(11)) == [0, 0x00, 0x29, 0x04, 0xD0, 0, 0, 0, 0, 0, 0])
        let m = try parse(e).get()
        #expect(m.questions == [DNSQuestion(name: "a", type: .aaaa)])
        #expect(m.opt?.rrclass == 1232 && !m.recursionDesired)
    }

    @Test("a response built and parsed gives back every section, the names compressed")
    func roundTrip() throws {
        let bytes = try Self.response()
        let m = try parse(bytes).get()
        #expect(m.id == 0x1234 && m.isResponse && m.authoritative && m.recursionAvailable)
        #expect(m.length == bytes.count)
        #expect(m.questions.map(\.name) == ["alias.wt.test"])
        #expect(m.answers.map(\.name) == ["alias.wt.test", "www.wt.test", "www.wt.test"])
        #expect(m.answers.map(\.data) == ["www.wt.test", "10.203.2.2", "2001:db8::2"])
        #expect(m.answers.map(\.ttl) == [300, 299, 299])
        #expect(m.authorities.first?.name == "wt.test")
        #expect(m.negativeTTL == 60)
        #expect(m.opt?.rrclass == 1232)
        // The CNAME's owner is a pointer to the question (offset 12), its target "www" then a
        // pointer to "wt.test" (offset 18); "www.wt.test" later is one pointer.
        let answer = 12 + 15 + 4
        #expect(Array(bytes[answer..<(answer + 2)]) == [0xC0, 0x0C])
        #expect(Array(bytes[(answer + 12)..<(answer + 18)]) == [3, 0x77, 0x77, 0x77, 0xC0, 0x12])
        #expect(Array(bytes[(answer + 18)..<(answer + 20)]) == [0xC0, 0x2B])
    }

    @Test("without compression every name is written out, and reads the same")
    func uncompressed() throws {
        let m = try parse(try Self.response()).get()
        let plain = try DNSBuilder.message(
            id: m.id, flags: m.flags, questions: m.questions,
            answers: [DNSBuilder.Resource(name: "alias.wt.test", type: .cname, ttl: 300, rdata: .name("www.wt.test"))],
            compress: false)
        #expect(!plain.contains(0xC0))
        #expect(try parse(plain).get().answers.first?.data == "www.wt.test")
    }

    @Test("names with escaped dots, backslashes, odd bytes and UTF-8 come back as they were printed")
    func escapes() throws {
        for name in [#"a\.b.c\\d.com"#, #"a\000b.\009\127 .com"#, "Jane’s iPhone.local", "MiXeD.Case.TEST"] {
            let q = try DNSBuilder.query(id: 7, name: name, type: .txt)
            #expect(try parse(q).get().questions.first?.name == name, "\(name)")
        }
        #expect(try parse(try DNSBuilder.query(id: 7, name: ".", type: .ns)).get().questions.first?.name == "<Root>")
        #expect(
            try parse(try DNSBuilder.query(id: 7, name: "<Root>", type: .ns)).get().questions.first?.name == "<Root>")
    }

    @Test("names DNS cannot carry are refused, saying why")
    func limits() {
        #expect(throws: DNSBuilder.BuildError.labelTooLong(String(repeating: "a", count: 64))) {
            try DNSBuilder.query(id: 1, name: String(repeating: "a", count: 64) + ".test", type: .a)
        }
        #expect(throws: DNSBuilder.BuildError.emptyLabel) { try DNSBuilder.query(id: 1, name: "a..b", type: .a) }
        #expect(throws: DNSBuilder.BuildError.emptyLabel) { try DNSBuilder.query(id: 1, name: ".a", type: .a) }
        let long = Array(repeating: String(repeating: "a", count: 60), count: 5).joined(separator: ".")
        #expect(throws: DNSBuilder.BuildError.nameTooLong) { try DNSBuilder.query(id: 1, name: long, type: .a) }
        let fits = Array(repeating: String(repeating: "a", count: 62), count: 4).joined(separator: ".")
        #expect(fits.utf8.count == 251)  // 4 * (1 + 62) + 1 = 253 bytes on the wire
        #expect((try? DNSBuilder.query(id: 1, name: fits, type: .a)) != nil)
        for bad in [#"a\"#, #"a\25"#, #"a\256"#, #"a\2x5"#] {
            #expect(throws: DNSBuilder.BuildError.badEscape(bad), "\(bad)") {
                try DNSBuilder.query(id: 1, name: bad, type: .a)
            }
        }
    }

    @Test("every prefix of a built message is reported truncated, never read as a message")
    func everyPrefix() throws {
        let whole = try Self.response()
        for n in 0..<whole.count {
            switch parse(Array(whole.prefix(n))) {
            case .success: Issue.record("a prefix of \(n) of \(whole.count) bytes parsed")
            case .failure(let e): #expect(e.truncated, "prefix \(n): \(e)")
            }
        }
        #expect((try? parse(whole).get()) != nil)
    }

    @Test("the tour's answer: id, RD and the question copied, QR and RA set, the answer a pointer")
    func responseTo() throws {
        let q = try DNSBuilder.query(id: 0x4242, name: "Notes.Example", type: .a)
        let query = try parse(q).get()
        let r = try DNSBuilder.response(
            to: query, rcode: .noError, answers: [.address("Notes.Example", IPAddress("127.0.0.1")!, ttl: 60)])
        #expect(
            r == [0x42, 0x42, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0] + Array(q[12...])
                + [0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1])
        let nx = try DNSBuilder.response(to: query, rcode: .nxDomain)
        let m = try parse(nx).get()
        #expect(m.rcode == .nxDomain && m.answers.isEmpty && m.questions == query.questions)
        #expect(nx[2] == 0x81 && nx[3] == 0x83)
    }
}
