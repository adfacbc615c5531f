import WiretaleCore

/// Step a: what the URL says, as the trace reports it.
enum URLStep {
    static func make(_ u: TraceURL, text: String, startMs: Double, durationMs: Double, hop: Int) -> TraceStep {
        var s = TraceStep(.url, hop: hop, startMs: startMs, durationMs: durationMs)
        s.detail.set("scheme", u.scheme.rawValue)
        s.detail.set("host", u.host)
        if u.originalHost.lowercased() != u.host && u.hostKind == .name { s.detail.set("host_unicode", u.originalHost) }
        s.detail.set("host_kind", u.hostKind.rawValue)
        s.detail.set("port", u.port)
        s.detail.set("port_default", u.portIsDefault)
        s.detail.set("path", u.path)
        s.detail.set("query", u.query)
        if let f = u.fragment { s.detail.set("fragment_not_sent", f) }
        s.detail.set("request_target", u.requestTarget)
        var line = Bilingual(TraceSay.urlHost, "\(u.scheme.rawValue)://\(u.hostHeader)\(u.requestTarget)", u.host)
        line +=
            u.portIsDefault
            ? Bilingual(TraceSay.urlPortDefault, "\(u.port)", u.scheme.rawValue)
            : Bilingual(TraceSay.urlPort, "\(u.port)")
        s.lines.append(line)
        if u.schemeAssumed { s.say(.schemeAssumed) }
        if u.hostKind == .name && u.originalHost.lowercased() != u.host { s.say(.idna, u.originalHost, u.host) }
        switch u.hostKind {
        case .name: s.say(.domainToLookUp, u.host)
        case .ipv4, .ipv6: s.say(.urlIsAddress)
        }
        if let f = u.fragment { s.say(.fragmentStays, f) }
        return s
    }
}
