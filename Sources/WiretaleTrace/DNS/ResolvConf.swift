import WiretaleCore

/// A DNS server to ask: an address and a port (53 unless `--resolver IP:port` says otherwise).
public struct DNSServer: Sendable, Equatable, CustomStringConvertible {
    public var address: IPAddress
    public var port: Int

    public init(address: IPAddress, port: Int = 53) {
        self.address = address
        self.port = port
    }

    /// "10.0.0.1", "10.0.0.1:5353", "[fd00::1]:5353", "fd00::1".
    public init?(parsing text: String) {
        var host = Substring(text)
        var port = 53
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return nil }
            let after = host[host.index(after: close)...]
            host = host[host.index(after: host.startIndex)..<close]
            if after.hasPrefix(":") {
                guard let p = Int(after.dropFirst()), (1...65535).contains(p) else { return nil }
                port = p
            } else if !after.isEmpty {
                return nil
            }
        } else if host.filter({ $0 == ":" }).count == 1, let colon = host.firstIndex(of: ":") {
            guard let p = Int(host[host.index(after: colon)...]), (1...65535).contains(p) else { return nil }
            port = p
            host = host[..<colon]
        }
        guard let a = IPAddress(host) else { return nil }
        self.init(address: a, port: port)
    }

    public var description: String {
        port == 53 ? address.description : (address.isIPv6 ? "[\(address)]:\(port)" : "\(address):\(port)")
    }
}

/// `/etc/resolv.conf` as the glibc stub resolver reads it (resolv.conf(5)): nameserver lines (at
/// most three are used), search/domain, and the options wiretale honours.
public struct ResolvConf: Sendable, Equatable {
    public var nameservers: [DNSServer] = []
    public var search: [String] = []
    /// `options ndots:n`, default 1.
    public var ndots = 1
    /// `options timeout:n` in seconds, default 5 (RES_TIMEOUT).
    public var timeoutSeconds = 5
    /// `options attempts:n`, default 2 (RES_DFLRETRY).
    public var attempts = 2
    public var rotate = false
    /// `options edns0`: advertise a larger UDP payload (RFC 6891).
    public var edns0 = false
    /// `options use-vc`: always ask over TCP.
    public var useTCP = false
    /// True when no nameserver line was present and the glibc default (127.0.0.1) was assumed.
    public var defaultedNameserver = false

    public init() {}

    public static func parse(_ text: String) -> ResolvConf {
        var c = ResolvConf()
        for raw in text.split(separator: "\n") {
            var line = raw
            if let hash = line.firstIndex(where: { $0 == "#" || $0 == ";" }) { line = line[..<hash] }
            let f = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            guard let key = f.first else { continue }
            switch key {
            case "nameserver":
                if f.count >= 2, c.nameservers.count < 3 {
                    // A scoped "fe80::1%eth0" is kept without its scope (wiretale cannot use it yet).
                    let addr = f[1].split(separator: "%").first.map(String.init) ?? ""
                    if let a = IPAddress(addr) { c.nameservers.append(DNSServer(address: a)) }
                }
            case "search":
                c.search = f.dropFirst().map { String($0) }
            case "domain":
                if f.count >= 2 { c.search = [String(f[1])] }
            case "options":
                for opt in f.dropFirst() {
                    let kv = opt.split(separator: ":", maxSplits: 1)
                    let value = kv.count == 2 ? Int(kv[1]) : nil
                    switch kv[0] {
                    case "ndots": if let v = value { c.ndots = min(max(v, 0), 15) }
                    case "timeout": if let v = value { c.timeoutSeconds = min(max(v, 1), 30) }
                    case "attempts": if let v = value { c.attempts = min(max(v, 1), 5) }
                    case "rotate": c.rotate = true
                    case "edns0": c.edns0 = true
                    case "use-vc", "usevc": c.useTCP = true
                    default: break
                    }
                }
            default:
                continue
            }
        }
        if c.nameservers.isEmpty {
            c.nameservers = [DNSServer(address: IPAddress(v4: 0x7F00_0001))]
            c.defaultedNameserver = true
        }
        return c
    }

    /// The names to ask for `name`, in order (resolv.conf(5), "search" and "ndots"): a name ending
    /// in "." is absolute; one with at least `ndots` dots is tried as it is first, else last.
    public func candidates(for name: String) -> [String] {
        if name.hasSuffix(".") { return [String(name.dropLast())] }
        let dots = name.filter { $0 == "." }.count
        let searched = search.map { "\(name).\($0)" }
        return dots >= ndots ? [name] + searched : searched + [name]
    }
}

/// `/etc/hosts` (hosts(5)): "address canonical_name [aliases...]", consulted before DNS.
public struct HostsFile: Sendable {
    public struct Entry: Sendable, Equatable {
        public var address: IPAddress
        public var names: [String]
        public var line: Int
    }

    public var entries: [Entry] = []

    public static func parse(_ text: String) -> HostsFile {
        var h = HostsFile()
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = raw
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            let f = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            guard f.count >= 2 else { continue }
            let addr = f[0].split(separator: "%").first.map(String.init) ?? ""
            guard let a = IPAddress(addr) else { continue }
            h.entries.append(Entry(address: a, names: f.dropFirst().map { $0.lowercased() }, line: n + 1))
        }
        return h
    }

    /// The entries naming `name` (case-insensitive), in file order.
    public func lookup(_ name: String) -> [Entry] {
        let key = name.lowercased().hasSuffix(".") ? String(name.lowercased().dropLast()) : name.lowercased()
        return entries.filter { $0.names.contains(key) }
    }
}
