/// An IP protocol number (IANA "Assigned Internet Protocol Numbers"): IPv4's protocol field, IPv6's
/// next header. Unknown values survive as themselves (swift-nio's `NIOIPProtocol`).
public struct IPProtocol: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// IPv6 hop-by-hop options (RFC 8200 section 4.3).
    public static let hopByHop = IPProtocol(rawValue: 0)
    public static let icmp = IPProtocol(rawValue: 1)
    public static let igmp = IPProtocol(rawValue: 2)
    /// IPv4 in IP (RFC 2003).
    public static let ipInIP = IPProtocol(rawValue: 4)
    public static let tcp = IPProtocol(rawValue: 6)
    public static let udp = IPProtocol(rawValue: 17)
    /// IPv6 in IP (RFC 4213).
    public static let ipv6 = IPProtocol(rawValue: 41)
    public static let routing = IPProtocol(rawValue: 43)
    public static let fragment = IPProtocol(rawValue: 44)
    public static let gre = IPProtocol(rawValue: 47)
    public static let esp = IPProtocol(rawValue: 50)
    public static let ah = IPProtocol(rawValue: 51)
    public static let icmpv6 = IPProtocol(rawValue: 58)
    public static let noNextHeader = IPProtocol(rawValue: 59)
    public static let destinationOptions = IPProtocol(rawValue: 60)
    public static let ospf = IPProtocol(rawValue: 89)
    public static let pim = IPProtocol(rawValue: 103)
    public static let vrrp = IPProtocol(rawValue: 112)
    public static let sctp = IPProtocol(rawValue: 132)

    /// The name in `read`'s lines ("proto-N" for a number wiretale does not name).
    public var name: String {
        switch self {
        case .icmp: "ICMP"
        case .igmp: "IGMP"
        case .ipInIP: "IPIP"
        case .tcp: "TCP"
        case .udp: "UDP"
        case .ipv6: "IPv6"
        case .gre: "GRE"
        case .esp: "ESP"
        case .ah: "AH"
        case .icmpv6: "ICMPv6"
        case .ospf: "OSPF"
        case .pim: "PIM"
        case .vrrp: "VRRP"
        case .sctp: "SCTP"
        default: "proto-\(rawValue)"
        }
    }

    public var description: String { name }
}

enum IPDecoder {
    /// IPv4 (RFC 791). Returns the end of the IP payload to decode (bounded by the total length,
    /// which strips Ethernet padding) or nil when nothing above IP can be decoded.
    @inline(__always)
    static func ipv4(_ b: UnsafeRawBufferPointer, at o: Int, _ p: inout DecodedPacket) -> Int? {
        guard b.count - o >= 20 else {
            p.error = .truncated(.ipv4, at: o)
            return nil
        }
        let vihl = b.u8(o)
        guard vihl >> 4 == 4 else {
            p.error = DecodeError(.ipv4, at: o, "version is not 4")
            return nil
        }
        let ihl = Int(vihl & 0x0F) * 4
        guard ihl >= 20 else {
            p.error = DecodeError(.ipv4, at: o, "header length below 20 bytes")
            return nil
        }
        guard b.count - o >= ihl else {
            p.error = .truncated(.ipv4, at: o, "options truncated")
            return nil
        }
        var total = Int(b.u16be(o + 2))
        if total == 0 {
            // TCP segmentation offload: the kernel left the length unset; the capture holds the truth.
            total = b.count - o
        }
        p.ipLayerCount &+= 1
        let first = !p.hasIP
        if first {
            p.hasIP = true
            p.ip.version = 4
            p.ip.offset = o
            p.ip.tos = b.u8(o + 1)
            p.ip.flowLabel = 0
            p.ip.identification = UInt32(b.u16be(o + 4))
            let frag = b.u16be(o + 6)
            p.ip.dontFragment = frag & 0x4000 != 0
            p.ip.moreFragments = frag & 0x2000 != 0
            p.ip.fragmentOffset = Int(frag & 0x1FFF) * 8
            p.ip.isFragment = p.ip.moreFragments || p.ip.fragmentOffset != 0
            p.ip.ttl = b.u8(o + 8)
            p.ip.proto = IPProtocol(rawValue: b.u8(o + 9))
            p.ip.src = .v4(b, o + 12)
            p.ip.dst = .v4(b, o + 16)
            p.ip.hasOptions = ihl > 20
            p.ip.payloadOffset = o + ihl
            p.ip.payloadLength = max(total - ihl, 0)  // never negative: a short total is an error below
        }
        guard total >= ihl else {
            p.error = DecodeError(.ipv4, at: o + 2, "total length shorter than the header")
            return nil
        }
        if ihl > 20 { options(b, from: o + 20, to: o + ihl, &p) }
        let frag = b.u16be(o + 6)
        if o + total > b.count { p.payloadTruncated = true }
        if frag & 0x1FFF != 0 {
            return nil  // a later fragment: no transport header here
        }
        if frag & 0x2000 != 0 {
            return nil  // the first of several fragments: the transport payload is incomplete until reassembly
        }
        return min(b.count, o + total)
    }

    /// IPv4 options (RFC 791 section 3.1): EOL and NOP are one byte, every other option has a
    /// length byte of at least 2 that keeps it inside the header. A bad one marks the packet (as
    /// tshark does) and stops the option walk; the layers above are still decoded.
    @inline(__always)
    static func options(_ b: UnsafeRawBufferPointer, from start: Int, to end: Int, _ p: inout DecodedPacket) {
        var i = start
        while let (_, length) = nextOption(b, at: i, end: end, layer: .ipv4, &p) { i += length }
    }

    /// One option of an IPv4 or TCP option list (RFC 791 3.1, RFC 9293 3.1): its kind and length
    /// (NOP: 1), or nil at EOL, at the end, or at a bad length, which `p.error` then names.
    @inline(__always)
    static func nextOption(
        _ b: UnsafeRawBufferPointer, at i: Int, end: Int, layer: Layer, _ p: inout DecodedPacket
    ) -> (kind: UInt8, length: Int)? {
        guard i < end else { return nil }
        let kind = b.u8(i)
        if kind == 0 { return nil }
        if kind == 1 { return (1, 1) }
        guard i + 1 < end else {
            p.error = DecodeError(layer, at: i, "option length missing")
            return nil
        }
        let length = Int(b.u8(i + 1))
        guard length >= 2 else {
            p.error = DecodeError(layer, at: i + 1, "option length below 2")
            return nil
        }
        guard i + length <= end else {
            p.error = DecodeError(layer, at: i + 1, "option length runs past the header")
            return nil
        }
        return (kind, length)
    }

    /// IPv6 (RFC 8200) and its extension headers: hop-by-hop, routing, fragment, destination
    /// options (section 4), and AH (RFC 4302). Returns the end of the payload; the transport
    /// protocol and its offset are left in `ip.proto` / `ip.payloadOffset` (for the outer header).
    @inline(__always)
    static func ipv6(
        _ b: UnsafeRawBufferPointer, at o: Int, _ p: inout DecodedPacket,
        proto: inout UInt8, transportOffset: inout Int
    ) -> Int? {
        guard b.count - o >= 40 else {
            p.error = .truncated(.ipv6, at: o)
            return nil
        }
        guard b.u8(o) >> 4 == 6 else {
            p.error = DecodeError(.ipv6, at: o, "version is not 6")
            return nil
        }
        let payloadLength = Int(b.u16be(o + 4))
        var next = b.u8(o + 6)
        let first = !p.hasIP
        p.ipLayerCount &+= 1
        if first {
            p.hasIP = true
            p.ip.version = 6
            p.ip.offset = o
            p.ip.tos = UInt8(truncatingIfNeeded: b.u16be(o) >> 4)
            p.ip.flowLabel = b.u32be(o) & 0x000F_FFFF
            p.ip.dontFragment = false
            p.ip.ttl = b.u8(o + 7)
            p.ip.src = .v6(b, o + 8)
            p.ip.dst = .v6(b, o + 24)
            p.ip.isFragment = false
            p.ip.moreFragments = false
            p.ip.fragmentOffset = 0
            p.ip.hasOptions = false
            p.ip.identification = 0
        }
        let end = payloadLength == 0 ? b.count : min(b.count, o + 40 + payloadLength)
        if o + 40 + payloadLength > b.count { p.payloadTruncated = true }
        var x = o + 40
        var extensions = 0
        var fragmented = false
        loop: while true {
            switch next {
            case IPProtocol.hopByHop.rawValue, IPProtocol.routing.rawValue, IPProtocol.destinationOptions.rawValue:
                guard b.count - x >= 8 else {
                    p.error = .truncated(.ipv6Extension, at: x)
                    break loop
                }
                next = b.u8(x)
                x += (Int(b.u8(x + 1)) + 1) * 8
            case IPProtocol.fragment.rawValue:
                guard b.count - x >= 8 else {
                    p.error = .truncated(.ipv6Extension, at: x, "fragment header truncated")
                    break loop
                }
                let fo = b.u16be(x + 2)
                if first {
                    p.ip.fragmentOffset = Int(fo & 0xFFF8)
                    p.ip.moreFragments = fo & 1 != 0
                    p.ip.identification = b.u32be(x + 4)
                    p.ip.isFragment = true
                }
                fragmented = fo & 0xFFF8 != 0 || fo & 1 != 0
                next = b.u8(x)
                x += 8
            case IPProtocol.ah.rawValue:
                guard b.count - x >= 8 else {
                    p.error = .truncated(.ipv6Extension, at: x, "AH truncated")
                    break loop
                }
                next = b.u8(x)
                x += (Int(b.u8(x + 1)) + 2) * 4
            default:
                break loop
            }
            extensions += 1
            if extensions > 16 {
                p.error = DecodeError(.ipv6Extension, at: x, "more than 16 extension headers")
                break
            }
        }
        if first {
            p.ip.proto = IPProtocol(rawValue: next)
            p.ip.payloadOffset = x
            p.ip.payloadLength = max(payloadLength - (x - o - 40), 0)  // extension headers past it: an error below
            p.ip.hasOptions = extensions > 0
        }
        proto = next
        transportOffset = x
        if p.error != nil { return nil }
        if x > o + 40 + payloadLength && payloadLength != 0 {
            p.error = DecodeError(.ipv6Extension, at: o + 4, "extension headers run past the payload length")
            return nil
        }
        if fragmented { return nil }  // a non-atomic fragment: the transport needs reassembly
        if x > b.count {
            p.error = .truncated(.ipv6Extension, at: min(x, b.count))
            return nil
        }
        return end
    }
}
