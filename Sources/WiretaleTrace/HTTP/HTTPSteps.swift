#if canImport(Glibc)
    import Glibc
#endif

/// The TLS handshake (not in the notes), step e (the request) and step c (the document).
enum HTTPSteps {
    /// The request curl would send: HTTP/1.1, so the connection stays usable (keep-alive) and a
    /// redirect to the same scheme, host and port reuses it. wiretale closes it first once it is
    /// done (`ExchangeOptions.keepOpen`), as curl does. It does not ask the server to close
    /// (`Connection: close`): over TLS the server would close right after its close_notify, and the
    /// close_notify TLS makes the client send back would meet a closed socket and draw an RST.
    static func request(for url: TraceURL, userAgent: String) -> (bytes: [UInt8], lines: [String]) {
        let lines = [
            "GET \(url.requestTarget) HTTP/1.1",
            "Host: \(url.hostHeader)",
            "User-Agent: \(userAgent)",
            "Accept: text/html,application/xhtml+xml,*/*;q=0.8",
            "Accept-Encoding: gzip",
        ]
        return (Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8), lines)
    }

    static func tls(_ r: ExchangeRecord, connectEndMs: Double, t0: Double, hop: Int, insecure: Bool) -> TraceStep {
        let start = r.tlsStartMs ?? connectEndMs
        let end = r.tlsDoneMs ?? Monotonic.nowMs()
        var s = TraceStep(.tls, hop: hop, startMs: start - t0, durationMs: end - start)
        s.detail.set("version", r.tlsVersion)
        s.detail.set("cipher", r.cipherSuite)
        s.detail.set("alpn", r.alpn)
        if let f = r.tlsServerFirstMs { s.detail.set("server_hello_ms", round3(f - start)) }
        if let c = r.peerCertificate ?? r.chain.first?.0 {
            var cd = Detail()
            cd.set("subject", c.subject)
            cd.set("issuer", c.issuer)
            cd.set("not_before", c.notBefore)
            cd.set("not_after", c.notAfter)
            cd.set("alt_names", c.altNames)
            s.detail.set("certificate", cd)
        }
        s.detail.set("verification", r.verification ?? "failed")
        s.evidence.append(
            "not in the notes: HTTPS adds a TLS handshake between the TCP connection (i) and the HTTP request (e)")
        var line = "ClientHello sent"
        if let f = r.tlsServerFirstMs {
            line += "; the server's first flight (ServerHello...) arrived after \(formatMs(f - start)) ms"
        }
        if r.tlsDoneMs != nil { line += "; handshake complete after \(formatMs(end - start)) ms" }
        s.evidence.append(line)
        if let v = r.tlsVersion {
            s.evidence.append(
                "\(v), cipher \(r.cipherSuite ?? "?"), ALPN \(r.alpn ?? "none (the server did not choose)")")
        }
        if let c = r.peerCertificate ?? r.chain.first?.0 {
            s.evidence.append(
                "certificate: subject \(c.subject); issuer \(c.issuer)\(c.selfSigned ? " (self-signed)" : "")")
            s.evidence.append(
                "valid \(c.notBefore) to \(c.notAfter)"
                    + (c.altNames.isEmpty ? "" : "; names \(c.altNames.joined(separator: ", "))"))
        }
        if r.tlsDoneMs != nil {
            s.evidence.append(
                insecure
                    ? "verification skipped (--insecure): the server's identity is NOT checked"
                    : "the certificate chain and the name were verified")
        }
        return s
    }

    /// Explains a TLS failure with the certificate reason and the hint.
    static func tlsFailure(_ e: ExchangeError, _ r: ExchangeRecord, host: String) -> String? {
        let leafBad = r.chain.first { !$0.1 }?.0 ?? r.chain.first?.0
        switch e {
        case .tlsVerification:
            var reason = "the certificate could not be verified"
            if let c = leafBad {
                let now = Int(Double(time(nil)))
                if c.notAfterEpoch < now {
                    reason = "the certificate expired on \(c.notAfter)"
                } else if c.notBeforeEpoch > now {
                    reason = "the certificate is not valid before \(c.notBefore)"
                } else if c.selfSigned {
                    reason =
                        "the certificate is self-signed (subject = issuer = \(c.subject)) and not in the trusted store"
                } else {
                    reason = "the certificate's issuer (\(c.issuer)) is not a trusted authority (unknown CA)"
                }
            }
            if let a = r.tlsAlertFromServer { reason += "; the server sent alert \(a)" }
            return reason
        case .tlsHostname:
            let names = (r.peerCertificate ?? r.chain.first?.0)?.altNames.joined(separator: ", ") ?? "?"
            return "the certificate does not name \(host) (it names \(names))"
        case .tlsHandshake(let text):
            if let a = r.tlsAlertFromServer { return "the server ended the handshake with alert \(a) (\(text))" }
            return "handshake failed: \(text)"
        case .plainHTTPOnTLSPort:
            return "the server answered in plain HTTP: this port does not speak TLS (try http://)"
        default:
            return nil
        }
    }

    static func requestStep(_ r: ExchangeRecord, lines: [String], startMs: Double, t0: Double, hop: Int) -> TraceStep {
        let end = r.requestWrittenMs ?? startMs
        var s = TraceStep(.httpRequest, hop: hop, startMs: startMs - t0, durationMs: max(0, end - startMs))
        s.detail.set("request_line", lines.first)
        s.detail.set("headers", Array(lines.dropFirst()))
        s.detail.set("bytes", r.requestBytes)
        s.evidence.append(
            "the \"HTTP connection\" of the notes is the TCP connection\(r.tlsVersion != nil ? " (inside TLS)" : "") carrying this request"
        )
        for l in lines { s.evidence.append("> " + l) }
        s.evidence.append("\(r.requestBytes) bytes handed to the kernel in \(formatMs(max(0, end - startMs))) ms")
        if r.requestWrittenMs == nil { s.status = .failed }
        return s
    }

    struct Body {
        var bytes: [UInt8]
        var encoding: String?
        var decodeError: String?
    }

    static func decodeBody(_ r: ExchangeRecord) -> Body {
        let enc = r.head?.header("Content-Encoding")?.lowercased().trimmingASCIIWhitespace()
        guard let enc, enc == "gzip" || enc == "x-gzip" else {
            return Body(bytes: r.body, encoding: enc, decodeError: nil)
        }
        do {
            return Body(bytes: try Inflate.gunzip(r.body), encoding: enc, decodeError: nil)
        } catch {
            return Body(bytes: r.body, encoding: enc, decodeError: error.reason)
        }
    }

    static func responseStep(_ r: ExchangeRecord, body: Body, t0: Double, hop: Int) -> TraceStep {
        let start = r.requestWrittenMs ?? r.firstByteMs ?? Monotonic.nowMs()
        let end = r.completeMs ?? Monotonic.nowMs()
        var s = TraceStep(.httpResponse, hop: hop, startMs: start - t0, durationMs: max(0, end - start))
        guard let h = r.head else {
            s.status = .failed
            s.evidence.append("no response head was received")
            return s
        }
        s.detail.set("status_line", "\(h.version) \(h.status) \(h.reason)")
        s.detail.set("status", h.status)
        s.detail.set("headers", h.headers.map { "\($0.name): \($0.value)" })
        if let f = r.firstByteMs { s.detail.set("ttfb_ms", round3(f - start)) }
        if let f = r.firstByteMs, let c = r.completeMs { s.detail.set("download_ms", round3(c - f)) }
        s.detail.set("body_bytes_wire", r.wireBodyBytes)
        s.detail.set("body_bytes", body.bytes.count)
        s.detail.set(
            "transfer", r.chunked ? "chunked" : (h.header("Content-Length") != nil ? "content-length" : "until-close"))
        if r.chunked { s.detail.set("chunks", r.chunkCount) }
        s.detail.set("content_encoding", body.encoding)
        s.evidence.append("< \(h.version) \(h.status) \(h.reason)")
        for (n, v) in h.headers { s.evidence.append("< \(n): \(v)") }
        if let f = r.firstByteMs {
            s.evidence.append(
                "time to first byte \(formatMs(f - start)) ms after the request was sent (the server's think time plus one round trip)"
            )
        }
        var size = "body \(body.bytes.count) bytes"
        if r.chunked {
            size +=
                ", chunked (\(r.chunkCount) chunk\(r.chunkCount == 1 ? "" : "s"), \(r.wireBodyBytes) bytes on the wire)"
        }
        if let e = body.encoding, body.decodeError == nil, e.contains("gzip") {
            size += ", gzip: \(r.body.count) bytes compressed"
        }
        if let f = r.firstByteMs, let c = r.completeMs { size += "; downloaded in \(formatMs(c - f)) ms" }
        s.evidence.append(size)
        if let e = body.decodeError { s.evidence.append("the gzip body could not be decoded: \(e)") }
        if h.status >= 400 { s.status = .failed }
        return s
    }
}
