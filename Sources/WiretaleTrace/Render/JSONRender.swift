import WiretaleCore

/// `--format json`: the report as one JSON object (RFC 8259), keys in a fixed order, written with
/// the core's JSON writer (`OutputBuffer.beginObject`, `field`, ...).
public enum TraceJSON {
    public static func render(_ r: TraceReport) -> String {
        var o = OutputBuffer(fd: -1)
        o.beginObject()
        o.field("url", r.url)
        o.beginArray("steps")
        for s in r.steps { o.traceStep(s) }
        o.endArray()
        o.beginArray("notes_order")
        for n in r.notesOrder { o.value(n) }
        o.endArray()
        o.beginArray("observed_order")
        for n in r.observedOrder { o.value(n) }
        o.endArray()
        o.traceOrdering(r.verdict)
        o.beginObject("timings")
        let t = r.timings
        o.traceMs("namelookup_ms", t.namelookupMs)
        o.traceMs("connect_ms", t.connectMs)
        o.traceMs("appconnect_ms", t.appconnectMs)
        o.traceMs("pretransfer_ms", t.pretransferMs)
        o.traceMs("starttransfer_ms", t.starttransferMs)
        o.traceMs("total_ms", t.totalMs)
        o.traceMs("redirect_ms", t.redirectMs)
        o.endObject()
        o.key("result")
        switch r.result {
        case .ok:
            o.value("ok" as StaticString)
        case .failed(let f):
            o.beginObject()
            o.field("step", f.step.rawValue)
            o.field("note", f.step.note?.letter)
            o.field("class", f.failureClass.label)
            o.field("why", f.why)
            o.field("hint", f.hint)
            o.endObject()
        }
        o.field("exit_code", Int(r.exitCode))
        o.beginObject("packets")
        o.field("captured", r.packets.captured)
        o.field("interface", r.packets.interface)
        o.field("frame_count", r.packets.frameCount)
        o.field("saved_to", r.packets.savedTo)
        o.field("note", r.packets.note)
        o.endObject()
        o.endObject()
        o.endRecord()
        return String(decoding: o.bytes, as: UTF8.self)
    }
}

extension OutputBuffer {
    fileprivate mutating func traceStep(_ s: TraceStep) {
        beginObject()
        field("id", s.id)
        field("note", s.note.map { String($0) })
        field("name", s.kind.note?.english ?? s.kind.title)
        field("name_zh", s.chineseTitle)
        field("hop", s.hop)
        field("status", s.status.rawValue)
        field("before_fetch", s.beforeFetch)
        traceMs("start_ms", s.startMs)
        traceMs("duration_ms", s.durationMs)
        beginArray("frames")
        for f in s.frames { value(f) }
        endArray()
        key("detail")
        traceDetail(s.detail)
        beginArray("evidence")
        for e in s.evidence { value(e) }
        endArray()
        endObject()
    }

    fileprivate mutating func traceOrdering(_ v: OrderingVerdict) {
        beginObject("ordering")
        letters("out_of_place", v.outOfPlace)
        letters("missing", v.missing)
        letters("attempted", v.attempted)
        beginArray("not_in_notes")
        for k in v.notInNotes { value(k.rawValue) }
        endArray()
        beginArray("placements")
        for p in v.placements {
            beginObject()
            field("note", p.letter.letter)
            field("notes_position", p.notesPosition)
            field("observed_position", p.observedPosition)
            field("why", p.why)
            endObject()
        }
        endArray()
        endObject()
    }

    /// `"key":["a","b",...]`: the notes' letters of `steps`.
    fileprivate mutating func letters(_ k: StaticString, _ steps: [NotesStep]) {
        beginArray(k)
        for n in steps { value(n.letter) }
        endArray()
    }

    /// `"key":<milliseconds, three decimals>`, or null when absent or not finite.
    fileprivate mutating func traceMs(_ k: StaticString, _ v: Double?) {
        key(k)
        traceNumber(v)
    }

    fileprivate mutating func traceNumber(_ v: Double?) {
        if let v { value(v, decimals: 3) } else { nullValue() }
    }

    fileprivate mutating func traceDetail(_ d: Detail) {
        beginObject()
        for (k, v) in d.entries {
            key(k)
            traceDetailValue(v)
        }
        endObject()
    }

    fileprivate mutating func traceDetailValue(_ v: DetailValue) {
        switch v {
        case .string(let s): value(s)
        case .int(let i): value(i)
        case .double(let x): traceNumber(x)
        case .bool(let b): value(b)
        case .null: nullValue()
        case .list(let items):
            beginArray()
            for i in items { traceDetailValue(i) }
            endArray()
        case .object(let d): traceDetail(d)
        }
    }
}
