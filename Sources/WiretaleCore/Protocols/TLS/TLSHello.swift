// ClientHello and ServerHello bodies (RFC 8446 section 4.1.2, 4.1.3; RFC 5246 section 7.4.1), and
// the SSLv2-compatible ClientHello (RFC 5246 appendix E.2), read from one reassembled handshake
// message. Every length is checked against what is left; a message that does not add up is kept
// with what was read and a `malformed` reason.

/// A bounded big-endian reader over a byte array: every `read` returns nil on short input and
/// moves only on success (swift-nio's habit).
struct TLSReader {
    let bytes: [UInt8]
    var pos: Int
    let end: Int

    init(_ bytes: [UInt8], from: Int = 0, to: Int? = nil) {
        self.bytes = bytes
        pos = max(0, min(from, bytes.count))
        end = max(pos, min(to ?? bytes.count, bytes.count))
    }

    var remaining: Int { end - pos }

    mutating func u8() -> UInt8? {
        guard pos < end else { return nil }
        defer { pos += 1 }
        return bytes[pos]
    }

    mutating func u16() -> UInt16? {
        guard remaining >= 2 else { return nil }
        defer { pos += 2 }
        return UInt16(bytes[pos]) << 8 | UInt16(bytes[pos + 1])
    }

    mutating func u24() -> Int? {
        guard remaining >= 3 else { return nil }
        defer { pos += 3 }
        return Int(bytes[pos]) << 16 | Int(bytes[pos + 1]) << 8 | Int(bytes[pos + 2])
    }

    mutating func take(_ n: Int) -> [UInt8]? {
        guard n >= 0, remaining >= n else { return nil }
        defer { pos += n }
        return Array(bytes[pos..<pos + n])
    }

    /// A sub-reader over the next `n` bytes, which this reader steps over.
    mutating func sub(_ n: Int) -> TLSReader? {
        guard n >= 0, remaining >= n else { return nil }
        defer { pos += n }
        return TLSReader(bytes, from: pos, to: pos + n)
    }

    /// A sub-reader over a vector with a `lengthBytes`-byte length prefix.
    mutating func vector(_ lengthBytes: Int) -> TLSReader? {
        let save = pos
        let n: Int?
        switch lengthBytes {
        case 1: n = u8().map(Int.init)
        case 2: n = u16().map(Int.init)
        default: n = u24()
        }
        guard let n, let r = sub(n) else {
            pos = save
            return nil
        }
        return r
    }

    /// Reads an extensions block (a 2-byte length, then type, 2-byte length, data each), calling
    /// `visit` with each extension's type and data; returns why it did not fit, or nil.
    mutating func forEachExtension(of what: String, _ visit: (UInt16, inout TLSReader) -> Void) -> String? {
        guard var exts = vector(2) else { return what + " extensions do not fit" }
        while exts.remaining > 0 {
            guard let type = exts.u16(), var data = exts.vector(2) else { return what + " extension does not fit" }
            visit(type, &data)
        }
        return nil
    }

    /// The rest as 16-bit values (an odd byte left over is ignored).
    mutating func u16List(max cap: Int = 1024) -> [UInt16] {
        var out: [UInt16] = []
        while out.count < cap, let v = u16() { out.append(v) }
        return out
    }
}

/// Text from wire bytes: printable ASCII kept, anything else as `\xNN`, cut at `limit` bytes, so
/// that a name never carries control characters into a log.
func tlsPrintable(_ bytes: [UInt8], limit: Int = 255) -> String {
    var out: [UInt8] = []
    let digits = Array("0123456789abcdef".utf8)
    for b in bytes.prefix(limit) {
        if b >= 0x20 && b < 0x7f && b != UInt8(ascii: "\\") {
            out.append(b)
        } else {
            out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "x"), digits[Int(b >> 4)], digits[Int(b & 0xf)]])
        }
    }
    return String(decoding: out, as: UTF8.self)
}

/// A ClientHello as offered (RFC 8446 section 4.1.2), GREASE values kept where they were sent
/// (the fingerprint leaves them out).
public struct TLSClientHello: Sendable, Hashable {
    /// `legacy_version` (0x0303 for TLS 1.2 and 1.3 clients; 0x0002 for an SSLv2 hello).
    public var legacyVersion: UInt16 = 0
    public var random: [UInt8] = []
    public var sessionID: [UInt8] = []
    public var ciphers: [UInt16] = []
    public var compressionMethods: [UInt8] = []
    /// Extension types in the order sent.
    public var extensions: [UInt16] = []
    /// `server_name` (RFC 6066 section 3): the first host_name, printable ASCII.
    public var sni: String?
    /// `supported_versions` (RFC 8446 section 4.2.1), in order, GREASE included.
    public var supportedVersions: [UInt16] = []
    /// ALPN protocol names (RFC 7301), in order (at most 32, each cut at 255 bytes).
    public var alpn: [String] = []
    /// ALPN's first protocol name as bytes (JA4 looks at its first and last byte).
    public var firstALPNBytes: [UInt8] = []
    public var supportedGroups: [UInt16] = []
    public var signatureAlgorithms: [UInt16] = []
    /// The groups of `key_share`'s entries (RFC 8446 section 4.2.8).
    public var keyShareGroups: [UInt16] = []
    public var pskKeyExchangeModes: [UInt8] = []
    /// A `pre_shared_key` extension was sent (RFC 8446 section 4.2.11): resumption offered.
    public var hasPreSharedKey = false
    /// A `session_ticket` extension (RFC 5077) was sent, and the ticket's length (0: asks for one).
    public var hasSessionTicket = false
    public var sessionTicketLength = 0
    public var ecPointFormats: [UInt8] = []
    /// An SSLv2-compatible ClientHello (RFC 5246 appendix E.2): only versions and ciphers known;
    /// its 3-byte cipher specs with a first byte 0 are kept as TLS suites.
    public var sslv2 = false
    /// Why the message did not add up (what was read before is kept), or nil.
    public var malformed: String?

    public init() {}

    /// The versions offered: `supported_versions` without GREASE when sent, else the legacy one.
    public var offeredVersions: [UInt16] {
        let v = supportedVersions.filter { !TLSNames.isGREASE($0) }
        return v.isEmpty ? [legacyVersion] : v
    }

    /// Reads a ClientHello body (after the 4-byte handshake header).
    public init(body: [UInt8]) {
        var r = TLSReader(body)
        guard let v = r.u16(), let rnd = r.take(32) else {
            malformed = "ClientHello shorter than version and random"
            return
        }
        legacyVersion = v
        random = rnd
        guard var sid = r.vector(1), sid.remaining <= 32, let sidBytes = sid.take(sid.remaining) else {
            malformed = "ClientHello session id does not fit"
            return
        }
        sessionID = sidBytes
        guard var cs = r.vector(2) else {
            malformed = "ClientHello cipher suites do not fit"
            return
        }
        ciphers = cs.u16List()
        guard var cm = r.vector(1), let methods = cm.take(cm.remaining) else {
            malformed = "ClientHello compression methods do not fit"
            return
        }
        compressionMethods = methods
        guard r.remaining > 0 else { return }  // no extensions (TLS 1.0 era)
        var bad: String?
        malformed = r.forEachExtension(of: "ClientHello") { type, data in
            if extensions.count < 256 { extensions.append(type) }
            if !readExtension(type, &data) && bad == nil {
                bad = "ClientHello extension \(TLSNames.hex16(type)) malformed"
            }
        }
        if malformed == nil { malformed = bad }
        if r.remaining > 0 && malformed == nil { malformed = "ClientHello has bytes after its extensions" }
    }

    /// One extension's data; false when it does not parse.
    private mutating func readExtension(_ type: UInt16, _ d: inout TLSReader) -> Bool {
        switch type {
        case 0x0000:  // server_name
            guard d.remaining > 0 else { return true }  // a server's empty echo
            guard var list = d.vector(2) else { return false }
            while list.remaining > 0 {
                guard let nameType = list.u8(), var name = list.vector(2), let bytes = name.take(name.remaining)
                else { return false }
                if nameType == 0 && sni == nil { sni = tlsPrintable(bytes) }
            }
        case 0x002b:  // supported_versions
            guard var list = d.vector(1) else { return false }
            supportedVersions = list.u16List(max: 64)
        case 0x0010:  // ALPN
            guard var list = d.vector(2) else { return false }
            while list.remaining > 0 {
                guard var name = list.vector(1), let bytes = name.take(name.remaining) else { return false }
                if alpn.isEmpty { firstALPNBytes = bytes }
                if alpn.count < 32 { alpn.append(tlsPrintable(bytes)) }
            }
        case 0x000a:  // supported_groups
            guard var list = d.vector(2) else { return false }
            supportedGroups = list.u16List(max: 128)
        case 0x000d:  // signature_algorithms
            guard var list = d.vector(2) else { return false }
            signatureAlgorithms = list.u16List(max: 128)
        case 0x0033:  // key_share
            guard var list = d.vector(2) else { return false }
            while list.remaining > 0 {
                guard let g = list.u16(), list.vector(2) != nil else { return false }
                if keyShareGroups.count < 32 { keyShareGroups.append(g) }
            }
        case 0x002d:  // psk_key_exchange_modes
            guard var list = d.vector(1), let modes = list.take(list.remaining) else { return false }
            pskKeyExchangeModes = Array(modes.prefix(16))
        case 0x0029:  // pre_shared_key
            hasPreSharedKey = true
        case 0x0023:  // session_ticket
            hasSessionTicket = true
            sessionTicketLength = d.remaining
        case 0x000b:  // ec_point_formats
            guard var list = d.vector(1), let formats = list.take(list.remaining) else { return false }
            ecPointFormats = Array(formats.prefix(16))
        default:
            break
        }
        return true
    }

    /// Reads an SSLv2-compatible ClientHello (RFC 5246 appendix E.2) from its body: msg_type (1),
    /// version, cipher_spec_length, session_id_length, challenge_length, then the three.
    public init(sslv2Body body: [UInt8]) {
        sslv2 = true
        var r = TLSReader(body)
        guard r.u8() == 1, let v = r.u16(), let cl = r.u16(), let sl = r.u16(), let chl = r.u16() else {
            malformed = "SSLv2 ClientHello too short"
            return
        }
        legacyVersion = v
        guard cl % 3 == 0, var specs = r.sub(Int(cl)), let sid = r.take(Int(sl)), let challenge = r.take(Int(chl))
        else {
            malformed = "SSLv2 ClientHello lengths do not fit"
            return
        }
        while let a = specs.u8(), let b = specs.u16() {
            if a == 0 && ciphers.count < 1024 { ciphers.append(b) }
        }
        sessionID = sid
        random = challenge
    }
}

/// A ServerHello or HelloRetryRequest (RFC 8446 section 4.1.3, 4.1.4; RFC 5246 section 7.4.1.3).
public struct TLSServerHello: Sendable, Hashable {
    public var legacyVersion: UInt16 = 0
    public var random: [UInt8] = []
    public var sessionID: [UInt8] = []
    public var cipher: UInt16 = 0
    public var compressionMethod: UInt8 = 0
    public var extensions: [UInt16] = []
    /// `supported_versions`' selected version (TLS 1.3, RFC 8446 section 4.2.1).
    public var selectedVersion: UInt16?
    /// The protocol ALPN selected (RFC 7301 section 3.1).
    public var alpn: String?
    /// `key_share`'s group (a HelloRetryRequest's is the group it asks for).
    public var keyShareGroup: UInt16?
    /// A `pre_shared_key` extension: the server accepted a PSK (TLS 1.3 resumption).
    public var hasPreSharedKey = false
    /// A `session_ticket` extension (RFC 5077): a NewSessionTicket will follow.
    public var hasSessionTicket = false
    /// The random is HelloRetryRequest's special value (RFC 8446 section 4.1.3).
    public var isHelloRetryRequest = false
    public var malformed: String?

    public init() {}

    /// The negotiated version: `supported_versions` when sent, else `legacy_version`.
    public var version: UInt16 { selectedVersion ?? legacyVersion }

    /// SHA-256("HelloRetryRequest"), the random a HelloRetryRequest carries (RFC 8446 section 4.1.3).
    public static let helloRetryRandom: [UInt8] = [
        0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
        0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
    ]

    /// Reads a ServerHello body (after the 4-byte handshake header).
    public init(body: [UInt8]) {
        var r = TLSReader(body)
        guard let v = r.u16(), let rnd = r.take(32) else {
            malformed = "ServerHello shorter than version and random"
            return
        }
        legacyVersion = v
        random = rnd
        isHelloRetryRequest = rnd == TLSServerHello.helloRetryRandom
        guard var sid = r.vector(1), sid.remaining <= 32, let sidBytes = sid.take(sid.remaining),
            let c = r.u16(), let cm = r.u8()
        else {
            malformed = "ServerHello session id, cipher or compression does not fit"
            return
        }
        sessionID = sidBytes
        cipher = c
        compressionMethod = cm
        guard r.remaining > 0 else { return }
        malformed = r.forEachExtension(of: "ServerHello") { type, d in
            if extensions.count < 64 { extensions.append(type) }
            switch type {
            case 0x002b:
                selectedVersion = d.u16()
            case 0x0010:
                if var list = d.vector(2), var name = list.vector(1), let bytes = name.take(name.remaining) {
                    alpn = tlsPrintable(bytes)
                }
            case 0x0033:
                keyShareGroup = d.u16()
            case 0x0029:
                hasPreSharedKey = true
            case 0x0023:
                hasSessionTicket = true
            default:
                break
            }
        }
    }
}
