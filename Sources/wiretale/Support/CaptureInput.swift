import ArgumentParser
import WiretaleCapture
import WiretaleCore

#if canImport(Glibc)
    import Glibc
#endif

/// The arguments every file-reading subcommand shares: a capture file and an optional BPF filter.
struct CaptureInputOptions: ParsableArguments {
    @Argument(help: "A capture file (pcap or pcapng), or - for standard input.")
    var file: String

    @Argument(help: ArgumentHelp("A BPF filter, as tcpdump takes it (e.g. 'tcp port 80').", valueName: "filter"))
    var filter: [String] = []

    @OptionGroup var caps: FlowCapOptions
    var maxFlows: Int { caps.maxFlows }

    @Option(
        help: ArgumentHelp(
            "The most pcapng interfaces one section may define (default "
                + "\(CaptureFileReader.defaultMaxInterfaces)); one more is an error.", valueName: "n"))
    var maxInterfaces = CaptureFileReader.defaultMaxInterfaces

    mutating func validate() throws {
        if maxInterfaces < 1 { throw ValidationError("--max-interfaces must be 1 or more") }
    }

    /// The tracker's configuration with `--max-flows`.
    var trackerConfiguration: ConnectionTracker.Configuration {
        var c = ConnectionTracker.Configuration()
        c.maxFlows = maxFlows
        return c
    }

    var filterExpression: String? {
        filter.isEmpty ? nil : filter.joined(separator: " ")
    }
}

/// `--max-flows`, for every command that follows connections (the file commands and `capture`).
struct FlowCapOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The most TCP connections, UDP flows and unanswered DNS queries followed at once (each; default "
                + "\(ConnectionTracker.Configuration.defaultMaxFlows)); past it the oldest half-open, then the "
                + "longest idle, are evicted and counted.", valueName: "n"))
    var maxFlows = ConnectionTracker.Configuration.defaultMaxFlows

    func validate() throws {
        if maxFlows < 1 { throw ValidationError("--max-flows must be 1 or more") }
    }
}

/// On standard error, when the tracker evicted flows at its cap: how many, and how to raise it.
func noteEvictions(_ e: FlowEvictions, maxFlows: Int) {
    guard e.total > 0 else { return }
    printError(
        "note: \(e.tcp) TCP connection(s), \(e.udp) UDP flow(s) and \(e.dns) DNS quer(y/ies) were evicted at the "
            + "cap of \(maxFlows) held at once (--max-flows raises it); later packets of an evicted "
            + "connection start a new stream")
}

/// Writes `wiretale: message` to standard error.
func printError(_ message: String) {
    var line = "wiretale: " + message + "\n"
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

/// Reads a capture file, applies the filter, and hands every matching packet to `body` with its
/// 1-based frame number in the file. `run` ends with the reader's error (a cut-off file, a damaged
/// block, a record past the snapshot length) after every whole packet was delivered; the command
/// reports what it read, then passes that error to `finish`, which prints it and exits 1.
struct CaptureScan {
    let reader: CaptureFileReader
    let filter: PacketFilter?
    let path: String

    init(_ options: CaptureInputOptions) throws {
        path = options.file
        do {
            reader = try CaptureFileReader(path: options.file)
            reader.maxInterfaces = options.maxInterfaces
        } catch {
            printError("\(error)")
            throw ExitCode(1)
        }
        if let expression = options.filterExpression {
            let f = PacketFilter(expression: expression)
            do {
                try f.validate(for: .ethernet)
            } catch let e where e.reason == .badExpression {
                printError("\(e)")
                throw ExitCode(1)
            } catch {
                // Valid words for another link type; each packet's own link type decides below.
            }
            filter = f
        } else {
            filter = nil
        }
    }

    /// What ended a scan early or badly: the message `finish` prints.
    struct Failure: Error {
        var message: String
    }

    /// Calls `body(record, frameNumber)` for each packet that passes the filter, until it
    /// returns false. Returns the file's error, if any, for `finish` once the output is written.
    func run(_ body: (borrowing PacketRecord, Int) -> Bool) -> Failure? {
        var frame = 0
        var failure: String? = nil
        var unfilterable: [UInt32: Int] = [:]  // link types the filter cannot be compiled for: packets skipped
        while true {
            let record: PacketRecord?
            do {
                record = try reader.next()
            } catch {
                failure = "\(error)"
                break
            }
            guard let r = record else { break }
            frame += 1
            if let f = filter {
                do {
                    guard try f.matches(linkType: r.linkType, originalLength: r.originalLength, bytes: r.bytes) else {
                        continue
                    }
                } catch let e {
                    if case .unsupportedLinkType = e.reason {
                        unfilterable[r.linkType.rawValue, default: 0] += 1
                        continue
                    }
                    failure = "\(e)"
                    break
                }
            }
            if !body(r, frame) { break }
        }
        for (link, n) in unfilterable.sorted(by: { $0.key < $1.key }) {
            printError(
                "note: \(n) packet(s) of link type \(LinkType(rawValue: link).name) skipped: "
                    + "libpcap cannot compile the filter for that link type")
        }
        if failure == nil, let v = reader.firstSnapLengthViolation {
            failure =
                "\(path): record \(v.record) holds \(v.caplen) bytes, more than the file's snapshot length "
                + "\(v.snapLength): the file is damaged or its writer was buggy (every packet was still decoded)"
        }
        return failure.map { Failure(message: $0) }
    }

    /// Prints the scan's error, if any, and exits 1; call it after the command's own output.
    func finish(_ failure: Failure?) throws {
        guard let f = failure else { return }
        printError(f.message)
        throw ExitCode(1)
    }
}
