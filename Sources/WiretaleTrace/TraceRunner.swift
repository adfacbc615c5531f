import WiretaleCore
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
                packets: PacketStatus(captured: false, note: Bilingual(TraceSay.nothingSent)))
        }
        if let w = options.writeFile, let why = writeProblem(w) {
            let f = TraceFailure(
                .url, .local, Bilingual(TraceSay.writeFile, parts: [Bilingual(verbatim: w), why]),
                hint: Bilingual(TraceSay.writableDirHint))
            return TraceReport(
                url: options.url, steps: [], result: .failed(f),
                packets: PacketStatus(captured: false, note: Bilingual(TraceSay.nothingSent)))
        }
        if let ca = options.caFile, readTextFile(ca) == nil {
            let f = TraceFailure(
                .tls, .local, Bilingual(TraceSay.caUnreadable, ca), hint: Bilingual(TraceSay.pemFileHint))
            return TraceReport(
                url: options.url, steps: [], result: .failed(f),
                packets: PacketStatus(captured: false, note: Bilingual(TraceSay.nothingSent)))
        }
        return await Tracer(options: options, packetSource: packetSource).run()
    }

    /// Why `-w PATH` could not be written, checked before anything is sent (nothing is created):
    /// an existing path must be a writable non-directory; a new one needs a writable directory.
    static func writeProblem(_ path: String) -> Bilingual? {
        if path.isEmpty { return Bilingual(TraceSay.emptyPath) }
        var st = stat()
        if stat(path, &st) == 0 {
            if (st.st_mode & 0o170000) == 0o040000 { return Bilingual(TraceSay.isDirectory) }
            if access(path, W_OK) != 0 { return Bilingual(TraceSay.cannotBeWritten, errnoText(errno)) }
            return nil
        }
        if errno != ENOENT { return Bilingual(TraceSay.cannotBeWritten, errnoText(errno)) }
        let dir: String
        if let slash = path.lastIndex(of: "/") {
            dir = slash == path.startIndex ? "/" : String(path[..<slash])
        } else {
            dir = "."
        }
        var ds = stat()
        guard stat(dir, &ds) == 0, (ds.st_mode & 0o170000) == 0o040000 else {
            return Bilingual(TraceSay.noDirectory, dir)
        }
        if access(dir, W_OK | X_OK) != 0 { return Bilingual(TraceSay.dirNotWritable, dir, errnoText(errno)) }
        return nil
    }
}
