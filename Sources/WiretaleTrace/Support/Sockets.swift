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
