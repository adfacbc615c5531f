import WiretaleCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Milliseconds on the monotonic clock, the trace's time base.
public enum Monotonic {
    public static func nowMs() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec) / 1_000_000
    }
}

/// A socket address for an IP and port, ready for connect(2)/sendto(2).
struct SocketAddress {
    var storage = sockaddr_storage()
    var length: socklen_t = 0
    var family: Int32 { Int32(storage.ss_family) }

    init(_ ip: IPAddress, port: Int) {
        if ip.isIPv6 {
            var sin6 = sockaddr_in6()
            sin6.sin6_family = sa_family_t(AF_INET6)
            sin6.sin6_port = in_port_t(UInt16(port).bigEndian)
            var hi = ip.high.bigEndian
            var lo = ip.low.bigEndian
            withUnsafeMutableBytes(of: &sin6.sin6_addr) { dst in
                withUnsafeBytes(of: &hi) { dst.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: 8) }
                withUnsafeBytes(of: &lo) { (dst.baseAddress! + 8).copyMemory(from: $0.baseAddress!, byteCount: 8) }
            }
            withUnsafeMutableBytes(of: &storage) { dst in
                withUnsafeBytes(of: &sin6) { dst.copyMemory(from: $0) }
            }
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        } else {
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = in_port_t(UInt16(port).bigEndian)
            sin.sin_addr.s_addr = ip.v4Value.bigEndian
            withUnsafeMutableBytes(of: &storage) { dst in
                withUnsafeBytes(of: &sin) { dst.copyMemory(from: $0) }
            }
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
        }
    }

    init(storage: sockaddr_storage, length: socklen_t) {
        self.storage = storage
        self.length = length
    }

    /// The IP and port held, nil for families other than IPv4/IPv6.
    var endpoint: (IPAddress, Int)? {
        var s = storage
        return withUnsafeBytes(of: &s) { raw in
            SocketAddress.decode(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self))
        }
    }

    static func decode(_ sa: UnsafePointer<sockaddr>) -> (IPAddress, Int)? {
        switch Int32(sa.pointee.sa_family) {
        case AF_INET:
            return sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { p in
                (
                    IPAddress(v4: UInt32(bigEndian: p.pointee.sin_addr.s_addr)),
                    Int(UInt16(bigEndian: p.pointee.sin_port))
                )
            }
        case AF_INET6:
            return sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { p in
                var a = p.pointee.sin6_addr
                let (hi, lo) = withUnsafeBytes(of: &a) { raw in
                    (
                        UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
                        UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
                    )
                }
                return (IPAddress(v6High: hi, low: lo), Int(UInt16(bigEndian: p.pointee.sin6_port)))
            }
        default:
            return nil
        }
    }

    func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        var s = storage
        return withUnsafeBytes(of: &s) { raw in
            body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), length)
        }
    }
}

/// The text of errno, e.g. "Connection refused".
func errnoText(_ e: Int32) -> String {
    String(cString: strerror(e))
}

/// The symbolic name of the errno values a trace meets, for the evidence lines.
func errnoName(_ e: Int32) -> String {
    switch e {
    case ECONNREFUSED: "ECONNREFUSED"
    case ETIMEDOUT: "ETIMEDOUT"
    case ENETUNREACH: "ENETUNREACH"
    case EHOSTUNREACH: "EHOSTUNREACH"
    case ECONNRESET: "ECONNRESET"
    case EADDRNOTAVAIL: "EADDRNOTAVAIL"
    case EACCES: "EACCES"
    case EPERM: "EPERM"
    case EINVAL: "EINVAL"
    default: "errno \(e)"
    }
}

/// Formats milliseconds for people: "0.42", "12.3", "1504".
func formatMs(_ ms: Double) -> String {
    if ms < 1 { return String(format3: ms, decimals: 2) }
    if ms < 100 { return String(format3: ms, decimals: 1) }
    if !ms.isFinite { return ms.isNaN ? "?" : (ms > 0 ? "inf" : "-inf") }
    return String(saturating(ms.rounded(), as: Int.self))
}

extension String {
    /// Fixed-point formatting without Foundation.
    init(format3 value: Double, decimals: Int) {
        guard value.isFinite else {
            self = value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf")
            return
        }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        let negative = rounded < 0
        let mag = abs(rounded)
        let whole = saturating(mag, as: Int.self)
        var frac = saturating(((mag - Double(whole)) * scale).rounded(), as: Int.self)
        var w = whole
        if frac >= saturating(scale, as: Int.self) {
            w = w == Int.max ? w : w + 1
            frac -= saturating(scale, as: Int.self)
        }
        var s = (negative ? "-" : "") + String(w)
        if decimals > 0 {
            var f = String(frac)
            while f.count < decimals { f = "0" + f }
            s += "." + f
        }
        self = s
    }
}

/// `value` as an integer of type `I`, never trapping: NaN is 0, and infinities and values out of
/// range are clamped to `I.min` / `I.max`. Every Double-to-integer conversion in the trace (timeouts
/// for timers and poll(2), bar widths, formatted milliseconds) goes through it.
func saturating<I: FixedWidthInteger>(_ value: Double, as _: I.Type = I.self) -> I {
    if value.isNaN { return 0 }
    if value >= Double(I.max) { return I.max }
    if value <= Double(I.min) { return I.min }
    return I(value)
}
