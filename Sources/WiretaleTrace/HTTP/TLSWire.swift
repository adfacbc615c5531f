import WiretaleCore

/// Reads what a TLS handshake shows in the clear (RFC 8446 section 4.1.3, RFC 5246 section 7.4.1.3):
/// the ServerHello's version and cipher suite, and alerts. Fed the raw bytes from the socket.
struct TLSRecordSniffer {
    var serverHelloVersion: UInt16?
    var cipherSuite: UInt16?
    var alert: (level: UInt8, description: UInt8)?
    /// The first bytes look like an HTTP response, not TLS: the port speaks plain HTTP.
    var plainHTTP = false
    /// The first bytes are not a TLS record header (content type 20 to 24, version 3.x): what they
    /// were, printable.
    var notTLS: String?
    private var buffer: [UInt8] = []
    private var done = false
    var isDone: Bool { done }

    mutating func feed(_ bytes: [UInt8]) {
        guard !done else { return }
        buffer += bytes
        if buffer.count >= 5, buffer.starts(with: Array("HTTP/".utf8)) {
            plainHTTP = true
            notTLS = HTTPParser.printable(buffer.prefix(16))
            done = true
            return
        }
        if buffer.count < 5, Array("HTTP/".utf8).starts(with: buffer) { return }  // wait: plain HTTP?
        if buffer.count >= 2, !(20...24).contains(buffer[0]) || buffer[1] != 3 {
            notTLS = HTTPParser.printable(buffer.prefix(16))
            done = true
            return
        }
        while buffer.count >= 5 {
            let type = buffer[0]
            let len = Int(buffer[3]) << 8 | Int(buffer[4])
            guard buffer.count >= 5 + len else { return }
            let body = Array(buffer[5..<(5 + len)])
            buffer.removeFirst(5 + len)
            switch type {
            case 22: handshake(body)
            case 21: if body.count >= 2 { alert = (body[0], body[1]) }
            case 20, 23:
                done = true  // ChangeCipherSpec / encrypted data: nothing more in the clear
                return
            default:
                done = true
                return
            }
        }
        if buffer.count > 65536 { done = true }
    }

    private mutating func handshake(_ b: [UInt8]) {
        // ServerHello: type 2, 3-byte length, legacy_version, random[32], session id, cipher suite,
        // compression method, extensions (supported_versions = 43 carries the real version for 1.3).
        guard b.count >= 4 + 2 + 32 + 1, b[0] == 2, serverHelloVersion == nil else { return }
        var p = 4
        var version = UInt16(b[p]) << 8 | UInt16(b[p + 1])
        p += 2 + 32
        let sid = Int(b[p])
        p += 1 + sid
        guard p + 3 <= b.count else { return }
        cipherSuite = UInt16(b[p]) << 8 | UInt16(b[p + 1])
        p += 3
        if p + 2 <= b.count {
            let extEnd = min(b.count, p + 2 + (Int(b[p]) << 8 | Int(b[p + 1])))
            p += 2
            while p + 4 <= extEnd {
                let t = Int(b[p]) << 8 | Int(b[p + 1])
                let l = Int(b[p + 2]) << 8 | Int(b[p + 3])
                if t == 43, l == 2, p + 6 <= extEnd { version = UInt16(b[p + 4]) << 8 | UInt16(b[p + 5]) }
                p += 4 + l
            }
        }
        serverHelloVersion = version
    }

    static func versionName(_ v: UInt16) -> String {
        switch v {
        case 0x0304: "TLS 1.3"
        case 0x0303: "TLS 1.2"
        case 0x0302: "TLS 1.1"
        case 0x0301: "TLS 1.0"
        default: String(format3: Double(v), decimals: 0)
        }
    }

    /// IANA names of the suites a modern server picks.
    static func cipherName(_ c: UInt16) -> String {
        switch c {
        case 0x1301: "TLS_AES_128_GCM_SHA256"
        case 0x1302: "TLS_AES_256_GCM_SHA384"
        case 0x1303: "TLS_CHACHA20_POLY1305_SHA256"
        case 0xC02B: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"
        case 0xC02C: "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"
        case 0xC02F: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
        case 0xC030: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"
        case 0xCCA8: "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"
        case 0xCCA9: "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"
        case 0x009C: "TLS_RSA_WITH_AES_128_GCM_SHA256"
        case 0x009D: "TLS_RSA_WITH_AES_256_GCM_SHA384"
        case 0xC013: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"
        case 0xC014: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"
        default:
            "0x" + String(c, radix: 16, uppercase: true)
        }
    }

    /// Alert descriptions (RFC 8446 section 6).
    static func alertName(_ d: UInt8) -> String {
        switch d {
        case 0: "close_notify"
        case 10: "unexpected_message"
        case 20: "bad_record_mac"
        case 40: "handshake_failure"
        case 42: "bad_certificate"
        case 43: "unsupported_certificate"
        case 44: "certificate_revoked"
        case 45: "certificate_expired"
        case 46: "certificate_unknown"
        case 47: "illegal_parameter"
        case 48: "unknown_ca"
        case 50: "decode_error"
        case 51: "decrypt_error"
        case 70: "protocol_version"
        case 71: "insufficient_security"
        case 80: "internal_error"
        case 86: "inappropriate_fallback"
        case 109: "missing_extension"
        case 110: "unsupported_extension"
        case 112: "unrecognized_name"
        case 116: "certificate_required"
        case 120: "no_application_protocol"
        default: "alert \(d)"
        }
    }
}
