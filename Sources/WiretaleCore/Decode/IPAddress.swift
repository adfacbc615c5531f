/// An IPv4 or IPv6 address held by value (no heap), comparable and hashable so it can key flows.
public struct IPAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// For IPv4 only `low`'s lower 32 bits are used and `high` is 0.
    public var high: UInt64
    public var low: UInt64
    public var isIPv6: Bool

    @inlinable public init(v4 value: UInt32) {
        high = 0
        low = UInt64(value)
        isIPv6 = false
    }

    @inlinable public init(v6High: UInt64, low: UInt64) {
        high = v6High
        self.low = low
        isIPv6 = true
    }

    /// Reads a 4-byte IPv4 address at `offset` (caller checked the bounds).
    @inlinable static func v4(_ b: UnsafeRawBufferPointer, _ offset: Int) -> IPAddress {
        IPAddress(v4: b.u32be(offset))
    }

    /// Reads a 16-byte IPv6 address at `offset` (caller checked the bounds).
    @inlinable static func v6(_ b: UnsafeRawBufferPointer, _ offset: Int) -> IPAddress {
        IPAddress(v6High: b.u64be(offset), low: b.u64be(offset + 8))
    }

    public var v4Value: UInt32 { UInt32(truncatingIfNeeded: low) }

    /// Parses dotted-quad IPv4 or RFC 4291 IPv6 text (with `::` and an embedded IPv4 tail).
    public init?(_ text: some StringProtocol) {
        if text.contains(":") {
            guard let v = IPAddress.parseV6(Substring(text)) else { return nil }
            self = v
        } else {
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 4 else { return nil }
            var v: UInt32 = 0
            for p in parts {
                guard !p.isEmpty, p.count <= 3, let n = UInt32(p), n < 256 else { return nil }
                v = v << 8 | n
            }
            self.init(v4: v)
        }
    }

    private static func parseV6(_ s: Substring) -> IPAddress? {
        var head: [UInt16] = []
        var tail: [UInt16] = []
        let halves = s.components(separatedByDoubleColon: ())
        guard halves.count <= 2 else { return nil }
        func groups(_ part: Substring, into out: inout [UInt16]) -> Bool {
            if part.isEmpty { return true }
            let items = part.split(separator: ":", omittingEmptySubsequences: false)
            for (i, g) in items.enumerated() {
                if i == items.count - 1, g.contains(".") {
                    guard let v4 = IPAddress(g), !v4.isIPv6 else { return false }
                    out.append(UInt16(v4.v4Value >> 16))
                    out.append(UInt16(v4.v4Value & 0xFFFF))
                    continue
                }
                guard !g.isEmpty, g.count <= 4, let n = UInt16(g, radix: 16) else { return false }
                out.append(n)
            }
            return true
        }
        guard groups(halves[0], into: &head) else { return nil }
        if halves.count == 2 {
            guard groups(halves[1], into: &tail) else { return nil }
            guard head.count + tail.count <= 7 else { return nil }
        } else {
            guard head.count == 8 else { return nil }
        }
        let all = head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        var hi: UInt64 = 0
        var lo: UInt64 = 0
        for i in 0..<4 { hi = hi << 16 | UInt64(all[i]) }
        for i in 4..<8 { lo = lo << 16 | UInt64(all[i]) }
        return IPAddress(v6High: hi, low: lo)
    }

    public static func < (a: IPAddress, b: IPAddress) -> Bool {
        if a.isIPv6 != b.isIPv6 { return !a.isIPv6 }
        return (a.high, a.low) < (b.high, b.low)
    }

    /// IPv4 limited or subnet-style broadcast (x.x.x.255 is only a guess; 255.255.255.255 is certain).
    public var isLimitedBroadcast: Bool { !isIPv6 && v4Value == 0xFFFF_FFFF }

    public var isMulticast: Bool {
        isIPv6 ? (high >> 56) == 0xFF : (v4Value >> 28) == 0xE
    }

    public var isLoopback: Bool {
        isIPv6 ? (high == 0 && low == 1) : (v4Value >> 24) == 127
    }

    /// Text form: dotted quad, or RFC 5952 canonical IPv6 (lower case, longest zero run as `::`).
    public var description: String {
        var out: [UInt8] = []
        out.reserveCapacity(40)
        appendText(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the text form to a byte buffer without building a String (output hot path).
    @inlinable public func appendText(to out: inout [UInt8]) {
        if !isIPv6 {
            let v = v4Value
            appendDecimal(UInt8(v >> 24), to: &out)
            out.append(UInt8(ascii: "."))
            appendDecimal(UInt8(truncatingIfNeeded: v >> 16), to: &out)
            out.append(UInt8(ascii: "."))
            appendDecimal(UInt8(truncatingIfNeeded: v >> 8), to: &out)
            out.append(UInt8(ascii: "."))
            appendDecimal(UInt8(truncatingIfNeeded: v), to: &out)
            return
        }
        var g = (UInt16(0), UInt16(0), UInt16(0), UInt16(0), UInt16(0), UInt16(0), UInt16(0), UInt16(0))
        withUnsafeMutableBytes(of: &g) { raw in
            let p = raw.bindMemory(to: UInt16.self)
            for i in 0..<4 {
                p[i] = UInt16(truncatingIfNeeded: high >> (48 - 16 * UInt64(i)))
                p[4 + i] = UInt16(truncatingIfNeeded: low >> (48 - 16 * UInt64(i)))
            }
        }
        withUnsafeBytes(of: g) { raw in
            let p = raw.bindMemory(to: UInt16.self)
            // Longest run of two or more zero groups (first one wins on ties), RFC 5952 section 4.2.
            var bestStart = -1
            var bestLen = 1
            var i = 0
            while i < 8 {
                if p[i] == 0 {
                    var j = i
                    while j < 8 && p[j] == 0 { j += 1 }
                    if j - i > bestLen {
                        bestStart = i
                        bestLen = j - i
                    }
                    i = j
                } else {
                    i += 1
                }
            }
            // IPv4-mapped ::ffff:a.b.c.d is written with the dotted tail, as Wireshark does.
            if high == 0 && (low >> 32) == 0xFFFF {
                out.append(contentsOf: Array("::ffff:".utf8))
                IPAddress(v4: UInt32(truncatingIfNeeded: low)).appendText(to: &out)
                return
            }
            i = 0
            while i < 8 {
                if i == bestStart {
                    out.append(UInt8(ascii: ":"))
                    if i == 0 { out.append(UInt8(ascii: ":")) }
                    i += bestLen
                    continue
                }
                appendHex16(p[i], to: &out)
                if i < 7 { out.append(UInt8(ascii: ":")) }
                i += 1
            }
        }
    }
}

@inlinable func appendDecimal(_ v: UInt8, to out: inout [UInt8]) {
    if v >= 100 { out.append(0x30 + v / 100) }
    if v >= 10 { out.append(0x30 + (v / 10) % 10) }
    out.append(0x30 + v % 10)
}

@inlinable func appendHex16(_ v: UInt16, to out: inout [UInt8]) {
    var started = false
    for shift in stride(from: 12, through: 0, by: -4) {
        let d = UInt8(truncatingIfNeeded: (v >> UInt16(shift)) & 0xF)
        if d != 0 || started || shift == 0 {
            started = true
            out.append(d < 10 ? 0x30 + d : 0x57 + d)
        }
    }
}

extension Substring {
    /// Splits at the first `::` only (more than one is invalid IPv6 and yields 3+ parts).
    fileprivate func components(separatedByDoubleColon: Void) -> [Substring] {
        var parts: [Substring] = []
        var rest = self[...]
        while let r = rest.firstRange(of: "::") {
            parts.append(rest[rest.startIndex..<r.lowerBound])
            rest = rest[r.upperBound...]
        }
        parts.append(rest)
        return parts
    }
}
