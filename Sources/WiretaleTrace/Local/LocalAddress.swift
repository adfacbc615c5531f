import WiretaleCore
import WiretaleSystem

#if canImport(Glibc)
    import Glibc
#endif

/// What step d finds: the local address the kernel chose for a destination, and around it.
public struct LocalAddressInfo: Sendable {
    public var local: IPAddress
    public var interface: String
    public var prefixLength: Int?
    public var defaultGateway: IPAddress?
    /// The next hop for this destination: the gateway, or the destination itself when on-link.
    public var nextHop: IPAddress
    public var viaGateway: Bool
    /// "leased", "static", or nil when the OS does not tell.
    public var origin: String?
    public var originEvidence: Bilingual
    public var isLoopback: Bool
}

public enum LocalAddressError: Error, Sendable {
    /// connect(2) on a UDP socket failed: the kernel has no route (ENETUNREACH) or no source address.
    case noRoute(errno: Int32)
}

public enum LocalAddress {
    /// Asks the kernel which local address it would use for `dest`, without sending anything:
    /// connect(2) on a UDP socket only picks a route and a source address; getsockname(2) reads it.
    public static func source(for dest: IPAddress, port: Int) throws(LocalAddressError) -> IPAddress {
        let sa = SocketAddress(dest, port: port)
        let fd = socket(sa.family, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw .noRoute(errno: errno) }
        defer { close(fd) }
        let rc = sa.withSockaddr { connect(fd, $0, $1) }
        guard rc == 0 else { throw .noRoute(errno: errno) }
        let (grc, local) = SocketAddress.filled { getsockname(fd, $0, $1) }
        guard grc == 0, let (ip, _) = local.endpoint else {
            throw .noRoute(errno: errno)
        }
        return ip
    }

    /// One address of one interface, from getifaddrs(3).
    public struct InterfaceAddress: Sendable {
        public var interface: String
        public var address: IPAddress
        public var prefixLength: Int
    }

    public static func interfaceAddresses() -> [InterfaceAddress] {
        var head: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&head) == 0, let first = head else { return [] }
        defer { freeifaddrs(head) }
        var out: [InterfaceAddress] = []
        var p: UnsafeMutablePointer<ifaddrs>? = first
        while let cur = p {
            defer { p = cur.pointee.ifa_next }
            guard let sa = cur.pointee.ifa_addr, let (ip, _) = SocketAddress.decode(sa) else { continue }
            var prefix = ip.isIPv6 ? 128 : 32
            if let nm = cur.pointee.ifa_netmask, let (mask, _) = SocketAddress.decode(nm) {
                prefix =
                    mask.isIPv6 ? mask.high.nonzeroBitCount + mask.low.nonzeroBitCount : mask.v4Value.nonzeroBitCount
            }
            out.append(
                InterfaceAddress(interface: String(cString: cur.pointee.ifa_name), address: ip, prefixLength: prefix))
        }
        return out
    }

    /// Step d in full: the chosen address, its interface and prefix, the gateway and next hop, and
    /// whether the address was leased or configured.
    /// With `origin: false` the static/leased question (which runs `ip addr`) is left for later, so
    /// that it costs the fetch no time; see `addressOrigin`.
    public static func inspect(destination: IPAddress, port: Int, origin: Bool = true) throws(LocalAddressError)
        -> LocalAddressInfo
    {
        let local = try source(for: destination, port: port)
        let addrs = interfaceAddresses()
        let mine = addrs.first { $0.address == local }
        let iface = mine?.interface ?? "?"
        let routes = RouteTable.systemRoutes(ipv6: destination.isIPv6)
        let route =
            RouteTable.lookup(destination, in: routes, interface: mine?.interface)
            ?? RouteTable.lookup(destination, in: routes)
        let defaultGW = routes.filter { $0.isDefault && $0.gateway != nil }.min { $0.metric < $1.metric }?.gateway
        let viaGW = route?.gateway != nil
        let (originText, evidence) = origin ? addressOrigin(local, interface: iface) : (nil, Bilingual(verbatim: ""))
        return LocalAddressInfo(
            local: local, interface: iface, prefixLength: mine?.prefixLength, defaultGateway: defaultGW,
            nextHop: route?.gateway ?? destination, viaGateway: viaGW, origin: originText, originEvidence: evidence,
            isLoopback: destination.isLoopback || iface == "lo")
    }

    /// Static or leased, as far as the OS tells: DHCP client lease files first, then the address's
    /// lifetime as the kernel keeps it (`ip addr`: "dynamic" / "valid_lft forever"), else unknown.
    public static func addressOrigin(_ local: IPAddress, interface: String) -> (String?, Bilingual) {
        let text = local.description
        if local.isLoopback { return ("static", Bilingual(TraceSay.loopbackFixed)) }
        var leaseFiles: [String] = []
        for dir in ["/var/lib/dhcp", "/var/lib/dhclient", "/run/systemd/netif/leases", "/var/lib/NetworkManager"] {
            if let names = try? listDirectory(dir) {
                for n in names { leaseFiles.append(dir + "/" + n) }
            }
        }
        for f in leaseFiles.sorted() {
            guard let body = readTextFile(f), body.contains(text) else { continue }
            if let range = body.firstRange(of: text) {
                let before = body[..<range.lowerBound].suffix(20)
                // dhclient: "fixed-address 192.0.2.5;"  networkd: "ADDRESS=192.0.2.5"
                if before.hasSuffix("fixed-address ") || before.hasSuffix("ADDRESS=") || before.hasSuffix("address ") {
                    return ("leased", Bilingual(TraceSay.dhcpLease, text, f))
                }
            }
        }
        if let out = runTool(ipToolPaths, ["-o", "addr", "show", "dev", interface]) {
            for line in out.split(separator: "\n") where line.contains(" \(text)/") {
                if line.contains("dynamic") {
                    return ("leased", Bilingual(TraceSay.kernelDynamic, text))
                }
                if line.contains("valid_lft forever") {
                    return ("static", Bilingual(TraceSay.kernelForever, text))
                }
            }
        }
        return (nil, Bilingual(TraceSay.originUnknown, text))
    }
}

func listDirectory(_ path: String) throws -> [String] {
    guard let d = opendir(path) else { return [] }
    defer { closedir(d) }
    var names: [String] = []
    while let e = readdir(d) {
        let name = withUnsafeBytes(of: e.pointee.d_name) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        if name != "." && name != ".." { names.append(name) }
    }
    return names
}
