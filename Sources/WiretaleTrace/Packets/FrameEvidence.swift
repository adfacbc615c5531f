import WiretaleCore

/// With a capture, each step's evidence gains its frames: number, wire time, one line each. Steps
/// that socket-level timing could not time (the neighbour exchange) take their times from the wire.
enum FrameEvidence {
    /// `connection` is the conversation tracker's view of the step's connection, when there is one.
    static func apply(to step: inout TraceStep, frames: [TraceFrame], connection: FrameAttribution.Connection?) {
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
        if let connection {
            if step.kind == .tcp, let line = handshake(connection) { step.evidence.append(line) }
            if step.kind == .teardown { teardown(&step, connection) }
        }
        for f in frames.prefix(12) {
            step.evidence.append("frame \(f.number) at \(String(format3: f.timeMs, decimals: 3)) ms: \(f.summary)")
        }
        if frames.count > 12 { step.evidence.append("... and \(frames.count - 12) more frames") }
    }

    /// The notes' section 1 checks, as the tracker made them: x, y, ack = x+1 on the SYN-ACK, ack = y+1 on the ACK.
    static func handshake(_ c: FrameAttribution.Connection) -> String? {
        let h = c.report.handshake
        guard let syn = c.frameOf[.handshake1], let synAck = c.frameOf[.handshake2], let ack = c.frameOf[.handshake3],
            let x = h.clientISN, let y = h.serverISN, let xHolds = h.synAckAckHolds, let yHolds = h.thirdAckHolds
        else { return nil }
        return
            "frames \(syn), \(synAck), \(ack): SYN seq=x=\(x); SYN-ACK seq=y=\(y), ack=x+1 \(xHolds ? "✓" : "✗"); ACK ack=y+1 \(yHolds ? "✓" : "✗") (\(h.kind.english))"
    }

    /// The notes' section 2 as the tracker saw it: the teardown's kind, who closed first (A), who is left in TIME-WAIT.
    static func teardown(_ step: inout TraceStep, _ c: FrameAttribution.Connection) {
        let t = c.report.teardown
        func side(_ isClient: Bool) -> String {
            isClient ? "wiretale (the client, \(c.report.client.address))" : "the server (\(c.report.server.address))"
        }
        step.detail.set("teardown_kind", t.kind.code.description)
        if t.kind == .reset {
            let from = t.rstFromClient.map { " from \(side($0))" } ?? ""
            let at = c.frameOf[.reset].map { " (frame \($0))" } ?? ""
            // What the sockets said assumed an orderly close: the capture overrules it, first.
            step.evidence.removeAll { $0.contains("TIME-WAIT") || $0.contains("it is A") }
            var lines = [
                "captured: an RST\(from)\(at) ended the connection: \(NotesPhrase.resetAbort.english) (notes section 2 expects FINs; reality often differs)"
            ]
            if t.rstFromClient == false, t.firstCloserIsClient == false, t.halfCloseBytes > 0 {
                let fin = c.frameOf[.teardown1].map { " (frame \($0))" } ?? ""
                lines.append(
                    "why: the server's FIN\(fin) came first and its socket was already fully closed; the \(t.halfCloseBytes) bytes wiretale sent after that FIN (over TLS, the close_notify alert that TLS requires in reply) reached a closed socket, and a closed socket answers data with RST"
                )
            }
            step.evidence.insert(contentsOf: lines, at: 0)
            step.detail.set("time_wait", "none (ended by RST)")
            if let rst = c.frameOf[.reset] { step.detail.set("rst_frame", rst) }
            return
        }
        guard let clientFirst = t.firstCloserIsClient else { return }
        let clientBegan = step.detail["closed_first_by"]?.stringValue == "client"
        step.detail.set("closed_first_by", clientFirst ? "client" : "server")
        let first = c.frameOf[.teardown1].map { " (frame \($0))" } ?? ""
        step.evidence.append("captured: the first FIN\(first) came from \(side(clientFirst)): that side is A")
        if clientBegan, !clientFirst {
            step.evidence.append(
                "captured: wiretale began the close, but the server's FIN reached the wire before wiretale's own (sent in answer to TLS's close_notify, or on its own): there the server is A"
            )
        }
        let why: String? =
            switch t.kind {
            case .threeWay: NotesPhrase.threeSegmentClose.english.description
            case .simultaneous: NotesPhrase.simultaneousClose.english.description
            case .fourWay: "FIN, ACK, FIN, ACK as the notes' section 2 draws it"
            case .incomplete: "the capture did not see the whole exchange"
            case .none, .reset, .neverOpened: nil
            }
        step.evidence.append("captured: \(t.kind.english)" + (why.map { ": " + $0 } ?? ""))
        if t.halfCloseBytes > 0 {
            step.evidence.append(
                "captured: \(t.halfCloseBytes) bytes after the first FIN: \(NotesPhrase.halfClose.english)")
        }
        switch (t.clientInTimeWait, t.serverInTimeWait) {
        case (true, true):
            step.detail.set("time_wait", "both")
            step.evidence.append("captured: both sides are left in TIME-WAIT")
        case (true, false), (false, true):
            step.detail.set("time_wait", t.clientInTimeWait ? "client" : "server")
            step.evidence.append(
                "captured: \(side(t.clientInTimeWait)) is left in TIME-WAIT: it \(NotesPhrase.timeWait2MSL.english)")
        case (false, false):
            step.detail.set("time_wait", "none seen")
        }
    }
}

extension FrameEvidence {
    /// Time to first byte on the wire: from the frame carrying the request's last byte to the
    /// first frame of the response. A server frame that does not acknowledge the whole request yet
    /// was sent before the server had it (a TLS 1.3 NewSessionTicket): not the response.
    static func wireTTFB(request: [TraceFrame], response: [TraceFrame], key: AttributionKeys.ConnectionKey)
        -> (ms: Double, requestFrame: Int, responseFrame: Int)?
    {
        func client(_ f: TraceFrame) -> (seq: UInt32, payload: Int)? {
            guard case .tcp(let src, let sp, _, _, _, let seq, _, let payload) = f.kind, payload > 0,
                src == key.local, sp == key.localPort
            else { return nil }
            return (seq, payload)
        }
        guard let last = request.last(where: { client($0) != nil }), let (seq, len) = client(last) else { return nil }
        let requestEnd = seq &+ UInt32(truncatingIfNeeded: len)
        let first = response.first { f in
            guard case .tcp(let src, let sp, _, _, let flags, _, let ack, let payload) = f.kind, payload > 0,
                src == key.remote, sp == key.remotePort, f.timeMs >= last.timeMs
            else { return false }
            // ack >= requestEnd in sequence space (RFC 9293 section 3.4's modular comparison).
            return !flags.contains(.ack) || Int32(bitPattern: ack &- requestEnd) >= 0
        }
        guard let first else { return nil }
        return (first.timeMs - last.timeMs, last.number, first.number)
    }
}

extension TraceFrame.Kind {
    var isARP: Bool {
        if case .arp = self { return true }
        return false
    }

    /// An ARP or neighbour discovery frame about `neighbour` (asking for it, or its answer).
    func concerns(_ neighbour: IPAddress) -> Bool {
        switch self {
        case .arp(let sender, let target, _): sender == neighbour || target == neighbour
        case .neighbourDiscovery(let target, _): target == neighbour
        default: false
        }
    }
}
