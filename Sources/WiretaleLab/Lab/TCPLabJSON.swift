import WiretaleCore

/// `lab tcp --format json`: the run as one JSON object (RFC 8259), keys in a fixed order, written
/// with the core's JSON writer. Each step holds its call, the frames it caused, the kernel's table
/// after it and, for the client and the server, the kernel's state beside the wire's with `agree`.
/// Text meant for people (`title`, `meaning`, `result`, `findings`) is in `lang`; states, flags
/// and steps are the program's own names.
public enum TCPLabJSON {
    public static func render(_ run: LabRun, scenario: TCPLabScenario, lang: NotesLanguage = .en) -> String {
        let frames = TCPLabStates.frames(run)
        let samples = TCPLabStates.samples(run, frames: frames)
        let owned = run.framesByStep()
        let origin = run.steps.first?.start ?? 0
        var o = OutputBuffer(fd: -1)
        o.beginObject()
        o.field("lab", "tcp" as StaticString)
        o.field("scenario", scenario.rawValue)
        o.field("title", run.heading.text(lang))
        o.field("port", Int(run.port))
        o.beginObject("capture")
        o.field("captured", run.frames != nil)
        o.field("device", run.frames == nil ? nil : run.device)
        o.field("filter", run.frames == nil ? nil : run.filter)
        o.field("frame_count", run.frames?.count)
        o.field("note", run.captureMessage?.text(lang))
        o.endObject()
        o.beginArray("steps")
        for (i, s) in run.steps.enumerated() {
            o.beginObject()
            o.field("step", i + 1)
            o.field("actor", s.actor.rawValue)
            o.field("call", s.callText?.text(lang) ?? s.call)
            o.field("result", s.resultText.text(lang))
            o.field("meaning", s.meaningText.text(lang))
            o.labMs("start_ms", s.start, from: origin)
            o.labMs("end_ms", s.end, from: origin)
            o.beginArray("frames")
            for k in owned[i] where k < frames.count { o.labFrame(frames[k], from: origin) }
            o.endArray()
            if let sampled = s.sampled {
                o.labMs("sampled_ms", sampled, from: origin)
                o.beginArray("kernel")
                for k in s.kernel {
                    o.beginObject()
                    o.field("role", k.role)
                    o.field("local", k.socket.local)
                    o.field("remote", k.socket.remote)
                    o.labState("state", k.socket.state)
                    o.field("st", Int(k.socket.code))
                    o.endObject()
                }
                o.endArray()
            } else {
                o.key("sampled_ms")
                o.nullValue()
                o.key("kernel")
                o.nullValue()
            }
            o.beginArray("states")
            for x in samples[i] {
                o.beginObject()
                o.field("side", x.side.rawValue)
                o.labState("kernel", x.kernelSays)
                o.field("kernel_listed", x.listed)
                o.labState("wire", x.wire)
                o.field("agree", x.agree)
                o.endObject()
            }
            o.endArray()
            o.endObject()
        }
        o.endArray()
        let compared = samples.indices.flatMap { i in samples[i].map { (step: i, sample: $0) } }.filter {
            $0.sample.agree != nil
        }
        let differ = compared.filter { $0.sample.agree == false }
        o.field("compared", compared.count)
        o.field("agree", compared.isEmpty ? nil : differ.isEmpty)
        o.beginArray("disagreements")
        for d in differ {
            o.beginObject()
            o.field("step", d.step + 1)
            o.field("side", d.sample.side.rawValue)
            o.labState("kernel", d.sample.kernelSays)
            o.labState("wire", d.sample.wire)
            o.endObject()
        }
        o.endArray()
        o.beginArray("findings")
        for f in run.findingLines { o.value(f.text(lang)) }
        o.endArray()
        o.endObject()
        o.endRecord()
        return String(decoding: o.bytes, as: UTF8.self)
    }
}

extension OutputBuffer {
    /// `"key": ms` since `origin` (ns), three decimals.
    fileprivate mutating func labMs(_ k: StaticString, _ t: Int64, from origin: Int64) {
        field(k, Double(t - origin) / 1e6, decimals: 3)
    }

    /// `"key": "FIN-WAIT-1"` as the notes spell it, or null.
    fileprivate mutating func labState(_ k: StaticString, _ s: TCPState?) {
        key(k)
        if let s { value(s.name) } else { nullValue() }
    }

    fileprivate mutating func labFrame(_ f: WireFrame, from origin: Int64) {
        beginObject()
        field("frame", f.number)
        labMs("time_ms", f.time, from: origin)
        guard f.isTCP else {
            endObject()
            return
        }
        let n = f.note
        field("from", n.fromClient ? "client" as StaticString : "server")
        beginArray("flags")
        for (flag, name) in TCPFlags.named where f.tcp.flags.contains(flag) { value(name) }
        endArray()
        field("seq", UInt64(n.relativeSeq))
        field("ack", f.tcp.flags.contains(.ack) ? UInt64(n.relativeAck) : nil)
        field("len", f.tcp.payloadLength)
        if n.step == .none {
            key("notes_step")
            nullValue()
        } else {
            field("notes_step", n.step.code)
        }
        beginArray("transitions")
        for t in n.transitions {
            beginObject()
            field("side", t.client ? "client" as StaticString : "server")
            field("from", t.from.name)
            field("to", t.to.name)
            endObject()
        }
        endArray()
        field("client_state", n.clientState.name)
        field("server_state", n.serverState.name)
        endObject()
    }
}
