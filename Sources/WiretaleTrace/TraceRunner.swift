import WiretaleSystem

#if canImport(Glibc)
    import Glibc
#endif

/// The entry point the `trace` command calls: checks the options that need the file system, picks
/// the packet source, and runs the tracer.
public enum TraceRunner {
    /// `packetSource` defaults to a libpcap live capture, used when the process may capture.
    public static func run(_ options: TraceOptions, packetSource: (any TracePacketSource)? = LivePacketSource()) async
        -> TraceReport
    {
        if let why = TraceOptions.timeoutProblem(options.timeoutSeconds) {
            return TraceReport(
                url: options.url, steps: [], result: .failed(TraceFailure(.url, .local, why, hint: nil)),
                packets: PacketStatus(captured: false, note: "nothing was sent"))
        }
        if let w = options.writeFile, let why = writeProblem(w) {
            let f = TraceFailure(.url, .local, "-w \(w): \(why)", hint: "give a file path in a writable directory")
            return TraceReport(
                url: options.url, steps: [], result: .failed(f),
                packets: PacketStatus(captured: false, note: "nothing was sent"))
        }
        if let ca = options.caFile, readTextFile(ca) == nil {
            let f = TraceFailure(
                .tls, .local, "--cacert \(ca): the file cannot be read", hint: "give a PEM file with the CA certificate"
            )
            return TraceReport(
                url: options.url, steps: [], result: .failed(f),
                packets: PacketStatus(captured: false, note: "nothing was sent"))
        }
        return await Tracer(options: options, packetSource: packetSource).run()
    }

    /// Why `-w PATH` could not be written, checked before anything is sent (nothing is created):
    /// an existing path must be a writable non-directory; a new one needs a writable directory.
    static func writeProblem(_ path: String) -> String? {
        if path.isEmpty { return "empty path" }
        var st = stat()
        if stat(path, &st) == 0 {
            if (st.st_mode & 0o170000) == 0o040000 { return "is a directory" }
            if access(path, W_OK) != 0 { return "cannot be written (\(errnoText(errno)))" }
            return nil
        }
        if errno != ENOENT { return "cannot be written (\(errnoText(errno)))" }
        let dir: String
        if let slash = path.lastIndex(of: "/") {
            dir = slash == path.startIndex ? "/" : String(path[..<slash])
        } else {
            dir = "."
        }
        var ds = stat()
        guard stat(dir, &ds) == 0, (ds.st_mode & 0o170000) == 0o040000 else {
            return "the directory \(dir) does not exist"
        }
        if access(dir, W_OK | X_OK) != 0 { return "the directory \(dir) is not writable (\(errnoText(errno)))" }
        return nil
    }
}
