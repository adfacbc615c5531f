import WiretaleCapture
import WiretaleCore
import WiretaleSystem

#if canImport(Glibc)
    import Glibc
#endif

/// The packet source for real traces: a libpcap live capture (WiretaleCapture's `LiveCapture`) on
/// its own thread, each frame decoded by the core's `PacketDecoder`, tracked by its `ConnectionTracker`
/// (`TraceFrameTracker`) and reduced to a `TraceFrame`;
/// with `-w` the raw frames are also written to a pcap file (`CaptureWriter`).
public struct LivePacketSource: TracePacketSource {
    public init() {}

    public func start(interface: String, filter: String, saveTo: String?, clockOffsetMs: Double) throws
        -> any TraceCapture
    {
        var options = LiveCapture.Options(device: interface)
        options.filter = filter
        options.promiscuous = false
        options.snapshotLength = 65535
        let capture = try LiveCapture(options)
        let writer = try saveTo.map { try CaptureWriter(path: $0, linkType: capture.linkType) }
        return LiveTraceCapture(capture: capture, writer: writer, traceStartMs: clockOffsetMs)
    }
}

/// A running capture: the capture loop runs on a thread of its own until `stop()`.
final class LiveTraceCapture: TraceCapture, @unchecked Sendable {
    private let stopper: CaptureStopper
    private let done = Handoff<Void>()
    private var captured = CapturedTrace(frames: [], connections: [])
    private var failure: Error?
    private var thread: pthread_t?

    /// `traceStartMs` is the trace's time 0 on the monotonic clock; packet times are wall-clock,
    /// so the offset between the two clocks is taken once, here.
    init(capture: LiveCapture, writer: CaptureWriter?, traceStartMs: Double) {
        stopper = capture.stopper
        startMs = traceStartMs
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let wallNowMs = Double(now.tv_sec) * 1000 + Double(now.tv_nsec) / 1e6
        let wallAtStartMs = wallNowMs - (Monotonic.nowMs() - traceStartMs)
        let box = CaptureBox(capture: capture, writer: writer, wallAtStartMs: wallAtStartMs, owner: self)
        thread = startThread { box.run() }
    }

    /// Frame times were taken against the capture's start; moving time 0 shifts them all.
    private var shiftMs = 0.0
    private let startMs: Double

    func setTimeZero(_ monotonicMs: Double) { shiftMs = monotonicMs - startMs }

    fileprivate func finish(_ captured: CapturedTrace, _ error: Error?) {
        self.captured = captured
        self.failure = error
        done.put(())
    }

    func stop() async throws -> CapturedTrace {
        // Let the last packets (the server's final ACK of the teardown) arrive.
        try? await Task.sleep(nanoseconds: 50_000_000)
        stopper.stop()
        done.wait()
        if let t = thread { joinThread(t) }
        if let failure { throw failure }
        var shifted = captured
        for i in shifted.frames.indices { shifted.frames[i].timeMs -= shiftMs }
        return shifted
    }
}

/// What the capture thread owns: the non-Sendable capture and writer never leave it.
private final class CaptureBox: @unchecked Sendable {
    let capture: LiveCapture
    let writer: CaptureWriter?
    let wallAtStartMs: Double
    unowned let owner: LiveTraceCapture

    init(capture: LiveCapture, writer: CaptureWriter?, wallAtStartMs: Double, owner: LiveTraceCapture) {
        self.capture = capture
        self.writer = writer
        self.wallAtStartMs = wallAtStartMs
        self.owner = owner
    }

    func run() {
        var tracked = TraceFrameTracker()
        var decoded = DecodedPacket()
        var error: Error?
        do {
            try capture.run { packet in
                try writer?.write(packet)
                PacketDecoder.decode(packet.bytes, linkType: packet.linkType, into: &decoded)
                let ms = Double(packet.timestamp.totalNanoseconds) / 1e6 - wallAtStartMs
                tracked.add(
                    decoded, bytes: packet.bytes, timeMs: ms, time: packet.timestamp, wireLength: packet.originalLength)
            }
            try writer?.close()
        } catch let e {
            error = e
        }
        owner.finish(tracked.finish(), error)
    }
}

/// Turns the core's decoded packet into the few facts attribution needs, with the line `wiretale read`
/// prints for it (`PacketText.summary`, without the frame number and time).
enum TraceFrameReader {
    /// `application` is the packet's message as the registry parsed it; `bytes` are the frame's bytes.
    static func frame(
        number: Int, timeMs: Double, _ p: DecodedPacket, application: ApplicationLayer?,
        bytes: UnsafeRawBufferPointer, wireLength: Int
    ) -> TraceFrame {
        let application = application ?? resolverMessage(p, bytes)
        let summary = PacketText.summary(
            p, application: application, capturedLength: bytes.count, originalLength: wireLength)
        return TraceFrame(number: number, timeMs: timeMs, kind: kind(p, application), summary: summary)
    }

    /// The trace's filter lets UDP in only to or from a DNS port: 53, or the `--resolver` port (any
    /// other), which the registry does not claim as DNS; so an unclaimed UDP payload is read as DNS.
    static func resolverMessage(_ p: DecodedPacket, _ bytes: UnsafeRawBufferPointer) -> ApplicationLayer? {
        let (o, n) = (p.udp.payloadOffset, p.udp.capturedPayload)
        guard p.hasUDP, p.application == .none, n >= 12, o + n <= bytes.count,
            let (m, error) = DNSDecoder.parse(UnsafeRawBufferPointer(rebasing: bytes[o..<(o + n)]), base: o)
        else { return nil }
        return ApplicationLayer(.dns(m), error: error)
    }

    static func kind(_ p: DecodedPacket, _ application: ApplicationLayer?) -> TraceFrame.Kind {
        if p.hasARP {
            return .arp(sender: p.arp.senderIP, target: p.arp.targetIP, isReply: p.arp.operation == 2)
        }
        guard p.hasIP else { return .other }
        let src = p.ip.src
        let dst = p.ip.dst
        if p.hasICMP {
            if p.icmp.isV6, p.icmp.type == 135 || p.icmp.type == 136, let target = p.icmp.ndTarget {
                return .neighbourDiscovery(target: target, isAdvertisement: p.icmp.type == 136)
            }
            if p.icmp.isV6 ? p.icmp.type == 1 : p.icmp.type == 3 {
                return .icmpError(src: src, text: "destination unreachable (code \(p.icmp.code))")
            }
        }
        if let dns = application?.dns {
            let (sp, dp) =
                p.hasUDP ? (Int(p.udp.srcPort), Int(p.udp.dstPort)) : (Int(p.tcp.srcPort), Int(p.tcp.dstPort))
            return .dns(src: src, srcPort: sp, dst: dst, dstPort: dp, id: dns.id, isResponse: dns.isResponse)
        }
        if p.hasTCP {
            let t = p.tcp
            return .tcp(
                src: src, srcPort: Int(t.srcPort), dst: dst, dstPort: Int(t.dstPort), flags: t.flags, seq: t.seq,
                ack: t.ack, payload: t.payloadLength)
        }
        return .other
    }
}
