import WiretaleCore

/// Builds a standard query (RFC 1035 section 4.1): one question, recursion desired, optionally an
/// EDNS(0) OPT record advertising `ednsPayload` bytes (RFC 6891 section 6.1.2).
public enum DNSQueryBuilder {
    public enum BuildError: Error, Equatable {
        case labelTooLong(String)
        case nameTooLong
        case emptyLabel
    }

    public static func query(id: UInt16, name: String, type: DNSRecordType, ednsPayload: UInt16? = nil)
        throws(BuildError)
        -> [UInt8]
    {
        var out: [UInt8] = []
        out.reserveCapacity(32 + name.utf8.count)
        func u16(_ v: UInt16) {
            out.append(UInt8(v >> 8))
            out.append(UInt8(v & 0xFF))
        }
        u16(id)
        u16(0x0100)  // QR=0, OPCODE=0 (QUERY), RD=1
        u16(1)  // QDCOUNT
        u16(0)  // ANCOUNT
        u16(0)  // NSCOUNT
        u16(ednsPayload == nil ? 0 : 1)  // ARCOUNT
        try appendName(name, to: &out)
        u16(type.rawValue)
        u16(1)  // CLASS IN
        if let payload = ednsPayload {
            out.append(0)  // root name
            u16(DNSRecordType.opt.rawValue)
            u16(payload)  // the class field carries the UDP payload size
            out += [0, 0, 0, 0]  // extended rcode, version, flags
            u16(0)  // RDLENGTH
        }
        return out
    }

    /// Writes a name as length-prefixed labels (RFC 1035 section 3.1); "." alone is the root.
    static func appendName(_ name: String, to out: inout [UInt8]) throws(BuildError) {
        let trimmed = name.hasSuffix(".") ? String(name.dropLast()) : name
        var total = 1
        if !trimmed.isEmpty {
            for label in trimmed.split(separator: ".", omittingEmptySubsequences: false) {
                let bytes = Array(label.utf8)
                if bytes.isEmpty { throw .emptyLabel }
                if bytes.count > 63 { throw .labelTooLong(String(label)) }
                total += bytes.count + 1
                out.append(UInt8(bytes.count))
                out += bytes
            }
        }
        if total > 255 { throw .nameTooLong }
        out.append(0)
    }
}

/// What the trace needs from a DNS response: header flags, rcode, the answer records (A, AAAA,
/// CNAME with TTLs) and the negative-caching TTL from an SOA in the authority section. A view over
/// the core's `DNSMessage` (WiretaleCore/Decode/DNS.swift), which does the parsing.
public struct DNSResponse: Sendable, Equatable {
    public struct Record: Sendable, Equatable {
        public var name: String
        public var type: DNSRecordType
        public var ttl: UInt32
        /// The address for A/AAAA, the target name for CNAME, the presentation form otherwise.
        public var data: String
    }

    public var id: UInt16
    public var isResponse: Bool
    public var authoritative: Bool
    public var truncated: Bool
    public var recursionAvailable: Bool
    public var rcode: DNSRCode
    public var questionName: String
    public var questionType: DNSRecordType
    public var answers: [Record]
    /// The SOA minimum (RFC 2308 section 5) for negative answers, when the server sent one.
    public var negativeTTL: UInt32?

    public static func parse(_ bytes: [UInt8]) throws(DecodeError) -> DNSResponse {
        let parsed: Result<DNSMessage, DecodeError> = bytes.withUnsafeBytes { raw in
            do throws(DecodeError) { return .success(try DNSMessage.parse(raw)) } catch { return .failure(error) }
        }
        let m = try parsed.get()
        var negative: UInt32?
        for soa in m.authorities where soa.type == .soa {
            // Presentation form: mname rname serial refresh retry expire minimum.
            if let minimum = soa.data.split(separator: " ").last.flatMap({ UInt32($0) }) {
                negative = min(soa.ttl, minimum)
            }
        }
        return DNSResponse(
            id: m.id, isResponse: m.isResponse, authoritative: m.authoritative, truncated: m.truncated,
            recursionAvailable: m.recursionAvailable, rcode: m.rcode, questionName: m.questions.first?.name ?? "",
            questionType: m.questions.first?.type ?? DNSRecordType(rawValue: 0),
            answers: m.answers.map { r in
                Record(name: r.name, type: r.type, ttl: r.ttl, data: r.address?.description ?? r.target ?? r.data)
            },
            negativeTTL: negative)
    }
}
