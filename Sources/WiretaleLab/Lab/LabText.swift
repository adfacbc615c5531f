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
        out.heading(run.title)
        if let note = run.captureNote { out.line("  (\(note))") }
        if run.frames != nil { out.line("  captured live on \(run.device), filter \"\(run.filter)\"") }
        out.line("")
        let owned = run.framesByStep()
        for (i, s) in run.steps.enumerated() {
            let who = s.actor == .lab ? "lab" : s.actor.rawValue
            out.line(pad("\(i + 1).", 4) + pad(who, 7) + s.call + (s.result.isEmpty ? "" : "  →  " + s.result))
            out.line("           " + s.meaning)
            if let frames = run.frames {
                if owned[i].isEmpty {
                    out.line("    wire   (no packet)")
                } else {
                    for k in owned[i] {
                        let (text, _) = x.line(for: frames[k])
                        out.line("    wire   " + text)
                    }
                }
            }
            if s.actor != .lab || s.call.hasPrefix("wait") {
                out.line("    kernel " + kernelText(s.kernel, tcp: run.isTCP, lang: lang))
            }
            out.line("")
        }
        if run.frames != nil {
            x.finish()
            if ladder {
                for stream in x.streams {
                    out.line("The connection as `wiretale explain` draws it (states implied by the packets):")
                    out.raw(x.ladder(stream: stream))
                    out.line("")
                }
            }
        }
        if run.isTCP && run.steps.contains(where: { $0.actor != .lab }) {
            out.line(threeWays(run, x, lang: lang))
        }
        for f in run.findings { out.line("  • " + f) }
        return x
    }

    static func kernelText(_ k: [(role: String, socket: KernelSocket)], tcp: Bool, lang: NotesLanguage) -> String {
        if k.isEmpty {
            return tcp ? "no socket on this port (CLOSED: the kernel holds nothing)" : "no socket on this port"
        }
        if !tcp {
            return k.map { e in
                "\(e.role) \(e.socket.local) "
                    + (e.socket.code == 1 ? "connected to \(e.socket.remote)" : "unconnected")
            }.joined(separator: " | ") + " (UDP keeps no connection state)"
        }
        return k.map { e in
            let st = e.socket.state.map { "\($0.label(lang))" } ?? "state \(e.socket.code)"
            return "\(e.role) \(e.socket.local) \(st)"
        }.joined(separator: " | ")
    }

    /// Which of the notes' states the run showed, on the wire (the tracker) and in the kernel.
    static func threeWays(_ run: LabRun, _ x: FrameExplainer, lang: NotesLanguage) -> String {
        let kernel = run.kernelStates
        var s =
            "The notes' states, seen two ways besides the calls above (wire: implied by the packets; "
            + "kernel: /proc/net/tcp):\n"
        for st in TCPState.allCases {
            let w = run.frames == nil ? "not captured" : (x.wireStates.contains(st) ? "yes" : "-")
            var k = kernel.contains(st) ? "yes" : "-"
            if st == .closed { k = "yes (a socket the kernel no longer lists)" }
            if !kernel.contains(st) && transient.contains(st) && run.steps.contains(where: { $0.actor != .lab }) {
                k = "- (lasts microseconds on loopback)"
            }
            s += "  " + pad("\(st.label(lang))", lang == .zh ? 28 : 13) + " wire " + pad(w, 13) + " kernel " + k + "\n"
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
