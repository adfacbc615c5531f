/// The application protocols wiretale decodes, in one place.
///
/// A packet's TCP or UDP payload goes through three steps:
/// 1. **claim**, in the decoder (`PacketDecoder`, no allocation): each decoder, in the order of
///    `ApplicationKind`'s cases, looks at the payload (its first bytes, its ports) and claims it, passes,
///    or stops the search; the claim is kept as `DecodedPacket.application` and the message's offsets.
/// 2. **parse**, once, after connection tracking (`PacketFollower.follow`): `ApplicationRegistry.parse`
///    turns the claimed bytes into an `ApplicationLayer` (the message and what stopped its parse), which
///    the tracker's flow tables (`ConnectionTracker.trackApplication`: DNS transactions), `PacketText`,
///    `PacketJSON` and the trace all read. Nothing parses the message a second time.
/// 3. **present**, per protocol in its folder: the text after `read`'s line, the JSON member of
///    `read --format json`, and the name `read --format none` counts it under.
///
/// How to add a protocol (MySQL, say):
/// - a folder `Protocols/MySQL/` with `MySQLDecoder.swift` (an `enum MySQLDecoder: ApplicationDecoder`:
///   `name`, `claim`, `parse` into its message type) and `MySQLPresentation.swift` (the decoder's
///   `appendSummary` and `appendJSON`), and its tests in `Tests/WiretaleCoreTests/`;
/// - one registration line: `case mysql` in `ApplicationKind` below. The compiler then points at every
///   switch that must learn it, all in this file: `ApplicationRegistry.claim` and `.parse`,
///   `ApplicationKind.name`, and (once `parse` returns `.mysql(...)`, a case of `ApplicationMessage`)
///   `ApplicationMessage.kind`, `.appendSummary` and `.appendJSON`. No `default:` hides one.
///   A decoder whose errors name their layer adds a case to `Layer` (Decode/DecodeError.swift).
/// - If the flow tables keep something of it (as UDP flows keep DNS transactions), a case in
///   `ConnectionTracker.trackApplication`'s switch; the compiler points there too.
public enum ApplicationKind: UInt8, Sendable, CaseIterable {
    /// No decoder claimed the payload (or there is none).
    case none
    /// DNS, mDNS or LLMNR over UDP, DNS over TCP (`DNSDecoder`).
    case dns
    /// The start of an HTTP/1.x request or response (`HTTPDecoder`).
    case http

    /// The name it is counted under and its JSON member's key.
    public var name: StaticString {
        switch self {
        case .none: "none"
        case .dns: DNSDecoder.name
        case .http: HTTPDecoder.name
        }
    }
}

/// The TCP or UDP payload a decoder is asked to claim: where it lies in the packet's bytes, and the
/// transport's ports.
public struct ApplicationPayload {
    /// The bytes the packet's offsets point into (the frame, or a reassembled datagram).
    public let bytes: UnsafeRawBufferPointer
    /// The payload's offset in `bytes` and how much of it was captured (more than 0).
    public let offset: Int
    public let count: Int
    public let transport: IPProtocol
    public let srcPort: UInt16
    public let dstPort: UInt16

    /// The payload's captured bytes.
    @inline(__always) public var data: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])
    }

    /// Either port is `port`.
    @inline(__always) public func hasPort(_ port: UInt16) -> Bool { srcPort == port || dstPort == port }
}

/// A decoder's answer to a payload.
public enum ApplicationClaim: Sendable, Equatable {
    /// Not this protocol's: the next decoder is asked.
    case pass
    /// This protocol's message, at `offset` in the packet's bytes, `length` bytes captured.
    case claim(offset: Int, length: Int)
    /// The payload belongs to this protocol (its port) but holds no message to read (a DNS-over-TCP
    /// segment that does not hold its whole message): no other decoder may claim it.
    case stop
}

/// An application protocol's decoder: it claims payloads, parses a claimed message once into its value,
/// and presents that value (`<Name>Presentation.swift` beside it).
public protocol ApplicationDecoder {
    associatedtype Message: Sendable
    /// Lower case, as counted by `read --format none` and keyed in JSON: "dns".
    static var name: StaticString { get }
    /// Claims a payload from its first bytes and ports. Called for every TCP segment and UDP datagram
    /// with a payload: it must not allocate.
    static func claim(_ payload: ApplicationPayload) -> ApplicationClaim
    /// Parses a claimed message. `base` is its offset in the packet (for error offsets). Returns what
    /// was read and what stopped the parse (nil when nothing did), or nil when there is nothing to show.
    static func parse(_ message: UnsafeRawBufferPointer, base: Int) -> (Message, DecodeError?)?
    /// The text `read` prints after a segment's or datagram's length: ": DNS query 0x1a2b A example.com".
    static func appendSummary(_ message: Message, to o: inout OutputBuffer)
    /// The message as a JSON value (an object), written with the JSON writer.
    static func appendJSON(_ message: Message, to o: inout OutputBuffer)
}

/// An application message, parsed once (one case per `ApplicationKind`).
public enum ApplicationMessage: Sendable {
    case dns(DNSDecoder.Message)
    case http(HTTPDecoder.Message)

    public var kind: ApplicationKind {
        switch self {
        case .dns: .dns
        case .http: .http
        }
    }

    public func appendSummary(to o: inout OutputBuffer) {
        switch self {
        case .dns(let m): DNSDecoder.appendSummary(m, to: &o)
        case .http(let m): HTTPDecoder.appendSummary(m, to: &o)
        }
    }

    public func appendJSON(to o: inout OutputBuffer) {
        switch self {
        case .dns(let m): DNSDecoder.appendJSON(m, to: &o)
        case .http(let m): HTTPDecoder.appendJSON(m, to: &o)
        }
    }
}

/// A packet's application layer: the message as far as it was read, and what stopped reading it
/// (gopacket's habit: a failed layer keeps what it got).
public struct ApplicationLayer: Sendable {
    public let message: ApplicationMessage
    public let error: DecodeError?

    public init(_ message: ApplicationMessage, error: DecodeError? = nil) {
        self.message = message
        self.error = error
    }

    /// The DNS message, when it is one.
    public var dns: DNSMessage? {
        if case .dns(let m) = message { m } else { nil }
    }

    /// The text after the transport's summary, with the parse's problem in brackets as `read` shows it.
    public func appendSummary(to o: inout OutputBuffer) {
        message.appendSummary(to: &o)
        if let e = error {
            o.append(" [")
            o.append(e.truncated ? "truncated " : "malformed ")
            o.append(e.description)
            o.append(byte: UInt8(ascii: "]"))
        }
    }
}

/// Claims and parses application payloads with the decoders `ApplicationKind` lists.
public enum ApplicationRegistry {
    /// Asks the decoders, in `ApplicationKind` order, to claim the packet's TCP or UDP payload, and
    /// records the claim in `p`. Allocation-free.
    @inline(__always)
    static func classify(_ b: UnsafeRawBufferPointer, _ p: inout DecodedPacket) {
        let payload: ApplicationPayload
        if p.hasTCP {
            guard p.tcp.capturedPayload > 0 else { return }
            payload = ApplicationPayload(
                bytes: b, offset: p.tcp.payloadOffset, count: p.tcp.capturedPayload, transport: .tcp,
                srcPort: p.tcp.srcPort, dstPort: p.tcp.dstPort)
        } else if p.hasUDP {
            guard p.udp.capturedPayload > 0 else { return }
            payload = ApplicationPayload(
                bytes: b, offset: p.udp.payloadOffset, count: p.udp.capturedPayload, transport: .udp,
                srcPort: p.udp.srcPort, dstPort: p.udp.dstPort)
        } else {
            return
        }
        var raw: UInt8 = 1
        while let kind = ApplicationKind(rawValue: raw) {
            switch claim(kind, payload) {
            case .pass: raw &+= 1
            case .stop: return
            case .claim(let offset, let length):
                p.application = kind
                p.applicationOffset = offset
                p.applicationLength = length
                return
            }
        }
    }

    @inline(__always)
    static func claim(_ kind: ApplicationKind, _ payload: ApplicationPayload) -> ApplicationClaim {
        switch kind {
        case .none: .pass
        case .dns: DNSDecoder.claim(payload)
        case .http: HTTPDecoder.claim(payload)
        }
    }

    /// Parses the message the decoder claimed, once. `bytes` are the bytes the packet's offsets point
    /// into (the frame, or the reassembled datagram). Nil when no decoder claimed the payload or the
    /// message has nothing to show (an HTTP start line not complete in the segment).
    public static func parse(_ p: borrowing DecodedPacket, bytes: UnsafeRawBufferPointer) -> ApplicationLayer? {
        let start = p.applicationOffset
        let end = start + p.applicationLength
        guard p.application != .none, start >= 0, end <= bytes.count else { return nil }
        let m = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
        switch p.application {
        case .none: return nil
        case .dns: return layer(DNSDecoder.self, ApplicationMessage.dns, m, base: start)
        case .http: return layer(HTTPDecoder.self, ApplicationMessage.http, m, base: start)
        }
    }

    @inline(__always)
    static func layer<D: ApplicationDecoder>(
        _: D.Type, _ wrap: (D.Message) -> ApplicationMessage, _ m: UnsafeRawBufferPointer, base: Int
    ) -> ApplicationLayer? {
        guard let (message, error) = D.parse(m, base: base) else { return nil }
        return ApplicationLayer(wrap(message), error: error)
    }
}
