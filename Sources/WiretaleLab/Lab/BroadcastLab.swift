import WiretaleCapture
import WiretaleCore

#if canImport(Glibc)
    import Glibc
#endif

/// One receiver of the broadcast: what its `recvfrom` returned, and the frames captured on its interface.
public struct BroadcastReceiver: Sendable {
    public var name: String
    public var address: String
    public var received: String?
    public var from: String?
    public var frames: [LabFrame]?
}

/// What the broadcast lab did and saw.
public struct BroadcastRun: Sendable {
    public var ran = false
    /// Why it did not run (not root, no `ip`, ...).
    public var skipped: String?
    public var sender = "10.77.0.1"
    public var destination = "10.77.0.255"
    public var port: UInt16 = 0
    public var sent = 0
    public var receivers: [BroadcastReceiver] = []
    public var captureMessage: Bilingual?
}

/// The notes' "UDP can broadcast" (可以广播): one sender, two receivers, each in a network
/// namespace the lab creates (joined by a bridge), one `sendto` to the subnet's broadcast address,
/// and both receivers get the same datagram. Needs root (for the namespaces).
public enum BroadcastLab {
    public static func run(capture: Bool = true, message: String = "hello, everyone") -> BroadcastRun {
        var r = BroadcastRun()
        guard geteuid() == 0 else {
            r.skipped =
                "the broadcast needs its own small network (namespaces), which only root may create: "
                + "sudo wiretale lab udp"
            return r
        }
        let ns = LabNamespaces()
        defer { ns.remove() }
        let hosts = [("s", "10.77.0.1/24"), ("a", "10.77.0.2/24"), ("b", "10.77.0.3/24")]
        guard ns.build(hosts: hosts) else {
            r.skipped = "could not create the lab's network namespaces (`ip netns add` failed)"
            return r
        }
        r.port = 47_555
        // Receivers: bound to the port on every address, so a datagram to the broadcast address arrives.
        var sockets: [Socket] = []
        var captures: [LabCapture?] = []
        // However the lab ends, no capture thread outlives it (finish is idempotent).
        defer { for c in captures { _ = c?.finish(settle: 0) } }
        for (short, address) in hosts.dropFirst() {
            let s: Socket?? = ns.inside(short) {
                guard let s = try? Socket.udp() else { return nil }
                try? s.reuseAddress()
                guard (try? s.bind(SocketAddress(ip: "0.0.0.0", port: r.port)!)) != nil else { return nil }
                try? s.receiveTimeout(milliseconds: 2000)
                return s
            }
            guard let socket = s ?? nil else {
                r.skipped = "could not open a receiver's socket in its namespace"
                return r
            }
            sockets.append(socket)
            let c: LabCapture?? =
                capture && captureAllowed()
                ? ns.inside(short) { try? LabCapture(device: "eth0", filter: "udp port \(r.port)") } : nil
            captures.append(c ?? nil)
            r.receivers.append(
                BroadcastReceiver(
                    name: "receiver \(short.uppercased())",
                    address: String(address.prefix { $0 != "/" })))
        }
        if !(capture && captureAllowed()) {
            r.captureMessage = Bilingual(capture ? LabSay.notPrivileged : LabSay.captureTurnedOff)
        }
        let sender: Socket?? = ns.inside("s") {
            guard let s = try? Socket.udp() else { return nil }
            try? s.allowBroadcast()
            return s
        }
        guard let sender = sender ?? nil else {
            r.skipped = "could not open the sender's socket"
            return r
        }
        r.ran = true
        r.sent = (try? sender.send(Array(message.utf8), to: SocketAddress(ip: r.destination, port: r.port)!)) ?? -1
        for (i, s) in sockets.enumerated() {
            if let (data, from) = try? s.receiveFrom() {
                r.receivers[i].received = String(decoding: data, as: UTF8.self)
                r.receivers[i].from = from.description
            }
            if let c = captures[i] { r.receivers[i].frames = c.finish() }
        }
        return r
    }

    public static func render(_ r: BroadcastRun, lang: NotesLanguage = .en, to out: inout LabOutput) {
        func say(_ l: LabSay) -> String { l.text(lang).description }
        out.heading(LabSay.broadcastHeading.filled(lang, [NotesQuote.canBroadcast.chinese.description]))
        guard r.ran else {
            out.line(LabSay.broadcastSkipped.filled(lang, [r.skipped ?? say(.notRun)]))
            return
        }
        out.line(say(.broadcastNetwork1))
        let receivers = r.receivers.map(\.address).joined(
            separator: lang == .zh ? LabSay.and.chinese.description : " and ")
        out.line(LabSay.broadcastNetwork2.filled(lang, [r.sender, receivers]))
        if let n = r.captureMessage { out.line("  (\(n.text(lang)))") }
        out.line("")
        out.line(LabSay.broadcastSender.filled(lang, ["\(r.destination):\(r.port)", "\(r.sent)"]))
        for rc in r.receivers {
            let name =
                rc.name.hasPrefix("receiver ")
                ? LabSay.receiverName.filled(lang, [String(rc.name.dropFirst(9))]) : rc.name
            out.line(
                "  \(name) (\(rc.address)) recvfrom() → "
                    + (rc.received.map { LabSay.received.filled(lang, [$0, rc.from ?? "?"]) } ?? say(.nothingWithin)))
            if let frames = rc.frames {
                var x = FrameExplainer(language: lang)
                out.line(say(.capturedOnEth0))
                for f in frames { out.line("      " + x.line(for: f).text) }
            }
        }
        let all = r.receivers.allSatisfy { $0.received != nil }
        out.line("")
        out.line(say(all ? .broadcastAll : .broadcastSome))
    }
}
