import WiretaleCore

/// `--format json`: the report as one JSON object (RFC 8259), keys in a fixed order.
public enum TraceJSON {
    public static func render(_ r: TraceReport) -> String {
        let w = JSONWriter()
        w.object {
            w.key("url")
            w.string(r.url)
            w.key("steps")
            w.array(r.steps) { s in
                w.object {
                    w.key("id")
                    w.string(s.id)
                    w.key("note")
                    if let n = s.note { w.string(String(n)) } else { w.null() }
                    w.key("name")
                    w.string(s.kind.note?.english ?? s.kind.title)
                    w.key("name_zh")
                    w.string(s.kind.chineseTitle)
                    w.key("hop")
                    w.int(s.hop)
                    w.key("status")
                    w.string(s.status.rawValue)
                    w.key("before_fetch")
                    w.bool(s.beforeFetch)
                    w.key("start_ms")
                    w.double(s.startMs)
                    w.key("duration_ms")
                    w.double(s.durationMs)
                    w.key("frames")
                    w.array(s.frames) { w.int($0) }
                    w.key("detail")
                    w.detail(s.detail)
                    w.key("evidence")
                    w.array(s.evidence) { w.string($0) }
                }
            }
            w.key("notes_order")
            w.array(r.notesOrder) { w.string($0) }
            w.key("observed_order")
            w.array(r.observedOrder) { w.string($0) }
            w.key("ordering")
            w.object {
                w.key("out_of_place")
                w.array(r.verdict.outOfPlace) { w.string($0.letter) }
                w.key("missing")
                w.array(r.verdict.missing) { w.string($0.letter) }
                w.key("attempted")
                w.array(r.verdict.attempted) { w.string($0.letter) }
                w.key("not_in_notes")
                w.array(r.verdict.notInNotes) { w.string($0.rawValue) }
                w.key("placements")
                w.array(r.verdict.placements) { p in
                    w.object {
                        w.key("note")
                        w.string(p.letter.letter)
                        w.key("notes_position")
                        w.int(p.notesPosition)
                        w.key("observed_position")
                        if let o = p.observedPosition { w.int(o) } else { w.null() }
                        w.key("why")
                        if let y = p.why { w.string(y) } else { w.null() }
                    }
                }
            }
            w.key("timings")
            w.object {
                let t = r.timings
                for (k, v) in [
                    ("namelookup_ms", t.namelookupMs), ("connect_ms", t.connectMs), ("appconnect_ms", t.appconnectMs),
                    ("pretransfer_ms", t.pretransferMs), ("starttransfer_ms", t.starttransferMs),
                    ("total_ms", t.totalMs), ("redirect_ms", Optional(t.redirectMs)),
                ] {
                    w.key(k)
                    if let v { w.double(v) } else { w.null() }
                }
            }
            w.key("result")
            switch r.result {
            case .ok:
                w.string("ok")
            case .failed(let f):
                w.object {
                    w.key("step")
                    w.string(f.step.rawValue)
                    w.key("note")
                    if let n = f.step.note { w.string(n.letter) } else { w.null() }
                    w.key("class")
                    w.string(f.failureClass.label)
                    w.key("why")
                    w.string(f.why)
                    w.key("hint")
                    if let h = f.hint { w.string(h) } else { w.null() }
                }
            }
            w.key("exit_code")
            w.int(Int(r.exitCode))
            w.key("packets")
            w.object {
                w.key("captured")
                w.bool(r.packets.captured)
                w.key("interface")
                if let i = r.packets.interface { w.string(i) } else { w.null() }
                w.key("frame_count")
                w.int(r.packets.frameCount)
                w.key("saved_to")
                if let s = r.packets.savedTo { w.string(s) } else { w.null() }
                w.key("note")
                w.string(r.packets.note)
            }
        }
        w.out.append(byte: 0x0A)
        return String(decoding: w.out.bytes, as: UTF8.self)
    }
}

/// A minimal streaming JSON writer (compact output) over the core's `OutputBuffer`, whose
/// `appendJSONString` is the project's one JSON string escaper (RFC 8259 section 7).
final class JSONWriter {
    var out = OutputBuffer(fd: -1)
    private var needComma = [false]

    func sep() {
        if needComma[needComma.count - 1] { out.append(byte: UInt8(ascii: ",")) }
        needComma[needComma.count - 1] = true
    }

    func key(_ k: String) {
        sep()
        out.appendJSONString(k)
        out.append(byte: UInt8(ascii: ":"))
        needComma[needComma.count - 1] = false
        pendingKey = true
    }

    private var pendingKey = false

    /// Starts a value: after a key, or as the next element of an array.
    private func startValue() {
        if pendingKey {
            pendingKey = false
            needComma[needComma.count - 1] = true
        } else {
            sep()
        }
    }

    private func value(_ text: String) {
        startValue()
        out.append(text)
    }

    func object(_ body: () -> Void) {
        value("{")
        needComma.append(false)
        body()
        needComma.removeLast()
        out.append(byte: UInt8(ascii: "}"))
    }

    func array<T>(_ items: [T], _ each: (T) -> Void) {
        value("[")
        needComma.append(false)
        for i in items { each(i) }
        needComma.removeLast()
        out.append(byte: UInt8(ascii: "]"))
    }

    func string(_ s: String) {
        startValue()
        out.appendJSONString(s)
    }

    func int(_ v: Int) { value(String(v)) }
    func bool(_ v: Bool) { value(v ? "true" : "false") }
    func null() { value("null") }
    func double(_ v: Double) { value(v.isFinite ? String(format3: v, decimals: 3) : "null") }

    func detail(_ d: Detail) {
        object {
            for (k, v) in d.entries {
                key(k)
                detailValue(v)
            }
        }
    }

    func detailValue(_ v: DetailValue) {
        switch v {
        case .string(let s): string(s)
        case .int(let i): int(i)
        case .double(let x): double(x)
        case .bool(let b): bool(b)
        case .null: null()
        case .list(let items): array(items) { detailValue($0) }
        case .object(let d): detail(d)
        }
    }
}
