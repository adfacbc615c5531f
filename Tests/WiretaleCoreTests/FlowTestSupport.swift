@testable import WiretaleCore

/// Drives a `ConnectionTracker` with hand-built segments between a client and a server, one
/// millisecond apart unless told otherwise, and keeps every note and report.
struct FlowHarness {
    enum Peer { case client, server }

    var tracker: ConnectionTracker
    var client = FlowEndpoint(IPAddress("192.0.2.10")!, 40000)
    var server = FlowEndpoint(IPAddress("192.0.2.80")!, 80)
    var frame = 0
    var nanos: Int64 = 1_700_000_000_000_000_000
    var notes: [PacketNote] = []
    var reports: [FlowReport] = []

    init(configuration: ConnectionTracker.Configuration = ConnectionTracker.Configuration()) {
        tracker = ConnectionTracker(configuration: configuration)
    }

    static func time(_ ns: Int64) -> Timestamp {
        Timestamp(seconds: ns / 1_000_000_000, fraction: UInt64(ns % 1_000_000_000), digits: 9)
    }

    static func segment(
        from src: FlowEndpoint, to dst: FlowEndpoint, _ flags: TCPFlags, seq: UInt32, ack: UInt32 = 0, len: Int = 0,
        window: UInt16 = 64240, windowScale: Int8 = -1
    ) -> DecodedPacket {
        var p = DecodedPacket()
        p.hasIP = true
        p.ip.version = src.address.isIPv6 ? 6 : 4
        p.ip.src = src.address
        p.ip.dst = dst.address
        p.ip.proto = .tcp
        p.hasTCP = true
        p.tcp.srcPort = src.port
        p.tcp.dstPort = dst.port
        p.tcp.seq = seq
        p.tcp.ack = ack
        p.tcp.flags = flags
        p.tcp.window = window
        p.tcp.headerLength = 20
        p.tcp.payloadLength = len
        p.tcp.windowScale = windowScale
        return p
    }

    /// Sends one segment from `peer` after `after` milliseconds and returns the tracker's note.
    @discardableResult
    mutating func send(
        _ peer: Peer, _ flags: TCPFlags, seq: UInt32, ack: UInt32 = 0, len: Int = 0, window: UInt16 = 64240,
        windowScale: Int8 = -1, after ms: Double = 1
    ) -> PacketNote {
        let (src, dst) = peer == .client ? (client, server) : (server, client)
        let p = Self.segment(
            from: src, to: dst, flags, seq: seq, ack: ack, len: len, window: window, windowScale: windowScale)
        return feed(p, after: ms, wireLength: 54 + len)
    }

    @discardableResult
    mutating func feed(_ p: DecodedPacket, after ms: Double = 1, wireLength: Int = 60, bytes: [UInt8] = [])
        -> PacketNote
    {
        frame += 1
        nanos += Int64(ms * 1_000_000)
        let f = frame
        let t = Self.time(nanos)
        let note = bytes.withUnsafeBytes { tracker.track(p, frame: f, time: t, wireLength: wireLength, bytes: $0) }
        notes.append(note)
        drain()
        return note
    }

    mutating func drain() {
        while let r = tracker.nextReport() { reports.append(r) }
    }

    mutating func finish() {
        tracker.finish()
        drain()
    }

    var conversations: [TCPConversation] {
        reports.compactMap { if case .tcp(let c) = $0 { c } else { nil } }.sorted { $0.stream < $1.stream }
    }

    var udpFlows: [UDPFlow] {
        reports.compactMap { if case .udp(let u) = $0 { u } else { nil } }.sorted { $0.stream < $1.stream }
    }

    var dnsTransactions: [DNSTransaction] {
        reports.compactMap { if case .dns(let d) = $0 { d } else { nil } }
    }

    /// Finishes the capture and returns the only TCP conversation.
    mutating func onlyConversation() -> TCPConversation? {
        finish()
        let c = conversations
        return c.count == 1 ? c[0] : nil
    }

    /// The usual opening: SYN (x = 1000), SYN-ACK (y = 5000), ACK.
    mutating func handshake(x: UInt32 = 1000, y: UInt32 = 5000) {
        send(.client, .syn, seq: x)
        send(.server, [.syn, .ack], seq: y, ack: x &+ 1)
        send(.client, .ack, seq: x &+ 1, ack: y &+ 1)
    }
}

extension PacketNote {
    /// The transitions as "client CLOSED→SYN-SENT" strings, for compact expectations.
    var changes: [String] {
        transitions.map { "\($0.client ? "client" : "server") \($0.from)→\($0.to)" }
    }
}
