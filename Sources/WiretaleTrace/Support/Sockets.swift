import WiretaleCore
import WiretaleSystem

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Milliseconds on the monotonic clock, the trace's time base.
public enum Monotonic {
    public static func nowMs() -> Double { Clock.nowMs() }
}

/// The trace's addresses (`IPAddress`) in and out of the socket calls' `SocketAddress`.
extension SocketAddress {
    init(_ ip: IPAddress, port: Int) {
        if ip.isIPv6 {
            self.init(ipv6High: ip.high, low: ip.low, port: UInt16(port))
        } else {
            self.init(ipv4: ip.v4Value, port: UInt16(port))
        }
    }

    /// The IP and port held, nil for families other than IPv4/IPv6.
    var endpoint: (IPAddress, Int)? {
        if let v4 = ipv4 { return (IPAddress(v4: v4), Int(port)) }
        if let (hi, lo) = ipv6 { return (IPAddress(v6High: hi, low: lo), Int(port)) }
        return nil
    }

    /// The IP and port a `sockaddr` holds (getifaddrs' entries), nil for other families.
    static func decode(_ sa: UnsafePointer<sockaddr>) -> (IPAddress, Int)? {
        SocketAddress(sa)?.endpoint
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
