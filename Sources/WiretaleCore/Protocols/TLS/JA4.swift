// JA4, FoxIO's TLS client fingerprint (github.com/FoxIO-LLC/ja4, technical_details/JA4.md), for
// TLS over TCP: `t`, the version, `d`/`i` for SNI, the cipher and extension counts, ALPN's first
// and last character, then two truncated SHA-256 hashes. GREASE values (RFC 8701) are left out
// everywhere.

extension TLSClientHello {
    /// JA4 (`t13d1516h2_8daaf6152771_e5627efa2ab1`).
    public var ja4: String { ja4Parts(raw: false) }

    /// JA4_r: the same with the sorted lists in place of their hashes.
    public var ja4Raw: String { ja4Parts(raw: true) }

    /// JA4's first part: `t`, version, `d`/`i`, counts, ALPN.
    public var ja4a: String {
        let versions = supportedVersions.filter { !TLSNames.isGREASE($0) }
        let v = versions.max() ?? legacyVersion
        let version: String
        switch v {
        case 0x0304: version = "13"
        case 0x0303: version = "12"
        case 0x0302: version = "11"
        case 0x0301: version = "10"
        case 0x0300: version = "s3"
        case 0x0002: version = "s2"
        case 0xfeff: version = "d1"
        case 0xfefd: version = "d2"
        case 0xfefc: version = "d3"
        default: version = "00"
        }
        let sniFlag = extensions.contains(0x0000) ? "d" : "i"
        let cipherCount = min(99, ciphers.filter { !TLSNames.isGREASE($0) }.count)
        let extensionCount = min(99, extensions.filter { !TLSNames.isGREASE($0) }.count)
        return "t" + version + sniFlag + twoDigits(cipherCount) + twoDigits(extensionCount) + ja4ALPN
    }

    /// ALPN's first and last character; `00` when none; the first and last hex digit of the value
    /// when either end is not ASCII alphanumeric.
    var ja4ALPN: String {
        guard let first = firstALPNBytes.first, let last = firstALPNBytes.last else { return "00" }
        func alnum(_ b: UInt8) -> Bool {
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a)
        }
        if alnum(first) && alnum(last) { return String(decoding: [first, last], as: UTF8.self) }
        let hex = Array(SHA256.hex(firstALPNBytes).utf8)
        return String(decoding: [hex[0], hex[hex.count - 1]], as: UTF8.self)
    }

    private func ja4Parts(raw: Bool) -> String {
        let cipherList = ciphers.filter { !TLSNames.isGREASE($0) }.sorted().map(hex4).joined(separator: ",")
        let extensionList = extensions.filter { !TLSNames.isGREASE($0) && $0 != 0x0000 && $0 != 0x0010 }
            .sorted().map(hex4).joined(separator: ",")
        var c = extensionList
        if !signatureAlgorithms.isEmpty {
            c += "_" + signatureAlgorithms.filter { !TLSNames.isGREASE($0) }.map(hex4).joined(separator: ",")
        }
        if raw { return ja4a + "_" + cipherList + "_" + c }
        let b = cipherList.isEmpty ? "000000000000" : SHA256.hex(SHA256.digest(Array(cipherList.utf8)), limit: 12)
        let cHash = extensionList.isEmpty ? "000000000000" : SHA256.hex(SHA256.digest(Array(c.utf8)), limit: 12)
        return ja4a + "_" + b + "_" + cHash
    }
}

private func twoDigits(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

private func hex4(_ v: UInt16) -> String { String(TLSNames.hex16(v).dropFirst(2)) }
