/// What a connection's streams found, kept per tracker slot: while the connection's payload is read,
/// its `ConnectionStreams`; after (the service had no decoder, or the connection ended), only the
/// findings.
struct StreamSlot {
    var streams: ConnectionStreams?
    /// Nothing more is read of this connection's payload.
    var done = false
    var findings = StreamFindings()
}

/// What `conversations` reports of a connection's payload: the service found by content, what the
/// stream became when it left it, and the reassembly's gaps.
public struct StreamFindings: Sendable, Equatable {
    /// The service its first bytes named (`StreamService.none` when none did, or no payload).
    public internal(set) var service = StreamService.none
    /// What the stream became when it left its protocol: "websocket", "tunnel" (HTTP's 101 or CONNECT).
    public internal(set) var became: String?
    /// The proxy protocol whose tunnel carried `service` (`.socks`), nil when none.
    public internal(set) var tunnel: StreamService?
    /// Bytes the reassembler delivered as gaps (never captured, or skipped at a cap), both ways.
    public internal(set) var gapBytes = 0
    /// A reassembly cap forced held data out with a gap.
    public internal(set) var capped = false
    public init() {}
}

extension ConnectionTracker {
    /// Feeds the TCP segment `trackTransport` just tracked (`note`) to its connection's streams:
    /// reassembly, detection by content, the stream decoder. `bytes` are the bytes the packet's
    /// payload offset points into (the frame, or a reassembled datagram). Messages the segment
    /// completes are in `frameMessages` afterwards; finished HTTP transactions are queued as
    /// reports. A connection whose service has no decoder costs one test per packet.
    public mutating func trackStream(
        _ p: borrowing DecodedPacket, bytes: UnsafeRawBufferPointer, frame: Int, time: Timestamp, note: PacketNote
    ) {
        if !streamSink.messages.isEmpty { streamSink.messages.removeAll(keepingCapacity: true) }
        guard configuration.streams, note.kind == .tcp, p.hasTCP, lastTCPSlot >= 0 else { return }
        let i = Int(lastTCPSlot)
        guard !streamSlots[i].done else { return }
        let t = p.tcp
        let missing = max(0, t.payloadLength - t.capturedPayload)
        if streamSlots[i].streams == nil {
            guard t.capturedPayload > 0 || missing > 0 else { return }
            streamSlots[i].streams = newStreams(slot: i)
        }
        guard let streams = streamSlots[i].streams else { return }
        let bare = t.capturedPayload == 0 && missing == 0 && !t.flags.contains(.fin) && !t.flags.contains(.syn)
        if bare && !tcp[i].facts.finished { return }  // a pure ACK: nothing for the streams
        let start = t.payloadOffset
        let end = start + t.capturedPayload
        let payload =
            start >= 0 && end <= bytes.count && t.capturedPayload > 0
            ? UnsafeRawBufferPointer(rebasing: bytes[start..<end]) : UnsafeRawBufferPointer(start: nil, count: 0)
        streams.segment(
            seq: t.seq, payload: payload, missing: missing, syn: t.flags.contains(.syn), fin: t.flags.contains(.fin),
            fromClient: note.fromClient, frame: frame, time: time, reassembly: &reassemblyBudget,
            httpBudget: &httpBudget, sink: &streamSink)
        if tcp[i].facts.finished && !streams.isDone {
            // Closed (both FINs acknowledged, or a RST): what is held will not be completed.
            streams.finish(
                frame: frame, time: time, reassembly: &reassemblyBudget, httpBudget: &httpBudget, sink: &streamSink)
        }
        if streams.isDone { retire(slot: i, streams) }
        queueTransactions()
    }

    /// A connection's streams, primed with the SYNs already seen (so a lost first segment is a hole,
    /// not the stream's start).
    private func newStreams(slot i: Int) -> ConnectionStreams {
        let c = tcp[i]
        let (clientEnd, serverEnd) = (c.key.endpoint(side: c.clientKeySide), c.key.endpoint(side: 1 - c.clientKeySide))
        let streams = ConnectionStreams(
            stream: c.stream, clientPort: clientEnd.port, serverPort: serverEnd.port,
            maxHeldBytes: configuration.maxStreamHeldBytes)
        var budget = ReassemblyBudget()
        if c.client.synObserved {
            streams.client.add(seq: c.client.isn, payload: [], syn: true, frame: c.firstFrame, budget: &budget) { _ in }
        }
        if c.server.sentSynAck {
            streams.server.add(seq: c.server.isn, payload: [], syn: true, frame: c.firstFrame, budget: &budget) { _ in }
        }
        return streams
    }

    /// Keeps the findings of streams read to their end, and lets them go.
    private mutating func retire(slot i: Int, _ streams: ConnectionStreams) {
        streamSlots[i].findings.service = streams.reportedService
        streamSlots[i].findings.tunnel = streams.tunnel
        streamSlots[i].findings.became = streams.became
        streamSlots[i].findings.gapBytes = streams.gapBytes
        streamSlots[i].findings.capped = streams.hadCapGap
        streamSlots[i].streams = nil
        streamSlots[i].done = true
    }

    /// The connection in `slot` is reported: its streams deliver what they hold and finish; returns
    /// what they found.
    mutating func endStreams(_ slot: Int32) -> StreamFindings {
        let i = Int(slot)
        guard i < streamSlots.count else { return StreamFindings() }
        if let streams = streamSlots[i].streams {
            let saved = streamSink.messages.count
            streams.finish(
                frame: tcp[i].lastFrame, time: tcp[i].last, reassembly: &reassemblyBudget, httpBudget: &httpBudget,
                sink: &streamSink)
            // Messages finished at an eviction belong to no frame being shown.
            if streamSink.messages.count > saved { streamSink.messages.removeSubrange(saved...) }
            retire(slot: i, streams)
            queueTransactions()
        }
        let findings = streamSlots[i].findings
        streamSlots[i] = StreamSlot()
        return findings
    }

    private mutating func queueTransactions() {
        if !streamSink.transactions.isEmpty {
            for (stream, t) in streamSink.transactions { queue(.http(stream: Int(stream), t)) }
            streamSink.transactions.removeAll(keepingCapacity: true)
        }
        if !streamSink.mysqlCommands.isEmpty {
            for (stream, c) in streamSink.mysqlCommands { queue(.mysqlCommand(stream: Int(stream), c)) }
            streamSink.mysqlCommands.removeAll(keepingCapacity: true)
        }
        if !streamSink.tlsHandshakes.isEmpty {
            for (stream, h) in streamSink.tlsHandshakes { queue(.tls(stream: Int(stream), h)) }
            streamSink.tlsHandshakes.removeAll(keepingCapacity: true)
        }
        if !streamSink.mysqlSessions.isEmpty {
            for (stream, s) in streamSink.mysqlSessions { queue(.mysqlSession(stream: Int(stream), s)) }
            streamSink.mysqlSessions.removeAll(keepingCapacity: true)
        }
    }
}
