import WiretaleCore

/// With a capture, each step's evidence gains its frames: number, wire time, one line each. Steps
/// that socket-level timing could not time (the neighbour exchange) take their times from the wire.
enum FrameEvidence {
    /// `connection` is the conversation tracker's view of the step's connection, when there is one.
    static func apply(to step: inout TraceStep, frames: [TraceFrame], connection: FrameAttribution.Connection?) {
        guard !frames.isEmpty else { return }
        step.lines.removeAll { $0.english.contains("need a capture") || $0.english.contains("needs a capture") }
        if step.kind == .neighbour, let first = frames.first, let last = frames.last {
            step.startMs = first.timeMs
            step.durationMs = last.timeMs - first.timeMs
            step.beforeFetch = false
            let what = first.kind.isARP ? Bilingual(verbatim: "ARP") : Bilingual(TraceSay.neighbourDiscovery)
            step.lines.append(
                Bilingual(TraceSay.capturedNeighbour, parts: [what, Bilingual(verbatim: formatMs(step.durationMs))]))
        }
        if let connection {
            if step.kind == .tcp, let line = handshake(connection) { step.lines.append(line) }
            if step.kind == .teardown { teardown(&step, connection) }
        }
        for f in frames.prefix(12) {
            let at = ["\(f.number)", String(format3: f.timeMs, decimals: 3)]
            step.lines.append(
                Bilingual(
                    english: TraceSay.frameAt.filled(.en, at + [f.summary]),
                    chinese: TraceSay.frameAt.filled(.zh, at + [f.chineseSummary ?? f.summary])))
        }
        if frames.count > 12 { step.say(.moreFrames, "\(frames.count - 12)") }
    }

    /// The notes' section 1 checks, as the tracker made them: x, y, ack = x+1 on the SYN-ACK, ack = y+1 on the ACK.
    static func handshake(_ c: FrameAttribution.Connection) -> Bilingual? {
        let h = c.report.handshake
        guard let syn = c.frameOf[.handshake1], let synAck = c.frameOf[.handshake2], let ack = c.frameOf[.handshake3],
            let x = h.clientISN, let y = h.serverISN, let xHolds = h.synAckAckHolds, let yHolds = h.thirdAckHolds
        else { return nil }
        let values = ["\(syn)", "\(synAck)", "\(ack)", "\(x)", "\(y)", xHolds ? "✓" : "✗", yHolds ? "✓" : "✗"]
        return Bilingual(TraceSay.handshakeFrames, parts: values.map(Bilingual.init(verbatim:)) + [Bilingual(h.kind)])
    }

    /// The notes' section 2 as the tracker saw it: the teardown's kind, who closed first (A), who is left in TIME-WAIT.
    static func teardown(_ step: inout TraceStep, _ c: FrameAttribution.Connection) {
        let t = c.report.teardown
        func side(_ isClient: Bool) -> Bilingual {
            isClient
                ? Bilingual(TraceSay.sideClient, c.report.client.address.description)
                : Bilingual(TraceSay.sideServer, c.report.server.address.description)
        }
        func frame(_ step: ConnectionStep) -> Bilingual {
            c.frameOf[step].map { Bilingual(TraceSay.frameRef, "\($0)") } ?? Bilingual(verbatim: "")
        }
        step.detail.set("teardown_kind", t.kind.code.description)
        step.teardownShape = t.kind
        if t.kind == .reset {
            let from =
                t.rstFromClient.map { Bilingual(TraceSay.fromSide, parts: [side($0)]) } ?? Bilingual(verbatim: "")
            // What the sockets said assumed an orderly close: the capture overrules it, first.
            step.lines.removeAll { $0.english.contains("TIME-WAIT") || $0.english.contains("it is A") }
            var lines = [
                Bilingual(TraceSay.capturedRST, parts: [from, frame(.reset), Bilingual(NotesPhrase.resetAbort)])
            ]
            if t.rstFromClient == false, t.firstCloserIsClient == false, t.halfCloseBytes > 0 {
                lines.append(
                    Bilingual(TraceSay.rstWhy, parts: [frame(.teardown1), Bilingual(verbatim: "\(t.halfCloseBytes)")]))
            }
            step.lines.insert(contentsOf: lines, at: 0)
            step.detail.set("time_wait", "none (ended by RST)")
            if let rst = c.frameOf[.reset] { step.detail.set("rst_frame", rst) }
            return
        }
        guard let clientFirst = t.firstCloserIsClient else { return }
        let clientBegan = step.detail["closed_first_by"]?.stringValue == "client"
        step.detail.set("closed_first_by", clientFirst ? "client" : "server")
        step.lines.append(Bilingual(TraceSay.capturedFirstFIN, parts: [frame(.teardown1), side(clientFirst)]))
        if clientBegan, !clientFirst { step.say(.serverFINFirst) }
        let why: Bilingual? =
            switch t.kind {
            case .threeWay: Bilingual(NotesPhrase.threeSegmentClose)
            case .simultaneous: Bilingual(NotesPhrase.simultaneousClose)
            case .fourWay: Bilingual(TraceSay.fourWayWhy)
            case .incomplete: Bilingual(TraceSay.incompleteWhy)
            case .none, .reset, .neverOpened: nil
            }
        step.lines.append(
            why.map { Bilingual(TraceSay.capturedKindWhy, parts: [Bilingual(t.kind), $0]) }
                ?? Bilingual(TraceSay.capturedKind, parts: [Bilingual(t.kind)]))
        if t.halfCloseBytes > 0 {
            step.lines.append(
                Bilingual(
                    TraceSay.capturedHalfClose,
                    parts: [Bilingual(verbatim: "\(t.halfCloseBytes)"), Bilingual(NotesPhrase.halfClose)]))
        }
        switch (t.clientInTimeWait, t.serverInTimeWait) {
        case (true, true):
            step.detail.set("time_wait", "both")
            step.say(.bothTimeWait)
        case (true, false), (false, true):
            step.detail.set("time_wait", t.clientInTimeWait ? "client" : "server")
            step.lines.append(
                Bilingual(
                    TraceSay.sideTimeWait, parts: [side(t.clientInTimeWait), Bilingual(NotesPhrase.timeWait2MSL)]))
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
