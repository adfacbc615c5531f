import WiretaleCapture
import WiretaleCore

#if canImport(Glibc)
    import Glibc
#endif

/// A captured frame, reduced to what it takes to tie it to a trace step. The capture side (libpcap
/// via WiretaleCapture, decoded by the core) fills these in; the trace never touches libpcap.
public struct TraceFrame: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// ARP request/reply about `target` (RFC 826).
        case arp(sender: IPAddress, target: IPAddress, isReply: Bool)
        /// ICMPv6 neighbour solicitation/advertisement for `target` (RFC 4861 sections 4.3, 4.4).
        case neighbourDiscovery(target: IPAddress, isAdvertisement: Bool)
        /// A DNS message (UDP or TCP) between the given endpoints.
        case dns(src: IPAddress, srcPort: Int, dst: IPAddress, dstPort: Int, id: UInt16, isResponse: Bool)
        /// A TCP segment (RFC 9293 section 3.1).
        case tcp(
            src: IPAddress, srcPort: Int, dst: IPAddress, dstPort: Int, flags: TCPFlags, seq: UInt32, ack: UInt32,
            payload: Int)
        /// An ICMP error about our traffic (port/host unreachable...), described.
        case icmpError(src: IPAddress, text: String)
        case other
    }

    /// 1-based frame number in the capture (and in the `-w` file).
    public var number: Int
    /// Capture time on the trace's clock (milliseconds since the trace began).
    public var timeMs: Double
    public var kind: Kind
    /// One line, as `wiretale read` would print it (with the conversation tracker's remarks).
    public var summary: String
    /// The same line with the tracker's remarks in the notes' Chinese (`--lang zh`); nil when it
    /// has none (the line is then the same in both languages).
    public var chineseSummary: String?
    /// For TCP: the conversation tracker's stream (`tcp.stream`, -1 when none) and which step of the
    /// notes' handshake or teardown this segment is (`PacketNote`).
    public var stream: Int32
    public var step: ConnectionStep

    public init(
        number: Int, timeMs: Double, kind: Kind, summary: String, stream: Int32 = -1, step: ConnectionStep = .none
    ) {
        self.number = number
        self.timeMs = timeMs
        self.kind = kind
        self.summary = summary
        self.stream = stream
        self.step = step
    }
}

/// What a capture hands back when it stops: every frame, in order, and the conversation tracker's
/// report on each TCP connection (handshake checks, teardown kind, who closed first, TIME-WAIT).
public struct CapturedTrace: Sendable {
    public var frames: [TraceFrame]
    public var connections: [TCPConversation]

    public init(frames: [TraceFrame], connections: [TCPConversation]) {
        self.frames = frames
        self.connections = connections
    }
}

/// Where a trace's packets come from. With privileges, an implementation runs a live capture on
/// the egress interface for the duration of the trace; the trace hands it a BPF filter for its own
/// traffic and gets back decoded frames when it stops.
public protocol TracePacketSource: Sendable {
    /// Starts capturing. `saveTo` is the `-w FILE` path (pcap), if any.
    func start(interface: String, filter: String, saveTo: String?, clockOffsetMs: Double) throws -> any TraceCapture
}

/// A running capture.
public protocol TraceCapture: AnyObject, Sendable {
    /// Sets the trace's time 0 (monotonic milliseconds) that frame times are measured from.
    func setTimeZero(_ monotonicMs: Double)

    /// Stops the capture, flushes `-w`, and returns every frame seen, in order, with the tracker's reports.
    func stop() async throws -> CapturedTrace
}

/// Whether this process may capture, and what to tell a user who may not (WiretaleCapture decides).
public enum CapturePrivilege {
    public static func canCapture() -> Bool { captureAllowed() }

    /// What to tell a user who ran without privileges.
    public static let howTo = Bilingual(TraceSay.howTo, CaptureError.setcapCommand)

    /// The capture filter for one trace: its neighbour traffic, DNS (port 53, and the port of the
    /// resolver actually asked: `--resolver 127.0.0.1:5399`), ICMP errors, and the web ports.
    public static func filter(ports: [Int], dnsPorts: [Int] = [53]) -> String {
        let tcp = Set(ports).sorted().map { "tcp port \($0)" }.joined(separator: " or ")
        let dns = Set(dnsPorts + [53]).sorted().map { "port \($0)" }.joined(separator: " or ")
        return "arp or icmp or icmp6 or \(dns)" + (tcp.isEmpty ? "" : " or " + tcp)
    }
}
