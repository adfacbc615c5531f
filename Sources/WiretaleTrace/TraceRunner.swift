/// The entry point the `trace` command calls: checks the options that need the file system, picks
/// the packet source, and runs the tracer.
public enum TraceRunner {
    /// `packetSource` defaults to a libpcap live capture, used when the process may capture.
    public static func run(_ options: TraceOptions, packetSource: (any TracePacketSource)? = LivePacketSource()) async
        -> TraceReport
    {
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
}
