import WiretaleCapture
import WiretaleCore
import WiretaleSystem

#if canImport(Glibc)
    import Glibc
#endif

/// One transport's measurements in `lab compare`.
public struct CompareRow: Sendable {
    /// The transport's name in both languages.
    public var label: Bilingual
    /// The name in English.
    public var name: String { label.english }
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
    public var captureMessage: Bilingual?
    /// Why no packets were captured, in English.
    public var captureNote: String? { captureMessage?.english }
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
        if !live { run.captureMessage = Bilingual(capture ? LabSay.notPrivileged : LabSay.captureOff) }
        run.rows.append(measure(.udp, count: count, size: size, live: live))
        run.rows.append(measure(.tcpNew, count: count, size: size, live: live))
        run.rows.append(measure(.tcpReused, count: count, size: size, live: live))
        return run
    }

    enum Kind { case udp, tcpNew, tcpReused }

    static func measure(_ kind: Kind, count: Int, size: Int, live: Bool) -> CompareRow {
        let name: LabSay =
            switch kind {
            case .udp: .rowUDP
            case .tcpNew: .rowTCPNew
            case .tcpReused: .rowTCPReused
            }
        var row = CompareRow(label: Bilingual(name), exchanges: count, completed: 0, latencies: [])
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

    public static func render(
        _ run: CompareRun, writeTo path: String? = nil, lang: NotesLanguage = .en, to out: inout LabOutput
    ) {
        func say(_ l: LabSay) -> String { l.text(lang).description }
        let n = run.rows.first?.exchanges ?? 0
        out.heading(LabSay.compareHeading.filled(lang, [NotesQuote.udpFastTCPSlow.chinese.description]))
        out.line(LabSay.compareIntro.filled(lang, ["\(n)", "\(run.size)"]))
        if let note = run.captureMessage { out.line("  (\(note.text(lang)))") }
        out.line("")
        let header = [
            LabText.pad("", 26), LabText.pad(say(.colReplies), 9), LabText.pad(say(.colPackets), 9),
            LabText.pad(say(.colBytes), 9), LabText.pad(say(.colPer), 10), LabText.pad(say(.colRTTs), 17),
            LabText.pad(say(.colMedian), 10), say(.colP99),
        ].joined()
        out.line("  " + header)
        for r in run.rows {
            func us(_ v: Int64?) -> String { v.map { String(format1: Double($0) / 1000) } ?? "-" }
            let per = r.packets.map { String(format1: Double($0) / Double(max(1, r.exchanges))) } ?? "-"
            out.line(
                "  "
                    + [
                        LabText.pad(r.label.text(lang), 26), LabText.pad("\(r.completed)/\(r.exchanges)", 9),
                        LabText.pad(r.packets.map(String.init) ?? say(.notCounted), 9),
                        LabText.pad(r.bytes.map(String.init) ?? say(.notCounted), 9),
                        LabText.pad(per, 10), LabText.pad(r.roundTrips.map(String.init) ?? say(.notCounted), 17),
                        LabText.pad(us(r.percentile(0.5)), 10), us(r.percentile(0.99)),
                    ].joined())
        }
        for r in run.rows where r.dropped > 0 {
            out.line(LabSay.dropped.filled(lang, [r.label.text(lang), "\(r.dropped)"]))
        }
        out.line("")
        for l in [LabSay.legend1, .legend2, .legend3, .legend4] { out.line(say(l)) }
        out.line("")
        let per = run.rows.map { r in r.packets.map { Double($0) / Double(max(1, r.exchanges)) } }
        if run.rows.count == 3, let u = per[0], let t = per[1], let k = per[2], let ut = run.rows[0].roundTrips,
            let tt = run.rows[1].roundTrips
        {
            out.line(say(.shows1))
            out.line(LabSay.shows2.filled(lang, [String(format1: t), "\(tt)", String(format1: u), "\(ut)"]))
            out.line(LabSay.shows3.filled(lang, [String(format1: k)]))
        } else {
            for l in [LabSay.latOnly1, .latOnly2, .latOnly3] { out.line(say(l)) }
        }
        for l in [LabSay.notShow1, .notShow2, .notShow3, .notShow4] { out.line(say(l)) }
        if let path {
            out.line("")
            out.line(write(run, to: path).text(lang))
        }
    }

    /// Writes every frame of the run to `path` (pcap), so the counts can be checked against a capture.
    public static func write(_ run: CompareRun, to path: String) -> Bilingual {
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
public func writeFrames(_ frames: [LabFrame], to path: String) -> Bilingual {
    guard let first = frames.first else { return Bilingual(LabSay.nothingWritten, path) }
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
        return Bilingual(LabSay.wroteAll, "\(frames.count)", path, path)
    } catch {
        return Bilingual(LabSay.couldNotWrite, path, "\(error)")
    }
}
