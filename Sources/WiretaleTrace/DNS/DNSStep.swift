/// Step b: the resolver's answer (or failure) as a trace step.
enum DNSStep {
    static func exchangeDetail(_ x: DNSExchange, t0: Double) -> Detail {
        var d = Detail()
        d.set("server", x.server.description)
        d.set("transport", x.transport)
        d.set("name", x.name)
        d.set("type", x.type.description)
        d.set("id", Int(x.id))
        d.set("local_port", x.localPort)
        d.set("attempt", x.attempt)
        d.set("sent_ms", round3(x.sentMs - t0))
        if let a = x.answeredMs { d.set("rtt_ms", round3(a - x.sentMs)) }
        if let r = x.response {
            d.set("rcode", r.rcode.description)
            d.set("truncated", r.truncated)
            d.set("answers", r.answers.map { "\($0.name) \($0.ttl) \($0.type) \($0.data)" })
        }
        if let p = x.problem { d.set("problem", p) }
        return d
    }

    static func exchangeLine(_ x: DNSExchange) -> String {
        var line = "\(x.type) \(x.name)? to \(x.server) over \(x.transport.uppercased()) (id \(x.id)"
        line += x.localPort > 0 ? ", from port \(x.localPort))" : ")"
        if let r = x.response, let a = x.answeredMs {
            let rr = r.answers.filter { $0.type == x.type || $0.type == .cname }
                .map { "\($0.type) \($0.data) ttl \($0.ttl)" }
            line += ": \(r.rcode) in \(formatMs(a - x.sentMs)) ms"
            if r.truncated { line += ", TC=1 (truncated: the answer did not fit in a UDP message)" }
            if !rr.isEmpty { line += ", " + rr.prefix(4).joined(separator: ", ") }
            if rr.count > 4 { line += " (+\(rr.count - 4) more)" }
        } else if let p = x.problem {
            line += ": \(p)"
        }
        return line
    }

    static func make(_ r: DNSResult, startMs: Double, endMs: Double, t0: Double, hop: Int) -> TraceStep {
        var s = TraceStep(.dns, hop: hop, startMs: startMs - t0, durationMs: endMs - startMs)
        s.detail.set("name", r.name)
        switch r.source {
        case .hostsFile(let path, let lines):
            s.detail.set("source", "hosts-file")
            s.detail.set("hosts_file", path)
            s.evidence.append(
                "found in \(path) (line \(lines.map(String.init).joined(separator: ", "))): no DNS query was sent, so no packet"
            )
        case .localhost:
            s.detail.set("source", "localhost")
            s.evidence.append(
                "\(r.name) is not in the hosts file; it is a loopback name, so it was answered locally with \(r.addresses.map(\.address.description).joined(separator: " and ")) as RFC 6761 section 6.3 requires, never sent to a DNS server: no packet"
            )
        case .dns:
            s.detail.set("source", "dns")
            if r.namesTried.count > 1 { s.detail.set("names_tried", r.namesTried) }
            s.detail.set("queries", r.exchanges.map { exchangeDetail($0, t0: t0) })
            for x in r.exchanges { s.evidence.append(exchangeLine(x)) }
        }
        if !r.cnames.isEmpty {
            s.detail.set("cname_chain", r.cnames.map { "\($0.0) -> \($0.1) (ttl \($0.2))" })
            for c in r.cnames { s.evidence.append("\(c.0) is an alias (CNAME) of \(c.1), ttl \(c.2) s") }
        }
        s.detail.set("addresses", r.addresses.map { $0.address.description })
        if let ttl = r.addresses.compactMap(\.ttl).min() { s.detail.set("ttl", Int(ttl)) }
        let addrs = r.addresses.map { a in a.ttl.map { "\(a.address) (ttl \($0) s)" } ?? a.address.description }
        let more = addrs.count > 6 ? " (+\(addrs.count - 6) more)" : ""
        s.evidence.append("\(r.name) -> \(addrs.prefix(6).joined(separator: ", "))\(more)")
        return s
    }

    /// The failed step and the failure it stands for.
    static func failed(_ f: DNSFailure, name: String, startMs: Double, t0: Double, hop: Int) -> (
        TraceStep, TraceFailure
    ) {
        var s = TraceStep(
            .dns, hop: hop, startMs: startMs - t0, durationMs: Monotonic.nowMs() - startMs, status: .failed)
        s.detail.set("name", name)
        s.detail.set("source", "dns")
        s.detail.set("queries", f.exchanges.map { exchangeDetail($0, t0: t0) })
        for x in f.exchanges { s.evidence.append(exchangeLine(x)) }
        let failure: TraceFailure
        switch f {
        case .noSuchName(let names, let server, let ttl, _):
            s.detail.set("rcode", "NXDOMAIN")
            let tried = names.count > 1 ? " (tried \(names.joined(separator: ", ")))" : ""
            failure = TraceFailure(
                .dns, .dnsNoName,
                "NXDOMAIN: the DNS server \(server) says \(name) does not exist\(tried)",
                hint:
                    "check the spelling of the host; the answer may be cached for \(ttl.map { "\($0) s" } ?? "a while") (negative caching, RFC 2308)"
            )
        case .noAddress(let n, let types, _):
            s.detail.set("rcode", "NOERROR")
            failure = TraceFailure(
                .dns, .dnsNoName,
                "\(n) exists but has no \(types.map(\.description).joined(separator: "/")) record (NODATA)",
                hint: types == [.aaaa]
                    ? "the site may have no IPv6 address: try without -6"
                    : (types == [.a] ? "the site may be IPv6-only: try without -4" : nil))
        case .serverError(let rcode, let server, _):
            s.detail.set("rcode", rcode.description)
            let meaning =
                rcode == .servFail
                ? "the server could not get an answer (SERVFAIL: its upstream failed or DNSSEC validation failed)"
                : (rcode == .refused
                    ? "the server refuses to answer this client (REFUSED: not an open resolver for you)"
                    : "the server answered \(rcode)")
            failure = TraceFailure(
                .dns, .dnsNoAnswer, "\(server): \(meaning)", hint: "try another server with --resolver IP")
        case .timeout(let servers, let attempts, let ms, _):
            s.detail.set("timeout_ms", round3(ms))
            s.detail.set("attempts", attempts)
            failure = TraceFailure(
                .dns, .dnsNoAnswer,
                "DNS timeout: no answer from \(servers.map(\.description).joined(separator: ", ")) (\(attempts) tries, up to \(formatMs(ms)) ms each)",
                hint: "is the server reachable? check /etc/resolv.conf or use --resolver IP")
        case .unreachable(let server, let reason, _):
            failure = TraceFailure(
                .dns, .dnsNoAnswer, "DNS server \(server) unreachable: \(reason)",
                hint: "check /etc/resolv.conf or use --resolver IP")
        case .truncated(let server, let reason, _):
            s.detail.set("truncated", true)
            failure = TraceFailure(
                .dns, .dnsNoAnswer, "DNS server \(server): \(reason)",
                hint: "the answer needs TCP (RFC 7766): the server or a firewall must allow DNS over TCP port 53")
        case .malformed(let server, let reason, _):
            s.detail.set("malformed", true)
            failure = TraceFailure(
                .dns, .dnsNoAnswer, "DNS server \(server) sent a \(reason)",
                hint: "the server (or something between) is broken: try another with --resolver IP")
        case .cnameLoop(let chain, _):
            s.detail.set("cname_chain", chain)
            failure = TraceFailure(
                .dns, .dnsNoAnswer,
                "CNAME loop: \(chain.joined(separator: " -> ")) comes back to a name it already passed, so \(name) never reaches an address",
                hint: "the zone is misconfigured: its owner must break the loop")
        case .cnameChainTooLong(let limit, let chain, _):
            s.detail.set("cname_chain", Array(chain.prefix(limit + 2)))
            failure = TraceFailure(
                .dns, .dnsNoAnswer,
                "CNAME chain longer than \(limit) links (from \(name) via \(chain.count - 1) aliases and more): wiretale stops following it",
                hint: "the zone is misconfigured: an alias chain this long is a loop or an error")
        }
        s.evidence.append(failure.why)
        return (s, failure)
    }
}

func round3(_ v: Double) -> Double { (v * 1000).rounded() / 1000 }
