/// ARP (RFC 826) and RARP (RFC 903, EtherType 0x8035, the same layout). Ethernet/IPv4 ARP is
/// decoded fully; other hardware/protocol pairs keep the opcode.
enum ARPDecoder {
    @inline(__always)
    static func decode(_ b: UnsafeRawBufferPointer, at o: Int, _ p: inout DecodedPacket) {
        guard b.count - o >= 8 else {
            p.error = .truncated(.arp, at: o)
            return
        }
        p.hasARP = true
        p.arp.isReverse = p.link.etherType == .rarp
        let htype = b.u16be(o)
        let ptype = b.u16be(o + 2)
        let hlen = Int(b.u8(o + 4))
        let plen = Int(b.u8(o + 5))
        p.arp.operation = b.u16be(o + 6)
        p.arp.isEthernetIPv4 = htype == 1 && ptype == 0x0800 && hlen == 6 && plen == 4
        guard p.arp.isEthernetIPv4 else { return }
        guard b.count - o >= 28 else {
            p.error = .truncated(.arp, at: o + 8, "addresses truncated")
            p.arp.isEthernetIPv4 = false
            return
        }
        p.arp.senderMAC = LinkDecoder.mac(b, o + 8)
        p.arp.senderIP = .v4(b, o + 14)
        p.arp.targetMAC = LinkDecoder.mac(b, o + 18)
        p.arp.targetIP = .v4(b, o + 24)
    }

    public static func operationName(_ op: UInt16) -> String {
        switch op {
        case 1: "request"
        case 2: "reply"
        case 3: "RARP request"
        case 4: "RARP reply"
        case 8: "InARP request"
        case 9: "InARP reply"
        default: "op \(op)"
        }
    }
}
