import Testing

@testable import WiretaleLab

/// The tour's own DNS server: what it answers, built as RFC 1035 section 4.1 lays a message out.
@Suite struct TourServersTests {
    /// A query for `name`, type `type`, ID 0x1234, recursion desired.
    func query(_ name: String, type: UInt8 = 1) -> [UInt8] {
        var q: [UInt8] = [0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]
        for label in name.split(separator: ".") {
            q.append(UInt8(label.utf8.count))
            q += Array(label.utf8)
        }
        q += [0, 0, type, 0, 1]
        return q
    }

    @Test func anAQueryForTheToursNameIsAnsweredWithLoopback() throws {
        let r = try #require(TourServers.answer(query("notes.example")))
        #expect(Array(r[0..<2]) == [0x12, 0x34])
        #expect(r[2] & 0x80 != 0, "QR: a response")
        #expect(r[3] & 0x0F == 0, "NOERROR")
        #expect(r[7] == 1, "one answer")
        #expect(Array(r.suffix(4)) == [127, 0, 0, 1])
    }

    @Test func anotherTypeForTheNameHasNoAnswerAndAnotherNameIsNXDOMAIN() throws {
        let aaaa = try #require(TourServers.answer(query("Notes.Example", type: 28)))
        #expect(aaaa[3] & 0x0F == 0 && aaaa[7] == 0)
        let other = try #require(TourServers.answer(query("missing.example")))
        #expect(other[3] & 0x0F == 3)
    }

    @Test func everyTruncatedQueryIsIgnoredRatherThanAnswered() {
        let q = query("notes.example")
        for n in 0..<q.count {
            #expect(TourServers.answer(Array(q.prefix(n))) == nil, "prefix of \(n) bytes")
        }
    }
}
