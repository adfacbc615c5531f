import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS
import Synchronization
import WiretaleCore
import WiretaleSystem

#if canImport(Glibc)
    import Glibc
#endif

/// A certificate as the trace shows it.
public struct CertificateInfo: Sendable, Equatable {
    public var subject: String
    public var issuer: String
    public var notBefore: String
    public var notAfter: String
    public var notBeforeEpoch: Int
    public var notAfterEpoch: Int
    public var altNames: [String]
    public var selfSigned: Bool { subject == issuer }

    init(_ c: NIOSSLCertificate) {
        func name(_ parts: [SSLCertificateName]) -> String {
            parts.map { p -> String in
                let key: String
                switch p.type {
                case .commonName: key = "CN"
                case .organization: key = "O"
                case .organizationalUnit: key = "OU"
                case .country: key = "C"
                case .state: key = "ST"
                case .city: key = "L"
                case .emailAddress: key = "emailAddress"
                default: key = "?"
                }
                return "\(key)=\(p.value)"
            }.joined(separator: ", ")
        }
        subject = name(c.subjectName)
        issuer = name(c.issuerName)
        notBeforeEpoch = Int(c.notValidBefore)
        notAfterEpoch = Int(c.notValidAfter)
        notBefore = CertificateInfo.isoDate(notBeforeEpoch)
        notAfter = CertificateInfo.isoDate(notAfterEpoch)
        var names: [String] = []
        for san in c._subjectAlternativeNames() {
            let bytes = Array(san.contents)
            if san.nameType == .dnsName {
                names.append("DNS:" + String(decoding: bytes, as: UTF8.self))
            } else if san.nameType == .ipAddress {
                if bytes.count == 4 {
                    names.append("IP:" + bytes.map(String.init).joined(separator: "."))
                } else if bytes.count == 16 {
                    var hi: UInt64 = 0
                    var lo: UInt64 = 0
                    for k in 0..<8 { hi = hi << 8 | UInt64(bytes[k]) }
                    for k in 8..<16 { lo = lo << 8 | UInt64(bytes[k]) }
                    names.append("IP:" + IPAddress(v6High: hi, low: lo).description)
                }
            }
        }
        altNames = names
    }

    static func isoDate(_ t: Int) -> String {
        var tt = time_t(t)
        var tmv = tm()
        gmtime_r(&tt, &tmv)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return
            "\(tmv.tm_year + 1900)-\(two(tmv.tm_mon + 1))-\(two(tmv.tm_mday))T\(two(tmv.tm_hour)):\(two(tmv.tm_min)):\(two(tmv.tm_sec))Z"
    }
}

/// Everything seen on one HTTP(S) exchange over an already-connected socket, with times on the
/// trace's monotonic clock.
public struct ExchangeRecord: Sendable {
    // TLS
    public var tlsStartMs: Double?
    public var tlsServerFirstMs: Double?
    public var tlsDoneMs: Double?
    public var tlsVersion: String?
    public var cipherSuite: String?
    public var alpn: String?
    public var peerCertificate: CertificateInfo?
    /// Each certificate the server sent, with whether the chain check accepted it (leaf first).
    public var chain: [(CertificateInfo, Bool)] = []
    public var verification: String?
    public var tlsAlertFromServer: String?
    // HTTP
    public var requestStartMs: Double?
    public var requestWrittenMs: Double?
    public var requestBytes = 0
    public var firstByteMs: Double?
    public var headMs: Double?
    public var completeMs: Double?
    /// When an exchange that did not complete stopped: its timeout fired, or the connection closed.
    public var endedMs: Double?
    public var head: HTTPResponseHead?
    /// Interim (1xx) responses before the final one.
    public var interim: [HTTPResponseHead] = []
    /// What the framing rules noted (e.g. Transfer-Encoding overriding Content-Length).
    public var framingNotes: [String] = []
    /// The body's first `HTTPResponseParser.defaultKeepLimit` bytes (content coding kept).
    public var body: [UInt8] = []
    /// Every body byte received (chunk framing removed), kept or not.
    public var bodyBytes = 0
    public var wireBodyBytes = 0
    public var chunked = false
    public var chunkCount = 0
    // Teardown
    public var serverClosedFirst: Bool?
    public var serverCloseMs: Double?
    /// The client socket's TCP state when the server's FIN had arrived ("CLOSE-WAIT").
    public var stateAfterServerFIN: String?
    public var clientCloseMs: Double?
    /// wiretale closed as soon as the response was complete (the server had not closed first).
    public var closedOnCompletion = false
    /// The connection was kept open after this response, for the next request.
    public var keptOpen = false
    public var error: ExchangeError?
}

public enum ExchangeError: Error, Sendable {
    case tlsVerification(reason: String)
    case tlsHostname(String)
    case tlsHandshake(String)
    case plainHTTPOnTLSPort
    /// The server's first bytes on a TLS connection are not a TLS record.
    case notTLS(began: String)
    /// `phase`: what the exchange was doing (TLS handshake, waiting for the response...), in both languages.
    case timeout(phase: Bilingual, ms: Double)
    case reset(phase: Bilingual)
    case closedEarly(phase: Bilingual)
    case malformed(String)
}

/// Options for one exchange.
public struct ExchangeOptions: Sendable {
    public var tls: Bool
    /// The name to send in SNI and check the certificate against; nil for an IP-literal URL.
    public var serverName: String?
    public var insecure: Bool
    public var caFile: String?
    public var timeoutMs: Double
    public var request: [UInt8]
    /// Asked once a response is complete and the connection could carry another request (HTTP/1.1,
    /// no `Connection: close`, a framed body): true keeps it open for the next request (a redirect
    /// to the same scheme, host and port); false closes it at once, wiretale first, as curl does.
    public var keepOpen: @Sendable (HTTPResponseHead) -> Bool = { _ in false }
    /// Without TLS the request is written on the connected socket straight away, before SwiftNIO
    /// takes the descriptor (its set-up costs a fraction of a millisecond that curl does not spend
    /// between the connect and the request): when it began and when it was handed to the kernel.
    public var requestWritten: (startMs: Double, writtenMs: Double)?
    /// When the socket became readable after `requestWritten` (`firstReadable`): the response's
    /// first byte, as curl's own poll sees it, while SwiftNIO is still taking the socket over.
    public var firstByteBox: FirstByteBox?

    /// Writes `request` on the connected (non-blocking) socket `fd` at once; nil unless it all went.
    public static func writeNow(_ request: [UInt8], fd: Int32) -> (startMs: Double, writtenMs: Double)? {
        let start = Monotonic.nowMs()
        // The time is taken as the write begins: on loopback the kernel delivers the segment to the
        // server inside the call.
        let n = request.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        return n == request.count ? (start, start) : nil
    }
}

/// The time the first response byte was seen readable on the socket, set from the trace's thread
/// and read on the event loop's.
public final class FirstByteBox: Sendable {
    private let value = Mutex<Double?>(nil)

    public init() {}

    public var ms: Double? {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }

    /// Waits (poll, at most `timeoutMs`) until `fd` has data or an end, and notes when.
    public func wait(fd: Int32, timeoutMs: Double) {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        if poll(&p, 1, Int32(saturating(timeoutMs.rounded(.up), as: Int32.self))) == 1, p.revents & Int16(POLLIN) != 0 {
            ms = Monotonic.nowMs()
        }
    }
}

public enum HTTPExchange {
    /// Runs TLS (when asked) and the HTTP request/response over `connection`, whose descriptor is
    /// handed to SwiftNIO (which then owns and closes it).
    /// Builds the TLS context (loading the trust store takes tens of milliseconds, so the trace does
    /// it before connecting, where it does not distort the step times).
    public static func makeTLSContext(_ options: ExchangeOptions) throws -> NIOSSLContext {
        var config = TLSConfiguration.makeClientConfiguration()
        config.applicationProtocols = ["http/1.1"]
        // Closing sends close_notify and then the FIN at once, as curl does: the initiator of the
        // close "is not required to wait for the responding close_notify" (RFC 5246 section 7.2.1,
        // RFC 8446 section 6.1). NIOSSL's default waits up to 5 s for it, which nginx never sends.
        config.shutdownTimeout = .zero
        if options.insecure { config.certificateVerification = .none }
        if let ca = options.caFile { config.trustRoots = .file(ca) }
        return try NIOSSLContext(configuration: config)
    }

    /// The first request on a new connection. When its response leaves the connection open
    /// (`ExchangeOptions.keepOpen`), the session carries the next request.
    public static func run(
        connection: ConnectedSocket, options: ExchangeOptions, tlsContext: NIOSSLContext?, group: EventLoopGroup
    ) async -> (ExchangeRecord, ExchangeSession?) {
        let loop = group.next()
        let promise = loop.makePromise(of: ExchangeRecord.self)
        let sslContext = tlsContext
        let fd = connection.fd
        let handlerPromise = loop.makePromise(of: NIOLoopBound<ExchangeHandler>.self)
        let bootstrap = ClientBootstrap(group: loop)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .channelInitializer { channel in
                do {
                    let exchange = ExchangeHandler(options: options, promise: promise, fd: fd)
                    handlerPromise.succeed(NIOLoopBound(exchange, eventLoop: channel.eventLoop))
                    let tap = WireTap(exchange: exchange, tls: options.tls)
                    try channel.pipeline.syncOperations.addHandler(tap)
                    if let ctx = sslContext {
                        let handler = try makeTLSHandler(ctx, options.serverName, exchange)
                        exchange.tlsHandler = handler
                        try channel.pipeline.syncOperations.addHandler(handler)
                    }
                    try channel.pipeline.syncOperations.addHandler(exchange)
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
        let channel: Channel
        do {
            channel = try await bootstrap.withConnectedSocket(fd).get()
        } catch {
            handlerPromise.fail(error)
            var r = ExchangeRecord()
            r.error = .tlsHandshake("could not start the exchange: \(error)")
            return (r, nil)
        }
        let record = await wait(promise)
        guard record.keptOpen, let handler = try? await handlerPromise.futureResult.get() else { return (record, nil) }
        return (record, ExchangeSession(channel: channel, handler: handler))
    }

    static func wait(_ promise: EventLoopPromise<ExchangeRecord>) async -> ExchangeRecord {
        do {
            return try await promise.futureResult.get()
        } catch {
            var r = ExchangeRecord()
            r.error = .malformed("\(error)")
            return r
        }
    }

    /// Opens and closes one channel on a local socket pair, so SwiftNIO's one-time set-up (its
    /// event loop thread, the channel and pipeline machinery) is not charged to the first step that
    /// uses it. No packet leaves the machine.
    public static func warmUp(group: EventLoopGroup) async {
        var fds: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0 else { return }
        defer { close(fds[1]) }
        // From here SwiftNIO owns fds[0] and closes it, whatever happens.
        let bootstrap = ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(WarmUpHandler())
                }
            }
        guard let channel = try? await bootstrap.withConnectedSocket(fds[0]).get() else { return }
        _ = try? await channel.writeAndFlush(ByteBuffer(bytes: [0])).get()
        _ = try? await channel.close().get()
    }

    /// NIOSSL's per-certificate verification callback lets the trace say which certificate failed
    /// and why; it keeps BoringSSL's own verdict.
    @available(*, deprecated, message: "uses NIOSSL's per-certificate verification callback")
    static func makeTLSHandlerDeprecated(
        _ ctx: NIOSSLContext, _ name: String?, _ exchange: ExchangeHandler
    ) throws -> NIOSSLClientHandler {
        try NIOSSLClientHandler(context: ctx, serverHostname: name) { result, cert in
            exchange.record.chain.append((CertificateInfo(cert), result == .certificateVerified))
            return result
        }
    }
}

/// A connection kept open after a response (HTTP/1.1 keep-alive), ready for the next request: a
/// redirect to the same scheme, host and port reuses it, with no new handshake (TCP or TLS).
public struct ExchangeSession: Sendable {
    let channel: Channel
    let handler: NIOLoopBound<ExchangeHandler>

    /// Sends `request` on the open connection; `keepOpen` decides again after its response.
    public func send(_ request: [UInt8], keepOpen: @escaping @Sendable (HTTPResponseHead) -> Bool) async -> (
        ExchangeRecord, ExchangeSession?
    ) {
        let promise = channel.eventLoop.makePromise(of: ExchangeRecord.self)
        let handler = handler
        channel.eventLoop.execute {
            handler.value.next(request, keepOpen: keepOpen, promise: promise)
        }
        let record = await HTTPExchange.wait(promise)
        return (record, record.keptOpen ? self : nil)
    }

    /// Closes a connection that will not be used again (wiretale closes first).
    public func close() async {
        _ = try? await channel.close().get()
    }
}

/// The warm-up channel's only handler: it passes bytes through, as the exchange's handlers do.
private final class WarmUpHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
}

/// Calls the deprecated initializer through a protocol so the deprecation is stated once, above.
private protocol TLSHandlerMaker {
    static func make(_ ctx: NIOSSLContext, _ name: String?, _ exchange: ExchangeHandler) throws -> NIOSSLClientHandler
}

private enum DeprecatedTLSHandlerMaker: TLSHandlerMaker {
    @available(*, deprecated)
    static func make(_ ctx: NIOSSLContext, _ name: String?, _ exchange: ExchangeHandler) throws -> NIOSSLClientHandler {
        try HTTPExchange.makeTLSHandlerDeprecated(ctx, name, exchange)
    }
}

private func makeTLSHandler(_ ctx: NIOSSLContext, _ name: String?, _ exchange: ExchangeHandler) throws
    -> NIOSSLClientHandler
{
    try (DeprecatedTLSHandlerMaker.self as TLSHandlerMaker.Type).make(ctx, name, exchange)
}

/// Sits next to the socket: sees the raw bytes both ways, times the first of each, reads the TLS
/// ServerHello in the clear, and reads the socket's TCP state when the server's FIN arrives.
final class WireTap: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let exchange: ExchangeHandler
    let tls: Bool
    var sniffer = TLSRecordSniffer()
    var sawInbound = false
    var outputClosed = false

    init(exchange: ExchangeHandler, tls: Bool) {
        self.exchange = exchange
        self.tls = tls
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buf = unwrapInboundIn(data)
        let now = Monotonic.nowMs()
        if !sawInbound {
            sawInbound = true
            if tls { exchange.record.tlsServerFirstMs = now }
        }
        if tls, !sniffer.isDone {
            sniffer.feed(Array(buf.readableBytesView))
            if let c = sniffer.cipherSuite { exchange.record.cipherSuite = TLSRecordSniffer.cipherName(c) }
            if let v = sniffer.serverHelloVersion, exchange.record.tlsVersion == nil {
                exchange.record.tlsVersion = TLSRecordSniffer.versionName(v)
            }
            if let a = sniffer.alert { exchange.record.tlsAlertFromServer = TLSRecordSniffer.alertName(a.description) }
            if sniffer.plainHTTP { exchange.plainHTTPSeen = true }
            if let began = sniffer.notTLS { exchange.notTLSSeen = began }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if tls, exchange.record.tlsStartMs == nil { exchange.record.tlsStartMs = Monotonic.nowMs() }
        context.write(data, promise: promise)
    }

    func flush(context: ChannelHandlerContext) {
        // The first flush after the request was issued hands its bytes (encrypted, with TLS) to
        // the kernel: that is when the request leaves. The time is taken as the write begins, not
        // when it returns: on loopback the kernel delivers the segment to the server inside the
        // write call, and the server may already be answering before it returns.
        let handedOver = Monotonic.nowMs()
        context.flush()
        if exchange.requestSent, exchange.record.requestWrittenMs == nil {
            exchange.record.requestWrittenMs = handedOver
        }
        // Once wiretale closes first, the only flush left is TLS's close_notify: the FIN follows it
        // at once, in the same burst, as curl's close does.
        if exchange.record.closedOnCompletion, !outputClosed {
            outputClosed = true
            context.close(mode: .output, promise: nil)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let e = event as? ChannelEvent, e == .inputClosed {
            exchange.serverFIN(at: Monotonic.nowMs(), state: TCPSocketInfo.read(exchange.fd)?.state)
        }
        context.fireUserInboundEventTriggered(event)
    }
}

/// Drives the exchange: waits for the TLS handshake if any, writes the request, parses the
/// response, and notes who closed first.
final class ExchangeHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let options: ExchangeOptions
    /// The current request's: succeeded with its record when the response is complete and the
    /// connection stays open, else when the connection has closed.
    var promise: EventLoopPromise<ExchangeRecord>
    /// A request is outstanding (false while a kept-open connection waits for the next one).
    var awaiting = true
    var request: [UInt8]
    var keepOpen: @Sendable (HTTPResponseHead) -> Bool
    var context: ChannelHandlerContext?
    let fd: Int32
    var record = ExchangeRecord()
    var parser = HTTPResponseParser()
    var tlsHandler: NIOSSLClientHandler?
    var timer: Scheduled<Void>?
    /// When the armed phase times out (monotonic ms). Checked on every read too: a loop kept busy
    /// by a flood of bytes runs its timer late, and the timeout must bound the download all the same.
    var deadlineMs: Double?
    var phase = Bilingual(TraceSay.phaseTLSHandshake)
    var requestSent = false
    /// The first request was written before SwiftNIO took the socket (`ExchangeOptions.requestWritten`).
    var preWrittenTaken = false
    /// Still the connection's first request (the trace timed its first byte: `firstByteBox`).
    var firstRequest = true
    var weClosed = false
    var finished = false
    var plainHTTPSeen = false
    /// The server's first bytes on a TLS connection, shown when they are not TLS.
    var notTLSSeen: String?
    /// The step's timer fired: whatever the connection's end, the response was cut off.
    var timedOut = false
    var pendingError: Error?

    init(options: ExchangeOptions, promise: EventLoopPromise<ExchangeRecord>, fd: Int32) {
        self.options = options
        self.promise = promise
        self.request = options.request
        self.keepOpen = options.keepOpen
        self.fd = fd
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { start(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    /// The next request on the kept-open connection (`ExchangeSession.send`).
    func next(
        _ request: [UInt8], keepOpen: @escaping @Sendable (HTTPResponseHead) -> Bool,
        promise: EventLoopPromise<ExchangeRecord>
    ) {
        self.promise = promise
        self.request = request
        self.keepOpen = keepOpen
        firstRequest = false
        record = ExchangeRecord()
        parser = HTTPResponseParser()
        requestSent = false
        awaiting = true
        guard let context, context.channel.isActive, !finished else {
            record.error = .closedEarly(phase: Bilingual(TraceSay.phaseKeptOpenClosed))
            awaiting = false
            promise.succeed(record)
            return
        }
        sendRequest(context)
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    var started = false
    func start(_ context: ChannelHandlerContext) {
        guard !started else { return }
        started = true
        if options.tls {
            arm(context, phase: Bilingual(TraceSay.phaseTLSHandshake))
        } else {
            sendRequest(context)
        }
    }

    func arm(_ context: ChannelHandlerContext, phase: Bilingual) {
        self.phase = phase
        timer?.cancel()
        let ms = options.timeoutMs
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let ctxBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        deadlineMs = Monotonic.nowMs() + ms
        timer = context.eventLoop.scheduleTask(in: .milliseconds(saturating(ms.rounded(.up), as: Int64.self))) {
            loopBound.value.expire(ctxBound.value)
        }
    }

    /// The armed phase ran out of time: record it and close.
    func expire(_ context: ChannelHandlerContext) {
        guard !finished, !timedOut else { return }
        timer?.cancel()
        deadlineMs = nil
        record.error = .timeout(phase: phase, ms: options.timeoutMs)
        record.endedMs = Monotonic.nowMs()
        timedOut = true
        weClosed = true
        context.close(promise: nil)
    }

    func sendRequest(_ context: ChannelHandlerContext) {
        guard !requestSent else { return }
        requestSent = true
        if let done = options.requestWritten, !preWrittenTaken {
            preWrittenTaken = true  // only the first request: a kept-open connection's next one is written here
            // Written on the socket before SwiftNIO took it (`ExchangeOptions.requestWritten`).
            record.requestStartMs = done.startMs
            record.requestWrittenMs = done.writtenMs
            record.requestBytes = request.count
            arm(context, phase: Bilingual(TraceSay.phaseAwaitingResponse))
            return
        }
        record.requestStartMs = Monotonic.nowMs()
        arm(context, phase: Bilingual(TraceSay.phaseAwaitingResponse))
        var buf = context.channel.allocator.buffer(capacity: request.count)
        buf.writeBytes(request)
        record.requestBytes = request.count
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(buf)).whenSuccess {
            let me = loopBound.value
            if me.record.requestWrittenMs == nil { me.record.requestWrittenMs = Monotonic.nowMs() }
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tlsEvent = event as? TLSUserEvent, case .handshakeCompleted(let proto) = tlsEvent {
            record.tlsDoneMs = Monotonic.nowMs()
            record.alpn = proto
            if let h = tlsHandler {
                if let v = h.tlsVersion { record.tlsVersion = ExchangeHandler.versionText(v) }
                if let c = h.peerCertificate { record.peerCertificate = CertificateInfo(c) }
            }
            record.verification = options.insecure ? "not checked (--insecure)" : "ok"
            sendRequest(context)
        }
        if let e = event as? ChannelEvent, e == .inputClosed {
            // The server's FIN: with half-closure allowed, our side closes only when we say so.
            serverFIN(at: Monotonic.nowMs(), state: nil)
            if !parser.isComplete, !timedOut, parser.connectionClosed() { record.completeMs = Monotonic.nowMs() }
            if !weClosed {
                record.clientCloseMs = Monotonic.nowMs()
                context.close(promise: nil)
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    static func versionText(_ v: TLSVersion) -> String {
        switch v {
        case .tlsv1: "TLS 1.0"
        case .tlsv11: "TLS 1.1"
        case .tlsv12: "TLS 1.2"
        case .tlsv13: "TLS 1.3"
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buf = unwrapInboundIn(data)
        let now = Monotonic.nowMs()
        if let deadline = deadlineMs, now >= deadline {
            expire(context)
            return
        }
        // The first read: when the socket became readable, if the trace saw it first (no TLS).
        if record.firstByteMs == nil {
            record.firstByteMs = (firstRequest ? options.firstByteBox?.ms : nil).map { min($0, now) } ?? now
        }
        do {
            try parser.feed(buf.readableBytesView)
        } catch {
            record.error = .malformed(error.description)
            weClosed = true
            context.close(promise: nil)
            return
        }
        if parser.isHeadComplete, record.headMs == nil {
            record.headMs = now
            phase = Bilingual(TraceSay.phaseReadingBody)
        }
        if parser.isComplete, record.completeMs == nil {
            record.completeMs = now
            timer?.cancel()
            deadlineMs = nil
            guard record.serverClosedFirst == nil else { return }  // the server's FIN came with the response
            guard let head = parser.head, parser.isPersistent else {
                // The server said it will close (Connection: close, HTTP/1.0): let it, as announced,
                // and close this side only if it has not within a moment.
                let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
                let ctxBound = NIOLoopBound(context, eventLoop: context.eventLoop)
                timer = context.eventLoop.scheduleTask(
                    in: .milliseconds(saturating(Self.serverCloseGraceMs, as: Int64.self))
                ) {
                    let me = loopBound.value
                    guard !me.finished, me.record.serverClosedFirst == nil else { return }
                    me.closeFirst(ctxBound.value, at: Monotonic.nowMs())
                }
                return
            }
            if keepOpen(head) {
                record.keptOpen = true
                fillResponse()
                awaiting = false
                promise.succeed(record)
                return
            }
            // Done with this connection: wiretale closes first, as curl does.
            record.closedOnCompletion = true
            closeFirst(context, at: now)
        }
    }

    /// wiretale closes its side before the server did (over TLS: close_notify, then the FIN).
    func closeFirst(_ context: ChannelHandlerContext, at ms: Double) {
        record.serverClosedFirst = false
        record.clientCloseMs = ms
        weClosed = true
        context.close(promise: nil)
    }

    /// How long a server that announced it would close is given to do so, in milliseconds.
    static let serverCloseGraceMs = 300.0

    /// The response as the parser has it, into the record.
    func fillResponse() {
        record.head = parser.head
        record.interim = parser.interim
        record.framingNotes = parser.framingNotes
        record.body = parser.body
        record.bodyBytes = parser.bodyBytes
        record.wireBodyBytes = parser.wireBodyBytes
        record.chunked = parser.framing == .chunked
        record.chunkCount = parser.chunkCount
    }

    /// The server's FIN arrived (socket input closed).
    func serverFIN(at ms: Double, state: String?) {
        if record.serverCloseMs == nil { record.serverCloseMs = ms }
        if record.serverClosedFirst == nil {
            record.serverClosedFirst = !weClosed
            record.stateAfterServerFIN = state
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if record.error == nil {
            record.error = classify(error)
        }
        if let e = error as? NIOSSLError, case .uncleanShutdown = e { return }  // FIN without close_notify
        weClosed = true
        context.close(promise: nil)
    }

    func classify(_ error: Error) -> ExchangeError? {
        if let began = notTLSSeen, record.tlsDoneMs == nil { return .notTLS(began: began) }
        if plainHTTPSeen { return .plainHTTPOnTLSPort }
        if let e = error as? NIOSSLExtraError, e == .failedToValidateHostname {
            return .tlsHostname(String(describing: e))
        }
        if let e = error as? NIOSSLError {
            switch e {
            case .handshakeFailed(let inner):
                let text = String(describing: inner)
                if text.contains("CERTIFICATE_VERIFY_FAILED") { return .tlsVerification(reason: text) }
                if text.contains("EOF during handshake") {
                    return .tlsHandshake("the server closed the connection during the handshake")
                }
                return .tlsHandshake(text)
            case .uncleanShutdown:
                return nil  // the server closed TCP without a TLS close_notify: common, harmless here
            default:
                return .tlsHandshake(String(describing: e))
            }
        }
        if let e = error as? IOError {
            if e.errnoCode == ECONNRESET { return .reset(phase: phase) }
            return .closedEarly(phase: phase + Bilingual(english: ": \(e)", chinese: ": " + errnoName(e.errnoCode)))
        }
        if error is ChannelError { return nil }
        return .malformed(String(describing: error))
    }

    func channelInactive(context: ChannelHandlerContext) {
        let now = Monotonic.nowMs()
        timer?.cancel()
        finished = true
        if record.endedMs == nil { record.endedMs = now }
        guard awaiting else {
            // A kept-open connection closed between requests: the next `next` reports it.
            context.fireChannelInactive()
            return
        }
        if record.serverClosedFirst == nil {
            record.serverClosedFirst = !weClosed
            if weClosed { record.clientCloseMs = now } else { record.serverCloseMs = now }
        } else if record.clientCloseMs == nil {
            record.clientCloseMs = now
        }
        if !parser.isComplete {
            if !timedOut, parser.connectionClosed() {
                record.completeMs = now
            } else if record.error == nil {
                if let began = notTLSSeen, record.tlsDoneMs == nil {
                    record.error = .notTLS(began: began)
                } else if plainHTTPSeen {
                    record.error = .plainHTTPOnTLSPort
                } else {
                    record.error = .closedEarly(phase: phase)
                }
            }
        }
        fillResponse()
        awaiting = false
        promise.succeed(record)
        context.fireChannelInactive()
    }
}
