/// DEFLATE decoding (RFC 1951) and the gzip wrapper (RFC 1952), for `Content-Encoding: gzip`.
/// A small, bounded decoder in the manner of zlib's puff.c: it checks every length and table, and
/// stops at `limit` output bytes rather than inflating a bomb.
public enum Inflate {
    public struct Failure: Error, Equatable, Sendable, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }

    /// Decodes a gzip member (RFC 1952 section 2.3): header, deflate data, CRC32 and ISIZE trailer.
    public static func gunzip(_ data: [UInt8], limit: Int = 64 << 20) throws(Failure) -> [UInt8] {
        guard data.count >= 18, data[0] == 0x1F, data[1] == 0x8B else {
            throw Failure(reason: "not gzip data (no 1f 8b magic)")
        }
        guard data[2] == 8 else { throw Failure(reason: "gzip compression method \(data[2]) is not deflate") }
        let flags = data[3]
        var pos = 10
        if flags & 0x04 != 0 {  // FEXTRA
            guard pos + 2 <= data.count else { throw Failure(reason: "gzip header truncated") }
            pos += 2 + (Int(data[pos]) | Int(data[pos + 1]) << 8)
        }
        for bit: UInt8 in [0x08, 0x10] where flags & bit != 0 {  // FNAME, FCOMMENT: zero-terminated
            while pos < data.count && data[pos] != 0 { pos += 1 }
            pos += 1
        }
        if flags & 0x02 != 0 { pos += 2 }  // FHCRC
        guard pos < data.count else { throw Failure(reason: "gzip header truncated") }
        var s = BitReader(data, start: pos)
        let out = try inflate(&s, limit: limit)
        let trailer = s.bytePosition
        guard trailer + 8 <= data.count else { throw Failure(reason: "gzip trailer truncated") }
        let crc =
            UInt32(data[trailer]) | UInt32(data[trailer + 1]) << 8 | UInt32(data[trailer + 2]) << 16
            | UInt32(data[trailer + 3]) << 24
        guard crc == crc32(out) else { throw Failure(reason: "gzip CRC32 mismatch: the body is corrupt") }
        return out
    }

    /// Raw DEFLATE (RFC 1951 section 3.2.3): a sequence of stored, fixed or dynamic Huffman blocks.
    public static func inflate(_ data: [UInt8], limit: Int = 64 << 20) throws(Failure) -> [UInt8] {
        var s = BitReader(data, start: 0)
        return try inflate(&s, limit: limit)
    }

    static func inflate(_ s: inout BitReader, limit: Int) throws(Failure) -> [UInt8] {
        var out: [UInt8] = []
        var last = false
        while !last {
            last = try s.bits(1) == 1
            switch try s.bits(2) {
            case 0: try stored(&s, &out)
            case 1: try codes(&s, &out, Huffman.fixedLength, Huffman.fixedDistance, limit)
            case 2:
                let (l, d) = try dynamicTables(&s)
                try codes(&s, &out, l, d, limit)
            default: throw Failure(reason: "invalid deflate block type 3")
            }
            if out.count > limit { throw Failure(reason: "inflated body exceeds \(limit) bytes") }
        }
        return out
    }

    static func stored(_ s: inout BitReader, _ out: inout [UInt8]) throws(Failure) {
        s.alignToByte()
        let p = s.bytePosition
        guard p + 4 <= s.data.count else { throw Failure(reason: "stored block truncated") }
        let len = Int(s.data[p]) | Int(s.data[p + 1]) << 8
        let nlen = Int(s.data[p + 2]) | Int(s.data[p + 3]) << 8
        guard len == (~nlen & 0xFFFF) else { throw Failure(reason: "stored block length check failed") }
        guard p + 4 + len <= s.data.count else { throw Failure(reason: "stored block truncated") }
        out.append(contentsOf: s.data[(p + 4)..<(p + 4 + len)])
        s.skipBytes(4 + len)
    }

    static let lengthBase: [Int] = [
        3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227,
        258,
    ]
    static let lengthExtra: [Int] = [
        0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
    ]
    static let distBase: [Int] = [
        1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097,
        6145, 8193, 12289, 16385, 24577,
    ]
    static let distExtra: [Int] = [
        0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
    ]

    static func codes(_ s: inout BitReader, _ out: inout [UInt8], _ lc: Huffman, _ dc: Huffman, _ limit: Int)
        throws(Failure)
    {
        while true {
            let sym = try lc.decode(&s)
            if sym < 256 {
                out.append(UInt8(sym))
            } else if sym == 256 {
                return
            } else {
                let i = sym - 257
                guard i < 29 else { throw Failure(reason: "invalid length code \(sym)") }
                let len = lengthBase[i] + (try s.bits(lengthExtra[i]))
                let d = try dc.decode(&s)
                guard d < 30 else { throw Failure(reason: "invalid distance code \(d)") }
                let dist = distBase[d] + (try s.bits(distExtra[d]))
                guard dist <= out.count else { throw Failure(reason: "distance \(dist) reaches before the start") }
                let from = out.count - dist
                for k in 0..<len { out.append(out[from + k]) }
                if out.count > limit { throw Failure(reason: "inflated body exceeds \(limit) bytes") }
            }
        }
    }

    static func dynamicTables(_ s: inout BitReader) throws(Failure) -> (Huffman, Huffman) {
        let nlen = try s.bits(5) + 257
        let ndist = try s.bits(5) + 1
        let ncode = try s.bits(4) + 4
        guard nlen <= 286, ndist <= 30 else { throw Failure(reason: "too many length or distance codes") }
        let order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
        var lengths = [Int](repeating: 0, count: 19)
        for i in 0..<ncode { lengths[order[i]] = try s.bits(3) }
        let lencode = try Huffman(lengths)
        var all: [Int] = []
        while all.count < nlen + ndist {
            let sym = try lencode.decode(&s)
            if sym < 16 {
                all.append(sym)
            } else {
                var rep = 0
                var val = 0
                if sym == 16 {
                    guard let prev = all.last else { throw Failure(reason: "repeat with no previous length") }
                    val = prev
                    rep = 3 + (try s.bits(2))
                } else if sym == 17 {
                    rep = 3 + (try s.bits(3))
                } else {
                    rep = 11 + (try s.bits(7))
                }
                guard all.count + rep <= nlen + ndist else { throw Failure(reason: "too many code lengths") }
                all += [Int](repeating: val, count: rep)
            }
        }
        guard all[256] != 0 else { throw Failure(reason: "no end-of-block code") }
        return (try Huffman(Array(all[0..<nlen])), try Huffman(Array(all[nlen...])))
    }

    /// CRC-32 as gzip uses it (ISO 3309, reflected polynomial 0xEDB88320).
    public static func crc32(_ data: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in data {
            crc = crcTable[Int((crc ^ UInt32(b)) & 0xFF)] ^ (crc >> 8)
        }
        return crc ^ 0xFFFF_FFFF
    }

    static let crcTable: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }
}

/// Reads DEFLATE's bit stream: least significant bit first (RFC 1951 section 3.1.1).
struct BitReader {
    let data: [UInt8]
    private var pos: Int
    private var bitBuf: UInt32 = 0
    private var bitCount = 0

    init(_ data: [UInt8], start: Int) {
        self.data = data
        self.pos = start
    }

    mutating func bits(_ n: Int) throws(Inflate.Failure) -> Int {
        if n == 0 { return 0 }
        while bitCount < n {
            guard pos < data.count else { throw Inflate.Failure(reason: "deflate data truncated") }
            bitBuf |= UInt32(data[pos]) << UInt32(bitCount)
            pos += 1
            bitCount += 8
        }
        let v = Int(bitBuf & ((1 << UInt32(n)) - 1))
        bitBuf >>= UInt32(n)
        bitCount -= n
        return v
    }

    mutating func alignToByte() {
        bitBuf = 0
        bitCount = 0
    }

    /// The next whole byte (after `alignToByte`, or the byte after the last bits read).
    var bytePosition: Int { pos - bitCount / 8 }

    mutating func skipBytes(_ n: Int) {
        pos = bytePosition + n
        bitBuf = 0
        bitCount = 0
    }
}

/// A canonical Huffman code (RFC 1951 section 3.2.2), decoded bit by bit as puff.c does.
struct Huffman: Sendable {
    var counts = [Int](repeating: 0, count: 16)
    var symbols: [Int] = []

    init(_ lengths: [Int]) throws(Inflate.Failure) {
        for l in lengths { counts[l] += 1 }
        var left = 1
        for len in 1..<16 {
            left <<= 1
            left -= counts[len]
            if left < 0 { throw Inflate.Failure(reason: "over-subscribed Huffman code") }
        }
        var offs = [Int](repeating: 0, count: 16)
        for len in 1..<15 { offs[len + 1] = offs[len] + counts[len] }
        symbols = [Int](repeating: 0, count: lengths.count)
        for (sym, l) in lengths.enumerated() where l != 0 {
            symbols[offs[l]] = sym
            offs[l] += 1
        }
    }

    func decode(_ s: inout BitReader) throws(Inflate.Failure) -> Int {
        var code = 0
        var first = 0
        var index = 0
        for len in 1..<16 {
            code |= try s.bits(1)
            let count = counts[len]
            if code - count < first { return symbols[index + (code - first)] }
            index += count
            first += count
            first <<= 1
            code <<= 1
        }
        throw Inflate.Failure(reason: "invalid Huffman code")
    }

    static let fixedLength: Huffman = {
        var l = [Int](repeating: 8, count: 288)
        for i in 144..<256 { l[i] = 9 }
        for i in 256..<280 { l[i] = 7 }
        return try! Huffman(l)
    }()
    static let fixedDistance: Huffman = try! Huffman([Int](repeating: 5, count: 30))
}
