/// A value in a step's `detail`: what a renderer prints and what `--format json` writes. Kept as an
/// ordered tree so text and JSON show the same facts in the same order.
public indirect enum DetailValue: Sendable, Equatable {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case null
    case list([DetailValue])
    case object(Detail)
}

/// Ordered key/value pairs (JSON object order is kept as inserted).
public struct Detail: Sendable, Equatable {
    public private(set) var entries: [(key: String, value: DetailValue)] = []

    public init() {}

    public subscript(key: String) -> DetailValue? {
        get { entries.first { $0.key == key }?.value }
        set {
            if let i = entries.firstIndex(where: { $0.key == key }) {
                if let newValue { entries[i].value = newValue } else { entries.remove(at: i) }
            } else if let newValue {
                entries.append((key, newValue))
            }
        }
    }

    public mutating func set(_ key: String, _ value: String?) { self[key] = value.map { .string($0) } ?? .null }
    public mutating func set(_ key: String, _ value: Int) { self[key] = .int(value) }
    public mutating func set(_ key: String, _ value: Double) { self[key] = .double(value) }
    public mutating func set(_ key: String, _ value: Bool) { self[key] = .bool(value) }
    public mutating func set(_ key: String, _ values: [String]) { self[key] = .list(values.map { .string($0) }) }
    public mutating func set(_ key: String, _ value: Detail) { self[key] = .object(value) }
    public mutating func set(_ key: String, _ values: [Detail]) { self[key] = .list(values.map { .object($0) }) }

    public var isEmpty: Bool { entries.isEmpty }

    public static func == (a: Detail, b: Detail) -> Bool {
        a.entries.count == b.entries.count
            && zip(a.entries, b.entries).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}

extension DetailValue {
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }
    public var intValue: Int? {
        if case .int(let v) = self { return v }
        return nil
    }
}
