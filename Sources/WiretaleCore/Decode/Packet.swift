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

    /// Whether every flag of `member` is set: `OptionSet.contains`, written out so that it inlines
    /// (the generic one was a call on every flag test of the per-packet path).
    @inlinable @inline(__always)
    public func contains(_ member: TCPFlags) -> Bool {
        rawValue & member.rawValue == member.rawValue
    }

    /// Names in header bit order, as in JSON output: SYN, ACK, ... (tshark's order is by bit too).
    public static let named: [(TCPFlags, String)] = [
        (.fin, "FIN"), (.syn, "SYN"), (.rst, "RST"), (.psh, "PSH"), (.ack, "ACK"), (.urg, "URG"),
        (.ece, "ECE"), (.cwr, "CWR"), (.ae, "AE"),
    ]
}

/// The Ethernet / SLL part of a frame.
public struct LinkInfo: Sendable {
    public internal(set) var linkType: LinkType = .ethernet
    /// Source and destination MAC (lower 48 bits), when the link has them.
    public internal(set) var src: UInt64 = 0
    public internal(set) var dst: UInt64 = 0
    public internal(set) var hasMACs = false
    /// Up to two 802.1Q / 802.1ad VLAN IDs, outermost first.
    public internal(set) var vlanCount: UInt8 = 0
    public internal(set) var vlan0: UInt16 = 0
    public internal(set) var vlan1: UInt16 = 0
    /// The EtherType (or SLL protocol, or loopback family mapped to an EtherType) of the payload.
    public internal(set) var etherType = EtherType(rawValue: 0)
    /// Linux SLL packet type (0 to us, 1 broadcast, 2 multicast, 3 to someone else, 4 outgoing).
    public internal(set) var sllPacketType: UInt16 = 0
    public internal(set) var hasSLLPacketType = false
    /// Linux SLL2 interface index.
    public internal(set) var ifIndex: UInt32 = 0
}

/// IEEE 802.2 LLC, after an 802.3 length field (an Ethernet type/length of 1500 or less), and the
/// SNAP header (RFC 1042) when DSAP and SSAP are 0xAA.
public struct LLCInfo: Sendable {
    public internal(set) var dsap: UInt8 = 0
    public internal(set) var ssap: UInt8 = 0
    /// The control field: one byte for U frames (low two bits 11), two for I and S frames.
    public internal(set) var control: UInt16 = 0
    public internal(set) var isSNAP = false
    public internal(set) var oui: UInt32 = 0
    /// The SNAP protocol id: an EtherType when the OUI is 0 (RFC 1042).
    public internal(set) var snapType: UInt16 = 0
    /// The 802.3 length field.
    public internal(set) var length: UInt16 = 0
}

/// A spanning-tree BPDU (IEEE 802.1D configuration and TCN, 802.1w RST, 802.1s MST's common part).
public struct STPInfo: Sendable {
    public internal(set) var protocolVersion: UInt8 = 0
    public internal(set) var bpduType: UInt8 = 0
    public internal(set) var flags: UInt8 = 0
    /// Root and bridge identifiers: 16-bit priority (with the 802.1t system id) then the MAC.
    public internal(set) var rootPriority: UInt16 = 0
    public internal(set) var rootMAC: UInt64 = 0
    public internal(set) var rootCost: UInt32 = 0
    public internal(set) var bridgePriority: UInt16 = 0
    public internal(set) var bridgeMAC: UInt64 = 0
    public internal(set) var portID: UInt16 = 0
    /// False for a topology change notification: it has no identifiers.
    public internal(set) var isConfiguration = false
}

/// ARP (RFC 826) for IPv4 over Ethernet.
public struct ARPInfo: Sendable {
    public internal(set) var operation: UInt16 = 0
    public internal(set) var senderMAC: UInt64 = 0
    public internal(set) var senderIP = IPAddress(v4: 0)
    public internal(set) var targetMAC: UInt64 = 0
    public internal(set) var targetIP = IPAddress(v4: 0)
    /// False for ARP of another hardware/protocol type: only the operation is known.
    public internal(set) var isEthernetIPv4 = true
    /// Carried as RARP (EtherType 0x8035, RFC 903), not ARP.
    public internal(set) var isReverse = false
}

/// The outermost IP header (RFC 791 / RFC 8200).
public struct IPInfo: Sendable {
    public internal(set) var version: UInt8 = 4
    public internal(set) var src = IPAddress(v4: 0)
    public internal(set) var dst = IPAddress(v4: 0)
    /// IPv6's 20-bit flow label (0 for IPv4).
    public internal(set) var flowLabel: UInt32 = 0
    /// TTL (IPv4) or hop limit (IPv6).
    public internal(set) var ttl: UInt8 = 0
    /// The transport protocol number after any IPv6 extension headers.
    public internal(set) var proto = IPProtocol(rawValue: 0)
    /// Offset of the IP header in the frame, and of the transport header.
    public internal(set) var offset = 0
    public internal(set) var payloadOffset = 0
    /// The payload length the header declares (IPv4 total length minus header; IPv6 payload length
    /// minus extension headers). It can exceed what a snapshot-limited capture holds.
    public internal(set) var payloadLength = 0
    public internal(set) var identification: UInt32 = 0
    public internal(set) var dontFragment = false
    /// A fragment: more-fragments set or a non-zero offset (IPv4), or an IPv6 fragment header.
    public internal(set) var isFragment = false
    /// Fragment offset in bytes; only a first fragment (offset 0) carries the transport header.
    public internal(set) var fragmentOffset = 0
    public internal(set) var moreFragments = false
    /// IPv4 header has options (IHL > 5) / IPv6 had extension headers.
    public internal(set) var hasOptions = false
    /// IPv4's type of service / IPv6's traffic class: DSCP in the high six bits, ECN in the low two.
    public internal(set) var tos: UInt8 = 0
    public var dscp: UInt8 { tos >> 2 }
    public var ecn: UInt8 { tos & 3 }
}

/// TCP (RFC 9293) with the options wiretale reads (RFC 7323, RFC 2018).
public struct TCPInfo: Sendable {
    public internal(set) var srcPort: UInt16 = 0
    public internal(set) var dstPort: UInt16 = 0
    public internal(set) var seq: UInt32 = 0
    public internal(set) var ack: UInt32 = 0
    public internal(set) var flags = TCPFlags()
    public internal(set) var window: UInt16 = 0
    public internal(set) var urgentPointer: UInt16 = 0
    public internal(set) var headerLength = 0
    /// Payload length as the IP header declares it (tshark's tcp.len).
    public internal(set) var payloadLength = 0
    /// Where the payload starts in the frame and how much of it was captured.
    public internal(set) var payloadOffset = 0
    public internal(set) var capturedPayload = 0
    // Options; a value of -1 / false means absent.
    public internal(set) var mss: Int32 = -1
    public internal(set) var windowScale: Int8 = -1
    public internal(set) var sackPermitted = false
    public internal(set) var sackBlockCount: UInt8 = 0
    /// Up to four SACK blocks as (left, right) edges, packed.
    public internal(set) var sackBlocks: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (
        0, 0, 0, 0, 0, 0, 0, 0
    )
    public internal(set) var hasTimestamps = false
    public internal(set) var tsVal: UInt32 = 0
    public internal(set) var tsEcr: UInt32 = 0

    public func sackBlock(_ i: Int) -> (left: UInt32, right: UInt32) {
        withUnsafeBytes(of: sackBlocks) { raw in
            let p = raw.bindMemory(to: UInt32.self)
            return (p[2 * i], p[2 * i + 1])
        }
    }
}

/// UDP (RFC 768).
public struct UDPInfo: Sendable {
    public internal(set) var srcPort: UInt16 = 0
    public internal(set) var dstPort: UInt16 = 0
    /// The length field: header plus payload.
    public internal(set) var length: UInt16 = 0
    public internal(set) var payloadOffset = 0
    public internal(set) var capturedPayload = 0
}

/// ICMP (RFC 792) or ICMPv6 (RFC 4443).
public struct ICMPInfo: Sendable {
    public internal(set) var isV6 = false
    public internal(set) var type: UInt8 = 0
    public internal(set) var code: UInt8 = 0
    /// Echo identifier and sequence (echo request/reply only).
    public internal(set) var identifier: UInt16 = 0
    public internal(set) var sequence: UInt16 = 0
    /// Neighbour discovery target (ICMPv6 135/136), when present.
    public internal(set) var ndTarget: IPAddress? = nil
    /// An error message (unreachable, time exceeded, ...) quoting the IP header that caused it.
    public internal(set) var hasQuoted = false
    public internal(set) var quotedSrc = IPAddress(v4: 0)
    public internal(set) var quotedDst = IPAddress(v4: 0)
    public internal(set) var quotedProto = IPProtocol(rawValue: 0)
    /// The quoted TCP or UDP ports, when the quote holds them.
    public internal(set) var hasQuotedPorts = false
    public internal(set) var quotedSrcPort: UInt16 = 0
    public internal(set) var quotedDstPort: UInt16 = 0
    /// The next hop's MTU of "fragmentation needed" (ICMP 3/4) and "packet too big" (ICMPv6 2), else 0.
    public internal(set) var mtu: UInt32 = 0

    /// Echo request or reply.
    public var isEcho: Bool { isV6 ? (type == 128 || type == 129) : (type == 0 || type == 8) }
    /// An echo whose identifier and sequence were captured.
    public internal(set) var hasEchoFields = false
    /// Port unreachable (ICMP 3/3, ICMPv6 1/4), named as tcpdump does: "10.0.0.2 udp port 53 unreachable".
    public var isPortUnreachable: Bool { isV6 ? (type == 1 && code == 4) : (type == 3 && code == 3) }
}

/// One frame decoded layer by layer, refilled in place for every packet (no per-packet heap
/// allocation). Layers that are absent have `has*` false; `error` says what stopped decoding,
/// and every layer decoded before it stays valid.
public struct DecodedPacket: Sendable {
    public internal(set) var hasLink = false
    public internal(set) var link = LinkInfo()
    public internal(set) var hasLLC = false
    public internal(set) var llc = LLCInfo()
    public internal(set) var hasSTP = false
    public internal(set) var stp = STPInfo()
    /// The link type is one wiretale does not decode (a DSA tag, 802.11, ...): not an error.
    public internal(set) var linkNotDecoded = false
    public internal(set) var hasARP = false
    public internal(set) var arp = ARPInfo()
    public internal(set) var hasIP = false
    public internal(set) var ip = IPInfo()
    public internal(set) var hasTCP = false
    public internal(set) var tcp = TCPInfo()
    public internal(set) var hasUDP = false
    public internal(set) var udp = UDPInfo()
    public internal(set) var hasICMP = false
    public internal(set) var icmp = ICMPInfo()
    /// Which application decoder claimed the TCP or UDP payload (`ApplicationRegistry`); the message
    /// itself is parsed once, after connection tracking (`PacketFollower.application`).
    public internal(set) var application = ApplicationKind.none
    /// Offset and captured length of the application message (for DNS over TCP, after the prefix).
    public internal(set) var applicationOffset = 0
    public internal(set) var applicationLength = 0
    /// More than one IP header (tunnels, ICMP errors quoting a packet); `ip` is the outermost.
    public internal(set) var ipLayerCount: UInt8 = 0
    /// The capture holds fewer bytes than the IP header declares (usually the snapshot length):
    /// every header was decoded, but part of the payload is missing.
    public internal(set) var payloadTruncated = false
    /// Non-zero when this frame completed a fragmented datagram: the frame number of its first
    /// fragment. The transport and application layers (and their offsets) then describe the
    /// reassembled datagram held by `FragmentReassembler.datagram`.
    public internal(set) var reassembledFirstFrame = 0
    public internal(set) var error: DecodeError? = nil

    public init() {}

    /// Clears every layer for the next frame.
    @inline(__always) public mutating func reset(linkType: LinkType) {
        hasLink = false
        hasLLC = false
        hasSTP = false
        linkNotDecoded = false
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
        // Link facts that only some link types set: a NULL-link frame after an Ethernet one must not
        // keep the Ethernet frame's MACs (JSON's "eth", UDP's broadcast test) or its VLAN tags.
        link.hasMACs = false
        link.vlanCount = 0
        link.hasSLLPacketType = false
    }
}
