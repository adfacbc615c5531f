/// Punycode, RFC 3492: the encoding that carries a Unicode DNS label in ASCII ("bücher" ->
/// "bcher-kva"). Only encoding is needed: wiretale sends the ASCII form and shows both.
public enum Punycode {
    // Parameters, RFC 3492 section 5.
    private static let base = 36
    private static let tMin = 1
    private static let tMax = 26
    private static let skew = 38
    private static let damp = 700
    private static let initialBias = 72
    private static let initialN = 0x80

    /// Encodes a sequence of code points (RFC 3492 section 6.3). Returns nil on overflow, which
    /// cannot happen for inputs of DNS-label size. Basic code points are copied as they are, case kept.
    public static func encode(_ input: String) -> String? {
        let cps = input.unicodeScalars.map { Int($0.value) }
        var output: [UInt8] = cps.filter { $0 < 0x80 }.map { UInt8($0) }
        let basicCount = output.count
        var h = basicCount
        if basicCount > 0 { output.append(UInt8(ascii: "-")) }
        var n = initialN
        var delta = 0
        var bias = initialBias
        while h < cps.count {
            // The smallest code point >= n still to be handled.
            guard let m = cps.filter({ $0 >= n }).min() else { return nil }
            let (mul, o1) = (m - n).multipliedReportingOverflow(by: h + 1)
            guard !o1 else { return nil }
            delta += mul
            n = m
            for c in cps {
                if c < n {
                    delta += 1
                    guard delta < Int(Int32.max) else { return nil }
                }
                if c == n {
                    var q = delta
                    var k = base
                    while true {
                        let t = k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias)
                        if q < t { break }
                        output.append(digit(t + (q - t) % (base - t)))
                        q = (q - t) / (base - t)
                        k += base
                    }
                    output.append(digit(q))
                    bias = adapt(delta, h + 1, h == basicCount)
                    delta = 0
                    h += 1
                }
            }
            delta += 1
            n += 1
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Bias adaptation, RFC 3492 section 6.1.
    private static func adapt(_ delta: Int, _ numPoints: Int, _ firstTime: Bool) -> Int {
        var delta = firstTime ? delta / damp : delta / 2
        delta += delta / numPoints
        var k = 0
        while delta > ((base - tMin) * tMax) / 2 {
            delta /= base - tMin
            k += base
        }
        return k + (base - tMin + 1) * delta / (delta + skew)
    }

    /// 0..25 -> a..z, 26..35 -> 0..9 (RFC 3492 section 5).
    private static func digit(_ d: Int) -> UInt8 {
        d < 26 ? UInt8(ascii: "a") + UInt8(d) : UInt8(ascii: "0") + UInt8(d - 26)
    }

    /// ToASCII for one label (RFC 3490 section 4.1, without the nameprep tables): ASCII labels stay
    /// as they are, others become "xn--" + Punycode of the lower-cased label.
    public static func toASCII(label: String) -> String? {
        if label.unicodeScalars.allSatisfy({ $0.isASCII }) { return label }
        guard let encoded = encode(label.lowercased()) else { return nil }
        return "xn--" + encoded
    }
}
