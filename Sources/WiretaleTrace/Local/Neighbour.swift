import WiretaleCore
import WiretaleSystem

/// One neighbour-cache entry: the link-layer address the kernel learned (ARP for IPv4, neighbour
/// discovery for IPv6) for an on-link address.
public struct NeighbourEntry: Sendable, Equatable {
    public var address: IPAddress
    public var mac: String?
    public var interface: String
    /// "REACHABLE", "STALE", "DELAY", "PROBE", "INCOMPLETE", "FAILED", "PERMANENT", or for
    /// /proc/net/arp "complete" / "incomplete".
    public var state: String

    /// True when the entry holds a usable link-layer address.
    public var isUsable: Bool {
        mac != nil && !["INCOMPLETE", "FAILED", "incomplete"].contains(state)
    }
}

public enum NeighbourCache {
    /// `/proc/net/arp`: "IP address  HW type  Flags  HW address  Mask  Device"; flags 0x2 = complete
    /// (ATF_COM), 0x4 = permanent (ATF_PERM).
    public static func parseProcArp(_ text: String) -> [NeighbourEntry] {
        var out: [NeighbourEntry] = []
        for line in text.split(separator: "\n").dropFirst() {
            let f = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard f.count >= 6, let ip = IPAddress(f[0]), let flags = UInt32(f[2].dropFirst(2), radix: 16) else {
                continue
            }
            let complete = flags & 0x2 != 0
            let mac = f[3] == "00:00:00:00:00:00" ? nil : String(f[3])
            let state = flags & 0x4 != 0 ? "PERMANENT" : (complete ? "complete" : "incomplete")
            out.append(NeighbourEntry(address: ip, mac: complete ? mac : nil, interface: String(f[5]), state: state))
        }
        return out
    }

    /// `ip neigh show` lines: "fe80::1 dev eth0 lladdr 52:54:00:12:34:56 router REACHABLE".
    public static func parseIPNeigh(_ text: String) -> [NeighbourEntry] {
        var out: [NeighbourEntry] = []
        for line in text.split(separator: "\n") {
            let f = line.split(separator: " ").map(String.init)
            guard let first = f.first, let ip = IPAddress(first) else { continue }
            var dev = "?"
            var mac: String?
            if let i = f.firstIndex(of: "dev"), i + 1 < f.count { dev = f[i + 1] }
            if let i = f.firstIndex(of: "lladdr"), i + 1 < f.count { mac = f[i + 1] }
            let state = f.last ?? "?"
            out.append(NeighbourEntry(address: ip, mac: mac, interface: dev, state: state))
        }
        return out
    }

    /// The whole cache now: IPv4 from /proc/net/arp, IPv6 from `ip -6 neigh` (iproute2 asks the
    /// kernel over netlink; procfs has no IPv6 table). States for IPv4 also come from `ip -4 neigh`
    /// when it is there, since it distinguishes REACHABLE from STALE.
    public static func snapshot() -> [NeighbourEntry] {
        var entries: [NeighbourEntry] = []
        if let v4 = runTool(ipToolPaths, ["-4", "neigh", "show"]) {
            entries += parseIPNeigh(v4)
        } else {
            entries += parseProcArp(readTextFile("/proc/net/arp") ?? "")
        }
        if let v6 = runTool(ipToolPaths, ["-6", "neigh", "show"]) { entries += parseIPNeigh(v6) }
        return entries
    }

    public static func lookup(_ ip: IPAddress, in entries: [NeighbourEntry]) -> NeighbourEntry? {
        entries.first { $0.address == ip }
    }
}
