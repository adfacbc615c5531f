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
        var line = "\(u.scheme.rawValue)://\(u.hostHeader)\(u.requestTarget): host \(u.host)"
        line += u.portIsDefault ? ", port \(u.port) (the \(u.scheme.rawValue) default)" : ", port \(u.port)"
        s.evidence.append(line)
        if u.schemeAssumed { s.evidence.append("no scheme given: http assumed, as a browser does") }
        if u.hostKind == .name && u.originalHost.lowercased() != u.host {
            s.evidence.append("internationalized name \(u.originalHost) is sent as \(u.host) (IDNA punycode, RFC 3492)")
        }
        switch u.hostKind {
        case .name: s.evidence.append("the domain name to look up is \(u.host)")
        case .ipv4, .ipv6: s.evidence.append("the URL names an IP address, so there is no domain name to look up")
        }
        if let f = u.fragment {
            s.evidence.append("the fragment #\(f) stays in the browser: it is never sent to the server")
        }
        return s
    }
}
