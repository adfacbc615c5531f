import WiretaleSystem

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a system tool (iproute2's `ip`) and returns its standard output, nil when it is missing,
/// fails, or takes longer than `timeout` seconds.
func runTool(_ candidates: [String], _ arguments: [String], timeout: Double = 2) -> String? {
    guard let path = candidates.first(where: { access($0, X_OK) == 0 }) else { return nil }
    let r = Subprocess.run([path] + arguments, timeout: timeout)
    return r.exit == 0 && !r.timedOut ? r.stdout : nil
}

let ipToolPaths = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"]
