// How TLS messages and handshakes are written: `read`'s one line on the frame completing a
// message, its JSON `tls` object, and `conversations --format json`'s one line per handshake. The
// JSON keys are a public interface. English only for now.

extension TLSMessage {
    /// The text `read` shows on the completing frame: `TLS ClientHello sni example.org alpn
    /// h2,http/1.1 TLS 1.3,1.2`, `TLS ServerHello TLS 1.3 TLS_AES_128_GCM_SHA256`, `TLS Certificate
    /// CN=example.org (3 certs)`, `TLS Alert fatal handshake_failure`, `TLS from here on encrypted:
    /// application data, 512 bytes`, `TLS application data 512 bytes (encrypted)`.
    public func appendSummary(to o: inout OutputBuffer) {
        o.append("TLS ")
        switch kind {
        case .clientHello:
            o.append("ClientHello")
            if let ch = clientHello {
                if ch.sslv2 { o.append(" (SSLv2-compatible)") }
                if let sni = ch.sni {
                    o.append(" sni ")
                    o.append(sni)
                }
                if !ch.alpn.isEmpty {
                    o.append(" alpn ")
                    o.append(ch.alpn.joined(separator: ","))
                }
                o.append(byte: 0x20)
                o.append(TLSMessage.versionList(ch.offeredVersions))
                if ch.hasPreSharedKey || ch.sessionTicketLength > 0 { o.append(" (resumption offered)") }
            }
        case .serverHello, .helloRetryRequest:
            o.append(kind == .serverHello ? "ServerHello" : "HelloRetryRequest")
            if let sh = serverHello {
                o.append(byte: 0x20)
                o.append(TLSNames.version(sh.version))
                o.append(byte: 0x20)
                o.append(TLSNames.cipher(sh.cipher))
                if let alpn = sh.alpn {
                    o.append(" alpn ")
                    o.append(alpn)
                }
                if kind == .helloRetryRequest, let g = sh.keyShareGroup {
                    o.append(" group ")
                    o.append(TLSNames.group(g))
                }
            }
        case .certificate:
            o.append("Certificate")
            if fromClient { o.append(" (client)") }
            if let leaf = certificates.first {
                o.append(byte: 0x20)
                if let cn = leaf.subjectCN {
                    o.append("CN=")
                    o.append(cn)
                } else {
                    o.append(leaf.subject.isEmpty ? "(no subject)" : leaf.subject)
                }
            }
            o.append(" (")
            o.append(certificates.count)
            o.append(certificates.count == 1 ? " cert)" : " certs)")
        case .handshake(let t):
            o.append(TLSNames.handshakeType(t))
        case .changeCipherSpec:
            o.append("ChangeCipherSpec")
        case .alert:
            o.append("Alert ")
            o.append(TLSNames.alertLevel(alertLevel))
            o.append(byte: 0x20)
            o.append(TLSNames.alertDescription(alertDescription))
        case .encryptedAlert:
            o.append("Alert (encrypted: level and description unreadable)")
        case .encryptedStart:
            o.append("from here on encrypted: ")
            o.append(recordType == 23 ? "application data, " : "handshake, ")
            o.append(bytes)
            o.append(" bytes")
        case .applicationData:
            o.append("application data ")
            o.append(bytes)
            o.append(" bytes (encrypted)")
        case .problem:
            o.append("problem")
        }
        if let problem {
            o.append(" [malformed TLS: ")
            o.append(problem)
            o.append("]")
        }
    }

    /// "TLS 1.3,1.2": the first version's full name, the others shortened when they share its
    /// prefix.
    static func versionList(_ versions: [UInt16]) -> String {
        var out = ""
        for (i, v) in versions.enumerated() {
            let name = TLSNames.version(v)
            if i == 0 {
                out = name
            } else {
                out += ","
                out += name.hasPrefix("TLS ") && out.hasPrefix("TLS ") ? String(name.dropFirst(4)) : name
            }
        }
        return out
    }

    /// The kind's JSON name.
    public var kindCode: String {
        switch kind {
        case .clientHello: return "client_hello"
        case .serverHello: return "server_hello"
        case .helloRetryRequest: return "hello_retry_request"
        case .certificate: return "certificate"
        case .handshake: return "handshake"
        case .changeCipherSpec: return "change_cipher_spec"
        case .alert: return "alert"
        case .encryptedAlert: return "encrypted_alert"
        case .encryptedStart: return "encrypted_start"
        case .applicationData: return "application_data"
        case .problem: return "problem"
        }
    }

    /// The `tls` object `read --format json` puts on the completing frame: `message`, `from_client`,
    /// `first_frame`, `frame`, `handshake_type`, and the message's own fields (`sni`, `versions`,
    /// `alpn`, `ja4`; `version`, `cipher`, `cipher_id`; `certificates`; `level`, `description`;
    /// `bytes`), `problem`.
    public func appendJSON(to o: inout OutputBuffer) {
        o.beginObject()
        o.field("message", kindCode)
        o.field("from_client", fromClient)
        o.field("first_frame", firstFrame)
        o.field("frame", frame)
        o.field("handshake", handshakeIndex)
        switch kind {
        case .handshake(let t):
            o.field("handshake_type", Int(t))
            o.field("name", TLSNames.handshakeType(t))
        case .clientHello:
            if let ch = clientHello {
                o.field("sni", ch.sni)
                appendVersions(ch.offeredVersions, key: "versions", to: &o)
                o.beginArray("alpn")
                for a in ch.alpn { o.value(a) }
                o.endArray()
                o.field("ja4", ch.ja4)
                o.field("sslv2", ch.sslv2)
            }
        case .serverHello, .helloRetryRequest:
            if let sh = serverHello {
                o.field("version", TLSNames.version(sh.version))
                o.field("cipher", TLSNames.cipher(sh.cipher))
                o.field("cipher_id", Int(sh.cipher))
                o.field("alpn_selected", sh.alpn)
            }
        case .certificate:
            o.beginArray("certificates")
            for c in certificates { c.appendJSON(to: &o) }
            o.endArray()
        case .alert:
            o.field("level", TLSNames.alertLevel(alertLevel))
            o.field("description", TLSNames.alertDescription(alertDescription))
        case .encryptedStart, .applicationData:
            o.field("bytes", bytes)
            o.field("record_type", Int(recordType))
        case .changeCipherSpec, .encryptedAlert, .problem:
            break
        }
        o.field("problem", problem)
        o.endObject()
    }
}

private func appendVersions(_ versions: [UInt16], key: StaticString, to o: inout OutputBuffer) {
    o.beginArray(key)
    for v in versions { o.value(TLSNames.version(v)) }
    o.endArray()
}

extension X509Certificate {
    /// A certificate as Zeek's x509.log has it: `serial`, `subject`, `issuer`, `cn`, `not_before`,
    /// `not_after`, `san_dns`, `san_ip`, `san_email`, `san_uri`, `key_alg`, `version`, `length`,
    /// `malformed`.
    public func appendJSON(to o: inout OutputBuffer) {
        o.beginObject()
        o.field("serial", serial)
        o.field("subject", subject)
        o.field("issuer", issuer)
        o.field("cn", subjectCN)
        o.field("not_before", notBefore)
        o.field("not_after", notAfter)
        o.strings("san_dns", sanDNS)
        o.strings("san_ip", sanIP)
        o.strings("san_email", sanEmail)
        o.strings("san_uri", sanURI)
        o.field("key_alg", keyAlgorithm)
        o.field("version", version)
        o.field("length", length)
        o.field("malformed", malformed)
        o.endObject()
    }
}

extension TLSHandshake {
    /// One line (NDJSON) for `conversations --format json`: `{"kind":"tls","stream":N,
    /// "client_hello_frame":…,"sni":…,"client_versions":[…],"alpn":[…],"ja4":…,
    /// "server_hello_frame":…,"version":"TLS 1.3","cipher":"TLS_AES_128_GCM_SHA256",
    /// "cipher_id":4865,"alpn_selected":…,"certificates":[…],"alert":…,"resumed":…}` and more
    /// (`hrr`, offered counts and groups, the encrypted frames, application data each way,
    /// problems); null for what is unknown.
    public func appendJSON(stream: Int, to o: inout OutputBuffer) {
        let ch = clientHello
        let sh = serverHello
        o.beginObject()
        o.field("kind", "tls" as StaticString)
        o.field("stream", stream)
        o.field("client_hello_frame", clientHelloFrame)
        o.field("sni", ch?.sni)
        o.beginArray("client_versions")
        for v in ch?.offeredVersions ?? [] { o.value(TLSNames.version(v)) }
        o.endArray()
        o.strings("alpn", ch?.alpn ?? [])
        o.field("ja4", ch?.ja4)
        o.field("server_hello_frame", serverHelloFrame)
        o.field("version", version.map(TLSNames.version))
        o.field("cipher", sh.map { TLSNames.cipher($0.cipher) })
        o.field("cipher_id", sh.map { Int($0.cipher) })
        o.field("alpn_selected", sh?.alpn)
        o.beginArray("certificates")
        for c in certificates { c.appendJSON(to: &o) }
        o.endArray()
        o.key("alert")
        if let l = alertLevel, let d = alertDescription {
            o.value(TLSNames.alertLevel(l) + " " + TLSNames.alertDescription(d))
        } else {
            o.nullValue()
        }
        o.field("resumed", resumed)
        o.field("hrr", isHelloRetryRequest)
        o.field("index", index)
        o.field("sslv2", ch?.sslv2 ?? false)
        o.field("ciphers_offered", ch.map { $0.ciphers.filter { !TLSNames.isGREASE($0) }.count })
        o.beginArray("groups")
        for g in ch?.supportedGroups ?? [] where !TLSNames.isGREASE(g) { o.value(TLSNames.group(g)) }
        o.endArray()
        o.beginArray("key_share_groups")
        for g in ch?.keyShareGroups ?? [] where !TLSNames.isGREASE(g) { o.value(TLSNames.group(g)) }
        o.endArray()
        o.field("session_ticket", ch?.hasSessionTicket ?? false)
        o.field("psk_offered", ch?.hasPreSharedKey ?? false)
        o.field("ja4_r", ch?.ja4Raw)
        o.field("legacy_version", sh.map { TLSNames.version($0.legacyVersion) })
        o.field("key_share_group", sh?.keyShareGroup.map(TLSNames.group))
        o.beginArray("client_certificates")
        for c in clientCertificates { c.appendJSON(to: &o) }
        o.endArray()
        o.field("alert_frame", alertFrame)
        o.field("alert_from_client", alertLevel == nil ? nil : alertFromClient)
        o.field("encrypted_alerts", encryptedAlerts)
        o.field("encrypted_frame_client", encryptedFrameClient)
        o.field("encrypted_frame_server", encryptedFrameServer)
        o.field("application_data_records_client", applicationDataRecordsClient)
        o.field("application_data_records_server", applicationDataRecordsServer)
        o.field("application_data_bytes_client", applicationDataBytesClient)
        o.field("application_data_bytes_server", applicationDataBytesServer)
        o.strings("problems", problems)
        if moreProblems > 0 { o.field("more_problems", moreProblems) }
        o.endObject()
        o.endRecord()
    }

    /// A one-line text summary for `conversations`: `TLS 1.3 TLS_AES_128_GCM_SHA256 sni
    /// example.org alpn h2 (resumed)`.
    public func appendSummary(to o: inout OutputBuffer) {
        // The version names the protocol (`TLS 1.3`, `SSL 3.0`); without one, `TLS` alone.
        if let v = version {
            o.append(TLSNames.version(v))
        } else {
            o.append("TLS")
        }
        if let sh = serverHello {
            o.append(byte: 0x20)
            o.append(TLSNames.cipher(sh.cipher))
        }
        if let sni = clientHello?.sni {
            o.append(" sni ")
            o.append(sni)
        }
        if let alpn = serverHello?.alpn {
            o.append(" alpn ")
            o.append(alpn)
        }
        if isHelloRetryRequest { o.append(" (HelloRetryRequest)") }
        if resumed { o.append(" (resumed)") }
        if let cn = certificates.first?.subjectCN {
            o.append(" cert CN=")
            o.append(cn)
        }
        if let l = alertLevel, let d = alertDescription {
            o.append(" alert ")
            o.append(TLSNames.alertLevel(l))
            o.append(byte: 0x20)
            o.append(TLSNames.alertDescription(d))
        }
    }
}

extension OutputBuffer {
    /// `"key":["a","b"]`.
    mutating func strings(_ key: StaticString, _ values: [String]) {
        beginArray(key)
        for v in values { value(v) }
        endArray()
    }
}
