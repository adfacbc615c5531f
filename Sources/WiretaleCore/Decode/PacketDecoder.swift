/// Decodes a frame layer by layer, in place, into a reused `DecodedPacket`.
///
/// Every layer reads the frame's bytes where they lie; nothing is allocated per packet. The
/// first problem stops decoding and is recorded in `packet.error`; the layers before it stay.
public enum PacketDecoder {
    public static func decode(_ b: UnsafeRawBufferPointer, linkType: LinkType, into p: inout DecodedPacket) {
        p.reset(linkType: linkType)
        let network: Int?
        switch linkType.rawValue {
        case LinkType.ethernet.rawValue: network = LinkDecoder.ethernet(b, at: 0, &p)
        case LinkType.linuxSLL.rawValue: network = LinkDecoder.sll(b, &p)
        case LinkType.linuxSLL2.rawValue: network = LinkDecoder.sll2(b, &p)
        case LinkType.null.rawValue: network = LinkDecoder.loopback(b, bigEndian: false, &p)
        case LinkType.loop.rawValue: network = LinkDecoder.loopback(b, bigEndian: true, &p)
        case LinkType.raw.rawValue, 12, 14: network = LinkDecoder.raw(b, &p)
        case LinkType.ipv4.rawValue:
            p.link.etherType = .ipv4
            network = 0
        case LinkType.ipv6.rawValue:
            p.link.etherType = .ipv6
            network = 0
        default:
            // Not malformed: a link type (a DSA tag, 802.11, ...) wiretale does not read.
            p.linkNotDecoded = true
            network = nil
        }
        guard let start = network else { return }
        switch p.link.etherType {
        case .ipv4, .ipv6:
            decodeIP(b, at: start, version6: p.link.etherType == .ipv6, &p)
        case .arp, .rarp: ARPDecoder.decode(b, at: start, &p)
        default: break
        }
    }

    @inline(__always)
    static func decodeIP(_ b: UnsafeRawBufferPointer, at start: Int, version6: Bool, _ p: inout DecodedPacket) {
        var offset = start
        var v6 = version6
        // At most one level of IP-in-IP (RFC 2003 / RFC 4213); `ip` keeps the outer header.
        for _ in 0..<2 {
            let end: Int
            var proto: UInt8
            var transport: Int
            if v6 {
                proto = 0
                transport = 0
                guard let e = IPDecoder.ipv6(b, at: offset, &p, proto: &proto, transportOffset: &transport) else {
                    return
                }
                end = e
            } else {
                guard let e = IPDecoder.ipv4(b, at: offset, &p) else { return }
                end = e
                let ihl = Int(b.u8(offset) & 0x0F) * 4
                proto = b.u8(offset + 9)
                transport = offset + ihl
            }
            // The payload length this header declares, for tcp.len.
            let declared: Int
            if v6 {
                let pl = Int(b.u16be(offset + 4))
                declared = pl == 0 ? end - transport : pl - (transport - offset - 40)
            } else {
                let total = Int(b.u16be(offset + 2))
                declared = (total == 0 ? b.count - offset : total) - (transport - offset)
            }
            switch proto {
            case IPProtocol.tcp.rawValue:
                TCPDecoder.decode(b, at: transport, end: end, declared: declared, &p)
                if p.hasTCP && p.error == nil { ApplicationRegistry.classify(b, &p) }
                return
            case IPProtocol.udp.rawValue:
                UDPDecoder.decode(b, at: transport, end: end, &p)
                if p.hasUDP && p.error == nil { ApplicationRegistry.classify(b, &p) }
                return
            case IPProtocol.icmp.rawValue:
                ICMPDecoder.decode(b, at: transport, end: end, v6: false, &p)
                return
            case IPProtocol.icmpv6.rawValue:
                ICMPDecoder.decode(b, at: transport, end: end, v6: true, &p)
                return
            case IPProtocol.ipInIP.rawValue:
                offset = transport
                v6 = false
            case IPProtocol.ipv6.rawValue:
                offset = transport
                v6 = true
            default:
                return
            }
        }
    }

    /// An IP length past the captured bytes is a snapshot cut only when the frame was longer on the
    /// wire. When the capture holds the whole frame (`wireLength <= captured`), the length field
    /// lies: the packet is marked malformed (tshark: "total length exceeds packet length"), not
    /// "payload cut", and the TCP length is what the frame holds, as tshark computes it.
    public static func checkLength(_ p: inout DecodedPacket, captured: Int, wireLength: Int) {
        guard p.payloadTruncated, p.hasIP, wireLength <= captured else { return }
        p.payloadTruncated = false
        if p.hasTCP && p.reassembledFirstFrame == 0 { p.tcp.payloadLength = p.tcp.capturedPayload }
        if p.error == nil {
            p.error =
                p.ip.version == 4
                ? DecodeError(.ipv4, at: p.ip.offset + 2, "total length exceeds the packet's length")
                : DecodeError(.ipv6, at: p.ip.offset + 4, "payload length exceeds the packet's length")
        }
    }
}
