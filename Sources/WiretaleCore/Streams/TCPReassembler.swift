/// A TCP sequence number, compared modulo 2^32 (RFC 9293 section 3.4): `a < b` when the signed
/// 32-bit distance from `a` to `b` is positive. The one place the reassembler does wrap-around
/// arithmetic; the comparisons are `seqLT`'s.
public struct SeqNum: Hashable, Comparable, Sendable {
    public var raw: UInt32

    public init(_ raw: UInt32) { self.raw = raw }

    public static func < (a: SeqNum, b: SeqNum) -> Bool { seqLT(a.raw, b.raw) }

    /// The signed distance from `self` to `other` (positive when `other` is after `self`).
    public func distance(to other: SeqNum) -> Int { Int(Int32(bitPattern: other.raw &- raw)) }

    /// `self` moved `n` bytes on, wrapping at 2^32.
    public func advanced(by n: Int) -> SeqNum { SeqNum(raw &+ UInt32(truncatingIfNeeded: n)) }
}

/// The memory budget shared by every `TCPHalfStream` of a tracker: the bytes they hold out of order,
/// all directions together. Passed `inout` to each call, so it needs no locking and no reference;
/// a stream that would take the total past `maxTotalBytes` flushes its own held data first (with a
/// gap, as at its own cap) rather than growing.
public struct ReassemblyBudget: Sendable {
    /// The most bytes all streams together may hold out of order (default 64 MiB).
    public var maxTotalBytes: Int
    /// The bytes held now, all streams together.
    public internal(set) var heldBytes = 0
    /// How many times a stream was flushed with a gap because the total was reached.
    public internal(set) var flushes = 0

    public init(maxTotalBytes: Int = 64 << 20) { self.maxTotalBytes = maxTotalBytes }
}

/// What a `TCPHalfStream` hands its consumer, in stream order.
public enum TCPStreamEvent {
    /// In-order bytes carried by frames `firstFrame...lastFrame`. The buffer is valid only during
    /// the callback: the stream keeps no delivered byte.
    case data(UnsafeRawBufferPointer, firstFrame: Int, lastFrame: Int)
    /// `count` bytes that never arrived (a hole that did not fill, or one skipped at a cap): the
    /// consumer resynchronises after it.
    case gap(Int)
    /// The stream is over: its FIN was reached, or `finish()` was called. Sent once.
    case end
}

/// One direction of a TCP connection, reassembled into its byte stream (gopacket's half-connection).
///
/// Policy:
/// - The stream starts at the SYN's sequence number + 1, or, when the SYN was not captured, at the
///   first byte seen (a capture started mid-connection). Earlier bytes arriving later are before
///   the delivery point and ignored.
/// - In-order bytes are delivered at once, straight from the caller's buffer (no copy); out-of-order
///   ones are copied and held until the hole before them fills. Only held data allocates.
/// - Overlaps: the first copy wins (Wireshark's policy). Bytes before the delivery point were
///   delivered already and are counted in `retransmittedBytes`; bytes over held data are compared
///   and counted in `overlapBytes`, and a segment whose overlapping bytes differ counts once in
///   `conflictingOverlaps`.
/// - Bytes starting more than `maxWindow` ahead of the delivery point, or after the FIN, are
///   ignored and counted in `outOfWindowBytes`.
/// - Caps: at most `maxHeldBytes` held by this direction, and at most the shared
///   `ReassemblyBudget.maxTotalBytes` by all. When a segment would pass either, everything held is
///   delivered, each piece after a `.gap(n)` for the bytes missing before it, and `hadCapGap` is
///   set. At `finish()` (end of capture) held data is delivered the same way, a hole before a seen
///   FIN becomes a gap, then `.end`.
public struct TCPHalfStream {
    struct Held {
        var offset: Int  // absolute stream offset of bytes[0]
        var bytes: [UInt8]
        var frame: Int
        var end: Int { offset + bytes.count }
    }

    /// The most bytes this direction holds out of order (default 1 MiB).
    public var maxHeldBytes: Int
    /// How far ahead of the delivery point a segment may start (default 1 GiB, below 2^31).
    public var maxWindow: Int

    /// The sequence number of the stream's first byte, once known.
    public private(set) var base: SeqNum?
    /// The stream offset of the next byte to deliver (bytes delivered plus gaps).
    public private(set) var delivered = 0
    public private(set) var heldBytes = 0
    public private(set) var retransmittedBytes = 0
    public private(set) var overlapBytes = 0
    public private(set) var conflictingOverlaps = 0
    public private(set) var outOfWindowBytes = 0
    public private(set) var gapBytes = 0
    /// A cap (this direction's or the shared budget) forced held data out with a gap.
    public private(set) var hadCapGap = false
    /// `.end` was sent.
    public private(set) var ended = false
    private var finOffset: Int?
    private var held: [Held] = []

    public init(maxHeldBytes: Int = 1 << 20, maxWindow: Int = 1 << 30) {
        self.maxHeldBytes = maxHeldBytes
        self.maxWindow = min(maxWindow, Int(Int32.max))
    }

    /// Feeds one segment of this direction; events go to `deliver` before it returns. `missing`:
    /// bytes of the segment after `payload` that were not captured (a snapshot length cut it); when
    /// the stream reaches them they are delivered as a gap.
    public mutating func add(
        seq: UInt32, payload: UnsafeRawBufferPointer, syn: Bool = false, fin: Bool = false, frame: Int,
        missing: Int = 0, budget: inout ReassemblyBudget, _ deliver: (TCPStreamEvent) -> Void
    ) {
        let first = SeqNum(syn ? seq &+ 1 : seq)
        let missing = max(0, missing)
        if base == nil {
            guard syn || !payload.isEmpty || missing > 0 || fin else { return }
            base = first
        }
        guard let base else { return }
        if ended && finOffset == nil {  // finished without a FIN: nothing more is taken
            outOfWindowBytes += payload.count
            return
        }
        let next = base.advanced(by: delivered)
        let start = delivered + next.distance(to: first)
        let end = start + payload.count
        let wireEnd = end + missing
        if start - delivered > maxWindow || (finOffset.map { wireEnd > $0 && start >= $0 } ?? false) {
            outOfWindowBytes += payload.count
            return
        }
        if fin && finOffset == nil { finOffset = wireEnd }
        var from = start
        if from < delivered {
            let old = min(delivered, end) - from
            retransmittedBytes += max(0, old)
            from += max(0, old)
        }
        if let f = finOffset, end > f {
            outOfWindowBytes += end - max(from, f)
        }
        let to = min(end, finOffset ?? end)
        if from < to {
            let slice = UnsafeRawBufferPointer(rebasing: payload[(from - start)..<(to - start)])
            if from == delivered && held.isEmpty {
                delivered = to
                deliver(.data(slice, firstFrame: frame, lastFrame: frame))
            } else {
                hold(slice, at: from, frame: frame, budget: &budget, deliver)
                drain(budget: &budget, deliver)
            }
        }
        if missing > 0, delivered >= end, delivered < min(wireEnd, finOffset ?? wireEnd) {
            // The uncaptured tail is next: it will never arrive.
            skip(to: min(wireEnd, finOffset ?? wireEnd), deliver)
            dropHeld(before: delivered, budget: &budget)
            drain(budget: &budget, deliver)
        }
        endIfDone(deliver)
    }

    /// Forgets what is held without delivering it (the consumer wants nothing more), giving the
    /// bytes back to `budget`; the stream then ends without an `.end` event.
    public mutating func discard(budget: inout ReassemblyBudget) {
        budget.heldBytes -= heldBytes
        heldBytes = 0
        held = []
        ended = true
        finOffset = nil
    }

    /// `add` for bytes in an array (tests, callers that have one).
    public mutating func add(
        seq: UInt32, payload: [UInt8], syn: Bool = false, fin: Bool = false, frame: Int, missing: Int = 0,
        budget: inout ReassemblyBudget, _ deliver: (TCPStreamEvent) -> Void
    ) {
        payload.withUnsafeBytes {
            add(seq: seq, payload: $0, syn: syn, fin: fin, frame: frame, missing: missing, budget: &budget, deliver)
        }
    }

    /// End of capture (or of the connection): what is held is delivered after gaps for the holes
    /// before it, a hole before a FIN seen becomes a gap, then `.end` (once).
    public mutating func finish(budget: inout ReassemblyBudget, _ deliver: (TCPStreamEvent) -> Void) {
        guard !ended else { return }
        flush(budget: &budget, deliver)
        if let f = finOffset, f > delivered { skip(to: f, deliver) }
        ended = true
        deliver(.end)
    }

    /// Copies the bytes of `slice` (at stream offset `from`) not already held; first copy wins.
    private mutating func hold(
        _ slice: UnsafeRawBufferPointer, at from: Int, frame: Int, budget: inout ReassemblyBudget,
        _ deliver: (TCPStreamEvent) -> Void
    ) {
        let end = from + slice.count
        var pieces: [(Int, Int)] = []
        var cursor = from
        var conflict = false
        var i = firstHeld(endingAfter: from)
        let insertAt = i
        while i < held.count, held[i].offset < end {
            let h = held[i]
            if h.offset > cursor { pieces.append((cursor, h.offset)) }
            let lo = max(h.offset, cursor)
            let hi = min(h.end, end)
            if lo < hi {
                overlapBytes += hi - lo
                for k in lo..<hi where h.bytes[k - h.offset] != slice[k - from] { conflict = true }
                cursor = hi
            }
            i += 1
        }
        if cursor < end { pieces.append((cursor, end)) }
        if conflict { conflictingOverlaps += 1 }
        let added = pieces.reduce(0) { $0 + $1.1 - $1.0 }
        guard added > 0 else { return }
        var merged = pieces.map { piece in
            Held(offset: piece.0, bytes: Array(slice[(piece.0 - from)..<(piece.1 - from)]), frame: frame)
        }
        merged.append(contentsOf: held[insertAt..<i])
        merged.sort { $0.offset < $1.offset }
        held.replaceSubrange(insertAt..<i, with: merged)
        heldBytes += added
        budget.heldBytes += added
        if heldBytes > maxHeldBytes || budget.heldBytes > budget.maxTotalBytes {
            if budget.heldBytes > budget.maxTotalBytes { budget.flushes += 1 }
            hadCapGap = true
            flush(budget: &budget, deliver)
        }
    }

    /// The index of the first held piece that ends after `offset` (the pieces are sorted and disjoint).
    private func firstHeld(endingAfter offset: Int) -> Int {
        var lo = 0
        var hi = held.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if held[mid].end <= offset { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// Delivers the held pieces that now start at the delivery point.
    private mutating func drain(budget: inout ReassemblyBudget, _ deliver: (TCPStreamEvent) -> Void) {
        var n = 0
        while n < held.count, held[n].offset == delivered {
            emit(held[n], deliver)
            n += 1
        }
        release(n, budget: &budget)
    }

    /// Delivers everything held, each piece after a gap for the bytes missing before it.
    private mutating func flush(budget: inout ReassemblyBudget, _ deliver: (TCPStreamEvent) -> Void) {
        for h in held {
            if h.offset > delivered { skip(to: h.offset, deliver) }
            emit(h, deliver)
        }
        release(held.count, budget: &budget)
    }

    private mutating func emit(_ h: Held, _ deliver: (TCPStreamEvent) -> Void) {
        delivered = h.end
        h.bytes.withUnsafeBytes { deliver(.data($0, firstFrame: h.frame, lastFrame: h.frame)) }
    }

    private mutating func skip(to offset: Int, _ deliver: (TCPStreamEvent) -> Void) {
        gapBytes += offset - delivered
        deliver(.gap(offset - delivered))
        delivered = offset
    }

    /// Drops held bytes before `offset` (covered by a gap already delivered).
    private mutating func dropHeld(before offset: Int, budget: inout ReassemblyBudget) {
        var n = 0
        while n < held.count, held[n].end <= offset { n += 1 }
        release(n, budget: &budget)
        if let h = held.first, h.offset < offset {
            let cut = offset - h.offset
            held[0] = Held(offset: offset, bytes: Array(h.bytes[cut...]), frame: h.frame)
            heldBytes -= cut
            budget.heldBytes -= cut
        }
    }

    private mutating func release(_ n: Int, budget: inout ReassemblyBudget) {
        guard n > 0 else { return }
        let bytes = held[..<n].reduce(0) { $0 + $1.bytes.count }
        held.removeFirst(n)
        heldBytes -= bytes
        budget.heldBytes -= bytes
    }

    private mutating func endIfDone(_ deliver: (TCPStreamEvent) -> Void) {
        if let f = finOffset, delivered >= f, held.isEmpty, !ended {
            ended = true
            deliver(.end)
        }
    }
}
