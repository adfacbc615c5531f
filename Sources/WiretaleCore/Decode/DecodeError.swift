/// The protocol layers wiretale decodes, named in errors and output.
public enum Layer: UInt8, Sendable, CustomStringConvertible {
    case link, ethernet, vlan, llc, stp, sll, sll2, loopback, arp, ipv4, ipv6, ipv6Extension, tcp, udp, icmp, icmpv6,
        dns, http

    public var description: String {
        switch self {
        case .link: "link"
        case .ethernet: "ethernet"
        case .vlan: "802.1Q"
        case .llc: "llc"
        case .stp: "stp"
        case .sll: "linux-sll"
        case .sll2: "linux-sll2"
        case .loopback: "loopback"
        case .arp: "arp"
        case .ipv4: "ipv4"
        case .ipv6: "ipv6"
        case .ipv6Extension: "ipv6-ext"
        case .tcp: "tcp"
        case .udp: "udp"
        case .icmp: "icmp"
        case .icmpv6: "icmpv6"
        case .dns: "dns"
        case .http: "http"
        }
    }
}

/// What stopped decoding a packet: the layer, the byte offset in the frame where the problem is,
/// and why. `truncated` is distinct from malformed (gopacket's habit): a truncated layer ran out of
/// captured bytes (often just the snapshot length), a malformed one has bytes that make no sense.
/// Allocation-free: the reason is a static string.
public struct DecodeError: Error, Sendable, Hashable, CustomStringConvertible {
    public var layer: Layer
    public var offset: Int
    public var reason: StaticString
    public var truncated: Bool

    public init(_ layer: Layer, at offset: Int, _ reason: StaticString, truncated: Bool = false) {
        self.layer = layer
        self.offset = offset
        self.reason = reason
        self.truncated = truncated
    }

    public static func truncated(_ layer: Layer, at offset: Int, _ reason: StaticString = "header truncated")
        -> DecodeError
    {
        DecodeError(layer, at: offset, reason, truncated: true)
    }

    /// e.g. `tcp: header truncated at byte 54` / `dns: malformed (name pointer loop) at byte 71`.
    public var description: String {
        truncated
            ? "\(layer): truncated (\(reason)) at byte \(offset)"
            : "\(layer): malformed (\(reason)) at byte \(offset)"
    }

    public static func == (a: DecodeError, b: DecodeError) -> Bool {
        a.layer == b.layer && a.offset == b.offset && a.truncated == b.truncated
            && a.reason.description == b.reason.description
    }

    public func hash(into h: inout Hasher) {
        h.combine(layer)
        h.combine(offset)
        h.combine(truncated)
    }
}
