import Testing

@testable import WiretaleCore

/// What a `TCPHalfStream` delivered, flattened: the bytes, gaps as `(offset, count)`, ends seen.
struct ReassemblyLog {
    var bytes: [UInt8] = []
    var gaps: [(at: Int, count: Int)] = []
    var ends = 0
    var frames: [Int] = []

    mutating func record(_ e: TCPStreamEvent) {
        switch e {
        case .data(let b, let first, _):
            bytes.append(contentsOf: b)
            frames.append(first)
        case .gap(let n): gaps.append((bytes.count, n))
        case .end: ends += 1
        }
    }
}

/// A half stream, its budget and what it delivered, fed segment by segment.
struct ReassemblyHarness {
    var stream: TCPHalfStream
    var budget: ReassemblyBudget
    var log = ReassemblyLog()

    init(maxHeld: Int = 1 << 20, maxTotal: Int = 64 << 20) {
        stream = TCPHalfStream(maxHeldBytes: maxHeld)
        budget = ReassemblyBudget(maxTotalBytes: maxTotal)
    }

    mutating func feed(
        _ seq: UInt32, _ bytes: [UInt8], syn: Bool = false, fin: Bool = false, frame: Int = 0
    ) {
        var log = self.log
        stream.add(seq: seq, payload: bytes, syn: syn, fin: fin, frame: frame, budget: &budget) {
            log.record($0)
        }
        self.log = log
    }

    mutating func finish() {
        var log = self.log
        stream.finish(budget: &budget) { log.record($0) }
        self.log = log
    }
}

@Suite("TCP stream reassembly")
struct TCPReassemblerTests {
    static let isn: UInt32 = 1000
    static let stream: [UInt8] = {
        var g = SplitMix64(state: 12)
        return (0..<5000).map { _ in UInt8.random(in: 0...255, using: &g) }
    }()

    /// Cuts `data` into consecutive `(offset, bytes)` segments of sizes from `sizes`.
    static func cut(_ data: [UInt8], sizes: (Int) -> Int) -> [(Int, [UInt8])] {
        var out: [(Int, [UInt8])] = []
        var at = 0
        while at < data.count {
            let n = min(max(1, sizes(out.count)), data.count - at)
            out.append((at, Array(data[at..<at + n])))
            at += n
        }
        return out
    }

    /// Feeds a SYN at `isn`, then the segments in the order given, then finish().
    static func reassemble(_ segments: [(Int, [UInt8])], isn: UInt32 = isn, fin: Bool = false)
        -> ReassemblyHarness
    {
        var h = ReassemblyHarness()
        h.feed(isn, [], syn: true)
        for (i, (off, b)) in segments.enumerated() {
            h.feed(isn &+ 1 &+ UInt32(off), b, frame: i + 2)
        }
        h.finish()
        return h
    }

    @Test("In-order segments are delivered at once, with their frames, and nothing is held")
    func inOrder() {
        var h = ReassemblyHarness()
        h.feed(99, [], syn: true, frame: 1)
        h.feed(100, [1, 2, 3], frame: 2)
        #expect(h.log.bytes == [1, 2, 3])
        h.feed(103, [4, 5], frame: 3)
        #expect(h.log.bytes == [1, 2, 3, 4, 5])
        #expect(h.log.frames == [2, 3])
        #expect(h.stream.heldBytes == 0)
    }

    @Test("An out-of-order segment is held until the hole fills, then both are delivered")
    func outOfOrder() {
        var h = ReassemblyHarness()
        h.feed(99, [], syn: true)
        h.feed(103, [4, 5], frame: 3)
        #expect(h.log.bytes.isEmpty)
        #expect(h.stream.heldBytes == 2)
        #expect(h.budget.heldBytes == 2)
        h.feed(100, [1, 2, 3], frame: 2)
        #expect(h.log.bytes == [1, 2, 3, 4, 5])
        #expect(h.log.frames == [2, 3])
        #expect(h.stream.heldBytes == 0)
        #expect(h.budget.heldBytes == 0)
        #expect(h.log.gaps.isEmpty)
    }

    @Test(
        "Retransmissions and overlaps: the first copy wins, counted, a differing overlap is a conflict")
    func duplicates() {
        var h = ReassemblyHarness()
        h.feed(99, [], syn: true)
        h.feed(100, [1, 2, 3])
        h.feed(100, [1, 2, 3])  // a retransmission of delivered bytes
        #expect(h.stream.retransmittedBytes == 3)
        h.feed(106, [7, 8, 9])  // held
        h.feed(105, [6, 70, 8, 9, 10])  // overlaps the held bytes, one differs
        #expect(h.stream.overlapBytes == 3)
        #expect(h.stream.conflictingOverlaps == 1)
        h.feed(107, [8, 9])  // the same bytes again: an overlap, no conflict
        #expect(h.stream.overlapBytes == 5)
        #expect(h.stream.conflictingOverlaps == 1)
        h.feed(102, [3, 4, 5])  // half old, half new
        #expect(h.stream.retransmittedBytes == 4)
        #expect(h.log.bytes == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
        h.finish()
        #expect(h.log.gaps.isEmpty)
    }

    @Test("Sequence numbers wrap at 2^32 without a gap")
    func wrapAround() {
        let cuts = Self.cut(Self.stream) { 100 + $0 % 37 }
        for isn in [UInt32.max - 1000, UInt32.max, UInt32.max - 4999, 0] {
            var shuffled = cuts
            shuffled.swapAt(3, 9)
            shuffled.swapAt(10, 11)
            let h = Self.reassemble(shuffled, isn: isn)
            #expect(h.log.bytes == Self.stream)
            #expect(h.log.gaps.isEmpty)
        }
    }

    @Test("The SYN and the FIN take one sequence number each; the FIN ends the stream once")
    func synAndFin() {
        var h = ReassemblyHarness()
        h.feed(500, [], syn: true)
        h.feed(505, [6, 7], fin: true)  // FIN at 507, held behind the hole
        #expect(h.log.ends == 0)
        h.feed(501, [1, 2, 3, 4])
        #expect(h.log.bytes == [1, 2, 3, 4, 6, 7])
        #expect(h.log.ends == 1)
        #expect(h.stream.ended)
        h.feed(507, [9])  // after the FIN
        h.feed(505, [6, 7], fin: true)  // the FIN again
        #expect(h.stream.outOfWindowBytes == 1)
        #expect(h.stream.retransmittedBytes == 2)
        h.finish()
        #expect(h.log.bytes == [1, 2, 3, 4, 6, 7])
        #expect(h.log.ends == 1)
        var s = ReassemblyHarness()
        s.feed(10, [0x41, 0x42], syn: true)  // data on the SYN (TCP Fast Open) starts at seq + 1
        s.feed(13, [0x43])
        #expect(s.log.bytes == [0x41, 0x42, 0x43])
    }

    @Test("Without the SYN the stream starts at the first byte seen; earlier bytes are ignored")
    func midStream() {
        var h = ReassemblyHarness()
        h.feed(7_000_000, [])  // a pure ACK does not start it
        h.feed(7_000_100, [1, 2, 3])
        h.feed(7_000_050, [9, 9])  // before the start: already past
        h.feed(7_000_103, [4])
        #expect(h.log.bytes == [1, 2, 3, 4])
        #expect(h.stream.base == SeqNum(7_000_100))
        #expect(h.stream.retransmittedBytes == 2)
    }

    @Test("A hole that never fills is delivered as a gap at finish, then the held bytes and the end")
    func holeAtFinish() {
        var h = ReassemblyHarness()
        h.feed(0, [], syn: true)
        h.feed(1, [1, 2])
        h.feed(6, [6, 7], fin: true)
        h.feed(10, [])
        #expect(h.log.bytes == [1, 2])
        h.finish()
        #expect(h.log.bytes == [1, 2, 6, 7])
        #expect(h.log.gaps.map(\.at) == [2])
        #expect(h.log.gaps.map(\.count) == [3])
        #expect(h.stream.gapBytes == 3)
        #expect(h.log.ends == 1)
        #expect(!h.stream.hadCapGap)
        var f = ReassemblyHarness()
        f.feed(0, [], syn: true)
        f.feed(1, [1])
        f.feed(5, [], fin: true)  // FIN with bytes 2...4 missing
        f.finish()
        #expect(f.log.gaps.map(\.count) == [3])
    }

    @Test("Bytes far ahead of the delivery point are ignored and counted")
    func outOfWindow() {
        var h = ReassemblyHarness()
        h.stream.maxWindow = 1000
        h.feed(0, [], syn: true)
        h.feed(5000, [1, 2, 3])
        #expect(h.stream.outOfWindowBytes == 3)
        #expect(h.stream.heldBytes == 0)
        h.feed(1, [5])
        h.finish()
        #expect(h.log.bytes == [5])
        #expect(h.log.gaps.isEmpty)
    }

    @Test("The per-direction cap delivers what is held after a gap and marks the stream")
    func directionCap() {
        var h = ReassemblyHarness(maxHeld: 100)
        h.feed(0, [], syn: true)
        h.feed(1, Array(repeating: 1, count: 10))
        h.feed(21, Array(repeating: 3, count: 60))  // held, a hole of 10 before it
        #expect(!h.stream.hadCapGap)
        h.feed(81, Array(repeating: 4, count: 50))  // past the cap: flushed
        #expect(h.stream.hadCapGap)
        #expect(h.stream.heldBytes == 0)
        #expect(h.log.gaps.map(\.at) == [10])
        #expect(h.log.gaps.map(\.count) == [10])
        #expect(h.log.bytes.count == 120)
        h.feed(11, Array(repeating: 2, count: 10))  // the late bytes: already skipped
        h.feed(131, [5])  // in order again
        #expect(h.log.bytes.count == 121)
        #expect(h.budget.heldBytes == 0)
    }

    @Test("The shared budget forces the stream that would pass it to flush with a gap")
    func totalCap() {
        var budget = ReassemblyBudget(maxTotalBytes: 150)
        var a = TCPHalfStream()
        var b = TCPHalfStream()
        var logA = ReassemblyLog()
        var logB = ReassemblyLog()
        a.add(seq: 0, payload: [], syn: true, frame: 1, budget: &budget) { logA.record($0) }
        b.add(seq: 0, payload: [], syn: true, frame: 1, budget: &budget) { logB.record($0) }
        a.add(seq: 11, payload: Array(repeating: 1, count: 100), frame: 2, budget: &budget) {
            logA.record($0)
        }
        #expect(budget.heldBytes == 100)
        b.add(seq: 6, payload: Array(repeating: 2, count: 60), frame: 3, budget: &budget) {
            logB.record($0)
        }
        #expect(b.hadCapGap)
        #expect(!a.hadCapGap)
        #expect(logB.gaps.map(\.count) == [5])
        #expect(logB.bytes.count == 60)
        #expect(budget.heldBytes == 100)
        #expect(budget.flushes == 1)
        a.finish(budget: &budget) { logA.record($0) }
        #expect(budget.heldBytes == 0)
        #expect(logA.gaps.map(\.count) == [10])
    }

    @Test("Every segmentation of one stream reassembles to the same bytes with no gap")
    func everySegmentation() {
        var g = SplitMix64(state: 7)
        var cuttings: [[(Int, [UInt8])]] = [
            Self.cut(Self.stream) { _ in 1 },
            Self.cut(Self.stream) { _ in 1460 },
            Self.cut(Self.stream) { _ in 5000 },
        ]
        for _ in 0..<20 {
            cuttings.append(Self.cut(Self.stream) { _ in Int.random(in: 1...700, using: &g) })
        }
        for cuts in cuttings {
            let plain = Self.reassemble(cuts)
            #expect(plain.log.bytes == Self.stream)
            #expect(plain.log.gaps.isEmpty)
            // Shuffled within a window of 8 segments.
            var shuffled = cuts
            var i = 0
            while i < shuffled.count {
                let j = min(i + 8, shuffled.count)
                shuffled[i..<j].shuffle(using: &g)
                i = j
            }
            let reordered = Self.reassemble(shuffled)
            #expect(reordered.log.bytes == Self.stream)
            #expect(reordered.log.gaps.isEmpty)
            #expect(reordered.stream.heldBytes == 0)
            // Every segment twice, the copies shuffled too.
            let doubled = shuffled.flatMap { [$0, $0] }
            let dup = Self.reassemble(doubled)
            #expect(dup.log.bytes == Self.stream)
            #expect(dup.log.gaps.isEmpty)
            #expect(dup.stream.conflictingOverlaps == 0)
            #expect(dup.stream.retransmittedBytes + dup.stream.overlapBytes == Self.stream.count)
            // Overlapping re-cuts of the same bytes on top.
            let recut = Self.cut(Self.stream) { _ in Int.random(in: 1...900, using: &g) }
            let both = Self.reassemble(shuffled + recut.shuffled(using: &g))
            #expect(both.log.bytes == Self.stream)
            #expect(both.log.gaps.isEmpty)
            #expect(both.stream.conflictingOverlaps == 0)
        }
    }

    @Test(
        "Every prefix of an in-order cut gives the prefix bytes, no gap, one end; a missing middle is a gap"
    )
    func everyPrefix() {
        var g = SplitMix64(state: 3)
        let cuts = Self.cut(Self.stream) { _ in Int.random(in: 1...300, using: &g) }
        for k in 0...cuts.count {
            let h = Self.reassemble(Array(cuts[..<k]))
            let length = k == 0 ? 0 : cuts[k - 1].0 + cuts[k - 1].1.count
            #expect(h.log.bytes == Array(Self.stream[..<length]))
            #expect(h.log.gaps.isEmpty)
            #expect(h.log.ends == 1)
        }
        for dropped in 1..<cuts.count - 1 {
            var some = cuts
            let (off, b) = some.remove(at: dropped)
            let h = Self.reassemble(some)
            #expect(h.log.gaps.count == 1)
            #expect(h.log.gaps.first?.at == off)
            #expect(h.log.gaps.first?.count == b.count)
            #expect(h.log.bytes == Array(Self.stream[..<off] + Self.stream[(off + b.count)...]))
            #expect(h.log.ends == 1)
        }
    }
}
