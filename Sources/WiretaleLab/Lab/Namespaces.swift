import WiretaleSystem

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a tool (`ip`, found in PATH) and waits for it, with its output discarded; returns the exit
/// status, -1 when it could not start or was killed.
@discardableResult
func runTool(_ arguments: [String]) -> Int32 {
    let quiet: [ChildProcess.Action] = [
        .open(fd: 1, path: "/dev/null", flags: O_WRONLY), .open(fd: 2, path: "/dev/null", flags: O_WRONLY),
    ]
    guard case .success(let pid) = ChildProcess.spawn(arguments, actions: quiet, searchPath: true) else { return -1 }
    let status = ChildProcess.waitStatus(pid)
    return (status & 0x7F) == 0 ? (status >> 8) & 0xFF : -1
}

/// Network namespaces the broadcast lab creates (with `ip netns`) and removes: a hub holding a
/// bridge, and one namespace per host with a veth into the bridge. Addresses (10.77.0.0/24) exist
/// only inside them; nothing touches the host's own interfaces.
final class LabNamespaces {
    let prefix: String
    var names: [String] = []
    private let home: Int32

    typealias SetNS = @convention(c) (Int32, Int32) -> Int32
    private static let setnsFunction: SetNS? = {
        guard let sym = dlsym(dlopen(nil, RTLD_NOW), "setns") else { return nil }
        return unsafeBitCast(sym, to: SetNS.self)
    }()
    static let cloneNewNet: Int32 = 0x4000_0000

    init() {
        prefix = "wtlab\(getpid() % 100_000)"
        home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)
    }

    deinit {
        remove()
        if home >= 0 { close(home) }
    }

    func name(_ short: String) -> String { "\(prefix)\(short)" }

    /// Creates the hub with bridge `br0` and hosts `hosts` (short name, address/24). False when
    /// any step failed (and everything made so far is removed).
    func build(hosts: [(String, String)]) -> Bool {
        let hub = name("hub")
        guard runTool(["ip", "netns", "add", hub]) == 0 else { return false }
        names.append(hub)
        var ok = runTool(["ip", "-n", hub, "link", "add", "br0", "type", "bridge"]) == 0
        ok = ok && runTool(["ip", "-n", hub, "link", "set", "br0", "up"]) == 0
        for (i, (short, address)) in hosts.enumerated() where ok {
            let ns = name(short)
            ok = runTool(["ip", "netns", "add", ns]) == 0
            if ok { names.append(ns) }
            let port = "v\(i)"
            ok =
                ok
                && runTool(["ip", "-n", hub, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns])
                    == 0
            ok = ok && runTool(["ip", "-n", hub, "link", "set", port, "master", "br0", "up"]) == 0
            ok = ok && runTool(["ip", "-n", ns, "addr", "add", address, "dev", "eth0"]) == 0
            ok = ok && runTool(["ip", "-n", ns, "link", "set", "eth0", "up"]) == 0
            ok = ok && runTool(["ip", "-n", ns, "link", "set", "lo", "up"]) == 0
        }
        if !ok { remove() }
        return ok
    }

    /// Runs `body` with this thread inside namespace `short` (sockets and captures opened there stay there).
    func inside<T>(_ short: String, _ body: () throws -> T) rethrows -> T? {
        guard let setns = Self.setnsFunction, home >= 0 else { return nil }
        let fd = open("/run/netns/\(name(short))", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        guard setns(fd, Self.cloneNewNet) == 0 else { return nil }
        defer { _ = setns(home, Self.cloneNewNet) }
        return try body()
    }

    func remove() {
        for n in names.reversed() { runTool(["ip", "netns", "del", n]) }
        names.removeAll()
    }
}
