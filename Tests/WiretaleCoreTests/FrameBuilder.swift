@testable import WiretaleCore

/// Builds frames byte by byte for decoder tests (network byte order).
enum FrameBuilder {
    static func be16(_ v: Int) -> [UInt8] { [UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
    static func be32(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
    }

    static let macA: [UInt8] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x0A]
    static let macB: [UInt8] = [0x02, 0x00, 0x00, 0x00, 0x00, 0x0B]

    static func ethernet(type: Int, vlans: [Int] = [], _ payload: [UInt8]) -> [UInt8] {
        var f = macB + macA
        for (i, v) in vlans.enumerated() {
            f += be16(i == 0 && vlans.count > 1 ? 0x88A8 : 0x8100) + be16(v)
        }
        return f + be16(type) + payload
    }

    static func ipv4(
        src: [UInt8] = [10, 0, 0, 1], dst: [UInt8] = [10, 0, 0, 2], proto: UInt8, ttl: UInt8 = 64,
        options: [UInt8] = [], flagsFragment: Int = 0x4000, totalLength: Int? = nil, _ payload: [UInt8]
    ) -> [UInt8] {
        let ihl = 20 + options.count
        var h: [UInt8] = [UInt8(0x40 | ihl / 4), 0] + be16(totalLength ?? ihl + payload.count) + be16(0x1234)
        h += be16(flagsFragment) + [ttl, proto, 0, 0] + src + dst + options
        return h + payload
    }

    static func ipv6(
        src: [UInt8] = [0x20, 0x01, 0x0d, 0xb8] + Array(repeating: 0, count: 11) + [1],
        dst: [UInt8] = [0x20, 0x01, 0x0d, 0xb8] + Array(repeating: 0, count: 11) + [2],
        next: UInt8, extensions: [UInt8] = [], hopLimit: UInt8 = 64, _ payload: [UInt8]
    ) -> [UInt8] {
        [0x60, 0, 0, 0] + be16(extensions.count + payload.count) + [next, hopLimit] + src + dst + extensions + payload
    }

    static func tcp(
        src: Int = 40000, dst: Int = 80, seq: UInt32 = 1000, ack: UInt32 = 0, flags: UInt8 = 0x02,
        window: Int = 65535, options: [UInt8] = [], _ payload: [UInt8] = []
    ) -> [UInt8] {
        let hl = 20 + options.count
        return be16(src) + be16(dst) + be32(seq) + be32(ack) + [UInt8(hl / 4) << 4, flags] + be16(window) + [
            0, 0, 0, 0,
        ]
            + options + payload
    }

    static func udp(src: Int = 40000, dst: Int = 53, _ payload: [UInt8]) -> [UInt8] {
        be16(src) + be16(dst) + be16(8 + payload.count) + [0, 0] + payload
    }

    /// A SYN with MSS 1460, SACK-permitted, timestamps and window scale 7, as Linux sends it.
    static var synOptions: [UInt8] {
        [2, 4, 0x05, 0xB4, 4, 2, 8, 10] + be32(0x0102_0304) + be32(0) + [1, 3, 3, 7]
    }

    static func decode(_ frame: [UInt8], link: LinkType = .ethernet) -> DecodedPacket {
        var p = DecodedPacket()
        frame.withUnsafeBytes { PacketDecoder.decode($0, linkType: link, into: &p) }
        return p
    }
}
