import WiretaleSystem

/// What step h finds: the interface's physical-layer state as the kernel reports it in sysfs.
public struct LocalLink: Sendable {
    public var interface: String
    /// `carrier`: 1 when the PHY sees a link partner (cable in, Wi-Fi associated), nil if unreadable.
    public var carrier: Bool?
    /// `operstate`: RFC 2863 operational state ("up", "down", "dormant", "unknown", ...).
    public var operState: String?
    public var mtu: Int?
    public var mac: String?
    /// Mb/s, nil when the driver does not say (virtual links, Wi-Fi).
    public var speedMbps: Int?
    /// "ethernet", "wireless", "virtual (veth, bridge, ...)", "loopback".
    public var medium: String

    public var isUp: Bool { (carrier ?? true) && operState != "down" }
}

public enum Link {
    /// Reads `/sys/class/net/IF/{carrier,operstate,mtu,address,speed}` (root-relative for tests).
    public static func inspect(_ interface: String, sysfs: String = "/sys/class/net") -> LocalLink {
        let dir = "\(sysfs)/\(interface)"
        func value(_ name: String) -> String? {
            readTextFile("\(dir)/\(name)").map { $0.trimmingASCIIWhitespace() }.flatMap { $0.isEmpty ? nil : $0 }
        }
        let carrier = value("carrier").map { $0 == "1" }
        let speed = value("speed").flatMap(Int.init).flatMap { $0 > 0 ? $0 : nil }
        var medium = "ethernet"
        if interface == "lo" || value("type") == "772" {
            medium = "loopback"
        } else if readTextFile("\(dir)/wireless/.") != nil || (try? listDirectory("\(dir)/wireless"))?.isEmpty == false
        {
            medium = "wireless"
        } else if (try? listDirectory("/sys/devices/virtual/net/\(interface)"))?.isEmpty == false {
            medium = "virtual"
        }
        return LocalLink(
            interface: interface, carrier: carrier, operState: value("operstate"), mtu: value("mtu").flatMap(Int.init),
            mac: value("address"), speedMbps: speed, medium: medium)
    }
}
