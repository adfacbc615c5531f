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
                s.evidence.append(
                    a.abandoned
                        ? "\(a.address) was still waiting for its SYN-ACK when \(c.remote) connected, \(formatMs(a.ms)) ms after its own SYN: closed (Happy Eyeballs, RFC 8305: the next address is tried when one has not connected within \(formatMs(Tracer.attemptDelayMs)) ms, without giving up on it)"
                        : "\(a.address) failed (\(a.outcome)) after \(formatMs(a.ms)) ms: falling back to the next address"
                )
            }
            if c.startMs > start {
                s.evidence.append(
                    "connecting took \(formatMs(c.endMs - start)) ms in all, \(formatMs(c.startMs - start)) ms of it before the attempt that won began"
                )
            }
        }
        s.evidence.append(
            "connect() from \(endpoint(c.local, c.localPort)) to \(endpoint(c.remote, c.remotePort)) completed in \(formatMs(c.endMs - c.startMs)) ms: SYN sent, SYN-ACK received, ACK sent (three-way handshake, notes section 1)"
        )
        if let i = c.info {
            s.evidence.append(
                "the kernel says the socket is \(i.state); its RTT estimate is \(formatMs(Double(i.rttMicros) / 1000)) ms"
            )
            if i.totalRetransmits > 0 { s.evidence.append("\(i.totalRetransmits) SYN retransmission(s) were needed") }
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
            s.evidence.append("SYN sent to \(target); the answer was RST after \(formatMs(t)) ms: connection refused")
            failure = TraceFailure(
                .tcp, .connectionRefused,
                "connection refused: \(remote) answered the SYN with RST, nothing listens on port \(port)",
                hint: "is the server running, and on this port?")
        case .timeout(let t, let retries):
            ms = t
            s.detail.set("error", "timeout")
            s.detail.set("attempted", true)
            if let r = retries { s.detail.set("syn_retransmits", r) }
            let setting = TCPConnector.synRetriesSetting()
            let rtext =
                retries.map {
                    "the SYN was sent \($0 + 1) time(s) (\($0) retransmission(s), backing off 1 s, 2 s, 4 s...)"
                }
                ?? "the SYN went unanswered"
            s.evidence.append("SYN sent to \(target); no SYN-ACK within \(formatMs(t)) ms: \(rtext)")
            if let setting {
                s.evidence.append(
                    "Linux would retry the SYN \(setting) times before giving up (net.ipv4.tcp_syn_retries)")
            }
            failure = TraceFailure(
                .tcp, .connectTimeout,
                "connect timeout: no answer to the SYN from \(target) in \(formatMs(t)) ms",
                hint: "a firewall may be dropping packets, or the host is down; --timeout sets the wait")
        case .unreachable(let err, let t):
            ms = t
            s.detail.set("error", errnoName(err))
            // The kernel did have a route (step d found a source address), so the refusal came from
            // the network: a router's ICMP destination-unreachable aborted the SYN-SENT socket.
            let who =
                nextHop.map { "a router on the way (first hop \($0)) answered ICMP destination unreachable" }
                ?? "the network answered ICMP destination unreachable"
            s.evidence.append(
                "connect() to \(target) failed after \(formatMs(t)) ms: \(errnoName(err)) (\(errnoText(err))): \(who)")
            failure = TraceFailure(
                .tcp, .noRoute,
                "no route to \(remote): \(errnoText(err))" + (nextHop.map { " (next hop \($0))" } ?? ""),
                hint: "check the routing table (ip route) and the gateway")
        case .other(let err, let t):
            ms = t
            s.detail.set("error", errnoName(err))
            s.evidence.append("connect() to \(target) failed: \(errnoText(err))")
            failure = TraceFailure(.tcp, .noRoute, "connect to \(target) failed: \(errnoText(err))")
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
                    $0 - start < 0.05 ? " with the last byte" : " \(formatMs($0 - start)) ms after the last byte"
                } ?? ""
            s.evidence.append(
                "the server closed first (its FIN arrived\(at)): it is A, the side that starts the notes' teardown (FIN-WAIT-1, FIN-WAIT-2, then TIME-WAIT for 2MSL)"
            )
            if let st = r.stateAfterServerFIN {
                s.evidence.append(
                    "this side's socket was in \(st) when the FIN arrived: it is B (CLOSE-WAIT, then LAST-ACK)")
            }
            s.evidence.append("wiretale then closed its side; the server's socket is the one left in TIME-WAIT")
        } else if r.closedOnCompletion {
            s.evidence.append(
                tls
                    ? "wiretale began the close as soon as the response was complete, as curl does: TLS close_notify, then its FIN"
                    : "wiretale began the close as soon as the response was complete, as curl does: its FIN"
            )
            if let fin = r.serverCloseMs {
                s.evidence.append("the server's FIN arrived \(formatMs(max(0, fin - start))) ms after the last byte")
            }
        } else {
            s.evidence.append(
                "wiretale closed the connection first (the exchange failed, or the server did not close as it had announced), so this side waits in TIME-WAIT"
            )
        }
        s.evidence.append(
            "which FIN/ACK segments were sent (four, or three when an ACK rides on a FIN) needs a capture")
        return s
    }
}
