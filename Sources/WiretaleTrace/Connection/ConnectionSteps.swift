import WiretaleCore
import WiretaleSystem

/// Step i (TCP) and the teardown, from socket-level evidence.
enum ConnectionSteps {
    struct Attempt {
        var address: IPAddress
        var outcome: String
        var ms: Double
        /// Still unanswered when another address connected: closed (Happy Eyeballs).
        var abandoned = false
    }

    /// Step i from the first connection attempt (`firstAttemptMs`) to the end of the handshake that
    /// won, as curl's time_connect counts it; `handshake_ms` is the winning handshake alone.
    static func tcp(_ c: ConnectedSocket, attempts: [Attempt], firstAttemptMs: Double, t0: Double, hop: Int)
        -> TraceStep
    {
        let start = min(firstAttemptMs, c.startMs)
        var s = TraceStep(.tcp, hop: hop, startMs: start - t0, durationMs: c.endMs - start)
        s.detail.set("handshake_ms", round3(c.endMs - c.startMs))
        s.detail.set("remote", endpoint(c.remote, c.remotePort))
        s.detail.set("local", endpoint(c.local, c.localPort))
        if let i = c.info {
            s.detail.set("state", i.state)
            s.detail.set("kernel_rtt_ms", round3(Double(i.rttMicros) / 1000))
            s.detail.set("syn_retransmits", i.totalRetransmits)
        }
        if !attempts.isEmpty {
            s.detail.set("failed_attempts", attempts.map { "\($0.address): \($0.outcome) after \(formatMs($0.ms)) ms" })
            for a in attempts {
                if a.abandoned {
                    s.say(
                        .attemptAbandoned, a.address.description, c.remote.description, formatMs(a.ms),
                        formatMs(Tracer.attemptDelayMs))
                } else {
                    s.say(.attemptFailed, a.address.description, a.outcome, formatMs(a.ms))
                }
            }
            if c.startMs > start {
                s.say(.connectingTook, formatMs(c.endMs - start), formatMs(c.startMs - start))
            }
        }
        s.say(
            .connectDone, endpoint(c.local, c.localPort), endpoint(c.remote, c.remotePort),
            formatMs(c.endMs - c.startMs))
        if let i = c.info {
            s.say(.kernelSocket, "\(i.state)", formatMs(Double(i.rttMicros) / 1000))
            if i.totalRetransmits > 0 { s.say(.synRetransmissions, "\(i.totalRetransmits)") }
        }
        return s
    }

    static func failed(
        _ e: TCPConnectError, remote: IPAddress, port: Int, startMs: Double, attempts: [Attempt], t0: Double, hop: Int,
        nextHop: IPAddress?
    ) -> (TraceStep, TraceFailure) {
        let ms: Double
        let failure: TraceFailure
        var s = TraceStep(.tcp, hop: hop, startMs: startMs - t0, status: .failed)
        s.detail.set("remote", endpoint(remote, port))
        let target = endpoint(remote, port)
        switch e {
        case .refused(let t):
            ms = t
            s.detail.set("error", "ECONNREFUSED")
            s.detail.set("attempted", true)  // the SYN went out and the RST came back: i was tried
            s.say(.refusedLine, target, formatMs(t))
            failure = TraceFailure(
                .tcp, .connectionRefused, Bilingual(TraceSay.refusedWhy, remote.description, "\(port)"),
                hint: Bilingual(TraceSay.refusedHint))
        case .timeout(let t, let retries):
            ms = t
            s.detail.set("error", "timeout")
            s.detail.set("attempted", true)
            if let r = retries { s.detail.set("syn_retransmits", r) }
            let setting = TCPConnector.synRetriesSetting()
            let rtext =
                retries.map { Bilingual(TraceSay.synSentTimes, "\($0 + 1)", "\($0)") }
                ?? Bilingual(TraceSay.synUnanswered)
            s.lines.append(
                Bilingual(
                    TraceSay.timeoutLine, parts: [Bilingual(verbatim: target), Bilingual(verbatim: formatMs(t)), rtext])
            )
            if let setting { s.say(.synRetries, "\(setting)") }
            failure = TraceFailure(
                .tcp, .connectTimeout, Bilingual(TraceSay.timeoutWhy, target, formatMs(t)),
                hint: Bilingual(TraceSay.timeoutHint))
        case .unreachable(let err, let t):
            ms = t
            s.detail.set("error", errnoName(err))
            // The kernel did have a route (step d found a source address), so the refusal came from
            // the network: a router's ICMP destination-unreachable aborted the SYN-SENT socket.
            let who =
                nextHop.map { Bilingual(TraceSay.routerUnreachable, $0.description) }
                ?? Bilingual(TraceSay.networkUnreachable)
            s.lines.append(
                Bilingual(
                    TraceSay.connectFailedAfter,
                    parts: [target, formatMs(t), errnoName(err), errnoText(err)].map(Bilingual.init(verbatim:)) + [who])
            )
            failure = TraceFailure(
                .tcp, .noRoute,
                Bilingual(TraceSay.noRouteWhy, remote.description, errnoText(err))
                    + (nextHop.map { Bilingual(TraceSay.nextHopNote, $0.description) } ?? Bilingual(verbatim: "")),
                hint: Bilingual(TraceSay.routingHint))
        case .other(let err, let t):
            ms = t
            s.detail.set("error", errnoName(err))
            s.say(.connectFailed, target, errnoText(err))
            failure = TraceFailure(.tcp, .noRoute, Bilingual(TraceSay.connectToFailed, target, errnoText(err)))
        }
        s.durationMs = ms
        if !attempts.isEmpty {
            s.detail.set("failed_attempts", attempts.map { "\($0.address): \($0.outcome) after \(formatMs($0.ms)) ms" })
        }
        return (s, failure)
    }

    static func endpoint(_ ip: IPAddress, _ port: Int) -> String { ip.isIPv6 ? "[\(ip)]:\(port)" : "\(ip):\(port)" }

    static func describe(_ e: TCPConnectError) -> (String, Double) {
        switch e {
        case .refused(let t): ("refused", t)
        case .timeout(let t, _): ("timeout", t)
        case .unreachable(let err, let t): (errnoName(err), t)
        case .other(let err, let t): (errnoName(err), t)
        }
    }

    /// The teardown, which the notes' section 2 describes as four segments.
    static func teardown(_ r: ExchangeRecord, tls: Bool, t0: Double, hop: Int) -> TraceStep? {
        guard let closedFirst = r.serverClosedFirst else { return nil }
        let start = r.completeMs ?? r.firstByteMs ?? Monotonic.nowMs()
        let end = max(r.serverCloseMs ?? start, r.clientCloseMs ?? start)
        var s = TraceStep(.teardown, hop: hop, startMs: start - t0, durationMs: max(0, end - start))
        s.detail.set("closed_first_by", closedFirst ? "server" : "client")
        s.detail.set("time_wait", closedFirst ? "server" : "client")
        if let st = r.stateAfterServerFIN { s.detail.set("client_state_after_server_fin", st) }
        if closedFirst {
            let at =
                r.serverCloseMs.map {
                    $0 - start < 0.05
                        ? Bilingual(TraceSay.withLastByte) : Bilingual(TraceSay.afterLastByte, formatMs($0 - start))
                } ?? Bilingual(verbatim: "")
            s.lines.append(Bilingual(TraceSay.serverClosedFirst, parts: [at]))
            if let st = r.stateAfterServerFIN { s.say(.thisSideIsB, "\(st)") }
            s.say(.serverLeftInTimeWait)
        } else if r.closedOnCompletion {
            s.say(tls ? .closeOnCompleteTLS : .closeOnComplete)
            if let fin = r.serverCloseMs { s.say(.serverFINAfter, formatMs(max(0, fin - start))) }
        } else {
            s.say(.clientClosedFirst)
        }
        s.say(.segmentsNeedCapture)
        return s
    }
}
