/// One capture interface of a file: the whole file for classic pcap, one Interface Description Block
/// of the current section for pcapng (draft-ietf-opsawg-pcapng §4.2).
public struct CaptureInterface: Hashable, Sendable {
    /// The unit of a pcapng timestamp, from the `if_tsresol` option (§4.2): 10^-exponent or
    /// 2^-exponent seconds. Without the option it is 10^-6; classic pcap is 10^-6 or 10^-9.
    public enum TimestampResolution: Hashable, Sendable {
        case decimal(exponent: Int)
        case binary(exponent: Int)

        /// The `if_tsresol` byte: the high bit chooses base 2, the low seven bits the exponent.
        public init(ifTsresol byte: UInt8) {
            let exponent = Int(byte & 0x7F)
            self = byte & 0x80 == 0 ? .decimal(exponent: exponent) : .binary(exponent: exponent)
        }

        /// The fraction digits of this interface's `Timestamp`s: the exponent for 10^-n with
        /// n <= 9, otherwise 9 (the time is converted to nanoseconds).
        public var digits: UInt8 {
            switch self {
            case .decimal(let exponent): exponent <= 9 ? UInt8(exponent) : 9
            case .binary: 9
            }
        }
    }

    /// The link-layer header type of its packets.
    public var linkType: LinkType
    /// The snapshot length; 0 means no limit (pcapng §4.2; also taken so for a classic pcap header of 0).
    public var snapLength: Int
    /// The `if_name` option (pcapng §4.2), if any.
    public var name: String?
    public var timestampResolution: TimestampResolution
    /// The `if_tsoffset` option (pcapng §4.2): seconds added to every timestamp of the interface.
    public var timestampOffset: Int64

    public init(
        linkType: LinkType, snapLength: Int, name: String? = nil,
        timestampResolution: TimestampResolution = .decimal(exponent: 6), timestampOffset: Int64 = 0
    ) {
        self.linkType = linkType
        self.snapLength = snapLength
        self.name = name
        self.timestampResolution = timestampResolution
        self.timestampOffset = timestampOffset
    }
}

/// What the hot path needs of an interface, without the name (no reference counting per packet).
@usableFromInline
struct CaptureFileInterfaceState {
    @usableFromInline var linkType: LinkType
    @usableFromInline var snapLength: Int
    /// `snapLength`, or `Int.max` when it is 0 (no limit).
    @usableFromInline var snapLimit: Int
    @usableFromInline var clock: CaptureFileClock

    init(_ interface: CaptureInterface) {
        linkType = interface.linkType
        snapLength = interface.snapLength
        snapLimit = interface.snapLength == 0 ? Int.max : interface.snapLength
        clock = CaptureFileClock(interface.timestampResolution, offset: interface.timestampOffset)
    }
}

/// Turns a pcapng 64-bit timestamp (units of `if_tsresol` since the epoch, plus `if_tsoffset` seconds)
/// into a `Timestamp`, with the division chosen once per interface.
@usableFromInline
struct CaptureFileClock {
    @usableFromInline enum Kind: UInt8 {
        /// 10^-6: the default; division by a constant.
        case micro
        /// 10^-9: division by a constant.
        case nano
        /// 10^-n, n <= 9 (other than 6 and 9): fraction kept with n digits.
        case decimal
        /// 10^-n, 10 <= n <= 19: fraction converted to nanoseconds.
        case decimalToNanoseconds
        /// 10^-n, n >= 20: a second is more units than a UInt64 holds.
        case decimalBeyondUInt64
        /// 2^-n: fraction converted to nanoseconds.
        case binary
    }

    @usableFromInline var kind: Kind
    @usableFromInline var unitsPerSecond: UInt64
    /// Units per nanosecond for `decimalToNanoseconds` / `decimalBeyondUInt64` (0: the fraction is 0).
    @usableFromInline var unitsPerNanosecond: UInt64
    @usableFromInline var shift: Int
    @usableFromInline var digits: UInt8
    @usableFromInline var offset: Int64

    init(_ resolution: CaptureInterface.TimestampResolution, offset: Int64) {
        self.offset = offset
        digits = resolution.digits
        unitsPerSecond = 1
        unitsPerNanosecond = 1
        shift = 0
        switch resolution {
        case .decimal(let exponent):
            if exponent == 6 {
                kind = .micro
                unitsPerSecond = 1_000_000
            } else if exponent == 9 {
                kind = .nano
                unitsPerSecond = 1_000_000_000
            } else if exponent < 9 {
                kind = .decimal
                unitsPerSecond = Self.powerOfTen(exponent)
            } else if exponent <= 19 {
                kind = .decimalToNanoseconds
                unitsPerSecond = Self.powerOfTen(exponent)
                unitsPerNanosecond = Self.powerOfTen(exponent - 9)
            } else {
                kind = .decimalBeyondUInt64
                unitsPerNanosecond = exponent - 9 <= 19 ? Self.powerOfTen(exponent - 9) : 0
            }
        case .binary(let exponent):
            kind = .binary
            shift = exponent
        }
    }

    static func powerOfTen(_ n: Int) -> UInt64 {
        var value: UInt64 = 1
        for _ in 0..<n { value &*= 10 }
        return value
    }

    @inlinable @inline(__always)
    func timestamp(_ units: UInt64) -> Timestamp {
        let seconds: UInt64
        let fraction: UInt64
        switch kind {
        case .micro:
            seconds = units / 1_000_000
            fraction = units % 1_000_000
        case .nano:
            seconds = units / 1_000_000_000
            fraction = units % 1_000_000_000
        case .decimal:
            seconds = units / unitsPerSecond
            fraction = units % unitsPerSecond
        case .decimalToNanoseconds:
            seconds = units / unitsPerSecond
            fraction = (units % unitsPerSecond) / unitsPerNanosecond
        case .decimalBeyondUInt64:
            seconds = 0
            fraction = unitsPerNanosecond == 0 ? 0 : units / unitsPerNanosecond
        case .binary:
            seconds = shift >= 64 ? 0 : units >> UInt64(shift)
            let rest = shift >= 64 ? units : units & ((1 << UInt64(shift)) &- 1)
            fraction = Self.nanoseconds(rest, shift: shift)
        }
        // Saturating: an `if_tsoffset` near ±2^63 gives a time out of range, never a wrapped one.
        let whole = seconds > UInt64(Int64.max) ? Int64.max : Int64(seconds)
        let (shifted, overflow) = whole.addingReportingOverflow(offset)
        return Timestamp(
            seconds: overflow ? (offset < 0 ? .min : .max) : shifted, fraction: fraction, digits: digits)
    }

    /// `rest * 10^9 / 2^shift` without overflow (`rest < 2^shift`, so the result is below 10^9).
    @usableFromInline
    static func nanoseconds(_ rest: UInt64, shift: Int) -> UInt64 {
        if shift == 0 { return 0 }
        let (high, low) = rest.multipliedFullWidth(by: 1_000_000_000)
        if shift < 64 { return (high << UInt64(64 - shift)) | (low >> UInt64(shift)) }
        return shift - 64 < 64 ? high >> UInt64(shift - 64) : 0
    }
}
