@testable import WiretaleCore

/// MySQL packets written out from the protocol documentation ("Connection Phase", "Text
/// Protocol"), for the conversation tests.
enum MySQLBytes {
    static func le(_ v: UInt64, _ n: Int) -> [UInt8] {
        (0..<n).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) }
    }

    static func lenenc(_ v: UInt64) -> [UInt8] {
        switch v {
        case 0..<0xFB: [UInt8(v)]
        case 0..<0x1_0000: [0xFC] + le(v, 2)
        case 0..<0x100_0000: [0xFD] + le(v, 3)
        default: [0xFE] + le(v, 8)
        }
    }

    static func str(_ s: String) -> [UInt8] { lenenc(UInt64(s.utf8.count)) + Array(s.utf8) }
    static func nul(_ s: String) -> [UInt8] { Array(s.utf8) + [0] }

    /// A packet: 3-byte length, sequence id, payload.
    static func packet(_ seq: UInt8, _ payload: [UInt8]) -> [UInt8] { le(UInt64(payload.count), 3) + [seq] + payload }

    static let salt: [UInt8] = Array(1...20)

    static let serverCaps: MySQLCapabilities = [
        .longPassword, .connectWithDB, .localFiles, .protocol41, .ssl, .transactions, .secureConnection,
        .multiStatements, .multiResults, .pluginAuth, .connectAttrs, .pluginAuthLenencClientData, .deprecateEOF,
        .compress, .queryAttributes,
    ]

    /// HandshakeV10.
    static func greeting(
        version: String = "8.0.32", id: UInt32 = 42, caps: MySQLCapabilities = serverCaps,
        plugin: String = "mysql_native_password"
    ) -> [UInt8] {
        var p: [UInt8] = [10] + nul(version) + le(UInt64(id), 4) + Array(salt[0..<8]) + [0]
        p += le(UInt64(caps.rawValue & 0xFFFF), 2) + [0xFF] + le(2, 2) + le(UInt64(caps.rawValue >> 16), 2)
        p += [21] + [UInt8](repeating: 0, count: 10) + Array(salt[8...]) + [0] + nul(plugin)
        return packet(0, p)
    }

    static let clientCaps: MySQLCapabilities = [
        .longPassword, .connectWithDB, .protocol41, .transactions, .secureConnection, .multiStatements,
        .multiResults, .pluginAuth, .connectAttrs, .pluginAuthLenencClientData,
    ]

    /// HandshakeResponse41.
    static func login(
        caps: MySQLCapabilities = clientCaps, user: String = "alice", db: String? = "shop",
        plugin: String = "mysql_native_password", auth: [UInt8] = Array(repeating: 0xAB, count: 20), seq: UInt8 = 1
    ) -> [UInt8] {
        var caps = caps
        if db == nil { caps.remove(.connectWithDB) }
        var p = le(UInt64(caps.rawValue), 4) + le(1 << 24, 4) + [0xFF] + [UInt8](repeating: 0, count: 23)
        p += nul(user) + lenenc(UInt64(auth.count)) + auth
        if let db { p += nul(db) }
        p += nul(plugin)
        let attrs = str("_client_name") + str("libmysql") + str("_pid") + str("1234")
        p += lenenc(UInt64(attrs.count)) + attrs
        return packet(seq, p)
    }

    static func sslRequest(caps: MySQLCapabilities = clientCaps.union(.ssl)) -> [UInt8] {
        packet(1, le(UInt64(caps.rawValue), 4) + le(1 << 24, 4) + [0xFF] + [UInt8](repeating: 0, count: 23))
    }

    static func ok(_ seq: UInt8, affected: UInt64 = 0, insertID: UInt64 = 0, status: UInt16 = 2, warnings: UInt16 = 0)
        -> [UInt8]
    {
        packet(seq, [0] + lenenc(affected) + lenenc(insertID) + le(UInt64(status), 2) + le(UInt64(warnings), 2))
    }

    static func err(_ seq: UInt8, _ code: UInt16, _ state: String, _ message: String) -> [UInt8] {
        packet(seq, [0xFF] + le(UInt64(code), 2) + Array(("#" + state + message).utf8))
    }

    static func eof(_ seq: UInt8, status: UInt16 = 2) -> [UInt8] { packet(seq, [0xFE, 0, 0] + le(UInt64(status), 2)) }

    /// The end of rows with CLIENT_DEPRECATE_EOF: an OK headed 0xFE.
    static func okEOF(_ seq: UInt8, status: UInt16 = 2) -> [UInt8] {
        packet(seq, [0xFE, 0, 0] + le(UInt64(status), 2) + le(0, 2))
    }

    static func column(_ seq: UInt8, _ name: String) -> [UInt8] {
        packet(
            seq,
            str("def") + str("shop") + str("items") + str("items") + str(name) + str(name) + [0x0C] + le(33, 2)
                + le(255, 4) + [0xFD] + le(0, 2) + [0] + le(0, 2))
    }

    static func row(_ seq: UInt8, _ values: [String]) -> [UInt8] { packet(seq, values.flatMap(str)) }

    static func command(_ code: UInt8, _ text: String) -> [UInt8] { packet(0, [code] + Array(text.utf8)) }
    static func query(_ sql: String) -> [UInt8] { command(0x03, sql) }

    /// A result set: column count, definitions, EOF (unless `deprecateEOF`), rows, the end.
    static func resultSet(_ columns: [String], _ rows: [[String]], deprecateEOF: Bool, status: UInt16 = 2) -> [UInt8] {
        var seq: UInt8 = 1
        func next() -> UInt8 {
            defer { seq &+= 1 }
            return seq
        }
        var out = packet(next(), lenenc(UInt64(columns.count)))
        for c in columns { out += column(next(), c) }
        if !deprecateEOF { out += eof(next()) }
        for r in rows { out += row(next(), r) }
        out += deprecateEOF ? okEOF(next(), status: status) : eof(next(), status: status)
        return out
    }
}

/// One direction's bytes at one point of a MySQL exchange (whole packets).
struct MySQLStep {
    var fromClient: Bool
    var bytes: [UInt8]

    static func c(_ b: [UInt8]) -> MySQLStep { MySQLStep(fromClient: true, bytes: b) }
    static func s(_ b: [UInt8]) -> MySQLStep { MySQLStep(fromClient: false, bytes: b) }
}

/// What a conversation reported.
struct MySQLRecord {
    var messages: [MySQLMessage] = []
    var commands: [MySQLCommand] = []
    var left: [(MySQLDeparture, Int)] = []
    var sessions: [MySQLSession] = []
    var counters = MySQLConversationCounters()

    mutating func take(_ e: MySQLEvent) {
        switch e {
        case .message(let m): messages.append(m)
        case .command(let c): commands.append(c)
        case .left(let to, let frame): left.append((to, frame))
        case .session(let s): sessions.append(s)
        }
    }

    var session: MySQLSession { sessions.last ?? MySQLSession() }

    /// Each command without frames and latency (which depend on how the bytes were cut).
    var shapes: [String] {
        commands.map { c in
            [
                c.command.name, c.query ?? "-", c.argument ?? "-", c.verb ?? "-", c.crud.map { "\($0)" } ?? "-",
                c.result.map { "\($0)" } ?? "-", "rows \(c.rows.map(String.init) ?? "-")",
                "cols \(c.columns.map(String.init) ?? "-") \(c.columnNames)",
                "aff \(c.affectedRows.map(String.init) ?? "-") id \(c.insertID.map(String.init) ?? "-")",
                "err \(c.errorCode.map(String.init) ?? "-") \(c.sqlstate ?? "-") \(c.error ?? "-")",
                "stmt \(c.statementID.map(String.init) ?? "-") attrs \(c.attributeCount) \(c.attributeNames)",
                "flags \(c.noResponse) \(c.responseLost) \(c.queryTruncated) \(c.malformed ?? "-")",
            ].joined(separator: " | ")
        }
    }

    /// The messages' texts, as `read` shows them.
    var texts: [String] {
        messages.map { m in
            var o = OutputBuffer(fd: -1)
            m.appendSummary(to: &o)
            return String(decoding: o.bytes, as: UTF8.self)
        }
    }
}

/// A conversation driven by hand: steps (one frame each, whole), gaps, then `finish`.
struct MySQLDriver {
    var conv = MySQLConversation()
    var rec = MySQLRecord()
    var frame = 0

    static func time(_ f: Int) -> Timestamp { Timestamp(seconds: 1_000, fraction: UInt64(f), digits: 3) }

    mutating func send(_ steps: [MySQLStep]) {
        for s in steps { piece(s.bytes, fromClient: s.fromClient) }
    }

    /// One delivery of `bytes`, on a frame of its own.
    mutating func piece(_ bytes: [UInt8], fromClient: Bool) {
        frame += 1
        let f = frame
        bytes.withUnsafeBytes { p in
            conv.receive(.data(p, firstFrame: f, lastFrame: f), fromClient: fromClient, frame: f, time: Self.time(f)) {
                rec.take($0)
            }
        }
    }

    mutating func gap(_ n: Int, fromClient: Bool) {
        frame += 1
        conv.receive(.gap(n), fromClient: fromClient, frame: frame, time: Self.time(frame)) { rec.take($0) }
    }

    /// Both ends (when `ends`), `finish`, and what was reported.
    mutating func finish(ends: Bool = true) -> MySQLRecord {
        frame += 1
        if ends {
            for client in [true, false] {
                conv.receive(.end, fromClient: client, frame: frame, time: Self.time(frame)) { rec.take($0) }
            }
        }
        conv.finish { rec.take($0) }
        rec.counters = conv.counters
        return rec
    }
}

/// Feeds the steps to a conversation, each step cut by `cut` into pieces, one frame a piece
/// (time: frame number milliseconds); then both ends and `finish`.
func runMySQL(
    _ steps: [MySQLStep], ends: Bool = true, cut: (Int, [UInt8]) -> [Int] = { _, s in [s.count] }
) -> MySQLRecord {
    var d = MySQLDriver()
    for (i, step) in steps.enumerated() {
        var at = 0
        for size in cut(i, step.bytes) where size > 0 && at < step.bytes.count {
            d.piece(Array(step.bytes[at..<min(step.bytes.count, at + size)]), fromClient: step.fromClient)
            at += size
        }
    }
    return d.finish(ends: ends)
}
