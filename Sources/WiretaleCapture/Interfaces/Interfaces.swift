import CPcap
import WiretaleCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// An interface libpcap can capture on, as `pcap_findalldevs` describes it.
public struct NetworkInterface: Sendable, Hashable {
    /// State bits from libpcap (`PCAP_IF_*`).
    public struct Flags: OptionSet, Sendable, Hashable {
        public var rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        public static let loopback = Flags(rawValue: UInt32(PCAP_IF_LOOPBACK))
        public static let up = Flags(rawValue: UInt32(PCAP_IF_UP))
        public static let running = Flags(rawValue: UInt32(PCAP_IF_RUNNING))
        public static let wireless = Flags(rawValue: UInt32(PCAP_IF_WIRELESS))
    }

    /// Whether a cable / association is present (`PCAP_IF_CONNECTION_STATUS`).
    public enum ConnectionStatus: Sendable, Hashable {
        case unknown, connected, disconnected, notApplicable
    }

    /// The link type a capture on this interface would give.
    public enum LinkTypeProbe: Sendable, Hashable, CustomStringConvertible {
        /// Found by opening the interface (or known without opening, for `any`).
        case known(LinkType)
        /// Opening needs root or CAP_NET_RAW, which this process lacks.
        case needsPrivileges
        /// Not opened, for the reason given (for example, not a network interface).
        case notProbed(String)
        /// Opening failed with libpcap's message.
        case failed(String)

        public var description: String {
            switch self {
            case .known(let linkType): linkType.name
            case .needsPrivileges: "unknown (needs privileges)"
            case .notProbed(let reason): "unknown (\(reason))"
            case .failed(let message): "unknown (\(message))"
            }
        }
    }

    /// The name to pass to `-i`.
    public var name: String
    /// libpcap's description, if it has one ("Pseudo-device that captures on all interfaces").
    public var descriptionText: String?
    /// IPv4 and IPv6 addresses with their netmasks.
    public var addresses: [InterfaceAddress]
    /// The MAC address (lower 48 bits), when libpcap reports a 6-byte link-layer address.
    public var hardwareAddress: UInt64?
    public var flags: Flags
    public var connectionStatus: ConnectionStatus
    public var linkType: LinkTypeProbe

    public init(
        name: String, descriptionText: String? = nil, addresses: [InterfaceAddress] = [],
        hardwareAddress: UInt64? = nil, flags: Flags = [], connectionStatus: ConnectionStatus = .unknown,
        linkType: LinkTypeProbe = .notProbed("not probed")
    ) {
        self.name = name
        self.descriptionText = descriptionText
        self.addresses = addresses
        self.hardwareAddress = hardwareAddress
        self.flags = flags
        self.connectionStatus = connectionStatus
        self.linkType = linkType
    }
}

/// An IPv4 or IPv6 address of an interface.
public struct InterfaceAddress: Sendable, Hashable, CustomStringConvertible {
    public var address: IPAddress
    public var netmask: IPAddress?
    /// The netmask as a prefix length, when it is a contiguous mask.
    public var prefixLength: Int?
    public var broadcast: IPAddress?
    /// The other end of a point-to-point link.
    public var destination: IPAddress?

    public init(
        address: IPAddress, netmask: IPAddress? = nil, broadcast: IPAddress? = nil, destination: IPAddress? = nil
    ) {
        self.address = address
        self.netmask = netmask
        self.prefixLength = netmask.flatMap(Self.prefixLength(of:))
        self.broadcast = broadcast
        self.destination = destination
    }

    /// `127.0.0.1/8`, `::1/128`, or the bare address when there is no contiguous netmask.
    public var description: String {
        prefixLength.map { "\(address)/\($0)" } ?? address.description
    }

    /// The number of leading one bits, if the mask is contiguous (Swift's `<<` yields 0 when the
    /// shift reaches the width, which covers /0).
    static func prefixLength(of mask: IPAddress) -> Int? {
        if mask.isIPv6 {
            let ones = mask.high == ~0 ? 64 + (~mask.low).leadingZeroBitCount : (~mask.high).leadingZeroBitCount
            let high: UInt64 = ones >= 64 ? ~0 : ~0 << (64 - ones)
            let low: UInt64 = ones <= 64 ? 0 : ~0 << (128 - ones)
            return high == mask.high && low == mask.low ? ones : nil
        }
        let value = mask.v4Value
        let ones = (~value).leadingZeroBitCount
        return UInt32.max << (32 - ones) == value ? ones : nil
    }
}

/// The interfaces libpcap can capture on.
public enum Interfaces {
    /// Every interface `pcap_findalldevs` reports, in libpcap's order (up and running first,
    /// loopback after the others).
    ///
    /// - Parameter probeLinkTypes: open each kernel network interface briefly (`pcap_create` +
    ///   `pcap_activate`, not promiscuous) to learn its link type. Done only when `captureAllowed()`;
    ///   otherwise `.needsPrivileges`. `any` is always `linux-sll2` (what `LiveCapture` selects).
    ///   Pseudo-devices that are not network interfaces (nflog, nfqueue, dbus, usbmon, …) are
    ///   not opened: opening some of them has side effects.
    public static func list(probeLinkTypes: Bool = true) throws(CaptureError) -> [NetworkInterface] {
        var head: UnsafeMutablePointer<pcap_if_t>?
        let (status, message) = withPcapErrorBuffer { pcap_findalldevs(&head, $0) }
        if status != 0 {
            throw CaptureError(kind: .interfacesUnavailable, device: "", libpcapMessage: message)
        }
        defer { if let head { pcap_freealldevs(head) } }

        let mayOpen = probeLinkTypes && captureAllowed()
        var result: [NetworkInterface] = []
        var node = head
        while let current = node {
            let raw = current.pointee
            node = raw.next
            guard let cName = raw.name else { continue }
            var interface = NetworkInterface(name: String(cString: cName))
            interface.descriptionText = raw.description.map { String(cString: $0) }
            interface.flags = NetworkInterface.Flags(rawValue: raw.flags).intersection([
                .loopback, .up, .running, .wireless,
            ])
            interface.connectionStatus = connectionStatus(raw.flags)
            readAddresses(raw.addresses, into: &interface)
            interface.linkType = probe(interface.name, mayOpen: mayOpen, wanted: probeLinkTypes)
            result.append(interface)
        }
        return result
    }

    /// Just the names, in libpcap's order; empty if libpcap cannot list them. For error messages.
    public static func names() -> [String] {
        (try? list(probeLinkTypes: false).map(\.name)) ?? []
    }

    private static func connectionStatus(_ flags: UInt32) -> NetworkInterface.ConnectionStatus {
        switch flags & UInt32(PCAP_IF_CONNECTION_STATUS) {
        case UInt32(PCAP_IF_CONNECTION_STATUS_CONNECTED): .connected
        case UInt32(PCAP_IF_CONNECTION_STATUS_DISCONNECTED): .disconnected
        case UInt32(PCAP_IF_CONNECTION_STATUS_NOT_APPLICABLE): .notApplicable
        default: .unknown
        }
    }

    private static func probe(_ name: String, mayOpen: Bool, wanted: Bool) -> NetworkInterface.LinkTypeProbe {
        if name == "any" { return .known(.linuxSLL2) }
        if !wanted { return .notProbed("not probed") }
        if if_nametoindex(name) == 0 { return .notProbed("not a network interface; not opened") }
        if !mayOpen { return .needsPrivileges }
        let (created, createMessage) = withPcapErrorBuffer { pcap_create(name, $0) }
        guard let p = created else { return .failed(createMessage) }
        defer { pcap_close(p) }
        _ = pcap_set_snaplen(p, 128)
        _ = pcap_set_promisc(p, 0)
        _ = pcap_set_buffer_size(p, 64 * 1024)
        _ = pcap_set_timeout(p, 1)
        let status = pcap_activate(p)
        if status < 0 { return .failed(pcapMessage(p, status: status)) }
        return .known(LinkType(dlt: pcap_datalink(p)))
    }

    private static func readAddresses(
        _ list: UnsafeMutablePointer<pcap_addr_t>?, into interface: inout NetworkInterface
    ) {
        var node = list
        while let current = node {
            let entry = current.pointee
            node = entry.next
            guard let sa = entry.addr else { continue }
            let family = Int32(sa.pointee.sa_family)
            if family == AF_INET || family == AF_INET6 {
                guard let address = ipAddress(sa, family: family) else { continue }
                interface.addresses.append(
                    InterfaceAddress(
                        address: address,
                        netmask: entry.netmask.flatMap { ipAddress($0, family: family) },
                        broadcast: entry.broadaddr.flatMap { ipAddress($0, family: family) },
                        destination: entry.dstaddr.flatMap { ipAddress($0, family: family) }))
            } else if let mac = hardwareAddress(sa) {
                interface.hardwareAddress = mac
            }
        }
    }

    /// The address in `sa`, read as `family` (libpcap leaves some netmasks' own family unset).
    static func ipAddress(_ sa: UnsafeMutablePointer<sockaddr>, family: Int32) -> IPAddress? {
        let raw = UnsafeRawPointer(sa)
        let own = Int32(sa.pointee.sa_family)
        if own != 0 && own != family { return nil }
        if family == AF_INET {
            let s = raw.loadUnaligned(
                fromByteOffset: MemoryLayout<sockaddr_in>.offset(of: \.sin_addr)!, as: UInt32.self)
            return IPAddress(v4: UInt32(bigEndian: s))
        }
        if family == AF_INET6 {
            let offset = MemoryLayout<sockaddr_in6>.offset(of: \.sin6_addr)!
            let high = raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            let low = raw.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self)
            return IPAddress(v6High: UInt64(bigEndian: high), low: UInt64(bigEndian: low))
        }
        return nil
    }

    /// A 6-byte link-layer address from an `AF_PACKET` (Linux) or `AF_LINK` (BSD) sockaddr.
    static func hardwareAddress(_ sa: UnsafeMutablePointer<sockaddr>) -> UInt64? {
        let raw = UnsafeRawPointer(sa)
        #if os(Linux)
            // struct sockaddr_ll: family u16, protocol u16, ifindex i32, hatype u16, pkttype u8,
            // halen u8 (offset 11), addr[8] (offset 12).
            guard Int32(sa.pointee.sa_family) == AF_PACKET else { return nil }
            guard raw.load(fromByteOffset: 11, as: UInt8.self) == 6 else { return nil }
            var mac: UInt64 = 0
            for i in 0..<6 { mac = mac << 8 | UInt64(raw.load(fromByteOffset: 12 + i, as: UInt8.self)) }
            return mac
        #else
            return nil
        #endif
    }
}
