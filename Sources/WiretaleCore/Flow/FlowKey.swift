/// One end of a flow: an address and a port.
public struct FlowEndpoint: Hashable, Sendable, CustomStringConvertible {
    public internal(set) var address: IPAddress
    public internal(set) var port: UInt16

    public init(_ address: IPAddress, _ port: UInt16) {
        self.address = address
        self.port = port
    }

    /// "ip:port", IPv6 as "[addr]:port" (RFC 3986 section 3.2.2).
    public var description: String {
        var out: [UInt8] = []
        appendText(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    public func appendText(to out: inout [UInt8]) {
        if address.isIPv6 { out.append(UInt8(ascii: "[")) }
        address.appendText(to: &out)
        if address.isIPv6 { out.append(UInt8(ascii: "]")) }
        out.append(UInt8(ascii: ":"))
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0)
        var n = 0
        var v = port
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[n] = UInt8(truncatingIfNeeded: v % 10) + 0x30
                v /= 10
                n += 1
            } while v > 0
            while n > 0 {
                n -= 1
                out.append(d[n])
            }
        }
    }

    static func < (a: FlowEndpoint, b: FlowEndpoint) -> Bool {
        a.address != b.address ? a.address < b.address : a.port < b.port
    }
}

/// The 4-tuple of a TCP or UDP flow, direction-normalised: `low` is the smaller endpoint, so both
/// directions of a conversation find the same key. Stored by value (no heap), hashed cheaply: the
/// hash mixes the words once with a multiply-xorshift instead of feeding 40 bytes to SipHash.
public struct FlowKey: Hashable, Sendable {
    var lowHigh: UInt64
    var lowLow: UInt64
    var highHigh: UInt64
    var highLow: UInt64
    /// low port << 16 | high port, plus bit 32 for IPv6.
    var ports: UInt64

    /// The key of a packet from `src` to `dst`, and whether the packet goes low → high.
    @inline(__always)
    public static func make(src: IPAddress, srcPort: UInt16, dst: IPAddress, dstPort: UInt16) -> (FlowKey, Bool) {
        let srcFirst: Bool
        if src.high != dst.high {
            srcFirst = src.high < dst.high
        } else if src.low != dst.low {
            srcFirst = src.low < dst.low
        } else {
            srcFirst = srcPort <= dstPort
        }
        let v6: UInt64 = src.isIPv6 ? 1 << 32 : 0
        if srcFirst {
            return (
                FlowKey(
                    lowHigh: src.high, lowLow: src.low, highHigh: dst.high, highLow: dst.low,
                    ports: v6 | UInt64(srcPort) << 16 | UInt64(dstPort)), true
            )
        }
        return (
            FlowKey(
                lowHigh: dst.high, lowLow: dst.low, highHigh: src.high, highLow: src.low,
                ports: v6 | UInt64(dstPort) << 16 | UInt64(srcPort)), false
        )
    }

    init(lowHigh: UInt64, lowLow: UInt64, highHigh: UInt64, highLow: UInt64, ports: UInt64) {
        self.lowHigh = lowHigh
        self.lowLow = lowLow
        self.highHigh = highHigh
        self.highLow = highLow
        self.ports = ports
    }

    var isIPv6: Bool { ports & (1 << 32) != 0 }

    /// The endpoint on the `low` (side 0) or `high` (side 1) end.
    public func endpoint(side: Int) -> FlowEndpoint {
        let v6 = isIPv6
        func address(_ h: UInt64, _ l: UInt64) -> IPAddress {
            v6 ? IPAddress(v6High: h, low: l) : IPAddress(v4: UInt32(truncatingIfNeeded: l))
        }
        return side == 0
            ? FlowEndpoint(address(lowHigh, lowLow), UInt16(truncatingIfNeeded: ports >> 16))
            : FlowEndpoint(address(highHigh, highLow), UInt16(truncatingIfNeeded: ports))
    }

    /// The words mixed once (multiply-xorshift): the hash of the tracker's own table.
    @inline(__always)
    var mixedHash: UInt64 {
        var h = lowLow &* 0x9E37_79B9_7F4A_7C15
        h ^= highLow &* 0xC2B2_AE3D_27D4_EB4F
        h ^= (lowHigh ^ highHigh.rotateLeft(17)) &* 0x1656_67B1_9E37_79F9
        h ^= ports &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 29
        h &*= 0x94D0_49BB_1331_11EB
        return h ^ (h >> 32)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(mixedHash)
    }
}

extension UInt64 {
    @inline(__always) func rotateLeft(_ n: UInt64) -> UInt64 { (self << n) | (self >> (64 - n)) }
}
