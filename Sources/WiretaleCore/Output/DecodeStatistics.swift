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
    public var dns = 0
    public var http = 0
    public var truncated = 0
    public var malformed = 0
    public var other = 0

    public init() {}

    @inlinable public mutating func count(_ p: DecodedPacket, length: Int) {
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
        switch p.application {
        case .dnsOverTCP, .dnsOverUDP: dns &+= 1
        case .http: http &+= 1
        case .none: break
        }
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
        o.append("\ndns ")
        o.append(dns)
        o.append(", http ")
        o.append(http)
        o.append("\ntruncated ")
        o.append(truncated)
        o.append(", malformed ")
        o.append(malformed)
        o.append(byte: 0x0A)
    }
}
