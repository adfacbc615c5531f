import WiretaleCore

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
        s.say(.tlsNotInNotes)
        var line = Bilingual(TraceSay.clientHelloSent)
        if let f = r.tlsServerFirstMs { line += Bilingual(TraceSay.serverFirstFlight, formatMs(f - start)) }
        if r.tlsDoneMs != nil { line += Bilingual(TraceSay.handshakeComplete, formatMs(end - start)) }
        s.lines.append(line)
        if let v = r.tlsVersion {
            let alpn = r.alpn.map(Bilingual.init(verbatim:)) ?? Bilingual(TraceSay.alpnNone)
            s.lines.append(
                Bilingual(
                    TraceSay.tlsParameters,
                    parts: [Bilingual(verbatim: v), Bilingual(verbatim: r.cipherSuite ?? "?"), alpn]))
        }
        if let c = r.peerCertificate ?? r.chain.first?.0 {
            let selfSigned = c.selfSigned ? Bilingual(TraceSay.selfSigned) : Bilingual(verbatim: "")
            s.lines.append(
                Bilingual(
                    TraceSay.certificateLine,
                    parts: [Bilingual(verbatim: c.subject), Bilingual(verbatim: c.issuer), selfSigned]))
            s.lines.append(
                Bilingual(TraceSay.validRange, c.notBefore, c.notAfter)
                    + (c.altNames.isEmpty
                        ? Bilingual(verbatim: "") : Bilingual(TraceSay.certNames, c.altNames.joined(separator: ", "))))
        }
        if r.tlsDoneMs != nil { s.say(insecure ? .verificationSkipped : .verified) }
        return s
    }

    /// Explains a TLS failure with the certificate reason and the hint.
    static func tlsFailure(_ e: ExchangeError, _ r: ExchangeRecord, host: String) -> Bilingual? {
        let leafBad = r.chain.first { !$0.1 }?.0 ?? r.chain.first?.0
        switch e {
        case .tlsVerification:
            var reason = Bilingual(TraceSay.certUnverified)
            if let c = leafBad {
                let now = Int(Double(time(nil)))
                if c.notAfterEpoch < now {
                    reason = Bilingual(TraceSay.certExpired, c.notAfter)
                } else if c.notBeforeEpoch > now {
                    reason = Bilingual(TraceSay.certNotYetValid, c.notBefore)
                } else if c.selfSigned {
                    reason = Bilingual(TraceSay.certSelfSigned, c.subject)
                } else {
                    reason = Bilingual(TraceSay.certUnknownCA, c.issuer)
                }
            }
            if let a = r.tlsAlertFromServer { reason += Bilingual(TraceSay.serverSentAlert, "\(a)") }
            return reason
        case .tlsHostname:
            let names = (r.peerCertificate ?? r.chain.first?.0)?.altNames.joined(separator: ", ") ?? "?"
            return Bilingual(TraceSay.certWrongName, host, names)
        case .tlsHandshake(let text):
            if let a = r.tlsAlertFromServer { return Bilingual(TraceSay.handshakeAlert, "\(a)") }
            return Bilingual(TraceSay.handshakeFailed, parts: [plainTLSError(text)])
        case .plainHTTPOnTLSPort:
            return Bilingual(TraceSay.plainHTTPOnTLS)
        case .notTLS(let began):
            return Bilingual(TraceSay.notTLS, began)
                + (began.hasPrefix("HTTP/") ? Bilingual(TraceSay.speaksPlainHTTP) : Bilingual(verbatim: ""))
        case .reset(let phase):
            return Bilingual(TraceSay.resetDuring, parts: [phase])
        case .closedEarly(let phase):
            return Bilingual(TraceSay.closedDuring, parts: [phase])
        case .timeout(let phase, let ms):
            return Bilingual(TraceSay.noProgress, parts: [Bilingual(verbatim: formatMs(ms)), phase])
        case .malformed(let m):
            return Bilingual(TraceSay.tlsExchangeFailed, parts: [plainTLSError(m)])
        }
    }

    /// BoringSSL's error text without its error number and source path ("error:10000066:SSL
    /// routines:OPENSSL_internal:BAD_ALERT at /tmp/.../ssl/tls_record.cc:592" -> "BAD_ALERT").
    static func plainTLSError(_ text: String) -> Bilingual {
        var reasons: [String] = []
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        for (k, part) in parts.enumerated() where part.hasSuffix("OPENSSL_internal") && k + 1 < parts.count {
            let name = String(parts[k + 1].prefix { $0.isLetter || $0.isNumber || $0 == "_" })
            if !name.isEmpty, !reasons.contains(name) { reasons.append(name) }
        }
        if !reasons.isEmpty {
            return Bilingual(
                verbatim: reasons.map { String($0.lowercased().map { $0 == "_" ? " " : $0 }) }.joined(separator: "; "))
        }
        if text.contains(" at /") || text.contains("Error: ") { return Bilingual(TraceSay.tlsLibraryError) }
        return Bilingual(verbatim: text)
    }

    static func requestStep(_ r: ExchangeRecord, lines: [String], startMs: Double, t0: Double, hop: Int) -> TraceStep {
        let end = r.requestWrittenMs ?? startMs
        var s = TraceStep(.httpRequest, hop: hop, startMs: startMs - t0, durationMs: max(0, end - startMs))
        s.detail.set("request_line", lines.first)
        s.detail.set("headers", Array(lines.dropFirst()))
        s.detail.set("bytes", r.requestBytes)
        s.lines.append(
            Bilingual(
                TraceSay.httpConnection,
                parts: [r.tlsVersion != nil ? Bilingual(TraceSay.insideTLS) : Bilingual(verbatim: "")]))
        for l in lines { s.say(verbatim: "> " + l) }
        s.say(.bytesHanded, "\(r.requestBytes)", formatMs(max(0, end - startMs)))
        if r.requestWrittenMs == nil { s.status = .failed }
        return s
    }

    struct Body {
        /// What step g scans: the body's first `keepLimit` bytes, un-gzipped when it was gzip.
        var bytes: [UInt8]
        var encoding: String?
        var decodeError: Bilingual?
        /// `bytes` is only the start of the body (the body, or its gzip output, passed the cap).
        var partial = false
    }

    /// How much of a body step g sees, decoded: the same cap as the bytes kept, 4 MiB.
    static let keepLimit = HTTPResponseParser.defaultKeepLimit

    static func decodeBody(_ r: ExchangeRecord) -> Body {
        let enc = r.head?.header("Content-Encoding")?.lowercased().trimmingASCIIWhitespace()
        let cut = r.bodyBytes > r.body.count
        guard let enc, enc == "gzip" || enc == "x-gzip" else {
            return Body(bytes: r.body, encoding: enc, decodeError: nil, partial: cut)
        }
        do {
            if cut {
                let (bytes, _) = try Inflate.gunzipPrefix(r.body, limit: keepLimit)
                return Body(bytes: bytes, encoding: enc, decodeError: nil, partial: true)
            }
            let (bytes, complete) = try Inflate.gunzipPrefix(r.body, limit: keepLimit)
            if !complete, bytes.count < keepLimit {
                return Body(
                    bytes: r.body, encoding: enc,
                    decodeError: Bilingual(TraceSay.gzipTruncated, "\(r.body.count)"))
            }
            return Body(bytes: bytes, encoding: enc, decodeError: nil, partial: !complete)
        } catch {
            return Body(bytes: r.body, encoding: enc, decodeError: Bilingual(verbatim: error.reason))
        }
    }

    static func responseStep(_ r: ExchangeRecord, body: Body, t0: Double, hop: Int) -> TraceStep {
        let start = r.requestWrittenMs ?? r.firstByteMs ?? Monotonic.nowMs()
        // An exchange cut short ends when it stopped, not when its report is built.
        let end = r.completeMs ?? r.endedMs ?? Monotonic.nowMs()
        var s = TraceStep(.httpResponse, hop: hop, startMs: start - t0, durationMs: max(0, end - start))
        guard let h = r.head else {
            s.status = .failed
            s.say(.noResponseHead)
            return s
        }
        s.detail.set("status_line", "\(h.version) \(h.status) \(h.reason)")
        s.detail.set("status", h.status)
        s.detail.set("headers", h.headers.map { "\($0.name): \($0.value)" })
        if let f = r.firstByteMs {
            s.detail.set("ttfb_ms", round3(f - start))
            s.detail.set("ttfb_source", "socket")
            s.detail.set("first_byte_ms", round3(f - t0))
        }
        if let f = r.firstByteMs, let c = r.completeMs { s.detail.set("download_ms", round3(c - f)) }
        s.detail.set("body_bytes_wire", r.wireBodyBytes)
        // A body past the cap is counted, not kept: its size is the framed size (coding kept).
        s.detail.set("body_bytes", body.partial ? r.bodyBytes : body.bytes.count)
        if body.partial {
            s.detail.set("body_truncated", true)
            s.detail.set("body_kept_bytes", body.bytes.count)
        }
        if !r.interim.isEmpty {
            s.detail.set("interim", r.interim.map { "\($0.version) \($0.status) \($0.reason)" })
        }
        if !r.framingNotes.isEmpty { s.detail.set("framing_warnings", r.framingNotes) }
        s.detail.set(
            "transfer", r.chunked ? "chunked" : (h.header("Content-Length") != nil ? "content-length" : "until-close"))
        if r.chunked { s.detail.set("chunks", r.chunkCount) }
        s.detail.set("content_encoding", body.encoding)
        for i in r.interim {
            s.say(.interim, i.version, "\(i.status)", i.reason)
        }
        s.say(verbatim: "< \(h.version) \(h.status) \(h.reason)")
        for f in h.headers { s.say(verbatim: "< \(f.name): \(f.value)") }
        if let f = r.firstByteMs { s.say(.ttfbSocket, formatMs(f - start)) }
        for n in r.framingNotes { s.say(.warning, n) }
        var size = Bilingual(TraceSay.bodyBytes, "\(body.partial ? r.bodyBytes : body.bytes.count)")
        if r.chunked {
            let unit: TraceSay = r.chunkCount == 1 ? .chunk : .chunks
            size += Bilingual(
                TraceSay.chunked,
                parts: [
                    Bilingual(verbatim: "\(r.chunkCount)"), Bilingual(unit), Bilingual(verbatim: "\(r.wireBodyBytes)"),
                ])
        }
        if let e = body.encoding, body.decodeError == nil, e.contains("gzip") {
            size += Bilingual(TraceSay.gzipCompressed, "\(r.bodyBytes)")
        }
        if let f = r.firstByteMs, let c = r.completeMs { size += Bilingual(TraceSay.downloadedIn, formatMs(c - f)) }
        s.lines.append(size)
        if let e = body.decodeError { s.lines.append(Bilingual(TraceSay.gzipUndecodable, parts: [e])) }
        if body.partial {
            s.lines.append(
                Bilingual(
                    TraceSay.keptForG,
                    parts: [
                        Bilingual(verbatim: "\(keepLimit >> 20)"),
                        body.encoding == nil ? Bilingual(verbatim: "") : Bilingual(TraceSay.decoded),
                    ]))
        }
        if h.status >= 400 { s.status = .failed }
        return s
    }
}
