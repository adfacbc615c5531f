/// What every command can print: one choice, shared by `read`, `capture`, `conversations`,
/// `explain`, `trace`, `lab` and `interfaces`. A renderer switches over it exhaustively, so a new
/// format (an HTML report) makes the compiler point at every renderer that must learn it.
public enum OutputFormat: String, Sendable, CaseIterable {
    /// Lines for people, in the notes' terms.
    case text
    /// JSON (RFC 8259): one object per record (NDJSON) for streams of packets, one document otherwise.
    case json
    /// Decode and track everything, print only counts (for benchmarks).
    case none
}

/// JSON written straight into an `OutputBuffer`, with the commas kept by the writer instead of by
/// each renderer: `beginObject()`, `field("key", value)` or `key("key")` then a value, `endObject()`.
///
/// The nesting is a 64-level bit stack held in the buffer (no allocation per record), so a
/// renderer on the hot path pays for the bytes it writes and a branch per member. Strings are
/// escaped as RFC 8259 section 7 says; non-finite numbers are written as `null`.
public struct JSONNesting: Sendable {
    @usableFromInline var depth: Int = 0
    /// Bit `d` set: the container at depth `d` already has a member (the next one needs a comma).
    @usableFromInline var hasMember: UInt64 = 0
    /// A key was just written: the value that follows takes no comma.
    @usableFromInline var afterKey = false
    /// `", "` between members and `": "` after a key (the `lab servers` report's layout); compact
    /// (`","`, `":"`) otherwise.
    public var spaced = false

    public init() {}
}

extension OutputBuffer {
    /// Whether a new member or element needs a comma before it; marks the container as non-empty.
    /// Writes nothing (the caller writes the comma with what follows, in one append).
    @inline(__always) @usableFromInline mutating func jsonNeedsComma() -> Bool {
        if json.afterKey {
            json.afterKey = false
            return false
        }
        let d = json.depth
        guard d > 0 else { return false }
        let bit: UInt64 = 1 << UInt64(min(d, 63))
        if json.hasMember & bit != 0 { return true }
        json.hasMember |= bit
        return false
    }

    /// Writes the comma a new member or element needs, and marks the container as non-empty.
    @inline(__always) @usableFromInline mutating func jsonSeparate() {
        if jsonNeedsComma() {
            bytes.append(UInt8(ascii: ","))
            if json.spaced { bytes.append(UInt8(ascii: " ")) }
        }
    }

    @inlinable mutating func jsonOpen(_ c: UInt8) {
        jsonSeparate()
        bytes.append(c)
        json.depth += 1
        json.hasMember &= ~(1 << UInt64(min(json.depth, 63)))
    }

    @inlinable mutating func jsonClose(_ c: UInt8) {
        bytes.append(c)
        json.depth = max(0, json.depth - 1)
    }

    /// `{`, as a value (after `key`, in an array, or at the top).
    @inlinable public mutating func beginObject() { jsonOpen(UInt8(ascii: "{")) }
    /// `}`.
    @inlinable public mutating func endObject() { jsonClose(UInt8(ascii: "}")) }
    /// `[`, as a value.
    @inlinable public mutating func beginArray() { jsonOpen(UInt8(ascii: "[")) }
    /// `]`.
    @inlinable public mutating func endArray() { jsonClose(UInt8(ascii: "]")) }

    /// `{` after `"key":`.
    @inlinable public mutating func beginObject(_ key: StaticString) {
        self.key(key)
        beginObject()
    }

    /// `[` after `"key":`.
    @inlinable public mutating func beginArray(_ key: StaticString) {
        self.key(key)
        beginArray()
    }

    /// `"key":` (with the comma before it when the object has members). The next value follows.
    /// Written in one append (`,"key":` assembled on the stack): a record has dozens of keys.
    @inlinable public mutating func key(_ k: StaticString) {
        let comma = jsonNeedsComma()
        let spaced = json.spaced
        k.withUTF8Buffer { kb in
            guard kb.count <= 58 else {
                // A long key: the same bytes in four appends.
                if comma { bytes.append(contentsOf: spaced ? [0x2C, 0x20] : [0x2C]) }
                bytes.append(UInt8(ascii: "\""))
                bytes.append(contentsOf: kb)
                append(spaced ? "\": " : "\":")
                return
            }
            // A constant capacity is a plain stack allocation (a computed one asks the runtime).
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { t in
                var i = 0
                if comma {
                    t[i] = UInt8(ascii: ",")
                    i += 1
                    if spaced {
                        t[i] = UInt8(ascii: " ")
                        i += 1
                    }
                }
                t[i] = UInt8(ascii: "\"")
                i += 1
                if let from = kb.baseAddress, let to = t.baseAddress {
                    (to + i).initialize(from: from, count: kb.count)
                }
                i += kb.count
                t[i] = UInt8(ascii: "\"")
                t[i + 1] = UInt8(ascii: ":")
                i += 2
                if spaced {
                    t[i] = UInt8(ascii: " ")
                    i += 1
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: t[..<i]))
            }
        }
        json.afterKey = true
    }

    /// `"key":` for a key known only at run time (escaped).
    @inlinable public mutating func key(_ k: String) {
        jsonSeparate()
        appendJSONString(k)
        bytes.append(UInt8(ascii: ":"))
        if json.spaced { bytes.append(UInt8(ascii: " ")) }
        json.afterKey = true
    }

    // MARK: values (each takes its comma in an array)

    @inlinable public mutating func value(_ v: Int) {
        jsonSeparate()
        append(v)
    }

    @inlinable public mutating func value(_ v: UInt64) {
        jsonSeparate()
        append(v)
    }

    @inlinable public mutating func value(_ v: Bool) {
        jsonSeparate()
        append(v ? "true" : "false")
    }

    /// A number with `decimals` digits after the point; NaN and infinities as `null`.
    public mutating func value(_ v: Double, decimals: Int) {
        jsonSeparate()
        guard v.isFinite else {
            append("null")
            return
        }
        append(String(format3: v, decimals: decimals))
    }

    @inlinable public mutating func value(_ s: String) {
        jsonSeparate()
        appendJSONString(s)
    }

    @inlinable public mutating func value(_ s: StaticString) {
        jsonSeparate()
        bytes.append(UInt8(ascii: "\""))
        append(s)
        bytes.append(UInt8(ascii: "\""))
    }

    /// Bytes as a JSON string (escaped; the caller knows they are text).
    @inlinable public mutating func value(bytes raw: UnsafeRawBufferPointer) {
        jsonSeparate()
        appendJSONString(bytes: raw)
    }

    /// An address as a JSON string: `"192.0.2.1"`, `"2001:db8::1"`.
    @inlinable public mutating func value(_ a: IPAddress) {
        jsonSeparate()
        bytes.append(UInt8(ascii: "\""))
        append(a)
        bytes.append(UInt8(ascii: "\""))
    }

    /// Text that is already JSON (a number formatted by the caller), written as it is.
    @inlinable public mutating func value(raw: String) {
        jsonSeparate()
        append(raw)
    }

    @inlinable public mutating func nullValue() {
        jsonSeparate()
        append("null")
    }

    /// A time as RFC 3339 UTC, or `null` out of range (then the caller adds `<key>_out_of_range`).
    public mutating func value(_ t: Timestamp) {
        jsonSeparate()
        guard t.isInRange else {
            append("null")
            return
        }
        bytes.append(UInt8(ascii: "\""))
        appendRFC3339(t)
        bytes.append(UInt8(ascii: "\""))
    }

    // MARK: members

    @inlinable public mutating func field(_ k: StaticString, _ v: Int) {
        key(k)
        value(v)
    }

    @inlinable public mutating func field(_ k: StaticString, _ v: UInt64) {
        key(k)
        value(v)
    }

    @inlinable public mutating func field(_ k: StaticString, _ v: Bool) {
        key(k)
        value(v)
    }

    @inlinable public mutating func field(_ k: StaticString, _ v: String) {
        key(k)
        value(v)
    }

    /// `"key":"value"` for a fixed name (a code, a state), not escaped: it is the program's own ASCII.
    @inlinable public mutating func field(_ k: StaticString, _ v: StaticString) {
        key(k)
        value(v)
    }

    @inlinable public mutating func field(_ k: StaticString, _ v: UInt64?) {
        key(k)
        if let v { value(v) } else { nullValue() }
    }

    @inlinable public mutating func field(_ k: StaticString, _ v: Bool?) {
        key(k)
        if let v { value(v) } else { nullValue() }
    }

    @inlinable public mutating func field(_ k: StaticString, _ v: IPAddress) {
        key(k)
        value(v)
    }

    public mutating func field(_ k: StaticString, _ v: Double, decimals: Int) {
        key(k)
        value(v, decimals: decimals)
    }

    /// `"key":null` when the value is absent.
    @inlinable public mutating func field(_ k: StaticString, _ v: Int?) {
        key(k)
        if let v { value(v) } else { nullValue() }
    }

    @inlinable public mutating func field(_ k: StaticString, _ v: String?) {
        key(k)
        if let v { value(v) } else { nullValue() }
    }

    /// `"key":"<RFC 3339>"`, or `"key":null,"key_out_of_range":true` for a time before 1970 or past
    /// 9999: JSON times are never wrapped into another date. A packet without a time
    /// (`Timestamp.missing`) has `"key":null` alone.
    public mutating func field(_ k: StaticString, _ t: Timestamp) {
        key(k)
        value(t)
        if !t.isInRange && !t.isMissing {
            jsonSeparate()
            bytes.append(UInt8(ascii: "\""))
            append(k)
            append("_out_of_range\":true")
        }
    }

    /// Ends a top-level record with a newline (NDJSON) and resets the nesting.
    @inlinable public mutating func endRecord() {
        bytes.append(0x0A)
        let spaced = json.spaced
        json = JSONNesting()
        json.spaced = spaced
    }
}
