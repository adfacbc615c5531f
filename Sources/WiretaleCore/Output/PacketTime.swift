/// How `read` and `capture` print each packet's time, as tcpdump's `-t` options do (all in UTC):
///
/// | format | tcpdump | example |
/// | --- | --- | --- |
/// | `time` (default) | — | `19:23:29.666823` |
/// | `none` | `-t` | (no time) |
/// | `epoch` | `-tt` | `1795721009.666823` |
/// | `delta` | `-ttt` | `00:00:00.000030`, since the previous packet shown |
/// | `date` | `-tttt` | `2026-11-26 19:23:29.666823` |
/// | `relative` | `-ttttt` | `00:00:00.000051`, since the first packet shown |
///
/// Every format keeps the file's fraction digits (6 or 9); a packet without a time prints
/// `no timestamp` in each (`delta` and `relative` then measure from the packets that have one).
public enum TimeFormat: String, Sendable, CaseIterable {
    case time, none, epoch, delta, date, relative

    /// The format tcpdump's `-t` repeated `count` times chooses (0: the default; 1 to 5 as the table above).
    public init?(tcpdumpCount count: Int) {
        switch count {
        case 0: self = .time
        case 1: self = .none
        case 2: self = .epoch
        case 3: self = .delta
        case 4: self = .date
        case 5: self = .relative
        default: return nil
        }
    }
}

/// The time column of one run: its format and the packets it measures from.
public struct PacketTime: Sendable {
    public let format: TimeFormat
    private var first: Timestamp?
    private var previous: Timestamp?

    public init(_ format: TimeFormat = .time) {
        self.format = format
    }

    /// Appends the time of a packet shown at `t` and the space after it (nothing for `.none`);
    /// `delta` and `relative` then measure from it.
    @inlinable public mutating func append(_ t: Timestamp, to o: inout OutputBuffer) {
        if format == .time {
            o.appendTimeOfDay(t)
            o.append(byte: 0x20)
            return
        }
        appendOther(t, to: &o)
    }

    @usableFromInline mutating func appendOther(_ t: Timestamp, to o: inout OutputBuffer) {
        // A packet that records no time (a pcapng Simple Packet Block) says so in every format but
        // `none`, and `delta` and `relative` go on measuring from the packets that have one.
        if t.isMissing {
            if format != .none { o.append("no timestamp ") }
            return
        }
        switch format {
        case .time, .none: break
        case .epoch:
            if t.seconds < 0 { o.append(byte: UInt8(ascii: "-")) }
            o.append(t.seconds.magnitude)
            appendFraction(t.fraction, digits: t.digits, to: &o)
        case .date:
            guard t.isInRange else {
                o.append("time out of range")
                break
            }
            let (y, m, d) = civilFromDays(floorDiv(t.seconds, 86_400))
            o.append(UInt64(max(0, y)), width: 4)
            o.append(byte: UInt8(ascii: "-"))
            o.append(UInt64(m), width: 2)
            o.append(byte: UInt8(ascii: "-"))
            o.append(UInt64(d), width: 2)
            o.append(byte: 0x20)
            o.appendTimeOfDay(t)
        case .delta:
            appendSpan(from: previous ?? t, to: t, to: &o)
        case .relative:
            appendSpan(from: first ?? t, to: t, to: &o)
        }
        if format != .none { o.append(byte: 0x20) }
        if first == nil { first = t }
        previous = t
    }

    /// `HH:MM:SS.ffffff` of `b - a` (hours past 99 take more digits; `-` before a negative span),
    /// with `b`'s fraction digits, as tcpdump prints `-ttt`.
    private func appendSpan(from a: Timestamp, to b: Timestamp, to o: inout OutputBuffer) {
        var ns = b.totalNanoseconds - a.totalNanoseconds
        if ns < 0 {
            o.append(byte: UInt8(ascii: "-"))
            ns = -ns
        }
        let seconds = UInt64(ns / 1_000_000_000)
        if seconds / 3600 > 99 { o.append(seconds / 3600) } else { o.append(seconds / 3600, width: 2) }
        o.append(byte: UInt8(ascii: ":"))
        o.append((seconds / 60) % 60, width: 2)
        o.append(byte: UInt8(ascii: ":"))
        o.append(seconds % 60, width: 2)
        var fraction = UInt64(ns % 1_000_000_000)
        let digits = min(b.digits, 9)
        for _ in 0..<(9 - Int(digits)) { fraction /= 10 }
        appendFraction(fraction, digits: digits, to: &o)
    }

    private func appendFraction(_ fraction: UInt64, digits: UInt8, to o: inout OutputBuffer) {
        guard digits > 0 else { return }
        o.append(byte: UInt8(ascii: "."))
        o.append(fraction, width: Int(digits))
    }
}
