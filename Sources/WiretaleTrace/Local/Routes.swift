import WiretaleCore
import WiretaleSystem

/// One route from the kernel's table, as `/proc/net/route` or `/proc/net/ipv6_route` shows it.
public struct KernelRoute: Sendable, Equatable {
    public var interface: String
    public var destination: IPAddress
    public var prefixLength: Int
    /// The gateway, nil for an on-link route.
    public var gateway: IPAddress?
    public var metric: Int

    public var isDefault: Bool { prefixLength == 0 }

    public func contains(_ a: IPAddress) -> Bool {
        guard a.isIPv6 == destination.isIPv6 else { return false }
        return RouteTable.masked(a, prefixLength) == RouteTable.masked(destination, prefixLength)
    }
}

/// Parsers for the kernel's route tables, and longest-prefix lookup over them.
public enum RouteTable {
    /// `/proc/net/route`: Iface Destination Gateway Flags RefCnt Use Metric Mask MTU Window IRTT, the
    /// addresses in hex, in the host's (little-endian on x86) byte order.
    public static func parseIPv4(_ text: String) -> [KernelRoute] {
        var routes: [KernelRoute] = []
        for line in text.split(separator: "\n").dropFirst() {
            let f = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard f.count >= 8, let dst = UInt32(f[1], radix: 16), let gw = UInt32(f[2], radix: 16),
                let flags = UInt32(f[3], radix: 16), let metric = Int(f[6]), let mask = UInt32(f[7], radix: 16)
            else { continue }
            guard flags & 0x1 != 0 else { continue }  // RTF_UP
            let rtfGateway: UInt32 = 0x2
            let maskHost = UInt32(littleEndian: mask)
            routes.append(
                KernelRoute(
                    interface: String(f[0]), destination: IPAddress(v4: UInt32(littleEndian: dst).byteSwapped),
                    prefixLength: maskHost.byteSwapped.leadingZeroBitCount == 32 ? 0 : maskHost.nonzeroBitCount,
                    gateway: flags & rtfGateway != 0 ? IPAddress(v4: UInt32(littleEndian: gw).byteSwapped) : nil,
                    metric: metric))
        }
        return routes
    }

    /// `/proc/net/ipv6_route`: dest prefixlen src srcprefixlen nexthop metric refcnt use flags iface,
    /// addresses as 32 hex digits in network order, numbers in hex.
    public static func parseIPv6(_ text: String) -> [KernelRoute] {
        var routes: [KernelRoute] = []
        for line in text.split(separator: "\n") {
            let f = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard f.count >= 10, let dst = hex128(f[0]), let plen = Int(f[1], radix: 16), let nh = hex128(f[4]),
                let metric = Int(f[5], radix: 16), let flags = UInt32(f[8], radix: 16)
            else { continue }
            guard flags & 0x1 != 0 else { continue }  // RTF_UP
            let iface = String(f[9])
            if iface == "lo" && flags & 0x0200 != 0 { continue }  // RTF_REJECT on lo: unreachable routes
            let rtfGateway: UInt32 = 0x2
            let gw: IPAddress? = flags & rtfGateway != 0 && (nh.high != 0 || nh.low != 0) ? nh : nil
            routes.append(
                KernelRoute(interface: iface, destination: dst, prefixLength: plen, gateway: gw, metric: metric))
        }
        return routes
    }

    static func hex128(_ s: Substring) -> IPAddress? {
        guard s.count == 32, let hi = UInt64(s.prefix(16), radix: 16), let lo = UInt64(s.suffix(16), radix: 16) else {
            return nil
        }
        return IPAddress(v6High: hi, low: lo)
    }

    static func masked(_ a: IPAddress, _ prefix: Int) -> IPAddress {
        if !a.isIPv6 {
            let m: UInt32 = prefix == 0 ? 0 : ~UInt32(0) << UInt32(32 - min(prefix, 32))
            return IPAddress(v4: a.v4Value & m)
        }
        let hiBits = min(prefix, 64)
        let loBits = max(0, prefix - 64)
        let hm: UInt64 = hiBits == 0 ? 0 : ~UInt64(0) << UInt64(64 - hiBits)
        let lm: UInt64 = loBits == 0 ? 0 : ~UInt64(0) << UInt64(64 - loBits)
        return IPAddress(v6High: a.high & hm, low: a.low & lm)
    }

    /// The route the kernel would most likely use: longest prefix, then lowest metric. (Policy
    /// routing rules are not consulted; the local address the kernel picked is, separately.)
    public static func lookup(_ dest: IPAddress, in routes: [KernelRoute], interface: String? = nil) -> KernelRoute? {
        routes.filter { $0.contains(dest) && (interface == nil || $0.interface == interface) }
            .max { ($0.prefixLength, -$0.metric) < ($1.prefixLength, -$1.metric) }
    }

    public static func systemRoutes(ipv6: Bool) -> [KernelRoute] {
        ipv6
            ? parseIPv6(readTextFile("/proc/net/ipv6_route") ?? "")
            : parseIPv4(readTextFile("/proc/net/route") ?? "")
    }
}
