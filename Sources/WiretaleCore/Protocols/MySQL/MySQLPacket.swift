// MySQL's packet layer (MySQL source documentation, "MySQL Packets"): every message, both ways, is
// a 3-byte little-endian payload length, a 1-byte sequence id and the payload. A payload of
// 0xFFFFFF bytes or more is sent as 0xFFFFFF-byte packets followed by a shorter one (possibly
// empty): the framer joins them into one logical packet. Fields inside a payload are read with
// `MySQLReader`, which returns nil on short input and never traps.

/// A bounded reader over one packet's payload (swift-nio's `read*` habit: a value or nil, the
/// position moved only on success). Integers are little-endian (MySQL's "Protocol::FixedLengthInteger").
struct MySQLReader {
    let bytes: UnsafeRawBufferPointer
    var pos = 0

    init(_ bytes: UnsafeRawBufferPointer, at pos: Int = 0) {
        self.bytes = bytes
        self.pos = pos
    }

    var remaining: Int { max(0, bytes.count - pos) }
    var atEnd: Bool { pos >= bytes.count }

    mutating func u8() -> UInt8? {
        guard pos < bytes.count else { return nil }
        defer { pos += 1 }
        return bytes.u8(pos)
    }

    /// A little-endian integer of `n` (1...8) bytes.
    mutating func int(_ n: Int) -> UInt64? {
        guard n >= 1, n <= 8, remaining >= n else { return nil }
        var v: UInt64 = 0
        for i in 0..<n { v |= UInt64(bytes.u8(pos + i)) << (8 * UInt64(i)) }
        pos += n
        return v
    }

    mutating func u16() -> UInt16? { int(2).map { UInt16(truncatingIfNeeded: $0) } }
    mutating func u32() -> UInt32? { int(4).map { UInt32(truncatingIfNeeded: $0) } }

    /// A length-encoded integer ("Protocol::LengthEncodedInteger"): < 0xFB itself; 0xFC, 0xFD, 0xFE
    /// followed by 2, 3 or 8 bytes. 0xFB (NULL in a row) and 0xFF are not integers: nil.
    mutating func lenenc() -> UInt64? {
        guard pos < bytes.count else { return nil }
        let first = bytes.u8(pos)
        switch first {
        case 0..<0xFB:
            pos += 1
            return UInt64(first)
        case 0xFC, 0xFD, 0xFE:
            let n = first == 0xFC ? 2 : first == 0xFD ? 3 : 8
            guard remaining >= 1 + n else { return nil }
            pos += 1
            return int(n)
        default:
            return nil
        }
    }

    /// `n` bytes, as a view into the payload.
    mutating func take(_ n: Int) -> UnsafeRawBufferPointer? {
        guard n >= 0, remaining >= n else { return nil }
        defer { pos += n }
        return UnsafeRawBufferPointer(rebasing: bytes[pos..<pos + n])
    }

    mutating func skip(_ n: Int) -> Bool { take(n) != nil }

    /// A length-encoded string: its length (`lenenc`) and the bytes; nil when either is short.
    mutating func lenencBytes() -> UnsafeRawBufferPointer? {
        let save = pos
        guard let n = lenenc(), n <= UInt64(remaining), let b = take(Int(n)) else {
            pos = save
            return nil
        }
        return b
    }

    /// A NUL-terminated string ("Protocol::NullTerminatedString"), NUL consumed; nil when no NUL
    /// comes before the end (`orRest`: then the rest, as MySQL 5.5.7's unterminated plugin name).
    mutating func nulBytes(orRest: Bool = false) -> UnsafeRawBufferPointer? {
        var i = pos
        while i < bytes.count, bytes.u8(i) != 0 { i += 1 }
        if i == bytes.count && !orRest { return nil }
        let b = UnsafeRawBufferPointer(rebasing: bytes[pos..<i])
        pos = min(bytes.count, i + 1)
        return b
    }

    /// The bytes left ("Protocol::RestOfPacketString").
    mutating func rest() -> UnsafeRawBufferPointer {
        let b = UnsafeRawBufferPointer(rebasing: bytes[min(pos, bytes.count)..<bytes.count])
        pos = bytes.count
        return b
    }

    /// Bytes as text (invalid UTF-8 repaired), cut to `max` bytes with `...` when longer.
    static func text(_ b: UnsafeRawBufferPointer, max: Int = 1024) -> String {
        if b.count <= max { return String(decoding: b, as: UTF8.self) }
        return String(decoding: UnsafeRawBufferPointer(rebasing: b[0..<max]), as: UTF8.self) + "..."
    }
}

/// One logical packet the framer completed: its first sequence id, its length on the wire (the
/// payload, all pieces of a multi-packet payload together) and where it was.
struct MySQLPacketInfo {
    var sequence: UInt8
    /// Payload bytes on the wire; more than were kept when `truncated`.
    var length: Int
    /// The payload passed the framer's cap: only its first `MySQLFramer.maxBufferedBytes` are kept.
    var truncated: Bool
    var firstFrame: Int
    var firstTime: Timestamp
    /// Stream offset of the packet's first header byte.
    var offset: Int
}

/// Cuts one direction's byte stream into logical MySQL packets, across segments.
///
/// - A packet wholly inside the bytes delivered is handed over in place (no copy); one that spans
///   deliveries is gathered in `buffer` (reused, never shrunk below what it reached).
/// - Cap: at most `maxBufferedBytes` (16 MiB) of one logical packet are held; the rest of a longer
///   payload (a 1 GiB BLOB insert) is counted and skipped, the packet marked `truncated`, so the
///   framing holds and memory stays bounded.
/// - `lost`: after a gap the packet boundaries are unknown; the framer takes nothing until the
///   conversation finds a plausible packet start (`resume`).
struct MySQLFramer {
    /// The most payload bytes of one packet held (16 MiB, MySQL's default `max_allowed_packet` is
    /// 64 MiB; statements and rows longer than this are cut).
    static let maxBufferedBytes = 16 << 20

    private(set) var lost = false
    private var header: UInt32 = 0
    private var headerCount = 0
    /// Payload bytes of the current physical packet still to come.
    private var remaining = 0
    /// The current physical packet is 0xFFFFFF bytes: another piece follows.
    private var continues = false
    private var gathering = false
    var buffer: [UInt8] = []
    private var info = MySQLPacketInfo(
        sequence: 0, length: 0, truncated: false, firstFrame: 0, firstTime: .missing, offset: 0)

    /// Bytes of a packet held now (the buffer and a partial header).
    var held: Int { buffer.count + headerCount }
    /// Whether a packet has begun and not completed.
    var inPacket: Bool { gathering || headerCount > 0 }

    /// The outcome of `next`.
    enum Next {
        /// A packet complete in the delivered bytes (`range` of them).
        case inPlace(MySQLPacketInfo, Range<Int>)
        /// A packet complete in `buffer`.
        case buffered(MySQLPacketInfo)
    }

    /// The next packet from `bytes` at `off` (moved past what was used); nil when more bytes are
    /// needed (all of `bytes` is then taken) or while lost.
    mutating func next(
        _ bytes: UnsafeRawBufferPointer, _ off: inout Int, frame: Int, time: Timestamp, base: Int
    ) -> Next? {
        guard !lost else {
            off = bytes.count
            return nil
        }
        // The fast path: a whole short packet in place.
        if !gathering && headerCount == 0 && bytes.count - off >= 4 {
            let n = Int(bytes.u8(off)) | Int(bytes.u8(off + 1)) << 8 | Int(bytes.u8(off + 2)) << 16
            if n < 0xFF_FFFF && bytes.count - off - 4 >= n {
                let i = MySQLPacketInfo(
                    sequence: bytes.u8(off + 3), length: n, truncated: false, firstFrame: frame, firstTime: time,
                    offset: base + off)
                off += 4 + n
                return .inPlace(i, off - n..<off)
            }
        }
        while off < bytes.count {
            if headerCount < 4 {
                if !gathering && headerCount == 0 {
                    info = MySQLPacketInfo(
                        sequence: 0, length: 0, truncated: false, firstFrame: frame, firstTime: time,
                        offset: base + off)
                }
                header |= UInt32(bytes.u8(off)) << (8 * UInt32(headerCount))
                headerCount += 1
                off += 1
                guard headerCount == 4 else { continue }
                let n = Int(header & 0xFF_FFFF)
                if !gathering { info.sequence = UInt8(truncatingIfNeeded: header >> 24) }
                gathering = true
                remaining = n
                continues = n == 0xFF_FFFF
                info.length += n
                if remaining == 0, !continues { return complete() }
                if remaining == 0 { restartHeader() }
                continue
            }
            let take = min(remaining, bytes.count - off)
            let room = max(0, Self.maxBufferedBytes - buffer.count)
            let keep = min(take, room)
            if keep > 0 { buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[off..<off + keep])) }
            if keep < take { info.truncated = true }
            off += take
            remaining -= take
            if remaining == 0 {
                if !continues { return complete() }
                restartHeader()
            }
        }
        return nil
    }

    private mutating func restartHeader() {
        header = 0
        headerCount = 0
    }

    private mutating func complete() -> Next {
        restartHeader()
        gathering = false
        remaining = 0
        continues = false
        return .buffered(info)
    }

    /// After a buffered packet was handled: the buffer is emptied (its capacity kept).
    mutating func consumed() { buffer.removeAll(keepingCapacity: true) }

    /// Drops any partial packet and takes nothing more until `resume` (after a gap). Returns the
    /// bytes dropped.
    @discardableResult
    mutating func loseSync() -> Int {
        let dropped = held
        reset()
        lost = true
        return dropped
    }

    /// Starts taking bytes again, at a packet start.
    mutating func resume() { lost = false }

    /// Forgets any partial packet (the stream ended, or the conversation stopped reading).
    mutating func reset() {
        restartHeader()
        gathering = false
        remaining = 0
        continues = false
        buffer = []
        info.length = 0
        info.truncated = false
    }

    /// The 4-byte header at `off` of `b`: length and sequence id; nil when short.
    static func header(_ b: UnsafeRawBufferPointer, at off: Int = 0) -> (length: Int, sequence: UInt8)? {
        guard off >= 0, b.count - off >= 4 else { return nil }
        return (Int(b.u8(off)) | Int(b.u8(off + 1)) << 8 | Int(b.u8(off + 2)) << 16, b.u8(off + 3))
    }
}
