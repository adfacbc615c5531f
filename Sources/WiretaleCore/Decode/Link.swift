/// An EtherType (IEEE 802 numbers, https://www.iana.org/assignments/ieee-802-numbers): what an
/// Ethernet frame, a Linux cooked header or a VLAN tag carries. Unknown values survive as themselves.
public struct EtherType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let ipv4 = EtherType(rawValue: 0x0800)
    public static let arp = EtherType(rawValue: 0x0806)
    /// Reverse ARP (RFC 903).
    public static let rarp = EtherType(rawValue: 0x8035)
    public static let ipv6 = EtherType(rawValue: 0x86DD)
    /// An 802.1Q VLAN tag follows.
    public static let vlan = EtherType(rawValue: 0x8100)
    /// An 802.1ad (QinQ) service tag follows, and the pre-standard value some switches use.
    public static let qinq = EtherType(rawValue: 0x88A8)
    public static let qinqOld = EtherType(rawValue: 0x9100)

    /// A short name, or "0x" and four hex digits for a type wiretale does not follow.
    public var name: String {
        switch self {
        case .ipv4: "IPv4"
        case .arp: "ARP"
        case .rarp: "RARP"
        case .ipv6: "IPv6"
        case .vlan: "802.1Q"
        case .qinq, .qinqOld: "802.1ad"
        default:
            "0x" + String(repeating: "0", count: 4 - String(rawValue, radix: 16).count) + String(rawValue, radix: 16)
        }
    }

    public var description: String { name }
}

/// Link-layer decoding: Ethernet II with 802.1Q/802.1ad tags, Linux cooked capture v1 and v2,
/// BSD/OpenBSD loopback, and raw IP. Each returns the offset of the network-layer payload and
/// sets `link.etherType`, or records an error and returns nil.
enum LinkDecoder {

    @inline(__always)
    static func mac(_ b: UnsafeRawBufferPointer, _ o: Int) -> UInt64 {
        UInt64(b.u16be(o)) << 32 | UInt64(b.u32be(o + 2))
    }

    /// IEEE 802.3 Ethernet II header (14 bytes), then up to two VLAN tags (4 bytes each).
    @inline(__always)
    static func ethernet(_ b: UnsafeRawBufferPointer, at start: Int, _ p: inout DecodedPacket) -> Int? {
        guard b.count - start >= 14 else {
            p.error = .truncated(.ethernet, at: start)
            return nil
        }
        p.hasLink = true
        p.link.dst = mac(b, start)
        p.link.src = mac(b, start + 6)
        p.link.hasMACs = true
        var type = b.u16be(start + 12)
        var o = start + 14
        var tags: UInt8 = 0
        while type == EtherType.vlan.rawValue || type == EtherType.qinq.rawValue || type == EtherType.qinqOld.rawValue {
            guard b.count - o >= 4 else {
                p.error = .truncated(.vlan, at: o, "802.1Q tag truncated")
                p.link.vlanCount = tags
                return nil
            }
            let vid = b.u16be(o) & 0x0FFF
            if tags == 0 { p.link.vlan0 = vid } else if tags == 1 { p.link.vlan1 = vid }
            tags &+= 1
            type = b.u16be(o + 2)
            o += 4
            if tags > 8 {
                p.error = DecodeError(.vlan, at: o, "more than 8 VLAN tags")
                return nil
            }
        }
        p.link.vlanCount = tags
        p.link.etherType = EtherType(rawValue: type)
        // IEEE 802.3: a value of 1500 or less is the frame's length, and 802.2 LLC follows.
        if type <= 1500 { return llc(b, at: o, length: type, &p) }
        return o
    }

    /// IEEE 802.2 LLC (DSAP, SSAP, control), then SNAP (RFC 1042: OUI and protocol id) when both SAPs
    /// are 0xAA, or a spanning-tree BPDU when both are 0x42. Returns where SNAP's EtherType payload
    /// starts (setting `link.etherType` to it), or nil when nothing above is decoded.
    static func llc(_ b: UnsafeRawBufferPointer, at o: Int, length: UInt16, _ p: inout DecodedPacket) -> Int? {
        guard b.count - o >= 3 else {
            p.error = .truncated(.llc, at: o)
            return nil
        }
        p.hasLLC = true
        p.llc.length = length
        p.llc.dsap = b.u8(o)
        p.llc.ssap = b.u8(o + 1)
        let c = b.u8(o + 2)
        p.llc.isSNAP = false
        // U frames have a one-byte control field; I and S frames two (802.2 section 5.2).
        let controlLength = c & 3 == 3 ? 1 : 2
        guard b.count - o >= 2 + controlLength else {
            p.error = .truncated(.llc, at: o + 2, "control field truncated")
            return nil
        }
        p.llc.control = controlLength == 1 ? UInt16(c) : b.u16be(o + 2)
        let x = o + 2 + controlLength
        if p.llc.dsap == 0xAA && p.llc.ssap == 0xAA && controlLength == 1 {
            guard b.count - x >= 5 else {
                p.error = .truncated(.llc, at: x, "SNAP header truncated")
                return nil
            }
            p.llc.isSNAP = true
            p.llc.oui = UInt32(b.u8(x)) << 16 | UInt32(b.u16be(x + 1))
            p.llc.snapType = b.u16be(x + 3)
            // OUI 0 (RFC 1042) and 00-00-F8 (802.1H) carry an EtherType.
            guard p.llc.oui == 0 || p.llc.oui == 0xF8 else { return nil }
            p.link.etherType = EtherType(rawValue: p.llc.snapType)
            return x + 5
        }
        if p.llc.dsap == 0x42 && p.llc.ssap == 0x42 { stp(b, at: x, &p) }
        return nil
    }

    /// A spanning-tree BPDU (IEEE 802.1D section 9.3; RST and MST's common part are laid out the same).
    static func stp(_ b: UnsafeRawBufferPointer, at o: Int, _ p: inout DecodedPacket) {
        guard b.count - o >= 4 else {
            p.error = .truncated(.stp, at: o)
            return
        }
        p.hasSTP = true
        p.stp.protocolVersion = b.u8(o + 2)
        p.stp.bpduType = b.u8(o + 3)
        p.stp.isConfiguration = false
        guard p.stp.bpduType != 0x80 else { return }  // a topology change notification ends here
        guard b.count - o >= 35 else {
            p.error = .truncated(.stp, at: o + 4, "BPDU truncated")
            return
        }
        p.stp.isConfiguration = true
        p.stp.flags = b.u8(o + 4)
        p.stp.rootPriority = b.u16be(o + 5)
        p.stp.rootMAC = mac(b, o + 7)
        p.stp.rootCost = b.u32be(o + 13)
        p.stp.bridgePriority = b.u16be(o + 17)
        p.stp.bridgeMAC = mac(b, o + 19)
        p.stp.portID = b.u16be(o + 25)
    }

    /// Linux cooked capture v1 (LINKTYPE_LINUX_SLL, 16 bytes).
    @inline(__always)
    static func sll(_ b: UnsafeRawBufferPointer, _ p: inout DecodedPacket) -> Int? {
        guard b.count >= 16 else {
            p.error = .truncated(.sll, at: 0)
            return nil
        }
        p.hasLink = true
        p.link.sllPacketType = b.u16be(0)
        p.link.hasSLLPacketType = true
        let hatype = b.u16be(2)
        let alen = Int(b.u16be(4))
        if hatype == 1 && alen == 6 {
            p.link.src = mac(b, 6)
            p.link.hasMACs = false
        }
        p.link.etherType = EtherType(rawValue: b.u16be(14))
        // The protocol 0x0004: 802.2 LLC frames (the cooked header's length-field case).
        if p.link.etherType.rawValue == 4 { return llc(b, at: 16, length: 0, &p) }
        return 16
    }

    /// Linux cooked capture v2 (LINKTYPE_LINUX_SLL2, 20 bytes).
    @inline(__always)
    static func sll2(_ b: UnsafeRawBufferPointer, _ p: inout DecodedPacket) -> Int? {
        guard b.count >= 20 else {
            p.error = .truncated(.sll2, at: 0)
            return nil
        }
        p.hasLink = true
        p.link.etherType = EtherType(rawValue: b.u16be(0))
        p.link.ifIndex = b.u32be(4)
        let hatype = b.u16be(8)
        p.link.sllPacketType = UInt16(b.u8(10))
        p.link.hasSLLPacketType = true
        if hatype == 1 && b.u8(11) == 6 {
            p.link.src = mac(b, 12)
        }
        return 20
    }

    /// BSD loopback: a 4-byte protocol family, host byte order (`null`) or big-endian (`loop`).
    /// AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (macOS), 10 (Linux).
    @inline(__always)
    static func loopback(_ b: UnsafeRawBufferPointer, bigEndian: Bool, _ p: inout DecodedPacket) -> Int? {
        guard b.count >= 4 else {
            p.error = .truncated(.loopback, at: 0)
            return nil
        }
        p.hasLink = true
        var family = bigEndian ? b.u32be(0) : b.u32le(0)
        // A `null` file written on a host of the other byte order: the family lands in the high bytes.
        if !bigEndian && family > 0xFFFF { family = family.byteSwapped }
        switch family {
        case 2: p.link.etherType = .ipv4
        case 10, 24, 28, 30: p.link.etherType = .ipv6
        default:
            p.link.etherType = EtherType(rawValue: 0)
            p.error = DecodeError(.loopback, at: 0, "unknown address family")
            return nil
        }
        return 4
    }

    /// Raw IP: the version nibble says which.
    @inline(__always)
    static func raw(_ b: UnsafeRawBufferPointer, _ p: inout DecodedPacket) -> Int? {
        guard b.count >= 1 else {
            p.error = .truncated(.ipv4, at: 0, "empty frame")
            return nil
        }
        switch b.u8(0) >> 4 {
        case 4: p.link.etherType = .ipv4
        case 6: p.link.etherType = .ipv6
        default:
            p.error = DecodeError(.ipv4, at: 0, "raw IP frame with IP version neither 4 nor 6")
            return nil
        }
        return 0
    }
}

/// Spanning-tree names, as tcpdump prints them.
public enum STPNames {
    /// `Config`, `Topology Change`, `Rapid STP` (802.1w), `Multiple STP` (802.1s).
    public static func bpduType(_ type: UInt8, version: UInt8) -> StaticString {
        switch type {
        case 0x00: "Config"
        case 0x80: "Topology Change"
        case 0x02: version >= 3 ? "Multiple STP" : "Rapid STP"
        default: "unknown BPDU type"
        }
    }
}
