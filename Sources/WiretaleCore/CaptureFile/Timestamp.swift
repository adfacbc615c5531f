/// A packet's capture time as the file states it: whole seconds since the Unix epoch and a
/// fraction in units of 10^-digits seconds, so a nanosecond file keeps all nine digits and a
/// microsecond file prints six (RFC 3339 output shows exactly the file's precision).
public struct Timestamp: Hashable, Sendable, Comparable {
    public var seconds: Int64
    /// The fractional part, `0 ..< 10^digits`.
    public var fraction: UInt64
    /// How many decimal digits the fraction has: 6 for microsecond files, 9 for nanosecond.
    public var digits: UInt8

    public init(seconds: Int64, fraction: UInt64, digits: UInt8) {
        self.seconds = seconds
        self.fraction = fraction
        self.digits = digits
    }

    /// The fraction in nanoseconds, whatever the file's precision.
    @inlinable public var nanoseconds: UInt64 {
        if digits == 9 { return fraction }
        // Microsecond files, the common case, without the loop (the same wrapping product).
        if digits == 6 { return fraction &* 1000 }
        if digits < 9 {
            var f = fraction
            for _ in 0..<(9 - Int(digits)) { f &*= 10 }
            return f
        }
        var f = fraction
        for _ in 0..<(Int(digits) - 9) { f /= 10 }
        return f
    }

    /// The time of a packet block that records none (a pcapng Simple Packet Block): text prints
    /// `no timestamp`, JSON `null`; durations count it as 0 (`totalNanoseconds`), never as 1970.
    public static let missing = Timestamp(seconds: .min, fraction: 0, digits: .max)

    /// The packet's block held no time (`missing`); no file's precision has 255 digits.
    @inlinable public var isMissing: Bool { digits == .max && seconds == .min }

    /// The last second wiretale prints: 9999-12-31T23:59:59Z (RFC 3339 has four-digit years).
    public static let maxSeconds: Int64 = 253_402_300_799

    /// False before 1970 (after a pcapng `if_tsoffset`) or past the year 9999: such a time is
    /// printed as out of range (text `time out of range`, JSON `null` and a `…_out_of_range` flag),
    /// never wrapped into another date.
    @inlinable public var isInRange: Bool {
        seconds >= 0 && seconds <= Self.maxSeconds
    }

    /// Seconds since the epoch as a Double (for durations and rates, not for printing).
    @inlinable public var timeInterval: Double {
        Double(seconds) + Double(nanoseconds) / 1e9
    }

    /// Nanoseconds since the epoch, clamped to `0 ... Int64.max` (before 1970: 0; after 2262:
    /// `Int64.max`), so the difference of two never overflows: durations, deltas and RTTs stay
    /// finite whatever the file says.
    @inlinable @inline(__always) public var totalNanoseconds: Int64 {
        if seconds < 0 { return 0 }
        let (hi, o1) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if o1 { return .max }
        let (total, o2) = hi.addingReportingOverflow(Int64(truncatingIfNeeded: min(nanoseconds, 999_999_999)))
        return o2 ? .max : total
    }

    public static func < (a: Timestamp, b: Timestamp) -> Bool {
        a.totalNanoseconds < b.totalNanoseconds
    }
}
