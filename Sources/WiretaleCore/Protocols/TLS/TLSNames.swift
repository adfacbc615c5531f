// The TLS registries' names (IANA "TLS Parameters"), in one place for every writer: versions,
// cipher suites, alerts (RFC 8446 section 6, RFC 5246 section 7.2), handshake types, groups, and
// GREASE (RFC 8701). An unknown number is shown as `0xXXXX`, so nothing is lost.

/// TLS numbers and their names.
public enum TLSNames {
    /// Whether `v` is a GREASE value (RFC 8701 section 2: 0x0A0A, 0x1A1A … 0xFAFA), which a client
    /// sends to keep servers tolerant and which fingerprints leave out.
    public static func isGREASE(_ v: UInt16) -> Bool { v & 0x0f0f == 0x0a0a && v >> 8 == v & 0xff }

    /// "SSL 3.0", "TLS 1.0" … "TLS 1.3", "TLS 1.3 draft N" (0x7fNN), "SSL 2.0", else "0xXXXX".
    public static func version(_ v: UInt16) -> String {
        switch v {
        case 0x0002: return "SSL 2.0"
        case 0x0300: return "SSL 3.0"
        case 0x0301: return "TLS 1.0"
        case 0x0302: return "TLS 1.1"
        case 0x0303: return "TLS 1.2"
        case 0x0304: return "TLS 1.3"
        case 0x7f00...0x7fff: return "TLS 1.3 draft \(v & 0xff)"
        default: return hex16(v)
        }
    }

    /// `0x1301` and such, four lower-case hex digits.
    public static func hex16(_ v: UInt16) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var s: [UInt8] = Array("0x".utf8)
        for shift in [12, 8, 4, 0] { s.append(digits[Int(v >> UInt16(shift)) & 0xf]) }
        return String(decoding: s, as: UTF8.self)
    }

    /// The IANA name of a cipher suite; unknown ones as "0xXXXX".
    public static func cipher(_ v: UInt16) -> String { cipherName(v) ?? hex16(v) }

    /// The IANA name of a cipher suite in the table (TLS 1.3's five, the common ECDHE, DHE and RSA
    /// AES-GCM, AES-CBC, CHACHA20, 3DES and RC4 suites), or nil.
    public static func cipherName(_ v: UInt16) -> String? {
        switch v {
        case 0x1301: return "TLS_AES_128_GCM_SHA256"
        case 0x1302: return "TLS_AES_256_GCM_SHA384"
        case 0x1303: return "TLS_CHACHA20_POLY1305_SHA256"
        case 0x1304: return "TLS_AES_128_CCM_SHA256"
        case 0x1305: return "TLS_AES_128_CCM_8_SHA256"
        case 0xc02b: return "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"
        case 0xc02c: return "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"
        case 0xc02f: return "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
        case 0xc030: return "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"
        case 0xcca8: return "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"
        case 0xcca9: return "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"
        case 0xccaa: return "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256"
        case 0xc009: return "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"
        case 0xc00a: return "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"
        case 0xc013: return "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"
        case 0xc014: return "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"
        case 0xc023: return "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"
        case 0xc024: return "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384"
        case 0xc027: return "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"
        case 0xc028: return "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384"
        case 0xc012: return "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA"
        case 0xc008: return "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA"
        case 0xc011: return "TLS_ECDHE_RSA_WITH_RC4_128_SHA"
        case 0xc007: return "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA"
        case 0x009e: return "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"
        case 0x009f: return "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"
        case 0x00a2: return "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256"
        case 0x00a3: return "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384"
        case 0x0033: return "TLS_DHE_RSA_WITH_AES_128_CBC_SHA"
        case 0x0039: return "TLS_DHE_RSA_WITH_AES_256_CBC_SHA"
        case 0x0032: return "TLS_DHE_DSS_WITH_AES_128_CBC_SHA"
        case 0x0038: return "TLS_DHE_DSS_WITH_AES_256_CBC_SHA"
        case 0x0067: return "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256"
        case 0x006b: return "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256"
        case 0x0016: return "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA"
        case 0x009c: return "TLS_RSA_WITH_AES_128_GCM_SHA256"
        case 0x009d: return "TLS_RSA_WITH_AES_256_GCM_SHA384"
        case 0x002f: return "TLS_RSA_WITH_AES_128_CBC_SHA"
        case 0x0035: return "TLS_RSA_WITH_AES_256_CBC_SHA"
        case 0x003c: return "TLS_RSA_WITH_AES_128_CBC_SHA256"
        case 0x003d: return "TLS_RSA_WITH_AES_256_CBC_SHA256"
        case 0x000a: return "TLS_RSA_WITH_3DES_EDE_CBC_SHA"
        case 0x0005: return "TLS_RSA_WITH_RC4_128_SHA"
        case 0x0004: return "TLS_RSA_WITH_RC4_128_MD5"
        case 0x00ff: return "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"
        case 0x5600: return "TLS_FALLBACK_SCSV"
        default: return nil
        }
    }

    /// "warning", "fatal", else the number.
    public static func alertLevel(_ v: UInt8) -> String {
        switch v {
        case 1: return "warning"
        case 2: return "fatal"
        default: return "level \(v)"
        }
    }

    /// The alert description's name (RFC 8446 section 6, RFC 5246 section 7.2), else its number.
    public static func alertDescription(_ v: UInt8) -> String {
        switch v {
        case 0: return "close_notify"
        case 10: return "unexpected_message"
        case 20: return "bad_record_mac"
        case 21: return "decryption_failed"
        case 22: return "record_overflow"
        case 30: return "decompression_failure"
        case 40: return "handshake_failure"
        case 41: return "no_certificate"
        case 42: return "bad_certificate"
        case 43: return "unsupported_certificate"
        case 44: return "certificate_revoked"
        case 45: return "certificate_expired"
        case 46: return "certificate_unknown"
        case 47: return "illegal_parameter"
        case 48: return "unknown_ca"
        case 49: return "access_denied"
        case 50: return "decode_error"
        case 51: return "decrypt_error"
        case 60: return "export_restriction"
        case 70: return "protocol_version"
        case 71: return "insufficient_security"
        case 80: return "internal_error"
        case 86: return "inappropriate_fallback"
        case 90: return "user_canceled"
        case 100: return "no_renegotiation"
        case 109: return "missing_extension"
        case 110: return "unsupported_extension"
        case 111: return "certificate_unobtainable"
        case 112: return "unrecognized_name"
        case 113: return "bad_certificate_status_response"
        case 114: return "bad_certificate_hash_value"
        case 115: return "unknown_psk_identity"
        case 116: return "certificate_required"
        case 120: return "no_application_protocol"
        default: return "alert \(v)"
        }
    }

    /// The handshake message's name as tshark shows it ("ServerKeyExchange"), else "handshake N".
    public static func handshakeType(_ v: UInt8) -> String {
        switch v {
        case 0: return "HelloRequest"
        case 1: return "ClientHello"
        case 2: return "ServerHello"
        case 4: return "NewSessionTicket"
        case 5: return "EndOfEarlyData"
        case 8: return "EncryptedExtensions"
        case 11: return "Certificate"
        case 12: return "ServerKeyExchange"
        case 13: return "CertificateRequest"
        case 14: return "ServerHelloDone"
        case 15: return "CertificateVerify"
        case 16: return "ClientKeyExchange"
        case 20: return "Finished"
        case 22: return "CertificateStatus"
        case 24: return "KeyUpdate"
        case 254: return "MessageHash"
        default: return "handshake \(v)"
        }
    }

    /// The named group's name (RFC 8446 section 4.2.7, RFC 7919, the hybrid post-quantum ones),
    /// else "0xXXXX".
    public static func group(_ v: UInt16) -> String {
        switch v {
        case 0x0017: return "secp256r1"
        case 0x0018: return "secp384r1"
        case 0x0019: return "secp521r1"
        case 0x001d: return "x25519"
        case 0x001e: return "x448"
        case 0x0100: return "ffdhe2048"
        case 0x0101: return "ffdhe3072"
        case 0x0102: return "ffdhe4096"
        case 0x0103: return "ffdhe6144"
        case 0x0104: return "ffdhe8192"
        case 0x11ec: return "X25519MLKEM768"
        case 0x6399: return "X25519Kyber768Draft00"
        default: return hex16(v)
        }
    }
}
