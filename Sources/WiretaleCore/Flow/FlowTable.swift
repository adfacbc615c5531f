/// An open-addressing hash table from a flow's 4-tuple to its slot in the tracker's array
/// (linear probing, power-of-two capacity, at most half full, backward-shift deletion so no
/// tombstones build up). It exists because the per-packet lookup is the tracker's hottest
/// operation: the key is hashed once with a multiply-xorshift mix instead of SipHash, and keys
/// and slots sit in two flat arrays.
struct FlowTable {
    private var keys: ContiguousArray<FlowKey>
    /// The slot for each bucket, or -1 when the bucket is empty.
    private var slots: ContiguousArray<Int32>
    private var mask: Int
    private(set) var count = 0

    init(capacity: Int = 1024) {
        var n = 16
        while n < capacity * 2 { n <<= 1 }
        keys = ContiguousArray(repeating: FlowKey(lowHigh: 0, lowLow: 0, highHigh: 0, highLow: 0, ports: 0), count: n)
        slots = ContiguousArray(repeating: -1, count: n)
        mask = n - 1
    }

    @inline(__always)
    private func bucket(_ k: FlowKey) -> Int {
        Int(truncatingIfNeeded: k.mixedHash) & mask
    }

    @inline(__always)
    func find(_ k: FlowKey) -> Int32? {
        var b = bucket(k)
        while true {
            let s = slots[b]
            if s < 0 { return nil }
            if keys[b] == k { return s }
            b = (b + 1) & mask
        }
    }

    /// Inserts or replaces the slot for `k`.
    mutating func set(_ k: FlowKey, _ slot: Int32) {
        if (count + 1) * 2 > slots.count { grow() }
        var b = bucket(k)
        while slots[b] >= 0 {
            if keys[b] == k {
                slots[b] = slot
                return
            }
            b = (b + 1) & mask
        }
        keys[b] = k
        slots[b] = slot
        count += 1
    }

    mutating func remove(_ k: FlowKey) {
        var b = bucket(k)
        while true {
            if slots[b] < 0 { return }
            if keys[b] == k { break }
            b = (b + 1) & mask
        }
        // Backward shift: pull later members of the probe run into the hole when that keeps
        // them reachable from their home bucket.
        var hole = b
        var j = (b + 1) & mask
        while slots[j] >= 0 {
            let home = bucket(keys[j])
            let reachable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j)
            if reachable {
                keys[hole] = keys[j]
                slots[hole] = slots[j]
                hole = j
            }
            j = (j + 1) & mask
        }
        slots[hole] = -1
        count -= 1
    }

    private mutating func grow() {
        let oldKeys = keys
        let oldSlots = slots
        let n = slots.count * 2
        keys = ContiguousArray(repeating: oldKeys[0], count: n)
        slots = ContiguousArray(repeating: -1, count: n)
        mask = n - 1
        count = 0
        for i in oldSlots.indices where oldSlots[i] >= 0 {
            set(oldKeys[i], oldSlots[i])
        }
    }
}
