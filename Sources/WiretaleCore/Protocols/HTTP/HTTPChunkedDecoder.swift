/// The chunked transfer coding (RFC 9112 section 7.1): hex size, optional extensions, CRLF, data,
/// CRLF, ..., a zero-size chunk, optional trailer fields, CRLF. A byte-level state machine: it
/// hands back where the data lies in the bytes given, and copies nothing but a size line.
///
/// Bounded: a chunk-size line at `maxSizeLine` bytes, the trailer section at `maxTrailer`.
public struct HTTPChunkedDecoder: Sendable {
    public struct DecodeError: Error, Equatable, Sendable {
        public var reason: String
    }

    private enum State: Sendable {
        case size
        case data(Int)
        case dataCRLF
        case trailer
        case done
    }

    /// The longest chunk-size line (size, extensions, CRLF) accepted.
    public static let maxSizeLine = 1024
    /// The most bytes of trailer fields accepted.
    public static let maxTrailer = 65536

    private var state = State.size
    private var line: [UInt8] = []
    /// Chunks of data seen so far (the last, empty chunk not counted).
    public private(set) var chunks = 0
    /// Chunk data bytes decoded so far.
    public private(set) var dataBytes = 0
    private var trailerBytes = 0

    /// The last chunk and the trailer section have been read.
    public var isComplete: Bool {
        if case .done = state { return true }
        return false
    }

    public init() {}

    /// Reads from `offset` on and returns the next run of chunk data as a range of `bytes`, or nil
    /// when the bytes ran out (or the coding is complete, `isComplete`) without more data. Moves
    /// `offset` past what was read; the bytes after a complete coding are left unread.
    public mutating func next(_ bytes: UnsafeRawBufferPointer, at offset: inout Int) throws(DecodeError) -> Range<Int>?
    {
        while offset < bytes.count {
            let b = bytes.u8(offset)
            switch state {
            case .done:
                return nil
            case .size:
                offset += 1
                if b == 0x0A {
                    let n = try chunkSize()
                    line.removeAll(keepingCapacity: true)
                    state = n == 0 ? .trailer : .data(n)
                    if n > 0 { chunks += 1 }
                } else {
                    line.append(b)
                    if line.count > Self.maxSizeLine {
                        throw DecodeError(reason: "chunk size line longer than \(Self.maxSizeLine) bytes")
                    }
                }
            case .data(let left):
                let n = min(left, bytes.count - offset)
                let range = offset..<(offset + n)
                offset += n
                dataBytes += n
                state = left == n ? .dataCRLF : .data(left - n)
                return range
            case .dataCRLF:
                offset += 1
                if b == 0x0D { continue }
                guard b == 0x0A else { throw DecodeError(reason: "chunk data not followed by CRLF") }
                state = .size
            case .trailer:
                offset += 1
                trailerBytes += 1
                if trailerBytes > Self.maxTrailer {
                    throw DecodeError(reason: "trailer fields longer than \(Self.maxTrailer >> 10) KiB")
                }
                if b == 0x0A {
                    let empty = line.isEmpty || line == [0x0D]
                    line.removeAll(keepingCapacity: true)
                    if empty { state = .done }
                } else {
                    line.append(b)
                }
            }
        }
        return nil
    }

    /// Steps over up to `count` bytes of the current chunk's data that never arrived (a gap in the
    /// stream), as Zeek does; returns how many it took: 0 when not inside a chunk's data (a size
    /// line, a CRLF or the trailer cannot be skipped without losing the framing).
    public mutating func skipData(_ count: Int) -> Int {
        guard case .data(let left) = state, count > 0 else { return 0 }
        let n = min(left, count)
        dataBytes += n
        state = left == n ? .dataCRLF : .data(left - n)
        return n
    }

    /// Decodes `bytes`, appending chunk data to `out` while `out` holds fewer than `limit` bytes.
    public mutating func feed(
        _ bytes: some Collection<UInt8>, into out: inout [UInt8], keepingAtMost limit: Int = .max
    ) throws(DecodeError) {
        let copy = Array(bytes)
        let failure = copy.withUnsafeBytes { raw -> DecodeError? in
            var offset = 0
            do throws(DecodeError) {
                while let range = try next(raw, at: &offset) {
                    let room = limit - out.count
                    if room > 0 { out.append(contentsOf: raw[range].prefix(room)) }
                }
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
    }

    /// The size on the line just read: hex digits, before any `;` extension, blanks around.
    private func chunkSize() throws(DecodeError) -> Int {
        var end = line.count
        if end > 0 && line[end - 1] == 0x0D { end -= 1 }
        if let semi = line[..<end].firstIndex(of: UInt8(ascii: ";")) { end = semi }
        var start = 0
        func blank(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A }
        while start < end && blank(line[start]) { start += 1 }
        while end > start && blank(line[end - 1]) { end -= 1 }
        let digits = line[start..<end]
        // 15 hex digits at most: the size fits in an Int (the fuzzer found 16 overflowing).
        var n = digits.isEmpty || digits.count > 15 ? -1 : 0
        for c in digits where n >= 0 {
            let v: Int
            switch c {
            case 0x30...0x39: v = Int(c - 0x30)
            case 0x41...0x46: v = Int(c - 0x41 + 10)
            case 0x61...0x66: v = Int(c - 0x61 + 10)
            default: v = -1
            }
            if v < 0 {
                n = -1
                break
            }
            n = n * 16 + v
        }
        guard n >= 0 else {
            throw DecodeError(reason: "chunk size \"\(String(decoding: digits, as: UTF8.self))\" is not a hex number")
        }
        return n
    }
}
