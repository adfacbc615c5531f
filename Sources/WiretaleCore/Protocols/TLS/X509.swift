// Enough of X.509 (RFC 5280 section 4.1) in ASN.1 DER (X.690) to write Zeek's x509.log fields:
// serial, subject and issuer (as RFC 4514 strings, most specific first, and their CN), validity,
// the subject alternative names (dNSName, iPAddress, rfc822Name, URI) and the key algorithm.
// Bounded: nesting is a fixed path, lengths are checked against their parent, strings cut at 256
// bytes, at most 64 SANs. A certificate that does not parse keeps what was read and says why.

/// One certificate of a chain, as Zeek's x509.log has it.
public struct X509Certificate: Sendable, Hashable {
    /// The DER length.
    public var length = 0
    /// Version (1, 2 or 3).
    public var version = 1
    /// Serial number as upper-case hex (Zeek's `certificate.serial`).
    public var serial = ""
    /// The subject and issuer as RFC 4514 strings (`CN=example.org,O=Example,C=US`).
    public var subject = ""
    public var issuer = ""
    /// The subject's and issuer's common names (2.5.4.3), when present.
    public var subjectCN: String?
    public var issuerCN: String?
    /// Validity, as RFC 3339 UTC (`2026-01-31T12:00:00Z`).
    public var notBefore: String?
    public var notAfter: String?
    /// Subject alternative names (RFC 5280 section 4.2.1.6).
    public var sanDNS: [String] = []
    public var sanIP: [String] = []
    public var sanEmail: [String] = []
    public var sanURI: [String] = []
    /// The public key's algorithm ("rsaEncryption", "id-ecPublicKey", "Ed25519"… or the OID).
    public var keyAlgorithm: String?
    /// Why the certificate did not parse (what was read before is kept), or nil.
    public var malformed: String?

    public init() {}

    /// Whether subject and issuer are the same name (a self-signed or root certificate).
    public var isSelfIssued: Bool { !subject.isEmpty && subject == issuer }

    /// Reads one DER certificate.
    public init(der: [UInt8]) {
        length = der.count
        var top = DERReader(der)
        guard var cert = top.element(0x30), var tbs = cert.element(0x30) else {
            malformed = "not a DER certificate (no outer SEQUENCE)"
            return
        }
        if tbs.peekTag == 0xa0 {
            if var v = tbs.element(0xa0), var n = v.element(0x02), let b = n.rest(), b.count == 1 {
                version = Int(b[0]) + 1
            }
        }
        guard var s = tbs.element(0x02), let serialBytes = s.rest() else {
            malformed = "no serial number"
            return
        }
        serial = serialHex(serialBytes)
        guard tbs.element(0x30) != nil else {
            malformed = "no signature algorithm"
            return
        }
        guard var issuerName = tbs.element(0x30) else {
            malformed = "no issuer"
            return
        }
        (issuer, issuerCN) = readName(&issuerName)
        guard var validity = tbs.element(0x30) else {
            malformed = "no validity"
            return
        }
        notBefore = validity.time()
        notAfter = validity.time()
        if notBefore == nil || notAfter == nil { malformed = "validity times malformed" }
        guard var subjectName = tbs.element(0x30) else {
            malformed = "no subject"
            return
        }
        (subject, subjectCN) = readName(&subjectName)
        guard var spki = tbs.element(0x30) else {
            malformed = "no subject public key info"
            return
        }
        if var alg = spki.element(0x30), var oid = alg.element(0x06), let o = oid.rest() {
            keyAlgorithm = oidName(o)
        }
        while tbs.remaining > 0 {
            guard let tag = tbs.peekTag, var el = tbs.element(tag) else {
                malformed = "trailing TBSCertificate field malformed"
                return
            }
            if tag == 0xa3, var exts = el.element(0x30) {
                readExtensions(&exts)
            }
        }
    }

    private mutating func readExtensions(_ exts: inout DERReader) {
        while exts.remaining > 0 {
            guard var ext = exts.element(0x30), var oidEl = ext.element(0x06), let oid = oidEl.rest() else {
                malformed = "extension malformed"
                return
            }
            if ext.peekTag == 0x01 { _ = ext.element(0x01) }
            guard oid == [0x55, 0x1d, 0x11] else { continue }  // subjectAltName 2.5.29.17
            guard var octets = ext.element(0x04), var names = octets.element(0x30) else {
                malformed = "subjectAltName malformed"
                return
            }
            var count = 0
            while names.remaining > 0, count < 64 {
                guard let tag = names.peekTag, var n = names.element(tag), let bytes = n.rest() else {
                    malformed = "subjectAltName entry malformed"
                    return
                }
                count += 1
                switch tag {
                case 0x82: sanDNS.append(tlsPrintable(bytes))
                case 0x81: sanEmail.append(tlsPrintable(bytes))
                case 0x86: sanURI.append(tlsPrintable(bytes))
                case 0x87: sanIP.append(ipText(bytes))
                default: break
                }
            }
        }
    }
}

/// DER is read with the TLS reader: `element(tag)` reads the next TLV when its tag is `tag` and
/// returns a reader over its contents, moving only on success.
typealias DERReader = TLSReader

extension TLSReader {
    var peekTag: UInt8? { pos < end ? bytes[pos] : nil }

    /// The next element's contents when its tag is `tag` (low-tag-number form, definite length of
    /// at most 4 length bytes, as DER requires), else nil.
    mutating func element(_ tag: UInt8) -> DERReader? {
        guard remaining >= 2, bytes[pos] == tag, tag & 0x1f != 0x1f else { return nil }
        var p = pos + 1
        var n = Int(bytes[p])
        p += 1
        if n & 0x80 != 0 {
            let k = n & 0x7f
            guard k >= 1, k <= 4, end - p >= k else { return nil }
            n = 0
            for i in 0..<k { n = n << 8 | Int(bytes[p + i]) }
            p += k
        }
        guard n <= end - p else { return nil }
        pos = p + n
        return DERReader(bytes, from: p, to: p + n)
    }

    /// The rest of the contents, at most 4 KiB of them.
    mutating func rest() -> [UInt8]? {
        guard remaining <= 4096 else { return nil }
        defer { pos = end }
        return Array(bytes[pos..<end])
    }

    /// A UTCTime or GeneralizedTime (RFC 5280 section 4.1.2.5) as RFC 3339 UTC.
    mutating func time() -> String? {
        let d: [UInt8]
        var year: Int
        if var t = element(0x17), let b = t.rest(), b.count >= 13 {
            d = b
            guard let yy = digits(d, 0, 2) else { return nil }
            year = yy < 50 ? 2000 + yy : 1900 + yy
            return format(year: year, d, at: 2)
        } else if var t = element(0x18), let b = t.rest(), b.count >= 15 {
            d = b
            guard let y = digits(d, 0, 4) else { return nil }
            year = y
            return format(year: year, d, at: 4)
        }
        return nil
    }

    private func format(year: Int, _ d: [UInt8], at i: Int) -> String? {
        guard let mo = digits(d, i, 2), let day = digits(d, i + 2, 2), let h = digits(d, i + 4, 2),
            let mi = digits(d, i + 6, 2), let s = digits(d, i + 8, 2)
        else { return nil }
        func p2(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(year)-\(p2(mo))-\(p2(day))T\(p2(h)):\(p2(mi)):\(p2(s))Z"
    }

    private func digits(_ d: [UInt8], _ i: Int, _ n: Int) -> Int? {
        guard i + n <= d.count else { return nil }
        var v = 0
        for b in d[i..<i + n] {
            guard b >= 0x30, b <= 0x39 else { return nil }
            v = v * 10 + Int(b - 0x30)
        }
        return v
    }
}

/// A Name (RFC 5280 section 4.1.2.4) as an RFC 4514 string (last RDN first) and its CN.
private func readName(_ name: inout DERReader) -> (String, String?) {
    var rdns: [String] = []
    var cn: String?
    while name.remaining > 0, rdns.count < 32 {
        guard var set = name.element(0x31) else { break }
        var parts: [String] = []
        while set.remaining > 0, parts.count < 8 {
            guard var atv = set.element(0x30), var oidEl = atv.element(0x06), let oid = oidEl.rest(),
                let tag = atv.peekTag, var v = atv.element(tag), let raw = v.rest()
            else { break }
            let value = derString(tag, raw)
            if oid == [0x55, 0x04, 0x03] && cn == nil { cn = value }
            parts.append(attributeName(oid) + "=" + rfc4514Escape(value))
        }
        rdns.append(parts.joined(separator: "+"))
    }
    return (rdns.reversed().joined(separator: ","), cn)
}

private func attributeName(_ oid: [UInt8]) -> String {
    if oid.count == 3 && oid[0] == 0x55 && oid[1] == 0x04 {
        switch oid[2] {
        case 3: return "CN"
        case 4: return "SN"
        case 5: return "serialNumber"
        case 6: return "C"
        case 7: return "L"
        case 8: return "ST"
        case 9: return "street"
        case 10: return "O"
        case 11: return "OU"
        case 12: return "title"
        case 42: return "GN"
        case 97: return "organizationIdentifier"
        default: break
        }
    }
    if oid == [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01] { return "emailAddress" }
    if oid == [0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x19] { return "DC" }
    if oid == [0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x01] { return "UID" }
    return oidDotted(oid)
}

private func oidName(_ oid: [UInt8]) -> String {
    switch oid {
    case [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01]: return "rsaEncryption"
    case [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01]: return "id-ecPublicKey"
    case [0x2b, 0x65, 0x70]: return "Ed25519"
    case [0x2b, 0x65, 0x71]: return "Ed448"
    case [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a]: return "rsassaPss"
    case [0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01]: return "dsaEncryption"
    default: return oidDotted(oid)
    }
}

/// An OID's dotted form (X.690 section 8.19), sub-identifiers of at most 56 bits.
func oidDotted(_ oid: [UInt8]) -> String {
    var parts: [String] = []
    var v: UInt64 = 0
    var first = true
    for b in oid.prefix(64) {
        guard v < 1 << 56 else { return "oid?" }
        v = v << 7 | UInt64(b & 0x7f)
        if b & 0x80 != 0 { continue }
        if first {
            let a: UInt64 = v < 40 ? 0 : (v < 80 ? 1 : 2)
            parts.append("\(a)")
            parts.append("\(v - a * 40)")
            first = false
        } else {
            parts.append("\(v)")
        }
        v = 0
    }
    return parts.joined(separator: ".")
}

/// A directory string's text: UTF8String kept (control characters escaped), BMPString decoded
/// from UTF-16, the others as printable ASCII; at most 256 bytes read.
private func derString(_ tag: UInt8, _ raw: [UInt8]) -> String {
    let bytes = Array(raw.prefix(256))
    switch tag {
    case 0x0c:
        let s = String(decoding: bytes, as: UTF8.self)
        if s.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f || $0 == "\\" }) {
            return tlsPrintable(bytes)
        }
        return s
    case 0x1e:
        var units: [UInt16] = []
        var i = 0
        while i + 1 < bytes.count {
            units.append(UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1]))
            i += 2
        }
        let s = String(decoding: units, as: UTF16.self)
        if s.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) { return tlsPrintable(bytes) }
        return s
    default:
        return tlsPrintable(bytes)
    }
}

/// RFC 4514 section 2.4: `,`, `+`, `"`, `\`, `<`, `>`, `;` escaped with a backslash, and a
/// leading `#` or space and a trailing space.
private func rfc4514Escape(_ s: String) -> String {
    var out = ""
    let scalars = Array(s.unicodeScalars)
    for (i, c) in scalars.enumerated() {
        let special =
            ",+\"<>;".unicodeScalars.contains(c) || (i == 0 && (c == "#" || c == " "))
            || (i == scalars.count - 1 && c == " ")
        if special { out.append("\\") }
        out.unicodeScalars.append(c)
    }
    return out
}

private func serialHex(_ b: [UInt8]) -> String {
    var bytes = b[...]
    while bytes.count > 1 && bytes.first == 0 { bytes = bytes.dropFirst() }
    return SHA256.hex(Array(bytes)).uppercased()
}

private func ipText(_ b: [UInt8]) -> String {
    if b.count == 4 {
        return IPAddress(v4: UInt32(b[0]) << 24 | UInt32(b[1]) << 16 | UInt32(b[2]) << 8 | UInt32(b[3])).description
    }
    if b.count == 16 {
        var hi: UInt64 = 0
        var lo: UInt64 = 0
        for i in 0..<8 { hi = hi << 8 | UInt64(b[i]) }
        for i in 8..<16 { lo = lo << 8 | UInt64(b[i]) }
        return IPAddress(v6High: hi, low: lo).description
    }
    return SHA256.hex(Array(b.prefix(32)))
}
