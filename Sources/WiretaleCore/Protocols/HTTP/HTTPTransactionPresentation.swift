// How HTTP messages and transactions are written: `read`'s text on the frame completing a message
// and its JSON `http` object, and `conversations --format json`'s one line per transaction. The
// JSON keys are a public interface.

extension HTTPMessageSummary {
    /// The text `read` shows on the completing frame: `HTTP GET /index.html (host example.org)`,
    /// `HTTP 200 OK text/html 5120 bytes`, `HTTP 100 Continue`, `HTTP/0.9 reply 312 bytes`;
    /// a marked message ends in `[malformed HTTP: …]` (alone when nothing else is known).
    public func appendSummary(to o: inout OutputBuffer, lang: NotesLanguage = .en) {
        var wrote = true
        switch kind {
        case .request:
            if let method {
                o.append("HTTP ")
                o.append(method)
                if let uri, !uri.isEmpty {
                    o.append(byte: 0x20)
                    o.append(uri)
                }
                if http09 { o.append(" (HTTP/0.9)") }
                if let host { o.append(HTTPLabel.frameHost, lang) { o, _ in o.append(host) } }
                if bodyLength > 0 { appendLength(to: &o, lang: lang) }
            } else {
                wrote = false
            }
        case .response:
            if let status {
                o.append("HTTP ")
                o.append(status)
                if let reason, !reason.isEmpty {
                    o.append(byte: 0x20)
                    o.append(reason)
                }
                if !isInterim {
                    if let contentType {
                        o.append(byte: 0x20)
                        o.append(contentType)
                    }
                    appendLength(to: &o, lang: lang)
                }
            } else if http09 {
                o.append(HTTPLabel.frameHTTP09Reply, lang)
                appendLength(to: &o, lang: lang)
            } else if malformed != nil && firstFrame == lastFrame && bodyLength == 0 && gapBytes == 0 {
                wrote = false
            } else {
                o.append(HTTPLabel.frameReply, lang)
                appendLength(to: &o, lang: lang)
            }
        }
        if gapBytes > 0 { o.append(HTTPLabel.frameGap, lang, gapBytes) }
        if let malformed {
            if wrote { o.append(byte: 0x20) }
            o.append(HTTPLabel.frameMalformed, lang) { o, _ in o.append(malformed) }
        }
    }

    private func appendLength(to o: inout OutputBuffer, lang: NotesLanguage) {
        guard bodyLength > 0 || http09 else { return }
        o.append(HTTPLabel.frameBytes, lang, bodyLength)
        guard let decodedBodyLength else { return }
        switch decodedBodyLength {
        case .bytes(let n): o.append(HTTPLabel.frameDecoded, lang, n)
        case .moreThan(let n): o.append(HTTPLabel.frameDecodedMore, lang, n)
        case .incomplete, .corrupt, .refused:
            break
        }
    }

    /// The `http` object `read --format json` puts on the completing frame: `kind`, the request's
    /// `method`, `uri`, `host`, `user_agent` or the response's `status`, `reason` (null for the
    /// other kind), `version`, `content_type`, `body_len`, `decoded_body_len`, `first_frame`,
    /// `last_frame`, `malformed` (the text, or null) and a few flags.
    public func appendJSON(to o: inout OutputBuffer) {
        o.beginObject()
        o.field("kind", kind == .request ? "request" as StaticString : "response")
        o.field("method", method)
        o.field("uri", uri)
        o.field("host", host)
        o.field("version", version)
        o.field("user_agent", userAgent)
        o.field("status", status)
        o.field("reason", reason)
        o.field("content_type", contentType)
        o.field("body_len", bodyLength)
        o.field("decoded_body_len", decodedBodyLength?.exact)
        o.field("interim", isInterim)
        o.field("http09", http09)
        o.field("gap_bytes", gapBytes)
        o.field("first_frame", firstFrame)
        o.field("last_frame", lastFrame)
        o.field("malformed", malformed)
        o.endObject()
    }
}

extension HTTPTransaction {
    /// One line (NDJSON) for `conversations --format json`: `{"kind":"http","stream":N,...}` with
    /// Zeek's http.log fields under tshark's and Zeek's names (`method`, `uri`, `host`,
    /// `version`, `user_agent`, `status`, `reason`, `content_type`, `request_body_len`,
    /// `response_body_len`), the frames, `latency_ms`, and what else is known (decoded lengths,
    /// interim statuses, gaps, problems, flags); null for what is unknown.
    public func appendJSON(stream: Int, to o: inout OutputBuffer) {
        o.beginObject()
        o.field("kind", "http" as StaticString)
        o.field("stream", stream)
        o.field("index", index)
        o.field("method", method)
        o.field("uri", uri)
        o.field("host", host)
        o.field("version", version)
        o.field("user_agent", userAgent)
        o.field("status", status)
        o.field("reason", reason)
        o.field("content_type", contentType)
        o.field("request_body_len", requestBodyLength)
        o.field("response_body_len", responseBodyLength)
        o.field("request_frame", requestFrame)
        o.field("response_frame", responseFrame)
        o.field("latency_ms", milliseconds: latency)
        o.field("request_first_frame", requestFirstFrame)
        o.field("response_first_frame", responseFirstFrame)
        o.field("response_version", responseVersion)
        o.field("request_content_type", requestContentType)
        o.beginArray("interim")
        for s in interim { o.value(s) }
        o.endArray()
        o.field("request_coding", requestCoding)
        o.field("request_decoded_body_len", requestDecodedLength?.exact)
        o.key("request_decoding")
        if let d = requestDecodedLength { o.value(d.code) } else { o.nullValue() }
        o.field("response_coding", responseCoding)
        o.field("response_decoded_body_len", responseDecodedLength?.exact)
        o.key("response_decoding")
        if let d = responseDecodedLength { o.value(d.code) } else { o.nullValue() }
        o.field("request_gap_bytes", requestGapBytes)
        o.field("response_gap_bytes", responseGapBytes)
        o.field("malformed", isMalformed)
        o.beginArray("problems")
        for p in problems {
            o.beginObject()
            o.field("place", p.place.code)
            o.field("frame", p.frame)
            o.field("offset", p.offset)
            o.field("line", p.line)
            o.field("text", p.text)
            o.endObject()
        }
        o.endArray()
        if moreProblems > 0 { o.field("more_problems", moreProblems) }
        o.field("http09", flags.contains(.http09))
        o.field("no_request", flags.contains(.noRequest))
        o.field("no_response", flags.contains(.noResponse))
        o.field("request_incomplete", flags.contains(.requestIncomplete))
        o.field("response_incomplete", flags.contains(.responseIncomplete))
        o.field("evicted_at_cap", flags.contains(.evictedAtCap))
        o.field("upgraded", flags.contains(.upgraded))
        o.field("connect", flags.contains(.connect))
        o.field("left_to", leftTo)
        o.endObject()
        o.endRecord()
    }

    /// One line per interim (1xx) status before the final response, for a consumer that counts
    /// responses as tshark does (it lists a 100 Continue as a response of its own): `{"kind":"http",
    /// "stream":N,"index":I,"interim_of":I,"method":null,"uri":null,"status":100}`. Nothing when there
    /// was none; `appendJSON` keeps them in its `interim` array either way.
    public func appendInterimJSON(stream: Int, to o: inout OutputBuffer) {
        for s in interim {
            o.beginObject()
            o.field("kind", "http" as StaticString)
            o.field("stream", stream)
            o.field("index", index)
            o.field("interim_of", index)
            o.field("method", nil as String?)
            o.field("uri", nil as String?)
            o.field("status", s)
            o.endObject()
            o.endRecord()
        }
    }
}
