import WiretaleCore

/// What the trace keeps of a DNS response: the core's parsed `DNSMessage`, with the few things
/// step b reads from it named (the question asked, the answers' data as the trace prints them).
/// Parsing is the core's (WiretaleCore/Protocols/DNS/DNSMessage.swift), building too (DNSBuilder).
public struct DNSResponse: Sendable, Equatable {
    public struct Record: Sendable, Equatable {
        public var name: String
        public var type: DNSRecordType
        public var ttl: UInt32
        /// The address for A/AAAA, the target name for CNAME, the presentation form otherwise.
        public var data: String
    }

    /// The message as the core parsed it.
    public var message: DNSMessage

    public var id: UInt16 { message.id }
    public var isResponse: Bool { message.isResponse }
    public var authoritative: Bool { message.authoritative }
    public var truncated: Bool { message.truncated }
    public var recursionAvailable: Bool { message.recursionAvailable }
    public var rcode: DNSRCode { message.rcode }
    public var questionName: String { message.questions.first?.name ?? "" }
    public var questionType: DNSRecordType { message.questions.first?.type ?? DNSRecordType(rawValue: 0) }
    public var answers: [Record] {
        message.answers.map { r in
            Record(name: r.name, type: r.type, ttl: r.ttl, data: r.address?.description ?? r.target ?? r.data)
        }
    }
    /// The SOA minimum (RFC 2308 section 5) for negative answers, when the server sent one.
    public var negativeTTL: UInt32? { message.negativeTTL }

    public static func parse(_ bytes: [UInt8]) throws(DecodeError) -> DNSResponse {
        let parsed: Result<DNSMessage, DecodeError> = bytes.withUnsafeBytes { raw in
            do throws(DecodeError) { return .success(try DNSMessage.parse(raw)) } catch { return .failure(error) }
        }
        return DNSResponse(message: try parsed.get())
    }
}
