/// A link-layer header type, as numbered by tcpdump.org's LINKTYPE_ registry
/// (https://www.tcpdump.org/linktypes.html). Unknown values survive as themselves.
public struct LinkType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// BSD loopback: a 4-byte address family in the capturing host's byte order.
    public static let null = LinkType(rawValue: 0)
    public static let ethernet = LinkType(rawValue: 1)
    /// Raw IP, version from the first nibble (LINKTYPE_RAW; DLT_RAW is 12 or 14 on some BSDs).
    public static let raw = LinkType(rawValue: 101)
    /// OpenBSD loopback: like `null` but the family is always big-endian.
    public static let loop = LinkType(rawValue: 108)
    public static let linuxSLL = LinkType(rawValue: 113)
    public static let ipv4 = LinkType(rawValue: 228)
    public static let ipv6 = LinkType(rawValue: 229)
    public static let linuxSLL2 = LinkType(rawValue: 276)

    /// The short name used in output (`link` in JSON), close to tshark's encapsulation names.
    public var name: String {
        switch rawValue {
        case 0: "null"
        case 1: "ether"
        case 12, 14, 101: "rawip"
        case 108: "loop"
        case 113: "linux-sll"
        case 228: "rawip4"
        case 229: "rawip6"
        case 276: "linux-sll2"
        default: "linktype-\(rawValue)"
        }
    }

    public var description: String { name }
}
