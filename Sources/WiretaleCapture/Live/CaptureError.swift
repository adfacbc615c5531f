import CPcap

/// Why a live capture could not start or stopped with an error.
///
/// The description is what the user reads after `wiretale: `; it always says what to do, and
/// quotes libpcap only as the detail (never libpcap's message alone). For example:
///
///     capturing on 'eth0' needs privileges (libpcap: eth0: You don't have permission to perform
///     this capture on that device (socket: Operation not permitted))
///       run it as root:             sudo wiretale capture -i eth0 …
///       or let the binary capture:  sudo setcap cap_net_raw,cap_net_admin+eip $(command -v wiretale)
public struct CaptureError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong; each kind has its own advice in `description`.
    public enum Kind: Sendable, Hashable {
        /// No permission to open a packet socket (not root, no CAP_NET_RAW).
        case permissionDenied
        /// Capturing is allowed but promiscuous mode is not.
        case promiscuousPermissionDenied
        /// No such interface; `available` lists the names libpcap knows, in its order.
        case noSuchDevice(available: [String])
        /// The interface exists but is down.
        case interfaceNotUp
        /// The filter expression could not be compiled for this interface.
        case badFilter(FilterError)
        /// The compiled filter could not be attached to the interface.
        case filterNotInstalled
        /// Any other failure to open or activate the interface.
        case openFailed
        /// Reading packets failed after the capture started (for example, the interface went away).
        case readFailed
        /// `pcap_stats` failed.
        case statisticsUnavailable
        /// `pcap_findalldevs` failed.
        case interfacesUnavailable
    }

    public var kind: Kind
    /// The interface name, or "" when no interface is involved.
    public var device: String
    /// libpcap's own message, when there is one.
    public var libpcapMessage: String
    /// The command line to show in "run it as root: sudo …" hints (shell-quoted, without `sudo`).
    /// When nil the hint reads `sudo wiretale capture -i <device> …`.
    public var invocation: String?

    public init(kind: Kind, device: String, libpcapMessage: String = "", invocation: String? = nil) {
        self.kind = kind
        self.device = device
        self.libpcapMessage = libpcapMessage
        self.invocation = invocation
    }

    /// The error to show before even trying, when `captureAllowed()` says the process cannot
    /// capture: the same text and remedies as a real `PCAP_ERROR_PERM_DENIED`.
    public static func permissionDenied(device: String, invocation: String? = nil) -> CaptureError {
        CaptureError(kind: .permissionDenied, device: device, invocation: invocation)
    }

    /// Maps a negative `pcap_activate` status to an error that says what to do.
    /// `available` is consulted only for `PCAP_ERROR_NO_SUCH_DEVICE`.
    static func fromActivation(
        status: Int32, device: String, libpcapMessage: String, invocation: String?,
        available: () -> [String]
    ) -> CaptureError {
        let kind: Kind
        switch status {
        case PCAP_ERROR_PERM_DENIED:
            kind = .permissionDenied
        case PCAP_ERROR_PROMISC_PERM_DENIED:
            kind = .promiscuousPermissionDenied
        case PCAP_ERROR_NO_SUCH_DEVICE:
            kind = .noSuchDevice(available: available())
        case PCAP_ERROR_IFACE_NOT_UP:
            kind = .interfaceNotUp
        default:
            // Some paths report EPERM as a generic error; the remedy is the same.
            let lowered = libpcapMessage.lowercased()
            if lowered.contains("operation not permitted") || lowered.contains("permission denied")
                || lowered.contains("don't have permission")
            {
                kind = .permissionDenied
            } else {
                kind = .openFailed
            }
        }
        return CaptureError(kind: kind, device: device, libpcapMessage: libpcapMessage, invocation: invocation)
    }

    private var libpcapDetail: String {
        libpcapMessage.isEmpty ? "" : " (libpcap: \(libpcapMessage))"
    }

    private var rerun: String {
        "sudo " + (invocation ?? "wiretale capture -i \(device) …")
    }

    /// The setcap line the hints suggest (`$(command -v wiretale)` resolves the installed binary).
    public static let setcapCommand = "sudo setcap cap_net_raw,cap_net_admin+eip $(command -v wiretale)"

    public var description: String {
        let name = quotedForErrors(device)
        switch kind {
        case .permissionDenied:
            return """
                capturing on \(name) needs privileges (root or CAP_NET_RAW)\(libpcapDetail)
                  run it as root:             \(rerun)
                  or let the binary capture:  \(Self.setcapCommand)
                """
        case .promiscuousPermissionDenied:
            return """
                capturing on \(name) in promiscuous mode is not permitted\(libpcapDetail)
                  capture only this host's traffic:  add --no-promisc
                  or run it as root:                 \(rerun)
                  or let the binary capture:         \(Self.setcapCommand)
                """
        case .noSuchDevice(let available):
            let list = available.isEmpty ? "none found" : available.joined(separator: ", ")
            return "no interface named \(name); interfaces: \(list) (see `wiretale interfaces`)"
        case .interfaceNotUp:
            return "interface \(name) is down; bring it up with `sudo ip link set \(device) up`\(libpcapDetail)"
        case .badFilter(let error):
            return error.description
        case .filterNotInstalled:
            return "cannot attach the filter to \(name): \(libpcapMessage) (libpcap)"
        case .openFailed:
            return "cannot capture on \(name): \(libpcapMessage) (libpcap)"
        case .readFailed:
            return "capture on \(name) failed: \(libpcapMessage) (libpcap)"
        case .statisticsUnavailable:
            return "cannot read capture statistics for \(name): \(libpcapMessage) (libpcap)"
        case .interfacesUnavailable:
            return "cannot list interfaces: \(libpcapMessage) (libpcap)"
        }
    }
}
