/// Counts of what a decode pass saw, by layer (`wiretale read --format none`).
public struct DecodeStatistics {
    public var packets = 0
    public var bytes = 0
    public var ipv4 = 0
    public var ipv6 = 0
    public var tcp = 0
    public var udp = 0
    public var icmp = 0
    public var arp = 0
    public var truncated = 0
    public var malformed = 0
    public var other = 0
    /// Packets whose payload each application decoder claimed, by `ApplicationKind.rawValue`.
    public private(set) var applications = [Int](repeating: 0, count: ApplicationKind.allCases.count)

    public init() {}

    public var dns: Int { self[.dns] }
    public var http: Int { self[.http] }

    /// Packets whose payload the `kind` decoder claimed.
    public subscript(kind: ApplicationKind) -> Int { applications[Int(kind.rawValue)] }

    public mutating func count(_ p: DecodedPacket, length: Int) {
        packets &+= 1
        bytes &+= length
        if p.hasIP {
            if p.ip.version == 4 { ipv4 &+= 1 } else { ipv6 &+= 1 }
        }
        if p.hasTCP {
            tcp &+= 1
        } else if p.hasUDP {
            udp &+= 1
        } else if p.hasICMP {
            icmp &+= 1
        } else if p.hasARP {
            arp &+= 1
        } else {
            other &+= 1
        }
        if p.application != .none { applications[Int(p.application.rawValue)] &+= 1 }
        if let e = p.error {
            if e.truncated { truncated &+= 1 } else { malformed &+= 1 }
        }
    }

    public func render(to o: inout OutputBuffer) {
        o.append("packets ")
        o.append(packets)
        o.append(", bytes ")
        o.append(bytes)
        o.append("\nipv4 ")
        o.append(ipv4)
        o.append(", ipv6 ")
        o.append(ipv6)
        o.append(", tcp ")
        o.append(tcp)
        o.append(", udp ")
        o.append(udp)
        o.append(", icmp ")
        o.append(icmp)
        o.append(", arp ")
        o.append(arp)
        o.append(", other ")
        o.append(other)
        // One count per application decoder, in the registry's order: "dns 3, http 2".
        o.append(byte: 0x0A)
        for kind in ApplicationKind.allCases where kind != .none {
            if kind.rawValue > 1 { o.append(", ") }
            o.append(kind.name)
            o.append(byte: 0x20)
            o.append(self[kind])
        }
        o.append("\ntruncated ")
        o.append(truncated)
        o.append(", malformed ")
        o.append(malformed)
        o.append(byte: 0x0A)
    }
}
