/// ICMP (RFC 792) and ICMPv6 (RFC 4443, neighbour discovery RFC 4861).
enum ICMPDecoder {
    @inline(__always)
    static func decode(_ b: UnsafeRawBufferPointer, at o: Int, end: Int, v6: Bool, _ p: inout DecodedPacket) {
        guard end - o >= 4 else {
            p.error = .truncated(v6 ? .icmpv6 : .icmp, at: o)
            return
        }
        p.hasICMP = true
        p.icmp.isV6 = v6
        p.icmp.type = b.u8(o)
        p.icmp.code = b.u8(o + 1)
        p.icmp.identifier = 0
        p.icmp.sequence = 0
        p.icmp.ndTarget = nil
        p.icmp.hasQuoted = false
        p.icmp.hasQuotedPorts = false
        p.icmp.mtu = 0
        let t = p.icmp.type
        p.icmp.hasEchoFields = p.icmp.isEcho && end - o >= 8
        if p.icmp.hasEchoFields {
            p.icmp.identifier = b.u16be(o + 4)
            p.icmp.sequence = b.u16be(o + 6)
        }
        if v6 && (t == 135 || t == 136) {
            if end - o >= 24 {
                p.icmp.ndTarget = .v6(b, o + 8)
            } else {
                p.error = .truncated(.icmpv6, at: o + 8, "neighbour discovery target truncated")
            }
        }
        if end - o >= 8 {
            if v6 && t == 2 { p.icmp.mtu = b.u32be(o + 4) }
            if !v6 && t == 3 && p.icmp.code == 4 { p.icmp.mtu = UInt32(b.u16be(o + 6)) }
        }
        // An error message quoting the offending packet carries a second IP header.
        let quotes = v6 ? t < 128 : (t == 3 || t == 4 || t == 5 || t == 11 || t == 12)
        if quotes { quoted(b, at: o + 8, end: end, &p) }
    }

    /// The IP header (and the first 8 bytes after it) an error message quotes (RFC 792, RFC 4443
    /// section 2.4): what the error is about. IPv6 extension headers are not walked: the quoted
    /// protocol is then the first next header.
    @inline(__always)
    static func quoted(_ b: UnsafeRawBufferPointer, at q: Int, end: Int, _ p: inout DecodedPacket) {
        guard end - q >= 20 else { return }
        let version = b.u8(q) >> 4
        let transport: Int
        if version == 4 {
            let ihl = Int(b.u8(q) & 0x0F) * 4
            guard ihl >= 20, end - q >= ihl else { return }
            p.icmp.quotedSrc = .v4(b, q + 12)
            p.icmp.quotedDst = .v4(b, q + 16)
            p.icmp.quotedProto = IPProtocol(rawValue: b.u8(q + 9))
            // Only a first fragment holds the transport header.
            transport = b.u16be(q + 6) & 0x1FFF == 0 ? q + ihl : end
        } else if version == 6 {
            guard end - q >= 40 else { return }
            p.icmp.quotedSrc = .v6(b, q + 8)
            p.icmp.quotedDst = .v6(b, q + 24)
            p.icmp.quotedProto = IPProtocol(rawValue: b.u8(q + 6))
            transport = q + 40
        } else {
            return
        }
        p.icmp.hasQuoted = true
        p.ipLayerCount &+= 1
        let proto = p.icmp.quotedProto
        if (proto == .tcp || proto == .udp || proto == .sctp) && end - transport >= 4 {
            p.icmp.hasQuotedPorts = true
            p.icmp.quotedSrcPort = b.u16be(transport)
            p.icmp.quotedDstPort = b.u16be(transport + 2)
        }
    }

    /// The type/code in words (IANA ICMP and ICMPv6 parameter registries).
    public static func describe(type: UInt8, code: UInt8, v6: Bool) -> String {
        if v6 {
            switch type {
            case 1:
                let c = [
                    "no route to destination", "administratively prohibited", "beyond scope of source address",
                    "address unreachable", "port unreachable", "source address failed policy",
                    "reject route to destination",
                ]
                return "destination unreachable (" + (Int(code) < c.count ? c[Int(code)] : "code \(code)") + ")"
            case 2: return "packet too big"
            case 3: return code == 0 ? "time exceeded (hop limit)" : "time exceeded (fragment reassembly)"
            case 4: return "parameter problem (code \(code))"
            case 128: return "echo request"
            case 129: return "echo reply"
            case 130: return "multicast listener query"
            case 131: return "multicast listener report"
            case 132: return "multicast listener done"
            case 133: return "router solicitation"
            case 134: return "router advertisement"
            case 135: return "neighbor solicitation"
            case 136: return "neighbor advertisement"
            case 137: return "redirect"
            case 143: return "multicast listener report v2"
            default: return "type \(type) code \(code)"
            }
        }
        switch type {
        case 0: return "echo reply"
        case 3:
            let c = [
                "net unreachable", "host unreachable", "protocol unreachable", "port unreachable",
                "fragmentation needed", "source route failed", "destination network unknown",
                "destination host unknown", "source host isolated", "network administratively prohibited",
                "host administratively prohibited", "network unreachable for TOS",
                "host unreachable for TOS", "communication administratively prohibited",
                "host precedence violation", "precedence cutoff in effect",
            ]
            return "destination unreachable (" + (Int(code) < c.count ? c[Int(code)] : "code \(code)") + ")"
        case 4: return "source quench"
        case 5:
            let c = ["for network", "for host", "for TOS and network", "for TOS and host"]
            return "redirect " + (Int(code) < c.count ? c[Int(code)] : "code \(code)")
        case 8: return "echo request"
        case 9: return "router advertisement"
        case 10: return "router solicitation"
        case 11: return code == 0 ? "time exceeded (TTL)" : "time exceeded (fragment reassembly)"
        case 12: return "parameter problem"
        case 13: return "timestamp request"
        case 14: return "timestamp reply"
        default: return "type \(type) code \(code)"
        }
    }
}
