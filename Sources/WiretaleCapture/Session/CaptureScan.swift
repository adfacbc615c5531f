import WiretaleCore

/// What every file-reading command takes: a capture file, an optional BPF filter and the caps
/// that bound memory whatever the file holds.
public struct CaptureInput: Sendable {
    /// The capture files (pcap or pcapng; `-` for standard input), read in this order as one
    /// capture: frames are numbered on across them, and connections followed across them.
    public var files: [String]
    /// The first file (the only one, most often).
    public var file: String { files.first ?? "-" }
    /// A BPF filter as tcpdump takes it (`tcp port 80`), or nil for every packet.
    public var filter: String?
    /// The most pcapng interfaces one section may define; one more is an error.
    public var maxInterfaces: Int
    /// The most TCP connections, UDP flows and unanswered DNS queries followed at once (each).
    public var maxFlows: Int

    public init(
        file: String, filter: String? = nil, maxInterfaces: Int = CaptureFileReader.defaultMaxInterfaces,
        maxFlows: Int = ConnectionTracker.Configuration.defaultMaxFlows
    ) {
        self.init(files: [file], filter: filter, maxInterfaces: maxInterfaces, maxFlows: maxFlows)
    }

    public init(
        files: [String], filter: String? = nil, maxInterfaces: Int = CaptureFileReader.defaultMaxInterfaces,
        maxFlows: Int = ConnectionTracker.Configuration.defaultMaxFlows
    ) {
        self.files = files
        self.filter = filter
        self.maxInterfaces = maxInterfaces
        self.maxFlows = maxFlows
    }

    /// The tracker's configuration with `maxFlows`.
    public var trackerConfiguration: ConnectionTracker.Configuration {
        var c = ConnectionTracker.Configuration()
        c.maxFlows = maxFlows
        return c
    }

    /// A follower for a command that prints tables, not messages (`conversations`, `explain`): it
    /// parses only the messages the flow tables keep.
    public var tableFollower: PacketFollower {
        var f = PacketFollower(configuration: trackerConfiguration)
        f.parsing = .forFlows
        return f
    }
}

/// On standard error, when the tracker evicted flows at its cap: how many, and how to raise it.
public func noteEvictions(_ e: FlowEvictions, maxFlows: Int) {
    guard e.total > 0 else { return }
    Diagnostics.error(
        "note: \(e.tcp) TCP connection(s), \(e.udp) UDP flow(s) and \(e.dns) DNS quer(y/ies) were evicted at the "
            + "cap of \(maxFlows) held at once (--max-flows raises it); later packets of an evicted "
            + "connection start a new stream")
}

/// Reads a capture file (or several, one after the other), applies the filter, and hands every
/// matching packet to `body` with its 1-based frame number in the file (counted on across files). `run` ends with the reader's error (a cut-off file, a damaged
/// block, a record past the snapshot length) after every whole packet was delivered; the command
/// reports what it read, then passes that error to `finish`, which prints it and exits 1.
///
/// The filter is libpcap's BPF, compiled once per link type the file holds; packets of a link type
/// libpcap cannot compile it for are skipped and counted in a note.
public struct CaptureScan {
    /// One reader per file, in order, every one opened (its header read) before any packet is.
    public let readers: [CaptureFileReader]
    public let filter: PacketFilter?
    public let paths: [String]
    /// The first file's reader and path.
    public var reader: CaptureFileReader { readers[0] }
    public var path: String { paths[0] }

    /// Opens every file of `input` and compiles its filter: a missing or unreadable file is
    /// reported before anything is printed.
    ///
    /// - Throws: `CommandExit.failure` after printing the reader's error (cannot open, not a
    ///   capture file) or the filter's (a bad expression).
    public init(_ input: CaptureInput) throws(CommandExit) {
        paths = input.files.isEmpty ? ["-"] : input.files
        var opened: [CaptureFileReader] = []
        for file in paths {
            do {
                let r = try CaptureFileReader(path: file)
                r.maxInterfaces = input.maxInterfaces
                opened.append(r)
            } catch {
                Diagnostics.error("\(error)")
                throw .failure
            }
        }
        readers = opened
        if let expression = input.filter {
            let f = PacketFilter(expression: expression)
            do {
                try f.validate(for: .ethernet)
            } catch let e where e.reason == .badExpression {
                Diagnostics.error("\(e)")
                throw .failure
            } catch {
                // Valid words for another link type; each packet's own link type decides below.
            }
            filter = f
        } else {
            filter = nil
        }
    }

    /// What ended a scan early or badly: the message `finish` prints.
    public struct Failure: Error {
        public var message: String
    }

    /// Calls `body(record, frameNumber)` for each packet that passes the filter, until it
    /// returns false. Returns the file's error, if any, for `finish` once the output is written.
    public func run(_ body: (borrowing PacketRecord, Int) -> Bool) -> Failure? {
        runAll({ record, frame, passes in passes ? body(record, frame) : true })
    }

    /// Calls `body(record, frameNumber, passes)` for every packet of the file, `passes` saying
    /// whether it passes the filter (true without one), until `body` returns false: for `read`, which
    /// follows every frame so that stream numbers are the file's (tshark's `tcp.stream`) whatever
    /// the filter shows. A packet of a link type the filter cannot be compiled for does not pass.
    ///
    /// With several files, `starting(index, path, nextFrame)` is called before each file's first
    /// packet is read (return false to stop); the first failure (a damaged file) ends the scan.
    public func runAll(
        _ body: (borrowing PacketRecord, Int, Bool) -> Bool,
        starting: ((Int, String, Int) -> Bool)? = nil
    ) -> Failure? {
        var frame = 0
        var failure: String? = nil
        var unfilterable: [UInt32: Int] = [:]  // link types the filter cannot be compiled for: packets skipped
        var stopped = false
        files: for (index, reader) in readers.enumerated() {
            if let starting, !starting(index, paths[index], frame + 1) { break }
            while true {
                let record: PacketRecord?
                do {
                    record = try reader.next()
                } catch {
                    failure = "\(error)"
                    break files
                }
                guard let r = record else { break }
                frame += 1
                var passes = true
                if let f = filter {
                    do {
                        passes = try f.matches(linkType: r.linkType, originalLength: r.originalLength, bytes: r.bytes)
                    } catch let e {
                        guard case .unsupportedLinkType = e.reason else {
                            failure = "\(e)"
                            break files
                        }
                        unfilterable[r.linkType.rawValue, default: 0] += 1
                        passes = false
                    }
                }
                if !body(r, frame, passes) {
                    stopped = true
                    break files
                }
            }
            if let v = snapLengthViolation(index) {
                failure = v
                break
            }
        }
        for (link, n) in unfilterable.sorted(by: { $0.key < $1.key }) {
            Diagnostics.error(
                "note: \(n) packet(s) of link type \(LinkType(rawValue: link).name) skipped: "
                    + "libpcap cannot compile the filter for that link type")
        }
        if failure == nil && stopped {
            // Stopped early (--count, a closed output): a violation already met is still reported.
            failure = readers.indices.lazy.compactMap(snapLengthViolation).first
        }
        return failure.map { Failure(message: $0) }
    }

    /// The message for file `index`'s first record past its snapshot length, if it had one.
    private func snapLengthViolation(_ index: Int) -> String? {
        guard let v = readers[index].firstSnapLengthViolation else { return nil }
        return "\(paths[index]): record \(v.record) holds \(v.caplen) bytes, more than the file's snapshot length "
            + "\(v.snapLength): the file is damaged or its writer was buggy (every packet was still decoded)"
    }

    /// Prints the scan's error, if any, and throws `CommandExit.failure`; call it after the
    /// command's own output.
    public func finish(_ failure: Failure?) throws(CommandExit) {
        guard let f = failure else { return }
        Diagnostics.error(f.message)
        throw .failure
    }
}
