// Building DNS messages (RFC 1035 section 4.1), the writer beside `DNSMessage`'s reader: the trace's
// queries and the tour's answers are written here, and `DNSMessage.parse` reads back what this
// writes (Tests/WiretaleCoreTests/DNSBuilderTests.swift).

/// Writes DNS messages. Names are given in the presentation form `DNSMessage` prints (RFC 1035
/// section 5.1): labels joined by dots, a trailing dot allowed, `\.` and `\\` for a dot or a
/// backslash inside a label, `\DDD` for any byte in decimal; `""`, `"."` and `<Root>` are the root.
/// So a name read from a message is written back as the same bytes.
public enum DNSBuilder {
    /// Why a message could not be written: the name cannot be carried by DNS.
    public enum BuildError: Error, Equatable, Sendable, CustomStringConvertible {
        /// A label longer than 63 bytes (RFC 1035 section 2.3.4).
        case labelTooLong(String)
        /// A name longer than 255 bytes on the wire (RFC 1035 section 2.3.4).
        case nameTooLong
        /// Two dots in a row, or a name starting with a dot.
        case emptyLabel
        /// A backslash not followed by a character or by three digits 000 to 255.
        case badEscape(String)
        /// More than 65535 entries in one section.
        case tooManyRecords
        /// RDATA longer than 65535 bytes.
        case rdataTooLong

        public var description: String {
            switch self {
            case .labelTooLong(let label): "the label \"\(label)\" is longer than 63 bytes"
            case .nameTooLong: "the name is longer than 255 bytes on the wire"
            case .emptyLabel: "the name has an empty label"
            case .badEscape(let name): "the name \"\(name)\" has a bad \\ escape"
            case .tooManyRecords: "more than 65535 records in one section"
            case .rdataTooLong: "RDATA longer than 65535 bytes"
            }
        }
    }

    /// RDATA to write: bytes as they are, or a domain name (CNAME, NS, PTR: compressible,
    /// RFC 3597 section 4).
    public enum RData: Sendable, Hashable {
        case bytes([UInt8])
        case name(String)
    }

    /// One resource record to write (RFC 1035 section 4.1.3).
    public struct Resource: Sendable, Hashable {
        public var name: String
        public var type: DNSRecordType
        /// CLASS (1, IN); for OPT the UDP payload size (RFC 6891 section 6.1.2).
        public var rrclass: UInt16
        public var ttl: UInt32
        public var rdata: RData

        public init(name: String, type: DNSRecordType, rrclass: UInt16 = 1, ttl: UInt32, rdata: RData) {
            self.name = name
            self.type = type
            self.rrclass = rrclass
            self.ttl = ttl
            self.rdata = rdata
        }

        /// An A record for an IPv4 address, AAAA for IPv6.
        public static func address(_ name: String, _ address: IPAddress, ttl: UInt32) -> Resource {
            var bytes: [UInt8] = []
            if address.isIPv6 {
                for shift in stride(from: 56, through: 0, by: -8) {
                    bytes.append(UInt8(truncatingIfNeeded: address.high >> UInt64(shift)))
                }
                for shift in stride(from: 56, through: 0, by: -8) {
                    bytes.append(UInt8(truncatingIfNeeded: address.low >> UInt64(shift)))
                }
            } else {
                for shift in stride(from: 24, through: 0, by: -8) {
                    bytes.append(UInt8(truncatingIfNeeded: address.v4Value >> UInt32(shift)))
                }
            }
            return Resource(name: name, type: address.isIPv6 ? .aaaa : .a, ttl: ttl, rdata: .bytes(bytes))
        }

        /// An EDNS(0) OPT pseudo-record advertising `payloadSize` (RFC 6891 section 6.1.2): root
        /// name, extended RCODE, version and flags 0, no options.
        public static func opt(payloadSize: UInt16) -> Resource {
            Resource(name: ".", type: .opt, rrclass: payloadSize, ttl: 0, rdata: .bytes([]))
        }
    }

    /// Header flag bits (RFC 1035 section 4.1.1).
    public static let responseFlag: UInt16 = 0x8000
    public static let recursionDesiredFlag: UInt16 = 0x0100
    public static let recursionAvailableFlag: UInt16 = 0x0080

    /// A standard query (QR 0, OPCODE QUERY) with one question, recursion desired unless told not,
    /// and an OPT record when `ednsPayload` is given. Names are not compressed (there is one).
    public static func query(
        id: UInt16, name: String, type: DNSRecordType, qclass: UInt16 = 1, recursionDesired: Bool = true,
        ednsPayload: UInt16? = nil
    ) throws(BuildError) -> [UInt8] {
        try message(
            id: id, flags: recursionDesired ? recursionDesiredFlag : 0,
            questions: [DNSQuestion(name: name, type: type, qclass: qclass)],
            additionals: ednsPayload.map { [Resource.opt(payloadSize: $0)] } ?? [], compress: false)
    }

    /// A response to `query`: its id, OPCODE and RD copied, QR set, RA as given, `rcode`, its first
    /// question echoed (RFC 1035 section 4.1.1), then `answers`. Names are compressed.
    public static func response(
        to query: DNSMessage, rcode: DNSRCode, answers: [Resource] = [], authorities: [Resource] = [],
        recursionAvailable: Bool = true, authoritative: Bool = false
    ) throws(BuildError) -> [UInt8] {
        var flags = responseFlag | (query.flags & (0x7800 | recursionDesiredFlag)) | (rcode.rawValue & 0xF)
        if recursionAvailable { flags |= recursionAvailableFlag }
        if authoritative { flags |= 0x0400 }
        return try message(
            id: query.id, flags: flags, questions: Array(query.questions.prefix(1)), answers: answers,
            authorities: authorities, compress: true)
    }

    /// Any message: the header with the counts of the sections given, then the sections. With
    /// `compress`, a name (or its tail) written before is replaced by a pointer to it (RFC 1035
    /// section 4.1.4); names match byte for byte, so case is kept.
    public static func message(
        id: UInt16, flags: UInt16, questions: [DNSQuestion], answers: [Resource] = [], authorities: [Resource] = [],
        additionals: [Resource] = [], compress: Bool
    ) throws(BuildError) -> [UInt8] {
        var w = Writer(compress: compress)
        w.u16(id)
        w.u16(flags)
        for count in [questions.count, answers.count, authorities.count, additionals.count] {
            guard count <= 0xFFFF else { throw .tooManyRecords }
            w.u16(UInt16(count))
        }
        for q in questions {
            try w.name(q.name)
            w.u16(q.type.rawValue)
            w.u16(q.qclass | (q.unicastResponse ? 0x8000 : 0))
        }
        for r in answers + authorities + additionals { try w.record(r) }
        return w.out
    }

    /// The wire labels of a presentation-form name, without the terminating zero.
    static func labels(_ name: String) throws(BuildError) -> [[UInt8]] {
        if name.isEmpty || name == "." || name == "<Root>" { return [] }
        var labels: [[UInt8]] = []
        var label: [UInt8] = []
        var total = 1
        let bytes = Array(name.utf8)
        var i = 0
        func finish(_ label: [UInt8]) throws(BuildError) {
            if label.isEmpty { throw .emptyLabel }
            if label.count > 63 { throw .labelTooLong(String(decoding: label, as: UTF8.self)) }
            total += label.count + 1
            labels.append(label)
        }
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: ".") {
                try finish(label)
                label = []
                i += 1
                if i == bytes.count { break }  // the trailing dot of an absolute name
                continue
            }
            if c == UInt8(ascii: "\\") {
                guard i + 1 < bytes.count else { throw .badEscape(name) }
                let d = bytes[i + 1]
                if d >= 0x30 && d <= 0x39 {
                    guard i + 3 < bytes.count else { throw .badEscape(name) }
                    var v = 0
                    for k in 1...3 {
                        let x = bytes[i + k]
                        guard x >= 0x30 && x <= 0x39 else { throw .badEscape(name) }
                        v = v * 10 + Int(x - 0x30)
                    }
                    guard v <= 255 else { throw .badEscape(name) }
                    label.append(UInt8(v))
                    i += 4
                } else {
                    label.append(d)
                    i += 2
                }
                continue
            }
            label.append(c)
            i += 1
        }
        if !label.isEmpty { try finish(label) }
        if total > DNSWire.maxNameLength { throw .nameTooLong }
        return labels
    }

    /// The bytes being written, with the offsets of names written so far for compression.
    struct Writer {
        var out: [UInt8] = []
        let compress: Bool
        /// A name's tail in wire form (no terminating zero) -> its offset, when below 0x4000.
        var written: [[UInt8]: Int] = [:]

        init(compress: Bool) {
            self.compress = compress
            out.reserveCapacity(512)
        }

        mutating func u16(_ v: UInt16) {
            out.append(UInt8(v >> 8))
            out.append(UInt8(v & 0xFF))
        }

        mutating func u32(_ v: UInt32) {
            u16(UInt16(v >> 16))
            u16(UInt16(v & 0xFFFF))
        }

        mutating func name(_ text: String) throws(BuildError) {
            let labels = try DNSBuilder.labels(text)
            for k in labels.indices {
                var tail: [UInt8] = []
                for l in labels[k...] { tail += [UInt8(l.count)] + l }
                if compress, let at = written[tail] {
                    u16(0xC000 | UInt16(at))
                    return
                }
                if compress, out.count < 0x4000 { written[tail] = out.count }
                out.append(UInt8(labels[k].count))
                out += labels[k]
            }
            out.append(0)
        }

        mutating func record(_ r: Resource) throws(BuildError) {
            try name(r.name)
            u16(r.type.rawValue)
            u16(r.rrclass)
            u32(r.ttl)
            let lengthAt = out.count
            u16(0)
            switch r.rdata {
            case .bytes(let b): out += b
            case .name(let n): try name(n)
            }
            let n = out.count - lengthAt - 2
            guard n <= 0xFFFF else { throw .rdataTooLong }
            out[lengthAt] = UInt8(truncatingIfNeeded: n >> 8)
            out[lengthAt + 1] = UInt8(truncatingIfNeeded: n)
        }
    }
}
