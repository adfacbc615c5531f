/// TCP header flags (RFC 9293 section 3.1, plus ECE/CWR of RFC 3168 and AE of RFC 9768).
public struct TCPFlags: OptionSet, Hashable, Sendable {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public static let fin = TCPFlags(rawValue: 0x001)
    public static let syn = TCPFlags(rawValue: 0x002)
    public static let rst = TCPFlags(rawValue: 0x004)
    public static let psh = TCPFlags(rawValue: 0x008)
    public static let ack = TCPFlags(rawValue: 0x010)
    public static let urg = TCPFlags(rawValue: 0x020)
    public static let ece = TCPFlags(rawValue: 0x040)
    public static let cwr = TCPFlags(rawValue: 0x080)
    public static let ae = TCPFlags(rawValue: 0x100)

    /// Names in header bit order, as in JSON output: SYN, ACK, ... (tshark's order is by bit too).
    public static let named: [(TCPFlags, String)] = [
        (.fin, "FIN"), (.syn, "SYN"), (.rst, "RST"), (.psh, "PSH"), (.ack, "ACK"), (.urg, "URG"),
        (.ece, "ECE"), (.cwr, "CWR"), (.ae, "AE"),
    ]
}

/// The Ethernet / SLL part of a frame.
public struct LinkInfo: Sendable {
    public var linkType: LinkType = .ethernet
    /// Source and destination MAC (lower 48 bits), when the link has them.
    public var src: UInt64 = 0
    public var dst: UInt64 = 0
    public var hasMACs = false
    /// Up to two 802.1Q / 802.1ad VLAN IDs, outermost first.
    public var vlanCount: UInt8 = 0
    public var vlan0: UInt16 = 0
    public var vlan1: UInt16 = 0
    /// The EtherType (or SLL protocol, or loopback family mapped to an EtherType) of the payload.
    public var etherType: UInt16 = 0
    /// Linux SLL packet type (0 to us, 1 broadcast, 2 multicast, 3 to someone else, 4 outgoing).
    public var sllPacketType: UInt16 = 0
    public var hasSLLPacketType = false
    /// Linux SLL2 interface index.
    public var ifIndex: UInt32 = 0
}

/// ARP (RFC 826) for IPv4 over Ethernet.
public struct ARPInfo: Sendable {
    public var operation: UInt16 = 0
    public var senderMAC: UInt64 = 0
    public var senderIP = IPAddress(v4: 0)
    public var targetMAC: UInt64 = 0
    public var targetIP = IPAddress(v4: 0)
    /// False for ARP of another hardware/protocol type: only the operation is known.
    public var isEthernetIPv4 = true
}

/// The outermost IP header (RFC 791 / RFC 8200).
public struct IPInfo: Sendable {
    public var version: UInt8 = 4
    public var src = IPAddress(v4: 0)
    public var dst = IPAddress(v4: 0)
    /// TTL (IPv4) or hop limit (IPv6).
    public var ttl: UInt8 = 0
    /// The transport protocol number after any IPv6 extension headers.
    public var proto: UInt8 = 0
    /// Offset of the IP header in the frame, and of the transport header.
    public var offset = 0
    public var payloadOffset = 0
    /// The payload length the header declares (IPv4 total length minus header; IPv6 payload length
    /// minus extension headers). It can exceed what a snapshot-limited capture holds.
    public var payloadLength = 0
    public var identification: UInt32 = 0
    public var dontFragment = false
    /// A fragment: more-fragments set or a non-zero offset (IPv4), or an IPv6 fragment header.
    public var isFragment = false
    /// Fragment offset in bytes; only a first fragment (offset 0) carries the transport header.
    public var fragmentOffset = 0
    public var moreFragments = false
    /// IPv4 header has options (IHL > 5) / IPv6 had extension headers.
    public var hasOptions = false
    public var tos: UInt8 = 0
}

/// TCP (RFC 9293) with the options wiretale reads (RFC 7323, RFC 2018).
public struct TCPInfo: Sendable {
    public var srcPort: UInt16 = 0
    public var dstPort: UInt16 = 0
    public var seq: UInt32 = 0
    public var ack: UInt32 = 0
    public var flags = TCPFlags()
    public var window: UInt16 = 0
    public var urgentPointer: UInt16 = 0
    public var headerLength = 0
    /// Payload length as the IP header declares it (tshark's tcp.len).
    public var payloadLength = 0
    /// Where the payload starts in the frame and how much of it was captured.
    public var payloadOffset = 0
    public var capturedPayload = 0
    // Options; a value of -1 / false means absent.
    public var mss: Int32 = -1
    public var windowScale: Int8 = -1
    public var sackPermitted = false
    public var sackBlockCount: UInt8 = 0
    /// Up to four SACK blocks as (left, right) edges, packed.
    public var sackBlocks: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0, 0, 0, 0, 0)
    public var hasTimestamps = false
    public var tsVal: UInt32 = 0
    public var tsEcr: UInt32 = 0

    public func sackBlock(_ i: Int) -> (left: UInt32, right: UInt32) {
        withUnsafeBytes(of: sackBlocks) { raw in
            let p = raw.bindMemory(to: UInt32.self)
            return (p[2 * i], p[2 * i + 1])
        }
    }
}

/// UDP (RFC 768).
public struct UDPInfo: Sendable {
    public var srcPort: UInt16 = 0
    public var dstPort: UInt16 = 0
    /// The length field: header plus payload.
    public var length: UInt16 = 0
    public var payloadOffset = 0
    public var capturedPayload = 0
}

/// ICMP (RFC 792) or ICMPv6 (RFC 4443).
public struct ICMPInfo: Sendable {
    public var isV6 = false
    public var type: UInt8 = 0
    public var code: UInt8 = 0
    /// Echo identifier and sequence (echo request/reply only).
    public var identifier: UInt16 = 0
    public var sequence: UInt16 = 0
    /// Neighbour discovery target (ICMPv6 135/136), when present.
    public var ndTarget: IPAddress? = nil
}

/// Which application payload a packet carries, found from ports and the payload's first bytes.
/// The payload itself is parsed on demand (DNS, HTTP) by the renderers, from `DecodedPacket.bytes`.
public enum ApplicationKind: UInt8, Sendable {
    case none
    /// DNS, mDNS or LLMNR over UDP: the message starts at the UDP payload.
    case dnsOverUDP
    /// DNS over TCP: a 2-byte length prefix, then the message.
    case dnsOverTCP
    /// The payload starts like an HTTP/1.x request or response line.
    case http
}

/// One frame decoded layer by layer, refilled in place for every packet (no per-packet heap
/// allocation). Layers that are absent have `has*` false; `error` says what stopped decoding,
/// and every layer decoded before it stays valid.
public struct DecodedPacket: Sendable {
    public var hasLink = false
    public var link = LinkInfo()
    public var hasARP = false
    public var arp = ARPInfo()
    public var hasIP = false
    public var ip = IPInfo()
    public var hasTCP = false
    public var tcp = TCPInfo()
    public var hasUDP = false
    public var udp = UDPInfo()
    public var hasICMP = false
    public var icmp = ICMPInfo()
    public var application = ApplicationKind.none
    /// Offset and captured length of the application payload (for DNS over TCP, after the prefix).
    public var applicationOffset = 0
    public var applicationLength = 0
    /// More than one IP header (tunnels, ICMP errors quoting a packet); `ip` is the outermost.
    public var ipLayerCount: UInt8 = 0
    /// The capture holds fewer bytes than the IP header declares (usually the snapshot length):
    /// every header was decoded, but part of the payload is missing.
    public var payloadTruncated = false
    /// Non-zero when this frame completed a fragmented datagram: the frame number of its first
    /// fragment. The transport and application layers (and their offsets) then describe the
    /// reassembled datagram held by `FragmentReassembler.datagram`.
    public var reassembledFirstFrame = 0
    public var error: DecodeError? = nil

    public init() {}

    /// Clears every layer for the next frame.
    @inlinable public mutating func reset(linkType: LinkType) {
        hasLink = false
        hasARP = false
        hasIP = false
        hasTCP = false
        hasUDP = false
        hasICMP = false
        application = .none
        ipLayerCount = 0
        payloadTruncated = false
        reassembledFirstFrame = 0
        error = nil
        link.linkType = linkType
    }
}
