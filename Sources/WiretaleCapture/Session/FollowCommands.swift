import WiretaleCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// `follow`: one TCP stream's bytes, both directions reassembled (tshark's `-z follow,tcp`).
public enum FollowCommands {
    /// What `follow` prints.
    public struct Options: Sendable {
        public var format = FollowRender.Format.ascii
        public var lang = NotesLanguage.en
        /// `raw`: the direction whose bytes are written.
        public var direction = FollowDirection.client

        public init() {}
    }

    /// `follow`: TCP stream `stream` (tshark's `tcp.stream`, numbered over every frame of the
    /// capture as `read` numbers them; the filter only chooses which of the stream's frames are
    /// reassembled). Every frame is decoded and tracked; the stream's are fed to a
    /// `TCPStreamFollow` and what it delivers is printed at once. The file is read until both
    /// directions reached their FIN, the tracker reports the connection over, or the file ends
    /// (then what is held is delivered after its gaps).
    ///
    /// - Throws: `CommandExit.failure` when the file cannot be read, when it holds no such TCP
    ///   stream (the message says how many it holds, and names a UDP flow's number as such), or
    ///   after the output when the file is damaged.
    public static func follow(_ input: CaptureInput, stream wanted: Int, _ options: Options) throws(CommandExit) {
        signal(SIGPIPE, SIG_IGN)
        let scan = try CaptureScan(input)
        var out = OutputBuffer()
        var follower = input.tableFollower
        var follow = TCPStreamFollow(stream: wanted)
        let render = FollowRender(
            format: options.format, stream: wanted, lang: options.lang, direction: options.direction)
        var reported = false
        defer { out.flush() }

        func emit(_ e: FollowEvent) {
            render.render(e, to: &out)
            if options.format == .raw, case .gap(let d, let n, let offset) = e, d == options.direction {
                out.flush()
                Diagnostics.error(
                    "note: stream \(wanted), \(d.rawValue) → \(d == .client ? "server" : "client"): \(n) byte(s) "
                        + "missing at offset \(offset) (a gap: nothing written for them)")
            }
        }

        let failure = scan.runAll { record, frame, passes in
            let note = follower.follow(
                record.bytes, linkType: record.linkType, frame: frame, time: record.timestamp,
                wireLength: record.originalLength)
            if passes && note.kind == .tcp && Int(note.stream) == wanted {
                follow.add(follower, note: note, frame: frame, frameBytes: record.bytes) { emit($0) }
            }
            if follower.tracker.hasReports {
                while let r = follower.tracker.nextReport() {
                    if case .tcp(let c) = r, c.stream == wanted { reported = true }
                }
            }
            out.flushIfNeeded()
            // Once both directions are over, or the connection is reported, nothing more can come.
            return out.failed == 0 && !reported && !follow.ended
        }
        guard follow.seen else {
            out.flush()
            if let f = failure { try scan.finish(f) }
            Diagnostics.error(missing(wanted, input: input, tracker: follower.tracker))
            throw .failure
        }
        let stop: FollowStop = follow.ended ? .bothEnded : reported ? .connectionOver : .endOfCapture
        follow.finish { emit($0) }
        render.finish(follow, stop: stop, to: &out)
        out.flush()
        if options.format == .raw {
            let h = follow.half(options.direction)
            if h.hadCapGap {
                Diagnostics.error(
                    "note: a reassembly cap was reached in stream \(wanted): held bytes were delivered after a gap")
            }
        }
        try scan.finish(failure)
    }

    /// Why there is nothing to follow: no TCP stream of that number (how many there are, and
    /// whether the number is a UDP flow's), or none of its frames passed the filter.
    static func missing(_ wanted: Int, input: CaptureInput, tracker: ConnectionTracker) -> String {
        let tcp = tracker.tcpStreamCount
        let file = input.file
        if wanted < tcp, let filter = input.filter {
            return "\(file): no frame of TCP stream \(wanted) passes the filter '\(filter)'"
        }
        var message =
            tcp == 0
            ? "\(file): the capture holds no TCP stream"
            : "\(file): no TCP stream \(wanted); its TCP streams are numbered 0 to \(tcp - 1)"
        if wanted < tracker.udpStreamCount {
            message += "; \(wanted) is a UDP flow's number (udp.stream), and follow reassembles TCP streams only"
        }
        return message + " (see `wiretale conversations \(file)`)"
    }
}
