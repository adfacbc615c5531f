import NIOCore
import NIOPosix
import NIOSSL
import WiretaleCore
import WiretaleSystem

/// Performs a real fetch, step by step, and reports it in the notes' terms (notes section 4).
///
/// The fetch runs without packet capture, with socket-level timing; when a `TracePacketSource` is
/// given and the process may capture, frames are tied to the steps afterwards.
public final class Tracer: Sendable {
    public let options: TraceOptions
    public let packetSource: (any TracePacketSource)?

    public init(options: TraceOptions, packetSource: (any TracePacketSource)? = nil) {
        self.options = options
        self.packetSource = packetSource
    }

    /// Mutable state of one run.
    private struct Run {
        var t0: Double
        var steps: [TraceStep] = []
        var keys = AttributionKeys()
        var resolved: [String: DNSResult] = [:]
        var localSeen: [(IPAddress, IPAddress)] = []
        var neighbourBefore: [NeighbourEntry]
        /// Steps d and f whose slow parts (running `ip`) wait until the hop is over.
        var pendingLocal: [PendingLocal] = []
        /// Why a capture that should have run did not start.
        var captureProblem: Bilingual?
        /// One TLS context for every hop (its options do not change between hops).
        var tlsContext: NIOSSLContext?
        /// The connection the last response left open for the next hop (same scheme, host, port).
        var open: OpenConnection?
    }

    private struct OpenConnection {
        var session: ExchangeSession
        var origin: String
        /// The connection's key as the hop that opened it gave it.
        var info: AttributionKeys.ConnectionKey
    }

    /// Happy Eyeballs' connection attempt delay: how long an address may stay unanswered before the
    /// next one is tried alongside it. 200 ms as curl (RFC 8305 section 5 recommends 250 ms).
    static let attemptDelayMs = 200.0

    /// Scheme, host and port: what a connection can be reused for.
    private static func origin(_ url: TraceURL) -> String { "\(url.scheme.rawValue)://\(url.host):\(url.port)" }

    /// Keeps a connection open after a response only when it is a redirect that will be followed
    /// to the same scheme, host and port.
    private func keepOpen(after url: TraceURL, hop: Int) -> @Sendable (HTTPResponseHead) -> Bool {
        let maxRedirects = options.maxRedirects
        let origin = Self.origin(url)
        return { head in
            guard hop < maxRedirects, (300..<400).contains(head.status), let location = head.header("Location"),
                let next = try? url.resolve(location)
            else { return false }
            return Self.origin(next) == origin
        }
    }

    private struct PendingLocal {
        var info: LocalAddressInfo
        var destination: IPAddress
        var measuredMs: Double
        var firstPacketMs: Double
        var hop: Int
        var addressIndex: Int
        var neighbourIndex: Int
    }

    public func run() async -> TraceReport {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let report = await run(group: group)
        try? await group.shutdownGracefully()
        return report
    }

    private func run(group: EventLoopGroup) async -> TraceReport {
        // The neighbour cache is read before anything of this fetch can have touched it.
        let neighbourBefore = NeighbourCache.snapshot()
        // The capture must be running before the first packet; its filter needs the URL's port, so
        // the URL is read once untimed here (step a below reads and times it again).
        var captureProblem: Bilingual?
        let preParsed = try? TraceURL.parse(options.url)
        if preParsed == nil { captureProblem = Bilingual(TraceSay.urlInvalidNoPackets) }
        let captureStart = Monotonic.nowMs()
        let capture = preParsed.flatMap { startCapture($0, t0: captureStart, notes: &captureProblem) }
        var run = Run(t0: captureStart, neighbourBefore: neighbourBefore)
        run.captureProblem = captureProblem
        // Loading the trust store takes tens of milliseconds: wiretale's own cost, done before time 0.
        if preParsed?.scheme == .https {
            run.tlsContext = try? HTTPExchange.makeTLSContext(
                ExchangeOptions(
                    tls: true, serverName: nil, insecure: options.insecure, caFile: options.caFile,
                    timeoutMs: options.timeoutMs, request: []))
        }
        // SwiftNIO's first channel costs ~2 ms of one-time set-up: wiretale's own, spent before time 0.
        await HTTPExchange.warmUp(group: group)
        // Time 0 of the trace is after the capture was ready; frames are timed from the same 0.
        run.t0 = Monotonic.nowMs()
        capture?.0.setTimeZero(run.t0)

        // a: the URL.
        let parseStart = Monotonic.nowMs()
        var url: TraceURL
        do {
            url = try TraceURL.parse(options.url)
        } catch {
            var s = TraceStep(.url, startMs: 0, durationMs: Monotonic.nowMs() - parseStart, status: .failed)
            let en = error.text(.en).split(separator: "\n", omittingEmptySubsequences: false)
            let zh = error.text(.zh).split(separator: "\n", omittingEmptySubsequences: false)
            s.lines = zip(en, zh).map { Bilingual(english: String($0), chinese: String($1)) }
            s.detail.set("error", error.reason)
            s.detail.set("offset", error.offset)
            run.steps.append(s)
            let f = TraceFailure(.url, .invalidURL, Bilingual(TraceSay.invalidURL, parts: [error.reasonText]))
            return await finish(&run, .failed(f), capture: capture, interface: capture?.1)
        }
        run.steps.append(
            URLStep.make(url, text: options.url, startMs: 0, durationMs: Monotonic.nowMs() - parseStart, hop: 0))

        var hop = 0
        while true {
            let outcome = await fetchSteps(url, hop: hop, run: &run, group: group)
            switch outcome {
            case .failed(let f):
                return await finish(&run, .failed(f), capture: capture, interface: capture?.1)
            case .done:
                return await finish(&run, .ok, capture: capture, interface: capture?.1)
            case .redirect(let next):
                hop += 1
                let t = Monotonic.nowMs()
                url = next
                var s = URLStep.make(next, text: next.description, startMs: t - run.t0, durationMs: 0, hop: hop)
                s.lines.insert(Bilingual(TraceSay.redirectHop, "\(hop)"), at: 0)
                run.steps.append(s)
            }
        }
    }

    private enum HopOutcome {
        case done
        case redirect(TraceURL)
        case failed(TraceFailure)
    }

    // MARK: - One fetch (one hop)

    /// Fills in what was left out of steps d and f during the fetch: whether the address is static
    /// or leased, and the neighbour entry as the fetch left it. It reads files and runs `ip` (a few
    /// milliseconds), so it waits until every hop is done: between hops it would delay the redirect.
    private func completeLocalSteps(_ run: inout Run) {
        guard !run.pendingLocal.isEmpty else { return }
        let after = NeighbourCache.snapshot()
        for p in run.pendingLocal {
            var info = p.info
            (info.origin, info.originEvidence) = LocalAddress.addressOrigin(info.local, interface: info.interface)
            let d = LocalSteps.address(info, destination: p.destination, measuredMs: p.measuredMs, hop: p.hop)
            run.steps[p.addressIndex] = d
            run.steps[p.neighbourIndex] = LocalSteps.neighbour(
                nextHop: info.nextHop, interface: info.interface, viaGateway: info.viaGateway,
                before: NeighbourCache.lookup(info.nextHop, in: run.neighbourBefore),
                after: info.isLoopback ? nil : NeighbourCache.lookup(info.nextHop, in: after),
                loopback: info.isLoopback,
                firstPacketMs: p.firstPacketMs, hop: p.hop)
        }
        run.pendingLocal = []
    }

    private func fetchSteps(_ url: TraceURL, hop: Int, run: inout Run, group: EventLoopGroup) async -> HopOutcome {
        if let open = run.open {
            run.open = nil
            if open.origin == Self.origin(url) { return await reuseSteps(url, open, hop: hop, run: &run) }
            await open.session.close()  // not expected: a connection is kept only for a same-origin hop
        }
        let t0 = run.t0
        // b: DNS.
        let dnsStart = Monotonic.nowMs()
        var addresses: [IPAddress]
        if let literal = url.address {
            addresses = [literal]
            var s = TraceStep(.dns, hop: hop, startMs: dnsStart - t0, status: .skipped)
            s.detail.set("source", "literal")
            s.say(.literalAddress, literal.description)
            run.steps.append(s)
        } else if let cached = run.resolved[url.host] {
            addresses = cached.addresses.map(\.address)
            var s = TraceStep(.dns, hop: hop, startMs: dnsStart - t0)
            s.detail.set("name", url.host)
            s.detail.set("source", "reused")
            s.detail.set("addresses", addresses.map(\.description))
            s.say(.dnsReused, url.host)
            run.steps.append(s)
        } else {
            let resolver = makeResolver()
            do {
                let r = try resolver.resolve(url.host)
                run.resolved[url.host] = r
                run.steps.append(DNSStep.make(r, startMs: dnsStart, endMs: Monotonic.nowMs(), t0: t0, hop: hop))
                for x in r.exchanges {
                    run.keys.dns.append(.init(hop: hop, server: x.server.address, localPort: x.localPort, id: x.id))
                    let route = RouteTable.lookup(
                        x.server.address, in: RouteTable.systemRoutes(ipv6: x.server.address.isIPv6))
                    let nextHop = route?.gateway ?? x.server.address
                    if !run.keys.nextHops.contains(nextHop) { run.keys.nextHops.append(nextHop) }
                }
                addresses = r.addresses.map(\.address)
            } catch {
                for x in error.exchanges {
                    run.keys.dns.append(.init(hop: hop, server: x.server.address, localPort: x.localPort, id: x.id))
                }
                let (s, f) = DNSStep.failed(error, name: url.host, startMs: dnsStart, t0: t0, hop: hop)
                run.steps.append(s)
                return .failed(f)
            }
        }
        addresses = order(addresses)
        if addresses.isEmpty {
            let fam = options.family == .ipv4 ? "IPv4" : "IPv6"
            let f = TraceFailure(
                .dns, .dnsNoName, Bilingual(TraceSay.noFamilyAddress, url.host, fam),
                hint: Bilingual(TraceSay.noFamilyHint))
            return .failed(f)
        }

        // The TLS context is made before connecting: loading the trust store is wiretale's own cost.
        let (request, lines) = HTTPSteps.request(for: url, userAgent: options.userAgent)
        var exOptions = ExchangeOptions(
            tls: url.scheme == .https, serverName: url.hostKind == .name ? url.host : nil, insecure: options.insecure,
            caFile: options.caFile, timeoutMs: options.timeoutMs, request: request)
        exOptions.keepOpen = keepOpen(after: url, hop: hop)
        var tlsContext: NIOSSLContext?
        if exOptions.tls {
            do {
                tlsContext = try run.tlsContext ?? HTTPExchange.makeTLSContext(exOptions)
                run.tlsContext = tlsContext
            } catch {
                return .failed(
                    TraceFailure(
                        .tls, .local, Bilingual(TraceSay.tlsSetupFailed, "\(error)"),
                        hint: options.caFile.map { Bilingual(TraceSay.pemHint, $0) }))
            }
        }

        // Which addresses the kernel has a route and a source for (a UDP connect(): microseconds),
        // then i: the addresses raced as Happy Eyeballs does; d, h and f are read for each address
        // that was tried while the exchange runs (reading the tables is wiretale's own work, which
        // curl does not do: it must not sit between DNS and the SYN, nor before the request).
        var attempts: [ConnectionSteps.Attempt] = []
        var lastFailure: (TraceStep, TraceFailure)?
        var routable: [(address: IPAddress, measured: Double)] = []
        for address in addresses {
            let measured = Monotonic.nowMs()
            do {
                _ = try LocalAddress.source(for: address, port: url.port)
                routable.append((address, measured))
            } catch {
                guard case .noRoute(let e) = error else { continue }
                var s = TraceStep(.localAddress, hop: hop, startMs: measured - t0, status: .failed)
                s.detail.set("destination", address.description)
                s.detail.set("error", errnoName(e))
                s.say(.noRouteKernel, address.description, errnoText(e))
                let f = TraceFailure(
                    .localAddress, .noRoute, Bilingual(TraceSay.noRouteWhyPC, address.description),
                    hint: Bilingual(address.isIPv6 ? TraceSay.noIPv6Hint4 : TraceSay.checkNetworkHint))
                attempts.append(.init(address: address, outcome: "no route", ms: 0))
                lastFailure = (s, f)
            }
        }
        guard !routable.isEmpty else {
            let (s, f) =
                lastFailure
                ?? (
                    TraceStep(.localAddress, hop: hop, startMs: Monotonic.nowMs() - t0, status: .failed),
                    TraceFailure(.localAddress, .noRoute, Bilingual(TraceSay.noUsableRoute, url.host))
                )
            run.steps.append(s)
            return .failed(f)
        }
        let race = TCPConnector.race(
            routable.map(\.address), port: url.port, attemptDelayMs: Self.attemptDelayMs, timeoutMs: options.timeoutMs)
        // The attempts' outcomes first, so that the winner's exchange can start at once.
        for (k, attempt) in race.attempts.enumerated() {
            let address = routable[k].address
            switch attempt.result {
            case .success?:
                continue
            case .failure(let e)?:
                let info = try? LocalAddress.inspect(destination: address, port: url.port, origin: false)
                run.keys.failedAttempts.append(.init(hop: hop, remote: address, remotePort: url.port))
                let (what, ms) = ConnectionSteps.describe(e)
                attempts.append(.init(address: address, outcome: what, ms: ms))
                lastFailure = ConnectionSteps.failed(
                    e, remote: address, port: url.port, startMs: attempt.startMs, attempts: Array(attempts.dropLast()),
                    t0: t0, hop: hop, nextHop: info.flatMap { $0.viaGateway ? $0.nextHop : nil })
            case nil:
                let end = race.winner.flatMap { try? race.attempts[$0].result?.get().endMs } ?? Monotonic.nowMs()
                attempts.append(
                    .init(address: address, outcome: "abandoned", ms: end - attempt.startMs, abandoned: true))
            }
        }
        // d, h and f for each address tried: read while the exchange runs (wiretale's own work).
        func addLocalSteps() {
            let infos = race.attempts.indices.map {
                try? LocalAddress.inspect(destination: routable[$0].address, port: url.port, origin: false)
            }
            let links = Dictionary(
                infos.compactMap { $0 }.map { ($0.interface, Link.inspect($0.interface)) },
                uniquingKeysWith: { a, _ in a })
            for (k, attempt) in race.attempts.enumerated() {
                let (address, measured) = routable[k]
                if let info = infos[k], !run.localSeen.contains(where: { $0.0 == info.local && $0.1 == info.nextHop }) {
                    run.localSeen.append((info.local, info.nextHop))
                    let addressIndex = run.steps.count
                    run.steps.append(
                        LocalSteps.address(info, destination: address, measuredMs: measured - t0, hop: hop))
                    if let link = links[info.interface] {
                        run.steps.append(LocalSteps.link(link, measuredMs: measured - t0, hop: hop))
                    }
                    // The first packet through this next hop: DNS if the server shares it, else the SYN.
                    let firstPacket = dnsFirstPacket(run, viaNextHop: info.nextHop, hop: hop) ?? attempt.startMs
                    run.steps.append(TraceStep(.neighbour, hop: hop))  // completed after the hop
                    run.pendingLocal.append(
                        PendingLocal(
                            info: info, destination: address, measuredMs: measured - t0,
                            firstPacketMs: firstPacket - t0,
                            hop: hop, addressIndex: addressIndex, neighbourIndex: run.steps.count - 1))
                    if !info.isLoopback { run.keys.nextHops.append(info.nextHop) }
                }
            }
        }
        guard let w = race.winner, case .success(let c)? = race.attempts[w].result else {
            addLocalSteps()
            let (s, f) = lastFailure!
            var step = s
            if attempts.count > 1 {
                step.lines.append(
                    Bilingual(TraceSay.allAddressesFailed, "\(attempts.count)")
                        + Bilingual(verbatim: attempts.map { "\($0.address) \($0.outcome)" }.joined(separator: ", ")))
            }
            run.steps.append(step)
            return .failed(f)
        }
        // TLS, e, c: the exchange starts now, on the event loop's thread; without TLS the request
        // is written first, as curl writes it right after the connect.
        if !exOptions.tls {
            exOptions.requestWritten = ExchangeOptions.writeNow(request, fd: c.fd)
            if exOptions.requestWritten != nil { exOptions.firstByteBox = FirstByteBox() }
        }
        let exchangeOptions = exOptions
        async let exchange = HTTPExchange.run(
            connection: c, options: exchangeOptions, tlsContext: tlsContext, group: group)
        // While SwiftNIO takes the socket over, the first byte is timed here, as curl's poll would.
        exchangeOptions.firstByteBox?.wait(fd: c.fd, timeoutMs: options.timeoutMs)
        addLocalSteps()
        run.steps.append(
            ConnectionSteps.tcp(
                c, attempts: attempts, firstAttemptMs: race.attempts.first?.startMs ?? c.startMs, t0: t0, hop: hop))
        let (record, session) = await exchange
        let info = AttributionKeys.ConnectionKey(
            hop: hop, local: c.local, localPort: c.localPort, remote: c.remote, remotePort: c.remotePort,
            tls: exOptions.tls, tlsDoneMs: record.tlsDoneMs.map { $0 - t0 },
            requestWrittenMs: record.requestWrittenMs.map { $0 - t0 },
            responseCompleteMs: record.completeMs.map { $0 - t0 })
        run.keys.connections.append(info)
        if exOptions.tls {
            var s = HTTPSteps.tls(record, connectEndMs: c.endMs, t0: t0, hop: hop, insecure: options.insecure)
            if record.tlsDoneMs == nil {
                s.status = .failed
                let why =
                    record.error.flatMap { HTTPSteps.tlsFailure($0, record, host: url.host) }
                    ?? record.error.map { Bilingual(verbatim: "\($0)") } ?? Bilingual(TraceSay.handshakeIncomplete)
                s.lines.append(Bilingual(TraceSay.failed, parts: [why]))
                run.steps.append(s)
                if case .timeout(_, let ms)? = record.error {
                    return .failed(
                        TraceFailure(.tls, .tls, Bilingual(TraceSay.tlsTimedOut, formatMs(ms))))
                }
                var hint = TraceSay.cacertHint
                if case .plainHTTPOnTLSPort? = record.error { hint = .useHTTPHint }
                if case .notTLS(let began)? = record.error {
                    hint = began.hasPrefix("HTTP/") ? .useHTTPHint : .rightPortHint
                }
                if case .tlsHostname? = record.error { hint = .certNameHint }
                return .failed(
                    TraceFailure(.tls, .tls, Bilingual(TraceSay.tlsFailure, parts: [why]), hint: Bilingual(hint)))
            }
            run.steps.append(s)
        }
        let requestStart = record.requestStartMs ?? record.tlsDoneMs ?? c.endMs
        return exchangeSteps(
            url, record: record, session: session, info: info, lines: lines, requestStart: requestStart, hop: hop,
            run: &run)
    }

    /// A hop whose URL has the scheme, host and port of the connection the last response left open:
    /// no DNS, no TCP or TLS handshake, the request goes on that connection (HTTP/1.1 keep-alive).
    private func reuseSteps(_ url: TraceURL, _ open: OpenConnection, hop: Int, run: inout Run) async -> HopOutcome {
        let t0 = run.t0
        let now = Monotonic.nowMs() - t0
        let from = open.info.hop
        let remote = ConnectionSteps.endpoint(open.info.remote, open.info.remotePort)
        let local = ConnectionSteps.endpoint(open.info.local, open.info.localPort)
        var dns = TraceStep(.dns, hop: hop, startMs: now, status: .skipped)
        dns.detail.set("name", url.host)
        dns.detail.set("source", "connection-reused")
        dns.say(.connectionReusedDNS, "\(from)", remote)
        run.steps.append(dns)
        var tcp = TraceStep(.tcp, hop: hop, startMs: now, status: .skipped)
        tcp.detail.set("reused", true)
        tcp.detail.set("reused_from_hop", from)
        tcp.detail.set("remote", remote)
        tcp.detail.set("local", local)
        tcp.say(.connectionReusedTCP, "\(from)", local, remote)
        run.steps.append(tcp)
        if open.info.tls {
            var tls = TraceStep(.tls, hop: hop, startMs: now, status: .skipped)
            tls.detail.set("reused", true)
            tls.say(.tlsReused, "\(from)")
            run.steps.append(tls)
        }
        let (request, lines) = HTTPSteps.request(for: url, userAgent: options.userAgent)
        let (record, session) = await open.session.send(request, keepOpen: keepOpen(after: url, hop: hop))
        let requestStart = record.requestStartMs ?? Monotonic.nowMs()
        var key = open.info
        key.hop = hop
        key.tlsDoneMs = open.info.tls ? requestStart - t0 : nil
        key.requestWrittenMs = record.requestWrittenMs.map { $0 - t0 }
        key.responseCompleteMs = record.completeMs.map { $0 - t0 }
        key.fromMs = requestStart - t0
        run.keys.connections.append(key)
        return exchangeSteps(
            url, record: record, session: session, info: open.info, lines: lines, requestStart: requestStart, hop: hop,
            run: &run)
    }

    /// Steps e, c, the teardown, a redirect, and g, once the request went out on a connection.
    private func exchangeSteps(
        _ url: TraceURL, record: ExchangeRecord, session: ExchangeSession?, info: AttributionKeys.ConnectionKey,
        lines: [String],
        requestStart: Double, hop: Int, run: inout Run
    ) -> HopOutcome {
        let t0 = run.t0
        run.steps.append(HTTPSteps.requestStep(record, lines: lines, startMs: requestStart, t0: t0, hop: hop))
        let decodeStart = Monotonic.nowMs()
        let body = HTTPSteps.decodeBody(record)
        var response = HTTPSteps.responseStep(record, body: body, t0: t0, hop: hop)
        let teardown = ConnectionSteps.teardown(record, tls: info.tls, t0: t0, hop: hop)
        guard let head = record.head, record.completeMs != nil || record.error == nil else {
            response.status = .failed
            let why: Bilingual
            switch record.error {
            case .timeout(let phase, let ms)?:
                why =
                    Bilingual(TraceSay.timedOut, parts: [Bilingual(verbatim: formatMs(ms)), phase])
                    + (record.head != nil
                        ? Bilingual(TraceSay.bodyCutOff, "\(record.bodyBytes)") : Bilingual(verbatim: ""))
            case .reset(let phase)?: why = Bilingual(TraceSay.serverReset, parts: [phase])
            case .closedEarly(let phase)?: why = Bilingual(TraceSay.serverClosedEarly, parts: [phase])
            case .malformed(let m)?: why = Bilingual(TraceSay.malformedResponse, m)
            default: why = Bilingual(TraceSay.responseIncomplete)
            }
            response.lines.append(Bilingual(TraceSay.failed, parts: [why]))
            run.steps.append(response)
            if let teardown { run.steps.append(teardown) }
            return .failed(TraceFailure(.httpResponse, .httpBroken, why))
        }
        run.steps.append(response)
        if let teardown { run.steps.append(teardown) }

        // Redirects.
        if (300..<400).contains(head.status), let location = head.header("Location") {
            let next: TraceURL
            do {
                next = try url.resolve(location)
            } catch {
                if let i = run.steps.lastIndex(where: { $0.kind == .httpResponse }) {
                    run.steps[i].lines.append(
                        Bilingual(
                            TraceSay.redirectNotFollowedError,
                            parts: [
                                Bilingual(verbatim: "\(head.status)"), Bilingual(verbatim: location), error.reasonText,
                            ]))
                    run.steps[i].detail.set("redirect_error", error.reason)
                }
                return .failed(
                    TraceFailure(
                        .httpResponse, .httpBroken,
                        Bilingual(TraceSay.redirectTo, parts: [Bilingual(verbatim: location), error.reasonText]),
                        hint: error.reason.hasPrefix("unsupported scheme") ? Bilingual(TraceSay.otherToolHint) : nil
                    ))
            }
            if hop < options.maxRedirects {
                let sameOrigin = Self.origin(next) == Self.origin(url)
                let hopNote: TraceSay
                if let session {
                    run.open = OpenConnection(session: session, origin: Self.origin(url), info: info)
                    hopNote = .staysOpen
                } else if sameOrigin {
                    hopNote = .notKeptOpen
                } else {
                    hopNote = .otherOrigin
                }
                if let i = run.steps.lastIndex(where: { $0.kind == .httpResponse }) {
                    run.steps[i].say(.following, "\(head.status)", next.description)
                    run.steps[i].say(hopNote, "\(hop + 1)")
                    run.steps[i].detail.set("redirect_to", next.description)
                    run.steps[i].detail.set("connection_kept_open", session != nil)
                }
                return .redirect(next)
            }
            if let i = run.steps.lastIndex(where: { $0.kind == .httpResponse }) {
                run.steps[i].detail.set("redirect_to", next.description)
                if options.maxRedirects == 0 {
                    run.steps[i].say(.notFollowedUseL, "\(head.status)", next.description)
                } else {
                    run.steps[i].say(.notFollowedMax, "\(head.status)", next.description, "\(options.maxRedirects)")
                }
            }
            if options.maxRedirects > 0 {
                return .failed(
                    TraceFailure(
                        .httpResponse, .httpBroken, Bilingual(TraceSay.tooManyRedirects, "\(options.maxRedirects)"))
                )
            }
        }

        // g: the browser's part (decoding the body included: a browser un-gzips too).
        run.steps.append(PageStep.make(head: head, body: body.bytes, startMs: decodeStart, t0: t0, hop: hop))
        if head.status >= 400 {
            let cls: FailureClass = head.status >= 500 ? .httpServerError : .httpClientError
            let meaning =
                head.status == 404
                ? Bilingual(TraceSay.noDocument, url.requestTarget)
                : Bilingual(head.status >= 500 ? TraceSay.serverFailed : TraceSay.serverRefused)
            return .failed(
                TraceFailure(.httpResponse, cls, Bilingual(verbatim: "HTTP \(head.status) \(head.reason): ") + meaning))
        }
        return .done
    }

    // MARK: - Helpers

    private func makeResolver() -> Resolver {
        var conf = ResolvConf.parse(readTextFile(options.resolvConfPath) ?? "")
        if let r = options.resolver {
            conf.nameservers = [r]
            conf.defaultedNameserver = false
        }
        let timeoutS = saturating(options.timeoutSeconds.rounded(.up), as: Int.self)
        conf.timeoutSeconds = max(1, min(conf.timeoutSeconds, timeoutS))  // resolv.conf counts whole seconds
        let types: [DNSRecordType] =
            switch options.family {
            case .ipv4: [.a]
            case .ipv6: [.aaaa]
            case .any: [.aaaa, .a]
            }
        return Resolver(
            conf: conf, hosts: HostsFile.parse(readTextFile(options.hostsPath) ?? ""), hostsPath: options.hostsPath,
            types: types,
            // --timeout bounds the step as a whole: every try of every server fits in it
            // (`Resolver.perTryMs`).
            timeoutCapMs: options.timeoutMs)
    }

    /// The addresses to try, in order: with no -4/-6, IPv6 first when this host has a route for it
    /// (RFC 6724's default preference), the two families alternating.
    private func order(_ addresses: [IPAddress]) -> [IPAddress] {
        switch options.family {
        case .ipv4: return addresses.filter { !$0.isIPv6 }
        case .ipv6: return addresses.filter { $0.isIPv6 }
        case .any:
            let v6 = addresses.filter { $0.isIPv6 }
            let v4 = addresses.filter { !$0.isIPv6 }
            let (first, second) =
                if let a = v6.first, (try? LocalAddress.source(for: a, port: 443)) != nil { (v6, v4) } else { (v4, v6) }
            // The families alternate (RFC 8305 section 4), so a broken one costs one attempt delay.
            var out: [IPAddress] = []
            for k in 0..<max(first.count, second.count) {
                if k < first.count { out.append(first[k]) }
                if k < second.count { out.append(second[k]) }
            }
            return out
        }
    }

    /// When the DNS step's first query left through `nextHop`, if it did.
    private func dnsFirstPacket(_ run: Run, viaNextHop nextHop: IPAddress, hop: Int) -> Double? {
        guard let s = run.steps.last(where: { $0.kind == .dns && $0.hop == hop && $0.status != .skipped }),
            case .list(let queries)? = s.detail["queries"], case .object(let q)? = queries.first,
            let server = q["server"]?.stringValue, let ds = DNSServer(parsing: server)
        else { return nil }
        let routes = RouteTable.systemRoutes(ipv6: ds.address.isIPv6)
        let route = RouteTable.lookup(ds.address, in: routes)
        let serverNextHop = route?.gateway ?? ds.address
        return serverNextHop == nextHop ? run.t0 + s.startMs : nil
    }

    // MARK: - Packets

    /// Starts the capture on "any" (the egress interface is only known after DNS, and the DNS
    /// server may sit behind another one), filtered to the trace's kinds of traffic.
    private func startCapture(_ url: TraceURL, t0: Double, notes: inout Bilingual?) -> (any TraceCapture, String)? {
        guard let source = packetSource, CapturePrivilege.canCapture() else { return nil }
        // DNS to the resolver actually used: `--resolver` may name another port than 53.
        let filter = CapturePrivilege.filter(
            ports: [url.port, 80, 443], dnsPorts: options.resolver.map { [$0.port] } ?? [])
        do {
            let c = try source.start(interface: "any", filter: filter, saveTo: options.writeFile, clockOffsetMs: t0)
            return (c, "any")
        } catch {
            notes = Bilingual(TraceSay.captureNotStarted, "\(error)")
            return nil
        }
    }

    private func finish(
        _ run: inout Run, _ result: TraceReport.Result, capture: (any TraceCapture, String)?, interface: String?
    )
        async -> TraceReport
    {
        if let open = run.open {  // not expected: a connection is kept only for a hop that follows
            run.open = nil
            await open.session.close()
        }
        completeLocalSteps(&run)
        let packets: PacketStatus
        if let (c, iface) = capture, let captured = try? await c.stop() {
            let frames = captured.frames
            let (byStep, connections) = FrameAttribution.assign(captured, keys: run.keys)
            let byNumber = Dictionary(frames.map { ($0.number, $0) }, uniquingKeysWith: { a, _ in a })
            for i in run.steps.indices {
                run.steps[i].frames = byStep["\(run.steps[i].kind.rawValue)#\(run.steps[i].hop)"] ?? []
                // A hop that fell back to another address family has a step f per next hop: each
                // keeps the ARP or neighbour discovery frames of its own next hop.
                if run.steps[i].kind == .neighbour, let nextHop = run.steps[i].detail["next_hop"]?.stringValue,
                    let ip = IPAddress(nextHop)
                {
                    run.steps[i].frames.removeAll { byNumber[$0].map { !$0.kind.concerns(ip) } ?? false }
                }
                FrameEvidence.apply(
                    to: &run.steps[i], frames: run.steps[i].frames.compactMap { byNumber[$0] },
                    connection: connections[run.steps[i].hop])
            }
            // Step c's time to first byte from the wire: the request's last byte to the response's first.
            for i in run.steps.indices where run.steps[i].kind == .httpResponse {
                let hop = run.steps[i].hop
                guard let key = run.keys.connections.last(where: { $0.hop == hop }),
                    let e = run.steps.last(where: { $0.kind == .httpRequest && $0.hop == hop }),
                    let w = FrameEvidence.wireTTFB(
                        request: e.frames.compactMap { byNumber[$0] },
                        response: run.steps[i].frames.compactMap { byNumber[$0] }, key: key)
                else { continue }
                var s = run.steps[i]
                if let socket = s.detail["ttfb_ms"] { s.detail["ttfb_socket_ms"] = socket }
                s.detail.set("ttfb_ms", round3(w.ms))
                s.detail.set("ttfb_source", "wire")
                s.lines.removeAll { $0.english.hasPrefix("time to first byte") }
                s.lines.insert(
                    Bilingual(TraceSay.ttfbWire, formatMs(w.ms), "\(w.requestFrame)", "\(w.responseFrame)"),
                    at: min(s.lines.count, 1))
                run.steps[i] = s
            }
            packets = PacketStatus(
                captured: true, interface: iface, frameCount: frames.count, savedTo: options.writeFile,
                note: Bilingual(TraceSay.packetsCaptured, "\(frames.count)", iface)
                    + (options.writeFile.map { Bilingual(TraceSay.savedTo, $0) } ?? Bilingual(verbatim: "")))
        } else if let problem = run.captureProblem {
            packets = PacketStatus(captured: false, note: problem)
        } else if packetSource == nil {
            packets = PacketStatus(
                captured: false,
                note: Bilingual(TraceSay.noLiveCapture)
                    + (options.writeFile != nil ? Bilingual(TraceSay.nothingWritten) : Bilingual(verbatim: "")))
        } else {
            packets = PacketStatus(
                captured: false,
                note: Bilingual(TraceSay.needsPrivilege, parts: [CapturePrivilege.howTo])
                    + (options.writeFile != nil ? Bilingual(TraceSay.nothingWritten) : Bilingual(verbatim: "")))
        }
        return TraceReport(url: options.url, steps: run.steps, result: result, packets: packets)
    }
}
