import WiretaleCapture
import WiretaleCore
import WiretaleSystem

#if canImport(Glibc)
    import Glibc
#endif

/// One transport's measurements in `lab compare`.
public struct CompareRow: Sendable {
    public var name: String
    public var exchanges: Int
    /// How many exchanges got their reply.
    public var completed: Int
    /// Client-measured time from the first call of an exchange (sendto, or connect for a new
    /// connection) to the last reply byte, nanoseconds, one per completed exchange.
    public var latencies: [Int64]
    /// From the capture (nil when not captured): packets and bytes (frame lengths as captured on lo).
    public var packets: Int?
    public var bytes: Int?
    /// Round trips before the first reply byte, counted on the captured packets of one exchange:
    /// how many times the traffic turned from client→server to server→client up to that byte.
    public var roundTrips: Int?
    public var frames: [LabFrame]?
    /// Packets the kernel dropped from the capture (the counts are exact only when 0).
    public var dropped: UInt64 = 0

    public func percentile(_ p: Double) -> Int64? {
        guard !latencies.isEmpty else { return nil }
        let sorted = latencies.sorted()
        let i = min(sorted.count - 1, max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1))
        return sorted[i]
    }
}

public struct CompareRun: Sendable {
    public var rows: [CompareRow] = []
    public var size = 0
    public var captureNote: String?
}

/// `wiretale lab compare`: the notes' "UDP fast, TCP slow" (section 3) measured on loopback. The
/// same request and reply, N times: over UDP; over TCP with a new connection each time (handshake
/// and teardown every time, as a short web request without keep-alive); and over one TCP
/// connection reused N times.
public enum CompareLab {
    public static func run(count: Int, size: Int, capture: Bool = true) -> CompareRun {
        var run = CompareRun()
        run.size = size
        let live = capture && captureAllowed()
        if !live { run.captureNote = capture ? notPrivilegedNote : "packets not captured (capture turned off)" }
        run.rows.append(measure(.udp, count: count, size: size, live: live))
        run.rows.append(measure(.tcpNew, count: count, size: size, live: live))
        run.rows.append(measure(.tcpReused, count: count, size: size, live: live))
        return run
    }

    enum Kind { case udp, tcpNew, tcpReused }

    static func measure(_ kind: Kind, count: Int, size: Int, live: Bool) -> CompareRow {
        let name =
            switch kind {
            case .udp: "UDP"
            case .tcpNew: "TCP, new connection each"
            case .tcpReused: "TCP, one connection"
            }
        var row = CompareRow(name: name, exchanges: count, completed: 0, latencies: [])
        let request = [UInt8](repeating: UInt8(ascii: "q"), count: size)
        let any = SocketAddress(ip: "127.0.0.1", port: 0)!
        guard let server = try? (kind == .udp ? Socket.udp() : Socket.tcp()) else { return row }
        try? server.reuseAddress()
        guard (try? server.bind(any)) != nil, let address = try? server.localAddress() else { return row }
        if kind != .udp { try? server.listen(backlog: 128) }
        try? server.receiveTimeout(milliseconds: 2000)
        let filter = (kind == .udp ? "udp" : "tcp") + " port \(address.port)"
        let cap = live ? try? LabCapture(filter: filter, snapshotLength: 128) : nil
        let box = SendableBox(server)
        let serverThread = startThread { serve(kind, box.value, count: count, size: size) }

        func now() -> Int64 { Clock.nowNs() }
        switch kind {
        case .udp:
            if let c = try? Socket.udp() {
                try? c.receiveTimeout(milliseconds: 1000)
                for _ in 0..<count {
                    let t0 = now()
                    guard (try? c.send(request, to: address)) != nil, let (reply, _) = try? c.receiveFrom(),
                        reply.count == size
                    else { continue }
                    row.latencies.append(now() - t0)
                }
            }
        case .tcpNew:
            for _ in 0..<count {
                guard let c = try? Socket.tcp() else { continue }
                try? c.receiveTimeout(milliseconds: 1000)
                let t0 = now()
                guard (try? c.connect(address)) != nil, (try? c.send(request)) != nil,
                    receiveExactly(c, size)
                else {
                    c.close()
                    continue
                }
                row.latencies.append(now() - t0)
                c.close()
            }
        case .tcpReused:
            if let c = try? Socket.tcp() {
                try? c.receiveTimeout(milliseconds: 1000)
                var t0 = now()
                if (try? c.connect(address)) != nil {
                    for _ in 0..<count {
                        guard (try? c.send(request)) != nil, receiveExactly(c, size) else { break }
                        row.latencies.append(now() - t0)
                        t0 = now()
                    }
                }
                c.close()
            }
        }
        row.completed = row.latencies.count
        if let serverThread { joinThread(serverThread) }
        server.close()
        if let cap {
            let frames = cap.finish(settle: 60)
            row.frames = frames
            row.dropped = cap.dropped
            row.packets = frames.count
            row.bytes = frames.reduce(0) { $0 + $1.originalLength }
            row.roundTrips = roundTrips(frames, serverPort: address.port, exchange: kind == .tcpReused ? count - 1 : 0)
        }
        return row
    }

    static func serve(_ kind: Kind, _ server: Socket, count: Int, size: Int) {
        switch kind {
        case .udp:
            for _ in 0..<count {
                guard let (data, peer) = try? server.receiveFrom() else { break }
                _ = try? server.send(data, to: peer)
            }
        case .tcpNew:
            for _ in 0..<count {
                guard let (c, _) = try? server.accept() else { break }
                try? c.receiveTimeout(milliseconds: 1000)
                if receiveExactly(c, size) { _ = try? c.send([UInt8](repeating: UInt8(ascii: "r"), count: size)) }
                // Read the client's FIN, then close: the client closes first and keeps the TIME-WAIT.
                _ = try? c.receive()
                c.close()
            }
        case .tcpReused:
            guard let (c, _) = try? server.accept() else { return }
            try? c.receiveTimeout(milliseconds: 1000)
            for _ in 0..<count {
                guard receiveExactly(c, size) else { break }
                _ = try? c.send([UInt8](repeating: UInt8(ascii: "r"), count: size))
            }
            _ = try? c.receive()
            c.close()
        }
    }

    static func receiveExactly(_ s: Socket, _ n: Int) -> Bool {
        var got = 0
        while got < n {
            guard let d = try? s.receive(max: n - got), !d.isEmpty else { return false }
            got += d.count
        }
        return true
    }

    /// Round trips before the first reply byte of exchange `exchange` (0-based): walks the frames,
    /// counting client→server to server→client turns, from the exchange's first packet to the
    /// server's first payload byte of it.
    static func roundTrips(_ frames: [LabFrame], serverPort: UInt16, exchange: Int) -> Int? {
        var p = DecodedPacket()
        let r = FragmentReassembler()
        var seenReplies = 0
        var turns = 0
        var lastFromClient = false
        var started = exchange == 0
        for (i, f) in frames.enumerated() {
            f.bytes.withUnsafeBytes {
                PacketDecoder.decode($0, linkType: f.linkType, frame: i + 1, reassembler: r, into: &p)
            }
            let fromServer: Bool
            let payload: Int
            if p.hasTCP {
                fromServer = p.tcp.srcPort == serverPort
                payload = p.tcp.payloadLength
            } else if p.hasUDP {
                fromServer = p.udp.srcPort == serverPort
                payload = max(0, Int(p.udp.length) - 8)
            } else {
                continue
            }
            if !started {
                if fromServer && payload > 0 { seenReplies += 1 }
                if seenReplies == exchange {
                    started = true
                    lastFromClient = false
                    turns = 0
                }
                continue
            }
            if !fromServer { lastFromClient = true }
            if fromServer && lastFromClient {
                turns += 1
                lastFromClient = false
            }
            if fromServer && payload > 0 { return turns }
        }
        return nil
    }

    public static func render(_ run: CompareRun, writeTo path: String? = nil, to out: inout LabOutput) {
        let n = run.rows.first?.exchanges ?? 0
        out.heading("UDP vs TCP, measured (the notes: \(NotesQuote.udpFastTCPSlow.chinese))")
        out.line(
            "  \(n) request/reply exchanges of \(run.size) bytes each way, per transport, on loopback (127.0.0.1).")
        if let note = run.captureNote { out.line("  (\(note))") }
        out.line("")
        let header = [
            LabText.pad("", 26), LabText.pad("replies", 9), LabText.pad("packets", 9), LabText.pad("bytes", 9),
            LabText.pad("per exch.", 10), LabText.pad("RTTs to 1st byte", 17),
            LabText.pad("median µs", 10), "p99 µs",
        ].joined()
        out.line("  " + header)
        for r in run.rows {
            func us(_ v: Int64?) -> String { v.map { String(format1: Double($0) / 1000) } ?? "-" }
            let per = r.packets.map { String(format1: Double($0) / Double(max(1, r.exchanges))) } ?? "-"
            out.line(
                "  "
                    + [
                        LabText.pad(r.name, 26), LabText.pad("\(r.completed)/\(r.exchanges)", 9),
                        LabText.pad(r.packets.map(String.init) ?? "n/c", 9),
                        LabText.pad(r.bytes.map(String.init) ?? "n/c", 9),
                        LabText.pad(per, 10), LabText.pad(r.roundTrips.map(String.init) ?? "n/c", 17),
                        LabText.pad(us(r.percentile(0.5)), 10), us(r.percentile(0.99)),
                    ].joined())
        }
        for r in run.rows where r.dropped > 0 {
            out.line(
                "  (\(r.name): the capture fell behind and the kernel dropped \(r.dropped) packets: its counts are low)"
            )
        }
        out.line("")
        out.line("  packets and bytes: every frame of each run as captured on lo (bytes include lo's 14-byte link")
        out.line("  header); RTTs: turns of the traffic before the first reply byte, counted on the packets (for the")
        out.line("  reused connection, on its last exchange); latency: the client's clock, first call to last reply")
        out.line("  byte (for a new connection: from connect()).")
        out.line("")
        let per = run.rows.map { r in r.packets.map { Double($0) / Double(max(1, r.exchanges)) } }
        if run.rows.count == 3, let u = per[0], let t = per[1], let k = per[2], let ut = run.rows[0].roundTrips,
            let tt = run.rows[1].roundTrips
        {
            out.line("  What this shows: most of TCP's cost here is the handshake and the teardown. A new connection")
            out.line(
                "  per request took \(String(format1: t)) packets and \(tt) round trips before the first reply byte; UDP "
                    + "took \(String(format1: u)) and \(ut);")
            out.line("  one TCP connection kept open took \(String(format1: k)) per exchange, close to UDP.")
        } else {
            out.line("  What this shows: the latencies only (packets were not captured, so they are not counted here;")
            out.line("  with root the table counts packets, bytes and round trips on the wire). TCP with a new")
            out.line("  connection per request pays for the handshake before its first byte and the teardown after.")
        }
        out.line("  What it does not show: loopback never loses, reorders or delays a packet, so nothing here")
        out.line("  exercises what TCP buys (retransmission, ordering, flow and congestion control); on a real network")
        out.line("  UDP's speed comes with losses the program must handle itself. Latencies at this scale are mostly")
        out.line("  system-call and scheduling time, not the network.")
        if let path {
            out.line("")
            out.line(write(run, to: path))
        }
    }

    /// Writes every frame of the run to `path` (pcap), so the counts can be checked against a capture.
    public static func write(_ run: CompareRun, to path: String) -> String {
        writeFrames(run.rows.flatMap { $0.frames ?? [] }, to: path)
    }
}

extension String {
    /// One decimal place, without Foundation.
    init(format1 v: Double) {
        let tenths = Int((v * 10).rounded())
        self = "\(tenths / 10).\(abs(tenths % 10))"
    }
}

/// Writes `frames` to a pcap file at `path` with the project's `CaptureWriter`; returns a line saying what it did.
public func writeFrames(_ frames: [LabFrame], to path: String) -> String {
    guard let first = frames.first else { return "  nothing written to \(path): no packets were captured" }
    do {
        let w = try CaptureWriter(path: path, linkType: first.linkType, snapshotLength: 65_535)
        for f in frames {
            var failure: CaptureWriteError?
            f.bytes.withUnsafeBytes { b in
                do throws(CaptureWriteError) {
                    try w.write(timestamp: f.timestamp, originalLength: f.originalLength, bytes: b)
                } catch {
                    failure = error
                }
            }
            if let failure { throw failure }
        }
        try w.close()
        return "  wrote all \(frames.count) packets to \(path) (wiretale read \(path) to see them)"
    } catch {
        return "  could not write \(path): \(error)"
    }
}
