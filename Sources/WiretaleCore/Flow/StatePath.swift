/// The states one side of a connection passed through, in order, after corrections: at most
/// `capacity` states packed four bits each into one word (no heap). A side passes through eight at
/// most (CLOSED, LISTEN, SYN-RCVD, ESTABLISHED, FIN-WAIT-1, CLOSING, TIME-WAIT, CLOSED).
public struct StatePath: Sendable, Equatable, Sequence {
    var packed: UInt64 = 0
    public private(set) var count: Int = 0

    public static let capacity = 16

    /// A path that starts in `state` (CLOSED, or ESTABLISHED for a side first seen mid-stream).
    init(_ state: TCPState) { append(state) }

    mutating func append(_ s: TCPState) {
        guard count < Self.capacity else { return }
        packed |= UInt64(s.rawValue) << (4 * UInt64(count))
        count += 1
    }

    /// Drops the states after the last `s` (a correction back to `s`); false when `s` is not on the path.
    mutating func retract(to s: TCPState) -> Bool {
        var i = count - 1
        while i >= 0 && self[i] != s { i -= 1 }
        guard i >= 0 else { return false }
        count = i + 1
        packed &= count >= Self.capacity ? ~0 : (UInt64(1) << (4 * UInt64(count))) - 1
        return true
    }

    public subscript(i: Int) -> TCPState {
        TCPState(rawValue: UInt8(truncatingIfNeeded: packed >> (4 * UInt64(i))) & 0xF) ?? .closed
    }

    /// The latest state (nil only for an empty path, which the tracker never makes).
    public var last: TCPState? { count > 0 ? self[count - 1] : nil }

    /// The state before the last one (the last one when it is the only one).
    var previous: TCPState { self[Swift.max(count - 2, 0)] }

    public func makeIterator() -> IndexingIterator<[TCPState]> {
        (0..<count).map { self[$0] }.makeIterator()
    }
}

extension TCPState {
    /// Whether a side may go from `self` to `next`: an arc of RFC 9293's state diagram (section
    /// 3.3.2, figure 5), or any state to CLOSED (a RST, or a timeout). The one place the rule is
    /// written; the tracker's paths and the tests check against it.
    public func allows(_ next: TCPState) -> Bool {
        if next == .closed { return true }
        switch (self, next) {
        case (.closed, .listen), (.closed, .synSent),
            (.listen, .synReceived), (.listen, .synSent),
            (.synSent, .synReceived), (.synSent, .established),
            (.synReceived, .established), (.synReceived, .finWait1), (.synReceived, .listen),
            (.established, .finWait1), (.established, .closeWait),
            (.finWait1, .finWait2), (.finWait1, .closing),
            (.finWait2, .timeWait),
            (.closeWait, .lastAck),
            (.closing, .timeWait):
            return true
        default:
            return false
        }
    }

    /// The states strictly between `self` and `target` on a shortest walk of the diagram (empty when
    /// `allows(target)`): the tracker's guard, so that an inference no rule foresaw still leaves a
    /// legal path (a breadth-first search over the 11 states; every state can reach every other,
    /// through CLOSED if need be).
    public func route(to target: TCPState) -> [TCPState] {
        if allows(target) { return [] }
        var before = [TCPState?](repeating: nil, count: TCPState.allCases.count)
        var queue = [self]
        var seen = Set([self])
        var head = 0
        while head < queue.count {
            let s = queue[head]
            head += 1
            // CLOSED (a RST or a timeout) last, so that a walk through it is taken only when it is the only one.
            for n in Self.searchOrder where !seen.contains(n) && s.allows(n) {
                seen.insert(n)
                before[Int(n.rawValue)] = s
                if n == target {
                    var middle: [TCPState] = []
                    var at = s
                    while at != self {
                        middle.append(at)
                        at = before[Int(at.rawValue)]!
                    }
                    return middle.reversed()
                }
                queue.append(n)
            }
        }
        return []
    }

    private static let searchOrder = Array(allCases.dropFirst()) + [.closed]

    /// Whether `path` is a walk of the diagram that starts where a capture can start a side:
    /// CLOSED, or ESTABLISHED for a connection joined mid-stream.
    public static func isLegalPath(_ path: some Sequence<TCPState>) -> Bool {
        var previous: TCPState? = nil
        for s in path {
            if let p = previous {
                guard p.allows(s) else { return false }
            } else if s != .closed && s != .established {
                return false
            }
            previous = s
        }
        return previous != nil
    }
}
