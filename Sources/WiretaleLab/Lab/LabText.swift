import WiretaleCore

/// Writes a lab run as text: each call beside the packets it caused and the kernel's states after
/// it — the notes' states three ways — then the ladder of the connection and a summary.
public enum LabText {
    /// Renders `run`; returns the explainer so a caller (the tour) can collect what was seen.
    @discardableResult
    public static func render(
        _ run: LabRun, lang: NotesLanguage = .en, ladder: Bool = true,
        to out: inout LabOutput
    ) -> FrameExplainer {
        var x = FrameExplainer(language: lang)
        out.heading(run.heading.text(lang))
        if let note = run.captureMessage { out.line("  (\(note.text(lang)))") }
        if run.frames != nil { out.line(LabSay.capturedLive.filled(lang, [run.device, run.filter])) }
        out.line("")
        let owned = run.framesByStep()
        // The kernel's states beside the wire's, for TCP (`TCPLabStates`).
        let samples = run.isTCP ? TCPLabStates.samples(run, frames: TCPLabStates.frames(run)) : []
        for (i, s) in run.steps.enumerated() {
            let who = actorName(s.actor, lang)
            let call = s.callText?.text(lang) ?? s.call
            let result = s.resultText.text(lang)
            out.line(pad("\(i + 1).", 4) + pad(who, 7) + call + (result.isEmpty ? "" : "  →  " + result))
            out.line("           " + s.meaningText.text(lang))
            let wire = LabSay.wire.text(lang).description
            if let frames = run.frames {
                if owned[i].isEmpty {
                    out.line(wire + LabSay.noPacket.text(lang).description)
                } else {
                    for k in owned[i] {
                        let (text, _) = x.line(for: frames[k])
                        out.line(wire + text)
                    }
                }
            }
            if s.sampled != nil {
                let compared = samples.isEmpty ? [] : samples[i]
                out.line(
                    LabSay.kernel.text(lang).description + kernelText(s.kernel, tcp: run.isTCP, lang: lang, compared))
            }
            out.line("")
        }
        if run.frames != nil {
            x.finish()
            if ladder {
                for stream in x.streams {
                    out.line(LabSay.asExplainDraws.text(lang).description)
                    out.raw(x.ladder(stream: stream))
                    out.line("")
                }
            }
        }
        if run.isTCP && run.steps.contains(where: { $0.actor != .lab }) {
            out.line(threeWays(run, x, lang: lang))
            if let verdict = agreement(samples, lang: lang) { out.line(verdict) }
        }
        for f in run.findingLines { out.line("  • " + f.text(lang)) }
        return x
    }

    /// Who made a call, in `lang`: the notes' 客户端 and 服务端, or the lab itself.
    static func actorName(_ a: LabActor, _ lang: NotesLanguage) -> String {
        role(a.rawValue, lang)
    }

    /// A role name ("client", "server", "lab", or a lab's own) in `lang`.
    static func role(_ name: String, _ lang: NotesLanguage) -> String {
        switch name {
        case "client": LabSay.actorClient.text(lang).description
        case "server": LabSay.actorServer.text(lang).description
        case "lab": LabSay.actorLab.text(lang).description
        case "listener": LabSay.actorListener.text(lang).description
        default: name
        }
    }

    /// The kernel's table after a step; for TCP, each of the client's and the server's states
    /// beside the wire's (`compared`), and a side the kernel no longer holds as gone (CLOSED).
    static func kernelText(
        _ k: [(role: String, socket: KernelSocket)], tcp: Bool, lang: NotesLanguage, _ compared: [StateSample] = []
    ) -> String {
        func wire(_ sample: StateSample?) -> String {
            guard let sample, let w = sample.wire else { return "" }
            return sample.agree == true
                ? LabSay.wireSame.filled(lang) : LabSay.wireDiffers.filled(lang, w.label(lang).description)
        }
        let closed = TCPState.closed.label(lang).description
        var gone = ""
        for sample in compared where !sample.listed {
            gone += " | " + LabSay.gone.filled(lang, role(sample.side.rawValue, lang), closed) + wire(sample)
        }
        if k.isEmpty {
            return (tcp ? LabSay.noSocketTCP : LabSay.noSocket).text(lang).description + gone
        }
        if !tcp {
            return k.map { e in
                "\(role(e.role, lang)) \(e.socket.local) "
                    + (e.socket.code == 1
                        ? LabSay.connectedTo.filled(lang, ["\(e.socket.remote)"])
                        : LabSay.unconnected.text(lang).description)
            }.joined(separator: " | ") + LabSay.udpNoState.text(lang).description
        }
        return k.map { e in
            let st = e.socket.state.map { "\($0.label(lang))" } ?? LabSay.stateCode.filled(lang, ["\(e.socket.code)"])
            let sample = compared.first { $0.listed && $0.side.rawValue == e.role }
            return "\(role(e.role, lang)) \(e.socket.local) \(st)" + wire(sample)
        }.joined(separator: " | ") + gone
    }

    /// One line: the kernel's and the wire's states agreed at every sample, or where they did not;
    /// nil when nothing was compared (no packet captured).
    static func agreement(_ samples: [[StateSample]], lang: NotesLanguage) -> String? {
        var compared = 0
        var differ: [String] = []
        for (i, row) in samples.enumerated() {
            for x in row {
                guard let w = x.wire else { continue }
                compared += 1
                if x.agree == false {
                    differ.append(
                        LabSay.disagreementItem.filled(
                            lang, "\(i + 1)", role(x.side.rawValue, lang),
                            x.kernelSays.map { $0.label(lang).description } ?? "?", w.label(lang).description))
                }
            }
        }
        guard compared > 0 else { return nil }
        if differ.isEmpty { return LabSay.agreeEverywhere.filled(lang, "\(compared)") }
        return LabSay.disagreement.filled(lang, "\(differ.count)", "\(compared)", differ.joined(separator: "; "))
    }

    /// Which of the notes' states the run showed, on the wire (the tracker) and in the kernel.
    static func threeWays(_ run: LabRun, _ x: FrameExplainer, lang: NotesLanguage) -> String {
        let kernel = run.kernelStates
        var s = LabSay.threeWaysHeading.text(lang).description + "\n"
        func say(_ l: LabSay) -> String { l.text(lang).description }
        for st in TCPState.allCases {
            let w = run.frames == nil ? say(.notCaptured) : (x.wireStates.contains(st) ? say(.yes) : "-")
            var k = kernel.contains(st) ? say(.yes) : "-"
            if st == .closed { k = say(.closedKernel) }
            if !kernel.contains(st) && transient.contains(st) && run.steps.contains(where: { $0.actor != .lab }) {
                k = say(.transient)
            }
            s +=
                "  " + pad("\(st.label(lang))", lang == .zh ? 28 : 13) + say(.wireColumn) + pad(w, 13)
                + say(.kernelColumn) + k + "\n"
        }
        return s
    }

    static let transient: Set<TCPState> = [.synSent, .synReceived, .finWait1, .lastAck, .closing]

    /// Pads to `n` terminal columns (a CJK character takes two).
    static func pad(_ s: String, _ n: Int) -> String {
        let width = s.unicodeScalars.reduce(0) { $0 + ($1.value >= 0x1100 && $1.value != 0x2192 ? 2 : 1) }
        return width >= n ? s + " " : s + String(repeating: " ", count: n - width)
    }
}

/// Text going to standard output (or kept, for tests), written with `write(2)` as the rest of
/// wiretale writes, so lines never interleave out of order.
public struct LabOutput {
    var buffer: OutputBuffer
    /// Everything written, when `keep` is on.
    public private(set) var kept = ""
    let keep: Bool

    public init(fd: Int32 = 1, keep: Bool = false) {
        buffer = OutputBuffer(fd: fd)
        self.keep = keep
    }

    public mutating func line(_ s: String) { raw(s + "\n") }

    public mutating func raw(_ s: String) {
        if keep { kept += s }
        if buffer.fd >= 0 {
            buffer.append(s)
            buffer.flush()
        }
    }

    public mutating func heading(_ s: String) {
        line(s)
        line(String(repeating: "=", count: min(100, s.count)))
    }
}
