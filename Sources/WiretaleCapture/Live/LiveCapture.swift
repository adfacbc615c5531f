import CPcap
import WiretaleCore
import WiretaleSystem

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A packet capture on a network interface, through libpcap.
///
/// Opening follows pcap(3PCAP)'s create/activate sequence: `pcap_create`, then snapshot length,
/// promiscuous mode, immediate mode (each packet is delivered as soon as it arrives, not when a
/// buffer block fills), kernel buffer size, read timeout and nanosecond timestamps, then
/// `pcap_activate`. On the `any` device the link type is switched to `LINUX_SLL2` (276) when libpcap
/// offers it, so packets carry their interface index. A filter is compiled for the interface's link
/// type and attached in the kernel (`pcap_setfilter`).
///
/// Threads: a `LiveCapture` is used by one thread at a time (it is deliberately not `Sendable`).
/// The only thing another thread, or a signal handler, may do is stop it, through `stopper`.
///
///     var options = LiveCapture.Options(device: "lo")
///     options.filter = "tcp port 80"
///     let capture = try LiveCapture(options)
///     let signals = SignalStop(stopper: capture.stopper)   // Ctrl-C ends the loop cleanly
///     let reason = try capture.run(count: 100) { packet in … }
///     print(try capture.stats())
public final class LiveCapture {
    /// How to open the interface. The defaults are tcpdump's, except for immediate mode (on) and
    /// a larger kernel buffer (32 MiB), so bursts are neither delayed nor dropped.
    public struct Options: Sendable {
        /// The interface name (`eth0`, `lo`, `any`).
        public var device: String
        /// Bytes kept per packet (`-s`); longer packets are cut, their original length kept.
        public var snapshotLength: Int
        /// Put the interface in promiscuous mode (`--no-promisc` turns it off).
        public var promiscuous: Bool
        /// Deliver each packet as soon as it arrives.
        public var immediate: Bool
        /// The kernel's ring buffer for this capture, in bytes. In immediate mode every slot is
        /// sized for the largest packet the interface can carry (the snapshot length capped by the
        /// MTU), so 32 MiB holds about 16,000 packets on 1500-byte Ethernet but only 256 on `lo`
        /// (MTU 65536) and 64 on `any` at the default snapshot length (256 with `-s 65535`).
        public var bufferSize: Int
        /// libpcap's read timeout (`pcap_set_timeout`): with immediate mode off, how long the
        /// kernel holds a partly filled buffer block before handing it over. With immediate mode on
        /// it has no effect; `run` keeps its own deadline either way.
        public var readTimeout: Duration
        /// A BPF filter (pcap-filter(7)); empty captures everything.
        public var filter: String
        /// Ask for nanosecond timestamps (falls back to microseconds when unsupported).
        public var nanosecondTimestamps: Bool
        /// The command line for "run it as root: sudo …" hints, shell-quoted, without `sudo`.
        public var invocation: String?

        public init(
            device: String, snapshotLength: Int = 262_144, promiscuous: Bool = true, immediate: Bool = true,
            bufferSize: Int = 32 << 20, readTimeout: Duration = .milliseconds(100), filter: String = "",
            nanosecondTimestamps: Bool = true, invocation: String? = nil
        ) {
            self.device = device
            self.snapshotLength = snapshotLength
            self.promiscuous = promiscuous
            self.immediate = immediate
            self.bufferSize = bufferSize
            self.readTimeout = readTimeout
            self.filter = filter
            self.nanosecondTimestamps = nanosecondTimestamps
            self.invocation = invocation
        }
    }

    /// The interface being captured on.
    public let device: String
    /// The link-layer header type of every packet (`LINKTYPE_` numbering; `.linuxSLL2` on `any`).
    public let linkType: LinkType
    /// The snapshot length libpcap actually uses (it may lower the requested one).
    public let snapshotLength: Int
    /// 9 when timestamps have nanosecond precision, 6 for microseconds.
    public let timestampDigits: UInt8
    /// The filter attached in the kernel ("" for none).
    public let filter: String
    /// Warnings from `pcap_activate` (for example "promiscuous mode not supported"), for the log.
    public let warnings: [String]
    /// Stops `run` from any thread or a signal handler; see `CaptureStopper`.
    public let stopper: CaptureStopper

    private let handle: PcapHandle
    private var delivered: UInt64 = 0
    private var running = false

    /// Opens and activates `options.device`.
    ///
    /// - Throws: `CaptureError` whose description says what to do: `.permissionDenied` (names
    ///   `sudo …` and the `setcap` line), `.noSuchDevice` (lists the interfaces), `.interfaceNotUp`,
    ///   `.badFilter` (libpcap's message and the filter text), `.openFailed` for anything else.
    public init(_ options: Options) throws(CaptureError) {
        let device = options.device
        let invocation = options.invocation
        let (created, createMessage) = withPcapErrorBuffer { pcap_create(device, $0) }
        guard let p = created else {
            throw CaptureError(kind: .openFailed, device: device, libpcapMessage: createMessage, invocation: invocation)
        }
        // From here on `handle` owns `p` and closes it on every exit path.
        let handle = PcapHandle(p)

        _ = pcap_set_snaplen(p, Int32(clamping: max(options.snapshotLength, 1)))
        _ = pcap_set_promisc(p, options.promiscuous ? 1 : 0)
        _ = pcap_set_immediate_mode(p, options.immediate ? 1 : 0)
        _ = pcap_set_buffer_size(p, Int32(clamping: max(options.bufferSize, 0)))
        _ = pcap_set_timeout(p, Self.milliseconds(options.readTimeout))
        if options.nanosecondTimestamps {
            // PCAP_ERROR_TSTAMP_PRECISION_NOTSUP just leaves microseconds; checked after activation.
            _ = pcap_set_tstamp_precision(p, Int32(PCAP_TSTAMP_PRECISION_NANO))
        }

        let status = pcap_activate(p)
        if status < 0 {
            throw CaptureError.fromActivation(
                status: status, device: device, libpcapMessage: pcapMessage(p, status: status), invocation: invocation,
                available: { Interfaces.names() })
        }
        var warnings: [String] = []
        if status > 0 {
            warnings.append(pcapMessage(p, status: status))
        }
        // `run` waits in its own poll (see there), so reads must never block.
        let (nonblock, nonblockMessage) = withPcapErrorBuffer { pcap_setnonblock(p, 1, $0) }
        if nonblock != 0 || pcap_get_selectable_fd(p) < 0 {
            throw CaptureError(
                kind: .openFailed, device: device, libpcapMessage: nonblockMessage, invocation: invocation)
        }

        if device == "any" {
            Self.preferSLL2(p)
        }
        let linkType = LinkType(dlt: pcap_datalink(p))

        if !options.filter.allSatisfy(\.isWhitespace) {
            try Self.install(filter: options.filter, on: p, device: device, linkType: linkType, invocation: invocation)
        }

        self.handle = handle
        self.device = device
        self.linkType = linkType
        self.snapshotLength = Int(pcap_snapshot(p))
        self.timestampDigits = pcap_get_tstamp_precision(p) == Int32(PCAP_TSTAMP_PRECISION_NANO) ? 9 : 6
        self.filter = options.filter
        self.warnings = warnings
        self.stopper = CaptureStopper(handle: handle)
    }

    /// Opens a capture file through libpcap (`pcap_open_offline`) as if it were an interface, so the
    /// delivery path (`run`, `packets`) can be tested without privileges. The file's packets are
    /// delivered as fast as libpcap reads them; past the last one the loop waits for more, so
    /// bound it with a `count` (the file's packet count) or a `duration`.
    init(offlinePath path: String) throws(CaptureError) {
        let (opened, message) = withPcapErrorBuffer { pcap_open_offline(path, $0) }
        guard let p = opened else { throw CaptureError(kind: .openFailed, device: path, libpcapMessage: message) }
        let handle = PcapHandle(p)
        _ = withPcapErrorBuffer { pcap_setnonblock(p, 1, $0) }
        self.handle = handle
        self.device = path
        self.linkType = LinkType(dlt: pcap_datalink(p))
        self.snapshotLength = Int(pcap_snapshot(p))
        self.timestampDigits = pcap_get_tstamp_precision(p) == Int32(PCAP_TSTAMP_PRECISION_NANO) ? 9 : 6
        self.filter = ""
        self.warnings = []
        self.stopper = CaptureStopper(handle: handle)
    }

    /// Delivers packets to `body` until one of the stop conditions holds.
    ///
    /// - Parameters:
    ///   - count: stop after this many packets (after filtering); nil for no limit.
    ///   - duration: stop once this much time has passed (to the millisecond, traffic or not).
    ///   - body: called once per packet on this thread; the packet's bytes are valid only during
    ///     the call. Throwing ends the loop and `run` rethrows that error.
    /// - Returns: which condition ended the loop.
    /// - Throws: the callback's error, or `CaptureError` (`.readFailed`) when libpcap reports one,
    ///   for example when the interface goes away.
    ///
    /// How it waits: libpcap 1.10 on Linux does not return from a blocking read when its timeout
    /// expires with no packets, so the handle is non-blocking. The loop takes whatever packets are
    /// ready (`pcap_dispatch`), and when there are none it `poll`s the packet socket together with
    /// the stop pipe, for at most the time left before the deadline.
    @discardableResult
    public func run(count: Int? = nil, duration: Duration? = nil, _ body: (CapturedPacket) throws -> Void) throws
        -> CaptureStop
    {
        precondition(!running, "LiveCapture.run called while already running")
        if let count, count <= 0 { return .count }
        running = true
        defer { running = false }
        let deadline = duration.map { ContinuousClock.now.advanced(by: $0) }
        let p = handle.pointer
        let handle = self.handle
        let device = self.device

        return try withoutActuallyEscaping(body) { body in
            let context = DispatchContext(body: body, handle: p, linkType: linkType, digits: timestampDigits)
            defer { delivered &+= UInt64(context.delivered) }
            let user = Unmanaged.passUnretained(context).toOpaque().assumingMemoryBound(to: UInt8.self)
            while true {
                // Ask for no more than the remaining count, so `count` is exact.
                var batch: Int32 = -1
                if let count { batch = Int32(clamping: count - context.delivered) }
                let n = pcap_dispatch(
                    p, batch,
                    { user, header, bytes in
                        guard let user, let header, let bytes else { return }
                        Unmanaged<DispatchContext>.fromOpaque(UnsafeRawPointer(user)).takeUnretainedValue()
                            .deliver(header, bytes)
                    }, user)
                if let error = context.error { throw error }
                if n == PCAP_ERROR_BREAK {
                    // libpcap's break flag without a byte in the pipe is left over from a stop
                    // this loop already honoured through the pipe: not a new request.
                    if handle.consumeStop() { return .stopped }
                } else if n < 0 {
                    throw CaptureError(kind: .readFailed, device: device, libpcapMessage: pcapMessage(p, status: n))
                }
                if let count, context.delivered >= count { return .count }
                if let deadline, ContinuousClock.now >= deadline { return .duration }
                if n == 0 {
                    if try Self.waitForPackets(handle, device: device, until: deadline) { return .stopped }
                }
            }
        }
    }

    /// Blocks until the packet socket is readable, a stop arrives (returns true), or the deadline.
    private static func waitForPackets(_ handle: PcapHandle, device: String, until deadline: ContinuousClock.Instant?)
        throws(CaptureError) -> Bool
    {
        var timeout: Int32 = -1
        if let deadline {
            let left = ContinuousClock.now.duration(to: deadline)
            if left <= .zero { return false }
            // Round up, so the deadline has passed when poll times out.
            timeout = milliseconds(left + .nanoseconds(999_999))
        }
        // On the stack: an idle wait may precede every packet when traffic is light.
        return try withUnsafeTemporaryAllocation(of: pollfd.self, capacity: 2) { fds throws(CaptureError) -> Bool in
            fds[0] = pollfd(fd: pcap_get_selectable_fd(handle.pointer), events: Int16(POLLIN), revents: 0)
            fds[1] = pollfd(fd: handle.wakeRead, events: Int16(POLLIN), revents: 0)
            let ready = poll(fds.baseAddress, nfds_t(handle.wakeRead >= 0 ? 2 : 1), timeout)
            if ready < 0 && errno != EINTR {
                throw CaptureError(
                    kind: .readFailed, device: device, libpcapMessage: "poll: \(errnoDescription(errno))")
            }
            if ready > 0 && fds[0].revents & Int16(POLLNVAL) != 0 {
                throw CaptureError(kind: .readFailed, device: device, libpcapMessage: "the packet socket was closed")
            }
            if ready > 0 && handle.wakeRead >= 0 && fds[1].revents & Int16(POLLIN) != 0 {
                return handle.consumeStop()
            }
            return false
        }
    }

    /// Ends the current (or next) `run` with `.stopped`. Same as `stopper.stop()`; from the run
    /// callback itself this stops after the current packet.
    public func stop() {
        stopper.stop()
    }

    /// The kernel's counters for this capture plus the packets delivered so far. Call it from the
    /// thread that runs the capture (typically after `run` returns).
    public func stats() throws(CaptureError) -> CaptureStatistics {
        var raw = pcap_stat()
        if pcap_stats(handle.pointer, &raw) != 0 {
            throw CaptureError(
                kind: .statisticsUnavailable, device: device, libpcapMessage: pcapMessage(handle.pointer))
        }
        return CaptureStatistics(
            received: UInt64(raw.ps_recv), droppedByKernel: UInt64(raw.ps_drop),
            droppedByInterface: UInt64(raw.ps_ifdrop), delivered: delivered)
    }

    // MARK: - Opening

    static func milliseconds(_ duration: Duration) -> Int32 {
        let (seconds, attoseconds) = duration.components
        let ms = seconds.multipliedReportingOverflow(by: 1000)
        if ms.overflow || seconds < 0 { return seconds < 0 ? 1 : Int32.max }
        let total = ms.partialValue + attoseconds / 1_000_000_000_000_000
        return Int32(clamping: max(total, 1))
    }

    /// On `any`, libpcap defaults to LINUX_SLL (113); SLL2 adds the interface index.
    private static func preferSLL2(_ p: OpaquePointer) {
        var list: UnsafeMutablePointer<Int32>?
        let n = pcap_list_datalinks(p, &list)
        guard n > 0, let list else { return }
        defer { pcap_free_datalinks(list) }
        if UnsafeBufferPointer(start: list, count: Int(n)).contains(DLT_LINUX_SLL2) {
            _ = pcap_set_datalink(p, DLT_LINUX_SLL2)
        }
    }

    private static func install(
        filter: String, on p: OpaquePointer, device: String, linkType: LinkType, invocation: String?
    ) throws(CaptureError) {
        var net: bpf_u_int32 = 0
        var mask: bpf_u_int32 = 0
        let (found, _) = withPcapErrorBuffer { pcap_lookupnet(device, &net, &mask, $0) }
        if found != 0 { mask = bpf_u_int32(PCAP_NETMASK_UNKNOWN) }

        switch BPFCompiler.compile(p, filter, netmask: mask) {
        case .program(var program):
            defer { pcap_freecode(&program) }
            if pcap_setfilter(p, &program) != 0 {
                throw CaptureError(
                    kind: .filterNotInstalled, device: device, libpcapMessage: pcapMessage(p), invocation: invocation)
            }
        case .rejectsAll(let message):
            let error = BPFCompiler.error(expression: filter, linkType: linkType, message: message, rejectsAll: true)
            throw CaptureError(kind: .badFilter(error), device: device, libpcapMessage: message, invocation: invocation)
        case .failed(let message):
            let error = BPFCompiler.error(expression: filter, linkType: linkType, message: message, rejectsAll: false)
            throw CaptureError(kind: .badFilter(error), device: device, libpcapMessage: message, invocation: invocation)
        }
    }
}

/// What the C callback of `pcap_dispatch` needs, reached through its `user` pointer. Lives for one
/// `run` call, on that call's thread.
private final class DispatchContext {
    let body: (CapturedPacket) throws -> Void
    let handle: OpaquePointer
    let linkType: LinkType
    let digits: UInt8
    var delivered = 0
    var error: (any Error)?

    init(body: @escaping (CapturedPacket) throws -> Void, handle: OpaquePointer, linkType: LinkType, digits: UInt8) {
        self.body = body
        self.handle = handle
        self.linkType = linkType
        self.digits = digits
    }

    func deliver(_ header: UnsafePointer<pcap_pkthdr>, _ bytes: UnsafePointer<UInt8>) {
        if error != nil { return }
        let h = header.pointee
        let packet = CapturedPacket(
            timestamp: Timestamp(
                seconds: Int64(h.ts.tv_sec), fraction: UInt64(truncatingIfNeeded: h.ts.tv_usec), digits: digits),
            originalLength: Int(h.len),
            bytes: UnsafeRawBufferPointer(start: bytes, count: Int(h.caplen)),
            linkType: linkType)
        delivered += 1
        do {
            try body(packet)
        } catch {
            self.error = error
            pcap_breakloop(handle)
        }
    }
}
