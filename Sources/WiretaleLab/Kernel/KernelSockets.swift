import WiretaleCore
import WiretaleSystem

#if canImport(Glibc)
    import Glibc
#endif

/// One socket as the kernel lists it in `/proc/net/tcp`, `/proc/net/tcp6` or `/proc/net/udp`: its
/// two addresses and its state, in the kernel's own words. This is the third view the labs show
/// beside the call and the packet: what the host itself says, not what the wire implies.
public struct KernelSocket: Sendable, Equatable {
    public var localIP: String
    public var localPort: UInt16
    public var remoteIP: String
    public var remotePort: UInt16
    /// The kernel's state number (`st` column, `include/net/tcp_states.h`).
    public var code: UInt8

    /// The notes' state (RFC name), from the kernel's number (`TCPState(linuxState:)`).
    public var state: TCPState? { TCPState(linuxState: code) }

    public var local: String { "\(localIP):\(localPort)" }
    public var remote: String { "\(remoteIP):\(remotePort)" }
}

/// Reads the kernel's socket tables. No privileges needed: every user may read `/proc/net/tcp`.
public enum KernelSockets {
    /// Every TCP socket (IPv4 and IPv6) whose local or remote port is `port`: the listener first, then
    /// the sockets connecting to `port` (clients), then those the listener accepted. The kernel lists
    /// its table in hash order, which changes with the ports; the labs print the same order every run.
    public static func tcp(port: UInt16) -> [KernelSocket] {
        let all = (read("/proc/net/tcp") + read("/proc/net/tcp6")).filter {
            $0.localPort == port || $0.remotePort == port
        }
        func rank(_ k: KernelSocket) -> Int { k.state == .listen ? 0 : k.remotePort == port ? 1 : 2 }
        return all.enumerated().sorted { (rank($0.element), $0.offset) < (rank($1.element), $1.offset) }.map(\.element)
    }

    /// Every UDP socket whose local or remote port is `port`.
    public static func udp(port: UInt16) -> [KernelSocket] {
        (read("/proc/net/udp") + read("/proc/net/udp6")).filter { $0.localPort == port || $0.remotePort == port }
    }

    /// The TCP socket with these two ports, if the kernel still holds it.
    public static func tcp(local: UInt16, remote: UInt16) -> KernelSocket? {
        tcp(port: local).first { $0.localPort == local && $0.remotePort == remote }
    }

    static func read(_ path: String) -> [KernelSocket] {
        readTextFile(path).map(parse) ?? []
    }

    /// Parses the table's text: a header line, then `sl local rem st ...` per socket, addresses as
    /// hex words in host byte order ("0100007F:1F90" is 127.0.0.1:8080 on a little-endian host).
    public static func parse(_ text: String) -> [KernelSocket] {
        var out: [KernelSocket] = []
        for line in text.split(separator: "\n").dropFirst() {
            let f = line.split(separator: " ", omittingEmptySubsequences: true)
            guard f.count > 3, let l = endpoint(f[1]), let r = endpoint(f[2]), let st = UInt8(f[3], radix: 16) else {
                continue
            }
            out.append(KernelSocket(localIP: l.0, localPort: l.1, remoteIP: r.0, remotePort: r.1, code: st))
        }
        return out
    }

    static func endpoint(_ s: Substring) -> (String, UInt16)? {
        let parts = s.split(separator: ":")
        guard parts.count == 2, let port = UInt16(parts[1], radix: 16) else { return nil }
        let hex = parts[0]
        var bytes: [UInt8] = []
        // Each 32-bit word is printed as the host stores it.
        var i = hex.startIndex
        while i < hex.endIndex {
            let j = hex.index(i, offsetBy: 8, limitedBy: hex.endIndex) ?? hex.endIndex
            guard let word = UInt32(hex[i..<j], radix: 16) else { return nil }
            withUnsafeBytes(of: word.bigEndian) { bytes.append(contentsOf: $0) }
            i = j
        }
        // `word` was parsed as the number the hex spells; the host's memory order is little-endian
        // on the machines wiretale runs on, so reverse within each word.
        var ordered: [UInt8] = []
        for k in stride(from: 0, to: bytes.count, by: 4) {
            ordered.append(contentsOf: bytes[k..<k + 4].reversed())
        }
        if ordered.count == 4 {
            return (ordered.map { String($0) }.joined(separator: "."), port)
        }
        if ordered.count == 16 {
            if ordered[0..<10].allSatisfy({ $0 == 0 }) && ordered[10] == 0xFF && ordered[11] == 0xFF {
                return ("::ffff:" + ordered[12...].map { String($0) }.joined(separator: "."), port)
            }
            var groups: [String] = []
            for k in stride(from: 0, to: 16, by: 2) {
                groups.append(String(UInt16(ordered[k]) << 8 | UInt16(ordered[k + 1]), radix: 16))
            }
            return (groups.joined(separator: ":"), port)
        }
        return nil
    }
}
