#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A byte buffer that renderers append to and that drains to a file descriptor in large writes.
/// Output is built as bytes, not Strings, so printing a million packets costs little more than
/// decoding them.
public struct OutputBuffer {
    public var bytes: [UInt8]
    public let fd: Int32
    public let flushThreshold: Int
    /// Set when a write failed (EPIPE from `| head`, ENOSPC): the caller stops producing output.
    public private(set) var failed: Int32 = 0
    /// Where the JSON writer is (`JSONWriter.swift`): nesting and pending commas.
    public var json = JSONNesting()

    public init(fd: Int32 = 1, flushThreshold: Int = 1 << 16) {
        self.fd = fd
        self.flushThreshold = flushThreshold
        bytes = []
        bytes.reserveCapacity(flushThreshold + 4096)
    }

    @inlinable public mutating func flushIfNeeded() {
        if bytes.count >= flushThreshold { flush() }
    }

    public mutating func flush() {
        guard !bytes.isEmpty, failed == 0 else {
            bytes.removeAll(keepingCapacity: true)
            return
        }
        bytes.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = write(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    failed = errno
                    return
                }
                done += n
            }
        }
        bytes.removeAll(keepingCapacity: true)
    }

    // MARK: appending

    @inlinable public mutating func append(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    @inlinable public mutating func append(_ s: String) {
        var s = s
        s.withUTF8 { bytes.append(contentsOf: $0) }
    }

    @inlinable public mutating func append(byte: UInt8) {
        bytes.append(byte)
    }

    @inlinable public mutating func append(_ raw: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: raw)
    }

    /// A non-negative or negative integer in decimal.
    @inlinable public mutating func append(_ v: Int) {
        if v < 0 {
            bytes.append(UInt8(ascii: "-"))
            append(UInt64(v.magnitude))
        } else {
            append(UInt64(v))
        }
    }

    @inlinable public mutating func append(_ v: UInt64) {
        if v < 10 {
            bytes.append(0x30 &+ UInt8(v))
            return
        }
        var tmp: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch, enough for 20 digits
        withUnsafeMutableBytes(of: &tmp) { raw in
            var i = 24
            var x = v
            while x > 0 {
                i -= 1
                raw[i] = 0x30 &+ UInt8(x % 10)
                x /= 10
            }
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[i..<24]))
        }
    }

    @inlinable public mutating func append(_ v: UInt32) { append(UInt64(v)) }
    @inlinable public mutating func append(_ v: UInt16) { append(UInt64(v)) }
    @inlinable public mutating func append(_ v: UInt8) { append(UInt64(v)) }

    /// `v` zero-padded to `width` digits.
    @inlinable public mutating func append(_ v: UInt64, width: Int) {
        var div: UInt64 = 1
        for _ in 1..<max(width, 1) { div &*= 10 }
        var x = v
        if x >= div &* 10 { x %= div &* 10 }
        while div > 0 {
            bytes.append(0x30 &+ UInt8((x / div) % 10))
            div /= 10
        }
    }

    @inlinable public mutating func appendHex(_ v: UInt64, digits: Int) {
        var shift = (digits - 1) * 4
        while shift >= 0 {
            let d = UInt8(truncatingIfNeeded: (v >> UInt64(shift)) & 0xF)
            bytes.append(d < 10 ? 0x30 &+ d : 0x57 &+ d)
            shift -= 4
        }
    }

    /// `aa:bb:cc:dd:ee:ff`.
    @inlinable public mutating func appendMAC(_ mac: UInt64) {
        for i in 0..<6 {
            if i > 0 { bytes.append(UInt8(ascii: ":")) }
            appendHex((mac >> UInt64(40 - 8 * i)) & 0xFF, digits: 2)
        }
    }

    @inlinable public mutating func append(_ a: IPAddress) {
        a.appendText(to: &bytes)
    }

    /// A JSON string literal (RFC 8259 section 7), escaping quotes, backslashes and controls.
    @inlinable public mutating func appendJSONString(_ s: String) {
        var s = s
        s.withUTF8 { appendJSONString(bytes: UnsafeRawBufferPointer($0)) }
    }

    @inlinable public mutating func appendJSONString(bytes raw: UnsafeRawBufferPointer) {
        bytes.append(UInt8(ascii: "\""))
        for c in raw {
            switch c {
            case UInt8(ascii: "\""): append("\\\"")
            case UInt8(ascii: "\\"): append("\\\\")
            case 0x0A: append("\\n")
            case 0x0D: append("\\r")
            case 0x09: append("\\t")
            case 0..<0x20, 0x7F:
                append("\\u00")
                appendHex(UInt64(c), digits: 2)
            default: bytes.append(c)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Bytes from a packet shown as text: printable ASCII kept, anything else as `\xNN`.
    public mutating func appendPrintable(_ raw: UnsafeRawBufferPointer, limit: Int) {
        for c in raw.prefix(limit) {
            if c >= 0x20 && c < 0x7F {
                bytes.append(c)
            } else {
                append("\\x")
                appendHex(UInt64(c), digits: 2)
            }
        }
        if raw.count > limit { append("...") }
    }

    // MARK: time

    /// RFC 3339 UTC with exactly the file's fractional digits: `2026-11-26T19:13:29.123456Z`;
    /// `time out of range` for a time before 1970 or past 9999 (`Timestamp.isInRange`), `no timestamp`
    /// for a packet without one (`Timestamp.missing`).
    public mutating func appendRFC3339(_ t: Timestamp) {
        guard t.isInRange else {
            append(t.isMissing ? "no timestamp" : "time out of range")
            return
        }
        let (y, m, d) = civilFromDays(floorDiv(t.seconds, 86_400))
        append(UInt64(max(0, y)), width: 4)
        bytes.append(UInt8(ascii: "-"))
        append(UInt64(m), width: 2)
        bytes.append(UInt8(ascii: "-"))
        append(UInt64(d), width: 2)
        bytes.append(UInt8(ascii: "T"))
        appendTimeOfDay(t)
        bytes.append(UInt8(ascii: "Z"))
    }

    /// `HH:MM:SS.ffffff` (UTC) with the file's fractional digits, as tcpdump prints it;
    /// `time out of range` for a time before 1970 or past 9999.
    @inlinable public mutating func appendTimeOfDay(_ t: Timestamp) {
        guard t.isInRange else {
            append(t.isMissing ? "no timestamp" : "time out of range")
            return
        }
        let sod = t.seconds - floorDiv(t.seconds, 86_400) * 86_400
        append(UInt64(sod / 3600), width: 2)
        bytes.append(UInt8(ascii: ":"))
        append(UInt64((sod / 60) % 60), width: 2)
        bytes.append(UInt8(ascii: ":"))
        append(UInt64(sod % 60), width: 2)
        if t.digits > 0 {
            bytes.append(UInt8(ascii: "."))
            append(t.fraction, width: Int(t.digits))
        }
    }
}

extension OutputBuffer {
    /// `"key":"2026-11-26T19:13:29.123456Z"`, or for a time out of range (before 1970 or past
    /// 9999) `"key":null,"key_out_of_range":true`: JSON times are never wrapped into another date.
    public mutating func appendJSONTime(_ key: StaticString, _ t: Timestamp) {
        append(byte: UInt8(ascii: "\""))
        append(key)
        if t.isInRange {
            append("\":\"")
            appendRFC3339(t)
            append(byte: UInt8(ascii: "\""))
        } else if t.isMissing {
            append("\":null")
        } else {
            append("\":null,\"")
            append(key)
            append("_out_of_range\":true")
        }
    }
}

@inlinable func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `civil_from_days`).
func civilFromDays(_ z0: Int64) -> (Int64, Int64, Int64) {
    let z = z0 + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
    let y = yoe + era * 400
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    return (m <= 2 ? y + 1 : y, m, d)
}
