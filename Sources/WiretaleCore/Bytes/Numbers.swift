// Numbers as text, without Foundation, for every renderer (JSON, trace, labs).

extension String {
    /// `value` with exactly `decimals` digits after the point, rounded half away from zero, no
    /// exponent, without Foundation; "nan", "inf", "-inf" for the non-finite.
    package init(format3 value: Double, decimals: Int) {
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
/// for timers and poll(2), bar widths) and in fixed-point formatting goes through it.
package func saturating<I: FixedWidthInteger>(_ value: Double, as _: I.Type = I.self) -> I {
    if value.isNaN { return 0 }
    if value >= Double(I.max) { return I.max }
    if value <= Double(I.min) { return I.min }
    return I(value)
}
