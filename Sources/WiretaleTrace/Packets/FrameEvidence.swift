import WiretaleCore

/// With a capture, each step's evidence gains its frames: number, wire time, one line each. Steps
/// that socket-level timing could not time (the neighbour exchange) take their times from the wire.
enum FrameEvidence {
    static func apply(to step: inout TraceStep, frames: [TraceFrame]) {
        guard !frames.isEmpty else { return }
        step.evidence.removeAll { $0.contains("need a capture") || $0.contains("needs a capture") }
        if step.kind == .neighbour, let first = frames.first, let last = frames.last {
            step.startMs = first.timeMs
            step.durationMs = last.timeMs - first.timeMs
            step.beforeFetch = false
            step.evidence.append(
                "captured: the \(first.kind.isARP ? "ARP" : "neighbour discovery") exchange took \(formatMs(step.durationMs)) ms on the wire"
            )
        }
        if step.kind == .teardown {
            let fins = frames.compactMap { f -> (Int, IPAddress)? in
                if case .tcp(let src, _, _, _, let flags, _, _, _) = f.kind, flags.contains(.fin) {
                    return (f.number, src)
                }
                return nil
            }
            let rst = frames.first { f in
                if case .tcp(_, _, _, _, let flags, _, _, _) = f.kind { return flags.contains(.rst) }
                return false
            }
            if let rst, case .tcp(let src, _, _, _, _, _, _, _) = rst.kind {
                step.evidence.append(
                    "captured: an RST from \(src) (frame \(rst.number)) ended the connection: an RST aborts at once, so no side is left in TIME-WAIT (notes section 2 expects FINs; reality often differs)"
                )
                step.evidence.removeAll { $0.contains("left in TIME-WAIT") }
                step.detail.set("time_wait", "none (ended by RST)")
                step.detail.set("rst_frame", rst.number)
            } else if let first = fins.first {
                step.evidence.append(
                    "captured: the first FIN (frame \(first.0)) came from \(first.1): that side is A, and it holds TIME-WAIT"
                )
                step.evidence.append(
                    "captured: \(frames.count) segments in the teardown"
                        + (frames.count == 3 ? " (an ACK rode on a FIN)" : ""))
            }
        }
        for f in frames.prefix(12) {
            step.evidence.append("frame \(f.number) at \(String(format3: f.timeMs, decimals: 3)) ms: \(f.summary)")
        }
        if frames.count > 12 { step.evidence.append("... and \(frames.count - 12) more frames") }
    }
}

extension TraceFrame.Kind {
    var isARP: Bool {
        if case .arp = self { return true }
        return false
    }
}
