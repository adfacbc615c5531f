import WiretaleCore

/// Hand-built frames for the filter and writer tests. Checksums are left zero: BPF never looks.
enum Frames {
    static func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xFF)] }
    static func be32(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
    }

    /// Ethernet II: dst 02:00:00:00:00:02, src 02:00:00:00:00:01, then the EtherType.
    static func ethernet(_ etherType: UInt16, _ payload: [UInt8]) -> [UInt8] {
        [0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01] + be16(etherType) + payload
    }

    /// Linux "cooked" v2 (LINKTYPE_LINUX_SLL2, 20 bytes): protocol, reserved, ifindex 1,
    /// ARPHRD_ETHER, packet type 0 (to us), address length 6, address padded to 8.
    static func sll2(_ etherType: UInt16, _ payload: [UInt8]) -> [UInt8] {
        be16(etherType) + [0, 0] + be32(1) + be16(1) + [0, 6] + [0x02, 0, 0, 0, 0, 0x01, 0, 0] + payload
    }

    /// IPv4 (RFC 791) with a 20-byte header, TTL 64, DF.
    static func ipv4(_ src: [UInt8], _ dst: [UInt8], proto: UInt8, _ payload: [UInt8]) -> [UInt8] {
        let total = UInt16(20 + payload.count)
        return [0x45, 0] + be16(total) + [0x12, 0x34, 0x40, 0x00, 64, proto, 0, 0] + src + dst + payload
    }

    /// IPv6 (RFC 8200), hop limit 64.
    static func ipv6(_ src: [UInt8], _ dst: [UInt8], next: UInt8, _ payload: [UInt8]) -> [UInt8] {
        [0x60, 0, 0, 0] + be16(UInt16(payload.count)) + [next, 64] + src + dst + payload
    }

    /// A 20-byte TCP header (RFC 9293) with the given flags byte.
    static func tcp(_ srcPort: UInt16, _ dstPort: UInt16, flags: UInt8 = 0x02) -> [UInt8] {
        be16(srcPort) + be16(dstPort) + be32(1000) + be32(0) + [0x50, flags] + be16(65535) + [0, 0, 0, 0]
    }

    /// UDP (RFC 768).
    static func udp(_ srcPort: UInt16, _ dstPort: UInt16, _ payload: [UInt8] = Array("hello".utf8)) -> [UInt8] {
        be16(srcPort) + be16(dstPort) + be16(UInt16(8 + payload.count)) + [0, 0] + payload
    }

    /// ARP request (RFC 826) for Ethernet/IPv4: who has 10.0.0.2, tell 10.0.0.1.
    static let arpRequest: [UInt8] =
        be16(1) + be16(0x0800) + [6, 4] + be16(1)
        + [0x02, 0, 0, 0, 0, 0x01] + [10, 0, 0, 1] + [0, 0, 0, 0, 0, 0] + [10, 0, 0, 2]

    static let a: [UInt8] = [10, 0, 0, 1]
    static let b: [UInt8] = [10, 0, 0, 2]
    static let c: [UInt8] = [192, 168, 1, 7]
    static let v6a: [UInt8] = [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [1]
    static let v6b: [UInt8] = [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [2]

    /// The network-layer packets every link-type test wraps, with what each filter should say.
    static let tcp80 = ipv4(a, b, proto: 6, tcp(51000, 80))
    static let tcp443 = ipv4(c, b, proto: 6, tcp(51000, 443))
    static let udp53 = ipv4(c, b, proto: 17, udp(5353, 53))
    static let tcp6 = ipv6(v6a, v6b, next: 6, tcp(51000, 80))
}
