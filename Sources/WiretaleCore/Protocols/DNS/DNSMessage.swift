// DNS messages (RFC 1035 section 4), as carried by DNS, mDNS (RFC 6762) and LLMNR (RFC 4795),
// which share the wire format. Decoding is bounded: compression pointers must point strictly
// backwards, names stop at 255 bytes, and header counts never size an allocation beyond what
// the bytes can hold. Truncated (ran out of bytes) is distinguished from malformed.
//
// DNS over TCP is the caller's concern: it strips the 2-byte length prefix (RFC 1035 4.2.2).

// MARK: - Codes

/// A resource record TYPE (RFC 1035 section 3.2.2 and the IANA "Resource Record (RR) TYPEs"
/// registry). Unknown values survive and print as `TYPE65534` (RFC 3597 section 5).
public struct DNSRecordType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let a = DNSRecordType(rawValue: 1)
    public static let ns = DNSRecordType(rawValue: 2)
    public static let cname = DNSRecordType(rawValue: 5)
    public static let soa = DNSRecordType(rawValue: 6)
    public static let null = DNSRecordType(rawValue: 10)
    public static let ptr = DNSRecordType(rawValue: 12)
    public static let hinfo = DNSRecordType(rawValue: 13)
    public static let mx = DNSRecordType(rawValue: 15)
    public static let txt = DNSRecordType(rawValue: 16)
    public static let aaaa = DNSRecordType(rawValue: 28)
    public static let loc = DNSRecordType(rawValue: 29)
    public static let srv = DNSRecordType(rawValue: 33)
    public static let naptr = DNSRecordType(rawValue: 35)
    public static let dname = DNSRecordType(rawValue: 39)
    public static let opt = DNSRecordType(rawValue: 41)
    public static let ds = DNSRecordType(rawValue: 43)
    public static let sshfp = DNSRecordType(rawValue: 44)
    public static let rrsig = DNSRecordType(rawValue: 46)
    public static let nsec = DNSRecordType(rawValue: 47)
    public static let dnskey = DNSRecordType(rawValue: 48)
    public static let nsec3 = DNSRecordType(rawValue: 50)
    public static let nsec3param = DNSRecordType(rawValue: 51)
    public static let tlsa = DNSRecordType(rawValue: 52)
    public static let svcb = DNSRecordType(rawValue: 64)
    public static let https = DNSRecordType(rawValue: 65)
    public static let spf = DNSRecordType(rawValue: 99)
    public static let tsig = DNSRecordType(rawValue: 250)
    public static let ixfr = DNSRecordType(rawValue: 251)
    public static let axfr = DNSRecordType(rawValue: 252)
    public static let any = DNSRecordType(rawValue: 255)
    public static let uri = DNSRecordType(rawValue: 256)
    public static let caa = DNSRecordType(rawValue: 257)

    /// The registry mnemonic (`A`, `AAAA`, `HTTPS`), `ANY` for 255 as tshark prints it, or `TYPE<n>`.
    public var name: String {
        switch rawValue {
        case 1: "A"
        case 2: "NS"
        case 3: "MD"
        case 4: "MF"
        case 5: "CNAME"
        case 6: "SOA"
        case 7: "MB"
        case 8: "MG"
        case 9: "MR"
        case 10: "NULL"
        case 11: "WKS"
        case 12: "PTR"
        case 13: "HINFO"
        case 14: "MINFO"
        case 15: "MX"
        case 16: "TXT"
        case 17: "RP"
        case 18: "AFSDB"
        case 19: "X25"
        case 20: "ISDN"
        case 21: "RT"
        case 22: "NSAP"
        case 23: "NSAP-PTR"
        case 24: "SIG"
        case 25: "KEY"
        case 26: "PX"
        case 27: "GPOS"
        case 28: "AAAA"
        case 29: "LOC"
        case 30: "NXT"
        case 31: "EID"
        case 32: "NIMLOC"
        case 33: "SRV"
        case 34: "ATMA"
        case 35: "NAPTR"
        case 36: "KX"
        case 37: "CERT"
        case 38: "A6"
        case 39: "DNAME"
        case 40: "SINK"
        case 41: "OPT"
        case 42: "APL"
        case 43: "DS"
        case 44: "SSHFP"
        case 45: "IPSECKEY"
        case 46: "RRSIG"
        case 47: "NSEC"
        case 48: "DNSKEY"
        case 49: "DHCID"
        case 50: "NSEC3"
        case 51: "NSEC3PARAM"
        case 52: "TLSA"
        case 53: "SMIMEA"
        case 55: "HIP"
        case 56: "NINFO"
        case 57: "RKEY"
        case 58: "TALINK"
        case 59: "CDS"
        case 60: "CDNSKEY"
        case 61: "OPENPGPKEY"
        case 62: "CSYNC"
        case 63: "ZONEMD"
        case 64: "SVCB"
        case 65: "HTTPS"
        case 66: "DSYNC"
        case 99: "SPF"
        case 100: "UINFO"
        case 101: "UID"
        case 102: "GID"
        case 103: "UNSPEC"
        case 104: "NID"
        case 105: "L32"
        case 106: "L64"
        case 107: "LP"
        case 108: "EUI48"
        case 109: "EUI64"
        case 249: "TKEY"
        case 250: "TSIG"
        case 251: "IXFR"
        case 252: "AXFR"
        case 253: "MAILB"
        case 254: "MAILA"
        case 255: "ANY"
        case 256: "URI"
        case 257: "CAA"
        case 258: "AVC"
        case 259: "DOA"
        case 260: "AMTRELAY"
        case 261: "RESINFO"
        case 262: "WALLET"
        case 32768: "TA"
        case 32769: "DLV"
        default: "TYPE\(rawValue)"
        }
    }

    public var description: String { name }
}

/// A response code (RFC 1035 section 4.1.1, RFC 2136, RFC 6891 and the IANA "DNS RCODEs"
/// registry). The header holds 4 bits; with an OPT record the code has 12 (`extendedRCode`).
/// Unknown values print as `RCODE<n>`.
public struct DNSRCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let noError = DNSRCode(rawValue: 0)
    public static let formErr = DNSRCode(rawValue: 1)
    public static let servFail = DNSRCode(rawValue: 2)
    public static let nxDomain = DNSRCode(rawValue: 3)
    public static let notImp = DNSRCode(rawValue: 4)
    public static let refused = DNSRCode(rawValue: 5)

    public var name: String {
        switch rawValue {
        case 0: "NOERROR"
        case 1: "FORMERR"
        case 2: "SERVFAIL"
        case 3: "NXDOMAIN"
        case 4: "NOTIMP"
        case 5: "REFUSED"
        case 6: "YXDOMAIN"
        case 7: "YXRRSET"
        case 8: "NXRRSET"
        case 9: "NOTAUTH"
        case 10: "NOTZONE"
        case 11: "DSOTYPENI"
        case 16: "BADVERS"
        case 17: "BADKEY"
        case 18: "BADTIME"
        case 19: "BADMODE"
        case 20: "BADNAME"
        case 21: "BADALG"
        case 22: "BADTRUNC"
        case 23: "BADCOOKIE"
        default: "RCODE\(rawValue)"
        }
    }

    public var description: String { name }
}

/// CLASS mnemonics (RFC 1035 section 3.2.4, RFC 2136): `IN`, `CH`, `HS`, `NONE`, `ANY`, else `CLASS<n>`.
public enum DNSClass {
    public static func name(_ rawValue: UInt16) -> String {
        switch rawValue {
        case 1: "IN"
        case 2: "CS"
        case 3: "CH"
        case 4: "HS"
        case 254: "NONE"
        case 255: "ANY"
        default: "CLASS\(rawValue)"
        }
    }
}

// MARK: - Parsed values

/// One entry of the question section (RFC 1035 section 4.1.2).
public struct DNSQuestion: Sendable, Hashable {
    /// The name as tshark prints it: no trailing dot, `<Root>` for the root (see `DNSMessage`).
    public var name: String
    public var type: DNSRecordType
    /// QCLASS without its top bit (normally 1, IN).
    public var qclass: UInt16
    /// The top bit of QCLASS: in mDNS the "QU" unicast-response request (RFC 6762 section 5.4).
    public var unicastResponse: Bool

    public init(name: String, type: DNSRecordType, qclass: UInt16 = 1, unicastResponse: Bool = false) {
        self.name = name
        self.type = type
        self.qclass = qclass
        self.unicastResponse = unicastResponse
    }

    public var className: String { DNSClass.name(qclass) }
}

/// One resource record (RFC 1035 section 4.1.3), with its RDATA in presentation form.
public struct DNSRecord: Sendable, Hashable {
    public var name: String
    public var type: DNSRecordType
    /// CLASS without its top bit; for OPT (RFC 6891 section 6.1.2) the whole field, which is
    /// the requester's UDP payload size.
    public var rrclass: UInt16
    /// The top bit of CLASS outside OPT: in mDNS the cache-flush bit (RFC 6762 section 10.2).
    public var cacheFlush: Bool
    /// For OPT the raw field: extended RCODE (8 bits), version (8), flags (16) (RFC 6891 6.1.3).
    public var ttl: UInt32
    /// RDLENGTH, as the record states it.
    public var rdataLength: UInt16
    /// Presentation form: `93.184.216.34`, `10 mail.example.com`, `"v=spf1 -all"`, `\# 3 0A0B0C`.
    public var data: String
    /// The address of an A or AAAA record.
    public var address: IPAddress?
    /// The name an NS, CNAME, PTR, DNAME, MX (and KX, RT, AFSDB) or SRV record points at.
    public var target: String?

    public init(
        name: String, type: DNSRecordType, rrclass: UInt16 = 1, cacheFlush: Bool = false, ttl: UInt32 = 0,
        rdataLength: UInt16 = 0, data: String = "", address: IPAddress? = nil, target: String? = nil
    ) {
        self.name = name
        self.type = type
        self.rrclass = rrclass
        self.cacheFlush = cacheFlush
        self.ttl = ttl
        self.rdataLength = rdataLength
        self.data = data
        self.address = address
        self.target = target
    }

    /// The class mnemonic; for OPT `UDP<size>`, since there the field is the UDP payload size.
    public var className: String { type == .opt ? "UDP\(rrclass)" : DNSClass.name(rrclass) }
}

/// A DNS message (RFC 1035 section 4.1): the header's fields, its four counts as stated, and
/// the sections as far as they were decoded.
///
/// Names print like tshark: labels joined by dots with no trailing dot, `<Root>` for the root,
/// case kept, valid UTF-8 kept (mDNS names are UTF-8, RFC 6762 section 16). Unlike tshark, a dot
/// or backslash inside a label is escaped (`\.`, `\\`) so that `a.b` as one label differs from two,
/// and other bytes that are not printable are written `\DDD` in decimal (RFC 1035 section 5.1),
/// e.g. `\000`, `\127`.
public struct DNSMessage: Sendable, Hashable {
    public var id: UInt16 = 0
    /// The 16 flag bits (RFC 1035 4.1.1, RFC 4035 3.2 for AD and CD).
    public var flags: UInt16 = 0
    public var questionCount: UInt16 = 0
    public var answerCount: UInt16 = 0
    public var authorityCount: UInt16 = 0
    public var additionalCount: UInt16 = 0
    public var questions: [DNSQuestion] = []
    public var answers: [DNSRecord] = []
    public var authorities: [DNSRecord] = []
    public var additionals: [DNSRecord] = []
    /// Bytes the message occupied (header through the last record decoded); bytes after it are ignored.
    public var length = 0

    public init() {}

    /// QR: a response rather than a query.
    public var isResponse: Bool { flags & 0x8000 != 0 }
    /// OPCODE: 0 QUERY, 1 IQUERY, 2 STATUS, 4 NOTIFY, 5 UPDATE, 6 DSO.
    public var opcode: UInt8 { UInt8(truncatingIfNeeded: flags >> 11) & 0xF }
    /// AA. In LLMNR (RFC 4795 section 2.1.1) this bit is C, "conflict".
    public var authoritative: Bool { flags & 0x0400 != 0 }
    /// TC: the message was truncated by its sender (not by the capture).
    public var truncated: Bool { flags & 0x0200 != 0 }
    /// RD. In LLMNR this bit is T, "tentative".
    public var recursionDesired: Bool { flags & 0x0100 != 0 }
    public var recursionAvailable: Bool { flags & 0x0080 != 0 }
    /// AD (RFC 4035 section 3.2.3).
    public var authenticData: Bool { flags & 0x0020 != 0 }
    /// CD (RFC 4035 section 3.2.2).
    public var checkingDisabled: Bool { flags & 0x0010 != 0 }
    /// The header's 4-bit RCODE (tshark's `dns.flags.rcode`).
    public var rcode: DNSRCode { DNSRCode(rawValue: flags & 0xF) }

    public var opcodeName: String {
        switch opcode {
        case 0: "QUERY"
        case 1: "IQUERY"
        case 2: "STATUS"
        case 4: "NOTIFY"
        case 5: "UPDATE"
        case 6: "DSO"
        default: "OPCODE\(opcode)"
        }
    }

    /// The OPT pseudo-record of the additional section (RFC 6891 section 6.1.1), if any.
    public var opt: DNSRecord? { additionals.first { $0.type == .opt } }

    /// The 12-bit RCODE: the OPT record's upper 8 bits over the header's 4 (RFC 6891 section 6.1.3).
    public var extendedRCode: DNSRCode {
        guard let opt else { return rcode }
        return DNSRCode(rawValue: UInt16(opt.ttl >> 24) << 4 | (flags & 0xF))
    }

    /// How long a resolver may cache a negative answer (NXDOMAIN or NODATA): the smaller of an
    /// authority-section SOA's TTL and its MINIMUM field (RFC 2308 section 5); nil without an SOA.
    public var negativeTTL: UInt32? {
        var ttl: UInt32?
        for soa in authorities where soa.type == .soa {
            // Presentation form: mname rname serial refresh retry expire minimum.
            if let minimum = soa.data.split(separator: " ").last.flatMap({ UInt32($0) }) {
                ttl = min(soa.ttl, minimum)
            }
        }
        return ttl
    }

    /// Parses a DNS message. `base` is the message's byte offset within the frame, used only so
    /// that errors name frame offsets. Throws on the first problem: `truncated` when the bytes ran
    /// out (a short capture, or header counts the bytes cannot hold), malformed otherwise.
    public static func parse(_ bytes: UnsafeRawBufferPointer, base: Int = 0) throws(DecodeError) -> DNSMessage {
        var m = DNSMessage()
        try decode(bytes, base: base, into: &m)
        return m
    }

    /// Like `parse`, but keeps what was decoded before a problem (gopacket's habit: a failed
    /// layer keeps what it got) and returns the problem beside it, or nil when there was none.
    public static func parsePartial(_ bytes: UnsafeRawBufferPointer, base: Int = 0) -> (DNSMessage, DecodeError?) {
        var m = DNSMessage()
        do {
            try decode(bytes, base: base, into: &m)
            return (m, nil)
        } catch {
            return (m, error)
        }
    }

    private static func decode(
        _ b: UnsafeRawBufferPointer, base: Int, into m: inout DNSMessage
    ) throws(DecodeError) {
        guard b.count >= DNSWire.headerLength else { throw DecodeError.truncated(.dns, at: base, "header truncated") }
        m.id = b.u16be(DNSWire.id)
        m.flags = b.u16be(DNSWire.flags)
        m.questionCount = b.u16be(DNSWire.questionCount)
        m.answerCount = b.u16be(DNSWire.answerCount)
        m.authorityCount = b.u16be(DNSWire.authorityCount)
        m.additionalCount = b.u16be(DNSWire.additionalCount)

        let reader = DNSWire.Reader(bytes: b, base: base)
        var pos = DNSWire.headerLength
        m.length = pos
        var scratch: [UInt8] = []
        scratch.reserveCapacity(DNSWire.maxNameLength * 4)

        // Counts size nothing beyond what the remaining bytes could hold.
        let qd = Int(m.questionCount)
        m.questions.reserveCapacity(min(qd, (b.count - pos) / DNSWire.minQuestionLength))
        for _ in 0..<qd {
            m.questions.append(try reader.question(at: &pos, scratch: &scratch))
            m.length = pos
        }
        for section in 0..<3 {
            let n: Int
            switch section {
            case 0: n = Int(m.answerCount)
            case 1: n = Int(m.authorityCount)
            default: n = Int(m.additionalCount)
            }
            if n == 0 { continue }
            let room = min(n, (b.count - pos) / DNSWire.minRecordLength)
            for _ in 0..<n {
                let record = try reader.record(at: &pos, scratch: &scratch)
                switch section {
                case 0:
                    if m.answers.isEmpty { m.answers.reserveCapacity(room) }
                    m.answers.append(record)
                case 1:
                    if m.authorities.isEmpty { m.authorities.reserveCapacity(room) }
                    m.authorities.append(record)
                default:
                    if m.additionals.isEmpty { m.additionals.reserveCapacity(room) }
                    m.additionals.append(record)
                }
                m.length = pos
            }
        }
    }
}

// MARK: - Wire format

/// Field offsets and limits of the DNS wire format, named in one place.
enum DNSWire {
    static let id = 0
    static let flags = 2
    static let questionCount = 4
    static let answerCount = 6
    static let authorityCount = 8
    static let additionalCount = 10
    static let headerLength = 12
    /// Root name (1) + QTYPE + QCLASS.
    static let minQuestionLength = 5
    /// Root name (1) + TYPE + CLASS + TTL + RDLENGTH.
    static let minRecordLength = 11
    /// RFC 1035 section 2.3.4, counting length octets and the terminating zero.
    static let maxNameLength = 255
    /// A name has at most 127 labels, so a well-formed one needs no more pointers than that.
    static let maxPointers = 127

    /// A checked view over one message: every read is bounds-checked against `bytes.count` or a
    /// tighter `limit` (an RDATA's end) before it happens.
    struct Reader {
        let bytes: UnsafeRawBufferPointer
        let base: Int

        func malformed(_ at: Int, _ reason: StaticString) -> DecodeError {
            DecodeError(.dns, at: base + at, reason)
        }

        func truncated(_ at: Int, _ reason: StaticString) -> DecodeError {
            DecodeError(.dns, at: base + at, reason, truncated: true)
        }

        // MARK: Names

        /// Appends the presentation form of the name at `start` to `out` and returns the offset
        /// just past its in-place bytes (the terminating zero or the first pointer). The in-place
        /// bytes must end by `limit`; labels reached through pointers only by the message's end.
        func appendName(at start: Int, limit: Int, to out: inout [UInt8]) throws(DecodeError) -> Int {
            let outStart = out.count
            var pos = start
            var bound = limit
            var end = -1
            var lowest = start
            var pointers = 0
            var wireLength = 1  // the terminating zero
            while true {
                guard pos < bound else { throw outOfBytes(pos, bound) }
                let len = Int(bytes.u8(pos))
                switch len & 0xC0 {
                case 0x00:
                    if len == 0 {
                        if out.count == outStart { out.append(contentsOf: "<Root>".utf8) }
                        return end >= 0 ? end : pos + 1
                    }
                    wireLength += 1 + len
                    guard wireLength <= DNSWire.maxNameLength else {
                        throw malformed(pos, "name longer than 255 bytes")
                    }
                    guard pos + 1 + len <= bound else { throw outOfBytes(pos, bound) }
                    if out.count != outStart { out.append(UInt8(ascii: ".")) }
                    DNSText.appendEscaped(bytes, from: pos + 1, count: len, quoting: UInt8(ascii: "."), to: &out)
                    pos += 1 + len
                case 0xC0:
                    guard pos + 2 <= bound else { throw outOfBytes(pos, bound) }
                    let target = (len & 0x3F) << 8 | Int(bytes.u8(pos + 1))
                    if target > pos { throw malformed(pos, "name pointer points forward") }
                    if target >= lowest { throw malformed(pos, "name pointer loop") }
                    pointers += 1
                    guard pointers <= DNSWire.maxPointers else { throw malformed(pos, "too many name pointers") }
                    if end < 0 { end = pos + 2 }
                    lowest = target
                    pos = target
                    bound = bytes.count
                default:
                    throw malformed(pos, "reserved label type (0x40 or 0x80)")
                }
            }
        }

        private func outOfBytes(_ pos: Int, _ bound: Int) -> DecodeError {
            bound == bytes.count ? truncated(pos, "name truncated") : malformed(pos, "name overruns its RDATA")
        }

        /// The name at `pos` as one String; moves `pos` past it.
        func readName(at pos: inout Int, limit: Int, scratch: inout [UInt8]) throws(DecodeError) -> String {
            scratch.removeAll(keepingCapacity: true)
            pos = try appendName(at: pos, limit: limit, to: &scratch)
            return String(decoding: scratch, as: UTF8.self)
        }

        // MARK: Sections

        func question(at pos: inout Int, scratch: inout [UInt8]) throws(DecodeError) -> DNSQuestion {
            if pos == bytes.count { throw truncated(pos, "message ends before all counted entries") }
            let name = try readName(at: &pos, limit: bytes.count, scratch: &scratch)
            guard pos + 4 <= bytes.count else { throw truncated(pos, "question truncated") }
            let type = DNSRecordType(rawValue: bytes.u16be(pos))
            let qclass = bytes.u16be(pos + 2)
            pos += 4
            return DNSQuestion(name: name, type: type, qclass: qclass & 0x7FFF, unicastResponse: qclass & 0x8000 != 0)
        }

        func record(at pos: inout Int, scratch: inout [UInt8]) throws(DecodeError) -> DNSRecord {
            if pos == bytes.count { throw truncated(pos, "message ends before all counted entries") }
            let name = try readName(at: &pos, limit: bytes.count, scratch: &scratch)
            guard pos + 10 <= bytes.count else { throw truncated(pos, "record header truncated") }
            let type = DNSRecordType(rawValue: bytes.u16be(pos))
            let rawClass = bytes.u16be(pos + 2)
            let ttl = bytes.u32be(pos + 4)
            let rdlength = bytes.u16be(pos + 8)
            let start = pos + 10
            let end = start + Int(rdlength)
            guard end <= bytes.count else { throw truncated(start, "RDATA truncated") }
            var record = DNSRecord(
                name: name, type: type, rrclass: type == .opt ? rawClass : rawClass & 0x7FFF,
                cacheFlush: type != .opt && rawClass & 0x8000 != 0, ttl: ttl, rdataLength: rdlength)
            try rdata(of: &record, from: start, to: end, scratch: &scratch)
            pos = end
            return record
        }

        // MARK: RDATA

        /// Fills `data` (and `address` / `target`) from the RDATA in `start..<end`, all present.
        /// Bytes left over after the fields a type defines are ignored.
        func rdata(of r: inout DNSRecord, from start: Int, to end: Int, scratch: inout [UInt8]) throws(DecodeError) {
            let len = end - start
            var out: [UInt8] = []
            switch r.type.rawValue {
            case 1:  // A
                guard len == 4 else { throw malformed(start, "A record RDATA is not 4 bytes") }
                let a = IPAddress.v4(bytes, start)
                r.address = a
                r.data = a.description
                return
            case 28:  // AAAA
                guard len == 16 else { throw malformed(start, "AAAA record RDATA is not 16 bytes") }
                let a = IPAddress.v6(bytes, start)
                r.address = a
                r.data = a.description
                return
            case 2, 3, 4, 5, 7, 8, 9, 12, 39:  // NS MD MF CNAME MB MG MR PTR DNAME
                var p = start
                let target = try readName(at: &p, limit: end, scratch: &scratch)
                r.target = target
                r.data = target
                return
            case 15, 18, 21, 36:  // MX AFSDB RT KX: preference, name (RFC 1035 3.3.9)
                try need(4, len, start)
                var p = start + 2
                let target = try readName(at: &p, limit: end, scratch: &scratch)
                r.target = target
                DNSText.appendNumber(bytes.u16be(start), to: &out)
                out.append(UInt8(ascii: " "))
                out.append(contentsOf: target.utf8)
            case 33:  // SRV (RFC 2782): priority weight port target
                try need(7, len, start)
                var p = start + 6
                let target = try readName(at: &p, limit: end, scratch: &scratch)
                r.target = target
                DNSText.appendNumbers(bytes, start, [2, 2, 2], to: &out)
                out.append(UInt8(ascii: " "))
                out.append(contentsOf: target.utf8)
            case 6:  // SOA (RFC 1035 3.3.13)
                var p = try appendName(at: start, limit: end, to: &out)
                out.append(UInt8(ascii: " "))
                p = try appendName(at: p, limit: end, to: &out)
                guard p + 20 <= end else { throw malformed(p, "SOA RDATA too short") }
                out.append(UInt8(ascii: " "))
                DNSText.appendNumbers(bytes, p, [4, 4, 4, 4, 4], to: &out)
            case 14, 17:  // MINFO RP: two names
                let p = try appendName(at: start, limit: end, to: &out)
                out.append(UInt8(ascii: " "))
                _ = try appendName(at: p, limit: end, to: &out)
            case 13:  // HINFO: cpu os
                let p = try appendCharacterString(at: start, end: end, to: &out)
                out.append(UInt8(ascii: " "))
                _ = try appendCharacterString(at: p, end: end, to: &out)
            case 16, 99:  // TXT SPF: one or more character-strings
                var p = start
                while p < end {
                    if p != start { out.append(UInt8(ascii: " ")) }
                    p = try appendCharacterString(at: p, end: end, to: &out)
                }
            case 35:  // NAPTR (RFC 3403 4.1): order preference flags services regexp replacement
                try need(7, len, start)
                DNSText.appendNumbers(bytes, start, [2, 2], to: &out)
                var p = start + 4
                for _ in 0..<3 {
                    out.append(UInt8(ascii: " "))
                    p = try appendCharacterString(at: p, end: end, to: &out)
                }
                out.append(UInt8(ascii: " "))
                _ = try appendName(at: p, limit: end, to: &out)
            case 41:  // OPT (RFC 6891)
                try appendOPT(r, from: start, to: end, to: &out)
            case 43, 59, 32769:  // DS CDS DLV (RFC 4034 5.3): key tag, algorithm, digest type, digest
                try need(4, len, start)
                DNSText.appendNumbers(bytes, start, [2, 1, 1], to: &out)
                out.append(UInt8(ascii: " "))
                DNSText.appendHex(bytes, from: start + 4, to: end, to: &out)
            case 25, 48, 60:  // KEY DNSKEY CDNSKEY (RFC 4034 2.2): flags protocol algorithm key
                try need(4, len, start)
                DNSText.appendNumbers(bytes, start, [2, 1, 1], to: &out)
                out.append(UInt8(ascii: " "))
                DNSText.appendBase64(bytes, from: start + 4, to: end, to: &out)
            case 24, 46:  // SIG RRSIG (RFC 4034 3.2)
                try need(19, len, start)
                out.append(contentsOf: DNSRecordType(rawValue: bytes.u16be(start)).name.utf8)
                out.append(UInt8(ascii: " "))
                DNSText.appendNumbers(bytes, start + 2, [1, 1, 4], to: &out)
                out.append(UInt8(ascii: " "))
                DNSText.appendTime(bytes.u32be(start + 8), to: &out)
                out.append(UInt8(ascii: " "))
                DNSText.appendTime(bytes.u32be(start + 12), to: &out)
                out.append(UInt8(ascii: " "))
                DNSText.appendNumber(bytes.u16be(start + 16), to: &out)
                out.append(UInt8(ascii: " "))
                let p = try appendName(at: start + 18, limit: end, to: &out)
                out.append(UInt8(ascii: " "))
                DNSText.appendBase64(bytes, from: p, to: end, to: &out)
            case 47:  // NSEC (RFC 4034 4.2): next name, type bitmap
                let p = try appendName(at: start, limit: end, to: &out)
                try appendTypeBitmap(from: p, to: end, to: &out)
            case 50, 51:  // NSEC3 NSEC3PARAM (RFC 5155 3.3, 4.3)
                try need(5, len, start)
                DNSText.appendNumbers(bytes, start, [1, 1, 2], to: &out)
                out.append(UInt8(ascii: " "))
                let saltLength = Int(bytes.u8(start + 4))
                var p = start + 5
                guard p + saltLength <= end else { throw malformed(p, "NSEC3 salt overruns RDATA") }
                if saltLength == 0 {
                    out.append(UInt8(ascii: "-"))
                } else {
                    DNSText.appendHex(bytes, from: p, to: p + saltLength, to: &out)
                }
                p += saltLength
                if r.type.rawValue == 50 {
                    guard p < end, p + 1 + Int(bytes.u8(p)) <= end else {
                        throw malformed(p, "NSEC3 hash overruns RDATA")
                    }
                    let hashLength = Int(bytes.u8(p))
                    out.append(UInt8(ascii: " "))
                    DNSText.appendBase32Hex(bytes, from: p + 1, to: p + 1 + hashLength, to: &out)
                    try appendTypeBitmap(from: p + 1 + hashLength, to: end, to: &out)
                }
            case 44, 52, 53:  // SSHFP (RFC 4255), TLSA (RFC 6698), SMIMEA: small numbers then hex
                let fixed = r.type.rawValue == 44 ? 2 : 3
                try need(fixed, len, start)
                DNSText.appendNumbers(bytes, start, Array(repeating: 1, count: fixed), to: &out)
                out.append(UInt8(ascii: " "))
                DNSText.appendHex(bytes, from: start + fixed, to: end, to: &out)
            case 64, 65:  // SVCB HTTPS (RFC 9460 2.2)
                try appendSVCB(from: start, to: end, to: &out)
            case 256:  // URI (RFC 7553 4.5): priority weight "target"
                try need(4, len, start)
                DNSText.appendNumbers(bytes, start, [2, 2], to: &out)
                out.append(UInt8(ascii: " "))
                DNSText.appendQuoted(bytes, from: start + 4, count: len - 4, to: &out)
            case 257:  // CAA (RFC 8659 4.1.1): flags tag "value"
                try need(2, len, start)
                let tagLength = Int(bytes.u8(start + 1))
                guard start + 2 + tagLength <= end else { throw malformed(start + 1, "CAA tag overruns RDATA") }
                DNSText.appendNumber(bytes.u8(start), to: &out)
                out.append(UInt8(ascii: " "))
                DNSText.appendEscaped(bytes, from: start + 2, count: tagLength, quoting: UInt8(ascii: " "), to: &out)
                out.append(UInt8(ascii: " "))
                let v = start + 2 + tagLength
                DNSText.appendQuoted(bytes, from: v, count: end - v, to: &out)
            default:
                DNSText.appendGeneric(bytes, from: start, to: end, to: &out)
            }
            r.data = String(decoding: out, as: UTF8.self)
        }

        private func need(_ n: Int, _ len: Int, _ start: Int) throws(DecodeError) {
            guard len >= n else { throw malformed(start, "RDATA shorter than its type's fixed fields") }
        }

        /// A <character-string> (RFC 1035 3.3): a length byte and that many bytes, printed quoted.
        private func appendCharacterString(at p: Int, end: Int, to out: inout [UInt8]) throws(DecodeError) -> Int {
            guard p < end, p + 1 + Int(bytes.u8(p)) <= end else {
                throw malformed(p, "character-string overruns RDATA")
            }
            let n = Int(bytes.u8(p))
            DNSText.appendQuoted(bytes, from: p + 1, count: n, to: &out)
            return p + 1 + n
        }

        /// NSEC / NSEC3 type bitmaps (RFC 4034 section 4.1.2): window, length 1...32, bits MSB first.
        private func appendTypeBitmap(from start: Int, to end: Int, to out: inout [UInt8]) throws(DecodeError) {
            var p = start
            while p < end {
                guard p + 2 <= end else { throw malformed(p, "type bitmap truncated inside RDATA") }
                let window = Int(bytes.u8(p))
                let n = Int(bytes.u8(p + 1))
                guard n >= 1, n <= 32, p + 2 + n <= end else { throw malformed(p, "bad type bitmap length") }
                for i in 0..<n {
                    let octet = bytes.u8(p + 2 + i)
                    if octet == 0 { continue }
                    for bit in 0..<8 where octet & (0x80 >> UInt8(bit)) != 0 {
                        out.append(UInt8(ascii: " "))
                        let type = UInt16(window << 8 | i << 3 | bit)
                        out.append(contentsOf: DNSRecordType(rawValue: type).name.utf8)
                    }
                }
                p += 2 + n
            }
        }

        /// OPT: `udp payload size 4096, extended rcode 1, version 0, DO, ECS 192.0.2.0/24 scope 0, ...`.
        private func appendOPT(_ r: DNSRecord, from start: Int, to end: Int, to out: inout [UInt8]) throws(DecodeError)
        {
            out.append(contentsOf: "udp payload size ".utf8)
            DNSText.appendNumber(r.rrclass, to: &out)
            let extended = r.ttl >> 24
            if extended != 0 {
                out.append(contentsOf: ", extended rcode ".utf8)
                DNSText.appendNumber(extended, to: &out)
            }
            out.append(contentsOf: ", version ".utf8)
            DNSText.appendNumber((r.ttl >> 16) & 0xFF, to: &out)
            if r.ttl & 0x8000 != 0 { out.append(contentsOf: ", DO".utf8) }
            var p = start
            while p < end {
                guard p + 4 <= end else { throw malformed(p, "EDNS option overruns RDATA") }
                let code = bytes.u16be(p)
                let n = Int(bytes.u16be(p + 2))
                let v = p + 4
                guard v + n <= end else { throw malformed(p, "EDNS option overruns RDATA") }
                out.append(contentsOf: ", ".utf8)
                appendEDNSOption(code, from: v, count: n, to: &out)
                p = v + n
            }
        }

        private func appendEDNSOption(_ code: UInt16, from v: Int, count n: Int, to out: inout [UInt8]) {
            switch code {
            case 3:  // NSID (RFC 5001)
                out.append(contentsOf: "NSID ".utf8)
                DNSText.appendHex(bytes, from: v, to: v + n, to: &out)
            case 8 where n >= 4:  // Client subnet (RFC 7871 section 6)
                let family = bytes.u16be(v)
                let source = bytes.u8(v + 2)
                let scope = bytes.u8(v + 3)
                let addressBytes = n - 4
                out.append(contentsOf: "ECS ".utf8)
                if (family == 1 && addressBytes <= 4) || (family == 2 && addressBytes <= 16) {
                    var raw = (UInt64(0), UInt64(0))
                    withUnsafeMutableBytes(of: &raw) { dst in
                        for i in 0..<addressBytes { dst[i] = bytes.u8(v + 4 + i) }
                    }
                    let address = withUnsafeBytes(of: raw) { src in
                        family == 1 ? IPAddress.v4(src, 0) : IPAddress.v6(src, 0)
                    }
                    out.append(contentsOf: address.description.utf8)
                } else {
                    out.append(contentsOf: "family ".utf8)
                    DNSText.appendNumber(family, to: &out)
                    if addressBytes > 0 {
                        out.append(UInt8(ascii: " "))
                        DNSText.appendHex(bytes, from: v + 4, to: v + n, to: &out)
                    }
                }
                out.append(UInt8(ascii: "/"))
                DNSText.appendNumber(source, to: &out)
                out.append(contentsOf: " scope ".utf8)
                DNSText.appendNumber(scope, to: &out)
            case 10:  // COOKIE (RFC 7873)
                out.append(contentsOf: "COOKIE ".utf8)
                DNSText.appendHex(bytes, from: v, to: v + n, to: &out)
            case 11 where n == 0 || n == 2:  // edns-tcp-keepalive (RFC 7828), in units of 100 ms
                out.append(contentsOf: "TCP-KEEPALIVE".utf8)
                if n == 2 {
                    out.append(UInt8(ascii: " "))
                    DNSText.appendNumber(bytes.u16be(v), to: &out)
                }
            case 12:  // Padding (RFC 7830)
                out.append(contentsOf: "PADDING ".utf8)
                DNSText.appendNumber(n, to: &out)
            case 15 where n >= 2:  // Extended DNS Error (RFC 8914)
                out.append(contentsOf: "EDE ".utf8)
                DNSText.appendNumber(bytes.u16be(v), to: &out)
                if n > 2 {
                    out.append(UInt8(ascii: " "))
                    DNSText.appendQuoted(bytes, from: v + 2, count: n - 2, to: &out)
                }
            default:
                out.append(contentsOf: "option ".utf8)
                DNSText.appendNumber(code, to: &out)
                if n > 0 {
                    out.append(UInt8(ascii: " "))
                    DNSText.appendHex(bytes, from: v, to: v + n, to: &out)
                }
            }
        }

        /// SVCB / HTTPS: `priority target key=value ...` (RFC 9460 section 2.1 presentation).
        private func appendSVCB(from start: Int, to end: Int, to out: inout [UInt8]) throws(DecodeError) {
            try need(3, end - start, start)
            DNSText.appendNumber(bytes.u16be(start), to: &out)
            out.append(UInt8(ascii: " "))
            var p = try appendName(at: start + 2, limit: end, to: &out)
            while p < end {
                guard p + 4 <= end else { throw malformed(p, "SvcParam overruns RDATA") }
                let key = bytes.u16be(p)
                let n = Int(bytes.u16be(p + 2))
                let v = p + 4
                guard v + n <= end else { throw malformed(p, "SvcParam overruns RDATA") }
                out.append(UInt8(ascii: " "))
                appendSvcParam(key, from: v, count: n, to: &out)
                p = v + n
            }
        }

        private func appendSvcParam(_ key: UInt16, from v: Int, count n: Int, to out: inout [UInt8]) {
            switch key {
            case 0 where n % 2 == 0:  // mandatory: a list of keys
                out.append(contentsOf: "mandatory=".utf8)
                for i in stride(from: 0, to: n, by: 2) {
                    if i > 0 { out.append(UInt8(ascii: ",")) }
                    out.append(contentsOf: DNSText.svcParamKeyName(bytes.u16be(v + i)).utf8)
                }
            case 1:  // alpn: length-prefixed protocol ids
                out.append(contentsOf: "alpn=".utf8)
                var p = v
                while p < v + n {
                    let m = Int(bytes.u8(p))
                    if p + 1 + m > v + n { break }
                    if p > v { out.append(UInt8(ascii: ",")) }
                    DNSText.appendEscaped(bytes, from: p + 1, count: m, quoting: UInt8(ascii: ","), to: &out)
                    p += 1 + m
                }
            case 2 where n == 0:
                out.append(contentsOf: "no-default-alpn".utf8)
            case 3 where n == 2:
                out.append(contentsOf: "port=".utf8)
                DNSText.appendNumber(bytes.u16be(v), to: &out)
            case 4 where n % 4 == 0, 6 where n % 16 == 0:  // ipv4hint, ipv6hint
                out.append(contentsOf: (key == 4 ? "ipv4hint=" : "ipv6hint=").utf8)
                let size = key == 4 ? 4 : 16
                for i in stride(from: 0, to: n, by: size) {
                    if i > 0 { out.append(UInt8(ascii: ",")) }
                    let a = key == 4 ? IPAddress.v4(bytes, v + i) : IPAddress.v6(bytes, v + i)
                    a.appendText(to: &out)
                }
            case 5:  // ech: an ECHConfigList, base64
                out.append(contentsOf: "ech=".utf8)
                DNSText.appendBase64(bytes, from: v, to: v + n, to: &out)
            default:
                out.append(contentsOf: DNSText.svcParamKeyName(key).utf8)
                if n > 0 {
                    out.append(UInt8(ascii: "="))
                    DNSText.appendQuoted(bytes, from: v, count: n, to: &out)
                }
            }
        }
    }
}

// MARK: - Presentation text

/// Text building for names and RDATA, into byte buffers (one String per finished value).
enum DNSText {
    /// Appends `count` bytes at `from`, escaping `\`, the `quoting` delimiter (`.` in labels, `"`
    /// in quoted strings) and bytes that are neither printable ASCII nor part of valid UTF-8.
    static func appendEscaped(
        _ b: UnsafeRawBufferPointer, from start: Int, count: Int, quoting: UInt8, to out: inout [UInt8]
    ) {
        var i = start
        let end = start + count
        while i < end {
            let c = b.u8(i)
            if c == quoting || c == UInt8(ascii: "\\") {
                out.append(UInt8(ascii: "\\"))
                out.append(c)
                i += 1
            } else if c >= 0x20 && c < 0x7F {
                out.append(c)
                i += 1
            } else if c >= 0x80, case let n = utf8SequenceLength(b, at: i, end: end), n > 0 {
                for k in 0..<n { out.append(b.u8(i + k)) }
                i += n
            } else {
                out.append(UInt8(ascii: "\\"))
                out.append(0x30 + c / 100)
                out.append(0x30 + (c / 10) % 10)
                out.append(0x30 + c % 10)
                i += 1
            }
        }
    }

    static func appendQuoted(_ b: UnsafeRawBufferPointer, from start: Int, count: Int, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        appendEscaped(b, from: start, count: count, quoting: UInt8(ascii: "\""), to: &out)
        out.append(UInt8(ascii: "\""))
    }

    /// The length of the well-formed UTF-8 sequence starting at `i` (Unicode Table 3-7), or 0.
    static func utf8SequenceLength(_ b: UnsafeRawBufferPointer, at i: Int, end: Int) -> Int {
        let c = b.u8(i)
        let n: Int
        var lo: UInt8 = 0x80
        var hi: UInt8 = 0xBF
        switch c {
        case 0xC2...0xDF: n = 2
        case 0xE0: (n, lo) = (3, 0xA0)
        case 0xE1...0xEC, 0xEE...0xEF: n = 3
        case 0xED: (n, hi) = (3, 0x9F)
        case 0xF0: (n, lo) = (4, 0x90)
        case 0xF1...0xF3: n = 4
        case 0xF4: (n, hi) = (4, 0x8F)
        default: return 0
        }
        guard i + n <= end else { return 0 }
        let second = b.u8(i + 1)
        guard second >= lo && second <= hi else { return 0 }
        for k in 2..<n where b.u8(i + k) & 0xC0 != 0x80 { return 0 }
        return n
    }

    static func appendNumber(_ v: some BinaryInteger, to out: inout [UInt8]) {
        let x = UInt64(truncatingIfNeeded: v)
        var divisor: UInt64 = 1
        while x / divisor >= 10 { divisor *= 10 }
        while divisor > 0 {
            out.append(0x30 + UInt8(x / divisor % 10))
            divisor /= 10
        }
    }

    /// Big-endian unsigned fields of the given byte widths, space-separated.
    static func appendNumbers(_ b: UnsafeRawBufferPointer, _ start: Int, _ widths: [Int], to out: inout [UInt8]) {
        var p = start
        for (i, w) in widths.enumerated() {
            if i > 0 { out.append(UInt8(ascii: " ")) }
            switch w {
            case 1: appendNumber(b.u8(p), to: &out)
            case 2: appendNumber(b.u16be(p), to: &out)
            default: appendNumber(b.u32be(p), to: &out)
            }
            p += w
        }
    }

    /// Upper-case hex, as in DS digests and RFC 3597 (`0A000001`).
    static func appendHex(_ b: UnsafeRawBufferPointer, from start: Int, to end: Int, to out: inout [UInt8]) {
        let digits: StaticString = "0123456789ABCDEF"
        for i in start..<max(start, end) {
            let c = b.u8(i)
            out.append(digits.utf8Start[Int(c >> 4)])
            out.append(digits.utf8Start[Int(c & 0xF)])
        }
    }

    /// RFC 3597 section 5: `\# <length> <hex>`, `\# 0` when empty.
    static func appendGeneric(_ b: UnsafeRawBufferPointer, from start: Int, to end: Int, to out: inout [UInt8]) {
        out.append(contentsOf: "\\# ".utf8)
        appendNumber(end - start, to: &out)
        if end > start {
            out.append(UInt8(ascii: " "))
            appendHex(b, from: start, to: end, to: &out)
        }
    }

    /// RFC 4648 section 4 base64 with padding (DNSKEY keys, RRSIG signatures, ECH configs).
    static func appendBase64(_ b: UnsafeRawBufferPointer, from start: Int, to end: Int, to out: inout [UInt8]) {
        let alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
        let a = alphabet.utf8Start
        var i = start
        while i < end {
            let n = min(3, end - i)
            let v = UInt32(b.u8(i)) << 16 | (n > 1 ? UInt32(b.u8(i + 1)) << 8 : 0) | (n > 2 ? UInt32(b.u8(i + 2)) : 0)
            out.append(a[Int(v >> 18 & 0x3F)])
            out.append(a[Int(v >> 12 & 0x3F)])
            out.append(n > 1 ? a[Int(v >> 6 & 0x3F)] : UInt8(ascii: "="))
            out.append(n > 2 ? a[Int(v & 0x3F)] : UInt8(ascii: "="))
            i += n
        }
    }

    /// RFC 4648 section 7 base32hex, lower case without padding (NSEC3 hashed owner names, RFC 5155 3.3).
    static func appendBase32Hex(_ b: UnsafeRawBufferPointer, from start: Int, to end: Int, to out: inout [UInt8]) {
        let alphabet: StaticString = "0123456789abcdefghijklmnopqrstuv"
        var buffer: UInt32 = 0
        var bits = 0
        for i in start..<max(start, end) {
            buffer = buffer << 8 | UInt32(b.u8(i))
            bits += 8
            while bits >= 5 {
                bits -= 5
                out.append(alphabet.utf8Start[Int(buffer >> UInt32(bits) & 0x1F)])
            }
        }
        if bits > 0 { out.append(alphabet.utf8Start[Int(buffer << UInt32(5 - bits) & 0x1F)]) }
    }

    /// RRSIG times as `YYYYMMDDHHmmSS` UTC (RFC 4034 section 3.2).
    static func appendTime(_ seconds: UInt32, to out: inout [UInt8]) {
        let days = Int(seconds / 86400)
        let rest = Int(seconds % 86400)
        // Civil date from days since 1970-01-01 (H. Hinnant's days_from_civil, inverted).
        let z = days + 719_468
        let era = z / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ v: Int, _ out: inout [UInt8]) {
            out.append(0x30 + UInt8(v / 10))
            out.append(0x30 + UInt8(v % 10))
        }
        appendNumber(year, to: &out)
        two(month, &out)
        two(day, &out)
        two(rest / 3600, &out)
        two(rest / 60 % 60, &out)
        two(rest % 60, &out)
    }

    static func svcParamKeyName(_ key: UInt16) -> String {
        switch key {
        case 0: "mandatory"
        case 1: "alpn"
        case 2: "no-default-alpn"
        case 3: "port"
        case 4: "ipv4hint"
        case 5: "ech"
        case 6: "ipv6hint"
        case 7: "dohpath"
        case 8: "ohttp"
        default: "key\(key)"
        }
    }
}
