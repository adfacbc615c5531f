/// DNS (RFC 1035) as an application decoder: over UDP on the DNS, mDNS (RFC 6762) and LLMNR
/// (RFC 4795) ports, and over TCP on port 53 with its 2-byte length prefix (RFC 7766), when the
/// segment holds the whole message. The message model and parser are `DNSMessage`.
public enum DNSDecoder: ApplicationDecoder {
    public typealias Message = DNSMessage

    public static let name: StaticString = "dns"

    /// Well-known ports whose payload is a DNS message: DNS, mDNS, LLMNR.
    @inline(__always) static func isDNSPort(_ port: UInt16) -> Bool {
        port == 53 || port == 5353 || port == 5355
    }

    /// By port: a UDP payload of at least a header on a DNS port; a TCP segment on port 53 whose
    /// length prefix says the message (at least a header) is all in it. A port-53 TCP segment of 14
    /// bytes or more that does not hold its message is no other protocol's either.
    @inline(__always)
    public static func claim(_ payload: ApplicationPayload) -> ApplicationClaim {
        let n = payload.count
        if payload.transport == .udp {
            guard n >= DNSWire.headerLength, isDNSPort(payload.srcPort) || isDNSPort(payload.dstPort) else {
                return .pass
            }
            return .claim(offset: payload.offset, length: n)
        }
        guard payload.hasPort(53), n >= DNSWire.headerLength + 2 else { return .pass }
        let length = Int(payload.bytes.u16be(payload.offset))
        guard length >= DNSWire.headerLength && length <= n - 2 else { return .stop }
        return .claim(offset: payload.offset + 2, length: length)
    }

    /// The message as far as it parses (the header at least: a claim holds one), and the problem.
    public static func parse(_ message: UnsafeRawBufferPointer, base: Int) -> (DNSMessage, DecodeError?)? {
        DNSMessage.parsePartial(message, base: base)
    }
}
