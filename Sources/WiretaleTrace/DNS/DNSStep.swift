import WiretaleCore

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
        if let p = x.problem { d.set("problem", p.english) }
        return d
    }

    static func exchangeLine(_ x: DNSExchange) -> Bilingual {
        var line = Bilingual(
            TraceSay.dnsQuery, x.type.description, x.name, x.server.description, x.transport.uppercased(), "\(x.id)")
        line += x.localPort > 0 ? Bilingual(TraceSay.dnsFromPort, "\(x.localPort)") : Bilingual(verbatim: ")")
        if let r = x.response, let a = x.answeredMs {
            let rr = r.answers.filter { $0.type == x.type || $0.type == .cname }
                .map { "\($0.type) \($0.data) ttl \($0.ttl)" }
            line += Bilingual(TraceSay.dnsAnswered, r.rcode.description, formatMs(a - x.sentMs))
            if r.truncated { line += Bilingual(TraceSay.dnsTruncated) }
            if !rr.isEmpty { line += Bilingual(verbatim: ", " + rr.prefix(4).joined(separator: ", ")) }
            if rr.count > 4 { line += Bilingual(TraceSay.more, "\(rr.count - 4)") }
        } else if let p = x.problem {
            line += Bilingual(verbatim: ": ") + p
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
            s.say(.hostsFile, path, lines.map(String.init).joined(separator: ", "))
        case .localhost:
            s.detail.set("source", "localhost")
            let names = r.addresses.map(\.address.description)
            s.lines.append(
                Bilingual(
                    english: TraceSay.localhostName.filled(.en, [r.name, names.joined(separator: " and ")]),
                    chinese: TraceSay.localhostName.filled(
                        .zh, [r.name, names.joined(separator: TraceSay.and.chinese.description)])))
        case .dns:
            s.detail.set("source", "dns")
            if r.namesTried.count > 1 { s.detail.set("names_tried", r.namesTried) }
            s.detail.set("queries", r.exchanges.map { exchangeDetail($0, t0: t0) })
            for x in r.exchanges { s.lines.append(exchangeLine(x)) }
        }
        if !r.cnames.isEmpty {
            s.detail.set("cname_chain", r.cnames.map { "\($0.0) -> \($0.1) (ttl \($0.2))" })
            for c in r.cnames { s.say(.cname, c.0, c.1, "\(c.2)") }
        }
        s.detail.set("addresses", r.addresses.map { $0.address.description })
        if let ttl = r.addresses.compactMap(\.ttl).min() { s.detail.set("ttl", Int(ttl)) }
        let addrs = r.addresses.map { a in a.ttl.map { "\(a.address) (ttl \($0) s)" } ?? a.address.description }
        var resolved = Bilingual(verbatim: "\(r.name) -> \(addrs.prefix(6).joined(separator: ", "))")
        if addrs.count > 6 { resolved += Bilingual(TraceSay.more, "\(addrs.count - 6)") }
        s.lines.append(resolved)
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
        for x in f.exchanges { s.lines.append(exchangeLine(x)) }
        let failure: TraceFailure
        switch f {
        case .noSuchName(let names, let server, let ttl, _):
            s.detail.set("rcode", "NXDOMAIN")
            let tried = names.count > 1 ? Bilingual(TraceSay.tried, names.joined(separator: ", ")) : nil
            failure = TraceFailure(
                .dns, .dnsNoName,
                Bilingual(TraceSay.nxdomain, server.description, name) + (tried ?? Bilingual(verbatim: "")),
                hint: Bilingual(
                    english: TraceSay.nxdomainHint.filled(
                        .en, [ttl.map { "\($0) s" } ?? TraceSay.aWhile.english.description]),
                    chinese: TraceSay.nxdomainHint.filled(
                        .zh, [ttl.map { "\($0) s" } ?? TraceSay.aWhile.chinese.description])))
        case .noAddress(let n, let types, _):
            s.detail.set("rcode", "NOERROR")
            failure = TraceFailure(
                .dns, .dnsNoName, Bilingual(TraceSay.noData, n, types.map(\.description).joined(separator: "/")),
                hint: types == [.aaaa]
                    ? Bilingual(TraceSay.noIPv6Hint) : (types == [.a] ? Bilingual(TraceSay.onlyIPv6Hint) : nil))
        case .serverError(let rcode, let server, _):
            s.detail.set("rcode", rcode.description)
            let meaning =
                rcode == .servFail
                ? Bilingual(TraceSay.servFail)
                : (rcode == .refused
                    ? Bilingual(TraceSay.dnsRefused) : Bilingual(TraceSay.dnsAnswer, rcode.description))
            failure = TraceFailure(
                .dns, .dnsNoAnswer, Bilingual(verbatim: "\(server): ") + meaning,
                hint: Bilingual(TraceSay.anotherResolverHint))
        case .timeout(let servers, let attempts, let ms, _):
            s.detail.set("timeout_ms", round3(ms))
            s.detail.set("attempts", attempts)
            failure = TraceFailure(
                .dns, .dnsNoAnswer,
                Bilingual(
                    TraceSay.dnsTimeout, servers.map(\.description).joined(separator: ", "), "\(attempts)", formatMs(ms)
                ),
                hint: Bilingual(TraceSay.dnsTimeoutHint))
        case .unreachable(let server, let reason, _):
            failure = TraceFailure(
                .dns, .dnsNoAnswer,
                Bilingual(TraceSay.dnsUnreachable, parts: [Bilingual(verbatim: server.description), reason]),
                hint: Bilingual(TraceSay.resolvConfHint))
        case .truncated(let server, let reason, _):
            s.detail.set("truncated", true)
            failure = TraceFailure(
                .dns, .dnsNoAnswer,
                Bilingual(TraceSay.dnsServer, parts: [Bilingual(verbatim: server.description), reason]),
                hint: Bilingual(TraceSay.dnsTCPHint))
        case .malformed(let server, let reason, _):
            s.detail.set("malformed", true)
            failure = TraceFailure(
                .dns, .dnsNoAnswer,
                Bilingual(TraceSay.dnsMalformed, parts: [Bilingual(verbatim: server.description), reason]),
                hint: Bilingual(TraceSay.dnsBrokenHint))
        case .cnameLoop(let chain, _):
            s.detail.set("cname_chain", chain)
            failure = TraceFailure(
                .dns, .dnsNoAnswer, Bilingual(TraceSay.cnameLoop, chain.joined(separator: " -> "), name),
                hint: Bilingual(TraceSay.cnameLoopHint))
        case .cnameChainTooLong(let limit, let chain, _):
            s.detail.set("cname_chain", Array(chain.prefix(limit + 2)))
            failure = TraceFailure(
                .dns, .dnsNoAnswer, Bilingual(TraceSay.cnameTooLong, "\(limit)", name, "\(chain.count - 1)"),
                hint: Bilingual(TraceSay.cnameTooLongHint))
        }
        s.lines.append(failure.reason)
        return (s, failure)
    }
}

func round3(_ v: Double) -> Double { (v * 1000).rounded() / 1000 }
