import Testing

@testable import WiretaleCore

private typealias B = MySQLBytes

@Suite("MySQL conversations: the login and each command with its response")
struct MySQLConversationTests {
    /// A whole session: greeting, login (user alice, db shop), OK; INSERT → OK with an insert id,
    /// SELECT → 2 columns and 3 rows, UPDATE → 2 rows affected, DELETE → ERR 1146, COM_PING, COM_QUIT.
    static func session(deprecateEOF: Bool = false) -> [MySQLStep] {
        let caps = deprecateEOF ? B.clientCaps.union(.deprecateEOF) : B.clientCaps
        return [
            .s(B.greeting()),
            .c(B.login(caps: caps)),
            .s(B.ok(2)),
            .c(B.query("INSERT INTO items (name) VALUES ('pen')")),
            .s(B.ok(1, affected: 1, insertID: 5)),
            .c(B.query("  /* list */ select id, name from items")),
            .s(
                B.resultSet(["id", "name"], [["1", "pen"], ["2", "ink"], ["5", "pen"]], deprecateEOF: deprecateEOF)),
            .c(B.query("UPDATE items SET name = 'nib' WHERE name = 'pen'")),
            .s(B.ok(1, affected: 2)),
            .c(B.query("-- gone\nDELETE FROM nothere")),
            .s(B.err(1, 1146, "42S02", "Table 'shop.nothere' doesn't exist")),
            .c(B.command(0x0E, "")),
            .s(B.ok(1)),
            .c(B.command(0x01, "")),
        ]
    }

    static let sessionShapes = [
        "COM_QUERY | INSERT INTO items (name) VALUES ('pen') | - | INSERT | create | ok | rows - | cols - [] | aff 1 id 5 | err - - - | stmt - attrs 0 [] | flags false false false -",
        "COM_QUERY |   /* list */ select id, name from items | - | SELECT | read | rows | rows 3 | cols 2 [\"id\", \"name\"] | aff - id - | err - - - | stmt - attrs 0 [] | flags false false false -",
        "COM_QUERY | UPDATE items SET name = 'nib' WHERE name = 'pen' | - | UPDATE | update | ok | rows - | cols - [] | aff 2 id 0 | err - - - | stmt - attrs 0 [] | flags false false false -",
        "COM_QUERY | -- gone\nDELETE FROM nothere | - | DELETE | delete | error | rows - | cols - [] | aff - id - | err 1146 42S02 Table 'shop.nothere' doesn't exist | stmt - attrs 0 [] | flags false false false -",
        "COM_PING | - | - | - | - | ok | rows - | cols - [] | aff 0 id 0 | err - - - | stmt - attrs 0 [] | flags false false false -",
        "COM_QUIT | - | - | - | - | - | rows - | cols - [] | aff - id - | err - - - | stmt - attrs 0 [] | flags false false false -",
    ]

    @Test func aWholeSessionIsReadCommandByCommand() {
        let rec = runMySQL(Self.session())
        #expect(rec.shapes == Self.sessionShapes)
        let s = rec.session
        #expect(s.serverVersion == "8.0.32" && s.connectionID == 42 && s.protocolVersion == 10)
        #expect(s.user == "alice" && s.database == "shop" && s.authPlugin == "mysql_native_password")
        #expect(s.login == .ok && s.scrambleSeen && s.salt == B.salt && s.authResponseLength == 20)
        #expect(s.connectionAttributes == 2 && !s.clearTextPassword && s.departure == nil)
        #expect(s.serverCapabilities == B.serverCaps)
        #expect(rec.sessions.count == 1 && rec.counters.malformed == 0 && rec.counters.commands == 6)
        #expect(
            rec.texts == [
                "MySQL greeting 8.0.32 (mysql_native_password) connection 42",
                "MySQL login alice db shop (mysql_native_password)",
                "MySQL OK",
                "MySQL COM_QUERY INSERT INTO items (name) VALUES ('pen')",
                "MySQL OK 1 row affected, insert id 5",
                "MySQL COM_QUERY   /* list */ select id, name from items",
                "MySQL result 2 columns, 3 rows",
                "MySQL COM_QUERY UPDATE items SET name = 'nib' WHERE name = 'pen'",
                "MySQL OK 2 rows affected",
                "MySQL COM_QUERY -- gone\nDELETE FROM nothere",
                "MySQL ERR 1146 (42S02) Table 'shop.nothere' doesn't exist",
                "MySQL COM_PING",
                "MySQL OK",
                "MySQL COM_QUIT",
            ])
        #expect(rec.commands[1].rowValues == [["1", "pen"], ["2", "ink"], ["5", "pen"]])
        // Frames: one a step; the SELECT (frame 6) answered on frame 7, 1 ms later.
        let select = rec.commands[1]
        #expect(select.frame == 6 && select.responseFrame == 7 && select.responseFirstFrame == 7)
        #expect(select.latency == 1_000_000)
    }

    @Test func deprecateEOFEndsRowsWithAnOKHeaded0xFE() {
        let rec = runMySQL(Self.session(deprecateEOF: true))
        #expect(rec.shapes == Self.sessionShapes)
        #expect(rec.counters.malformed == 0)
    }

    @Test func everySegmentationGivesTheSameCommands() {
        for steps in [Self.session(), Self.session(deprecateEOF: true), Self.cachingSHA2, Self.prepared] {
            let whole = runMySQL(steps)
            let bytewise = runMySQL(steps) { _, s in Array(repeating: 1, count: s.count) }
            #expect(bytewise.shapes == whole.shapes)
            #expect(bytewise.session.user == whole.session.user && bytewise.session.login == whole.session.login)
            #expect(bytewise.texts == whole.texts)
            var rng = SplitMix64(state: 13)
            for _ in 0..<50 {
                let cut = runMySQL(steps) { _, s in
                    var sizes: [Int] = []
                    var left = s.count
                    while left > 0 {
                        let n = Int.random(in: 1...max(1, min(left, 40)), using: &rng)
                        sizes.append(n)
                        left -= n
                    }
                    return sizes
                }
                #expect(cut.shapes == whole.shapes)
                #expect(cut.texts == whole.texts)
            }
            // All steps of one direction delivered at once, coalesced with the next.
            var merged: [MySQLStep] = []
            for s in steps {
                if let last = merged.last, last.fromClient == s.fromClient {
                    merged[merged.count - 1].bytes += s.bytes
                } else {
                    merged.append(s)
                }
            }
            #expect(runMySQL(merged).shapes == whole.shapes)
        }
    }

    /// caching_sha2_password after an auth switch (the client offered mysql_native_password), then
    /// the fast-auth answer 0x01 0x03 and OK, as in Zeek's caching_sha2_password-after-auth-switch.pcapng.
    static let cachingSHA2: [MySQLStep] = [
        .s(B.greeting(version: "8.0.32", id: 20, plugin: "caching_sha2_password")),
        .c(B.login(user: "root", db: nil, plugin: "mysql_native_password")),
        .s(B.packet(2, [0xFE] + B.nul("caching_sha2_password") + Array(101...120) + [0])),
        .c(B.packet(3, Array(repeating: 0x5A, count: 32))),
        .s(B.packet(4, [0x01, 0x03])),
        .s(B.ok(5)),
        .c(B.query("select @@version_comment limit 1")),
        .s(B.resultSet(["@@version_comment"], [["MySQL Community Server - GPL"]], deprecateEOF: false)),
    ]

    @Test func cachingSHA2AfterAnAuthSwitch() {
        let rec = runMySQL(Self.cachingSHA2)
        let s = rec.session
        #expect(s.user == "root" && s.database == nil && s.login == .ok)
        #expect(s.serverAuthPlugin == "caching_sha2_password" && s.clientAuthPlugin == "mysql_native_password")
        #expect(s.switchedAuthPlugin == "caching_sha2_password" && s.authPlugin == "caching_sha2_password")
        #expect(s.cachingSHA2 == "fast_auth_ok" && s.scrambleSeen && s.salt == Array(101...120))
        #expect(
            rec.texts[2...5] == [
                "MySQL auth switch to caching_sha2_password", "MySQL auth response 32 bytes",
                "MySQL auth more data: fast auth ok", "MySQL OK",
            ])
        #expect(rec.commands.count == 1 && rec.commands[0].rows == 1 && rec.commands[0].crud == .read)
    }

    @Test func aRefusedLoginIsAnErrorWithItsCodeAndState() {
        let rec = runMySQL([
            .s(B.greeting()), .c(B.login(user: "mallory")),
            .s(B.err(2, 1045, "28000", "Access denied for user 'mallory'@'10.0.0.2' (using password: YES)")),
        ])
        let s = rec.session
        #expect(s.login == .error && s.errorCode == 1045 && s.sqlstate == "28000")
        #expect(s.error == "Access denied for user 'mallory'@'10.0.0.2' (using password: YES)")
        #expect(s.loginResultFrame == 3)
        #expect(
            rec.texts.last == "MySQL ERR 1045 (28000) Access denied for user 'mallory'@'10.0.0.2' (using password: YES)"
        )
        #expect(rec.commands.isEmpty)
    }

    @Test func anSSLRequestHandsTheConnectionToTLS() {
        let hello: [UInt8] = [0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0, 0, 1, 0]
        let rec = runMySQL([.s(B.greeting()), .c(B.sslRequest() + hello), .s([0x16, 0x03, 0x03, 0, 1, 2])])
        #expect(rec.session.login == .tls && rec.session.departure == .tls && rec.session.user == nil)
        #expect(rec.left.count == 1 && rec.left[0].0 == .tls && rec.left[0].1 == 2)
        #expect(
            rec.texts == [
                "MySQL greeting 8.0.32 (mysql_native_password) connection 42",
                "MySQL SSL request: TLS from here on", "MySQL TLS from here on: not MySQL",
            ])
        #expect(rec.counters.bytesAfterLeaving == hello.count + 6)
        // The TLS decoder's starting points: right after the SSL request, and after the greeting.
        var d = MySQLDriver()
        d.send([.s(B.greeting()), .c(B.sslRequest() + hello)])
        #expect(d.conv.departureOffsets?.client == B.sslRequest().count)
        #expect(d.conv.departureOffsets?.server == B.greeting().count)
    }

    @Test func compressionIsRecognisedAtTheLoginsOKAndNotDecoded() {
        let rec = runMySQL([
            .s(B.greeting()), .c(B.login(caps: B.clientCaps.union(.compress))), .s(B.ok(2)),
            .c([7, 0, 0, 0, 0, 0, 0, 1, 0, 0, 3]),
        ])
        #expect(rec.session.login == .ok && rec.session.departure == .compressed)
        #expect(rec.left.count == 1 && rec.left[0].0 == .compressed && rec.left[0].1 == 3)
        #expect(rec.commands.isEmpty && rec.counters.bytesAfterLeaving == 11)
    }

    /// COM_QUERY with CLIENT_QUERY_ATTRIBUTES: no attributes (`03 00 01`), then two string ones.
    @Test func queryAttributesPrecedeTheSQL() {
        let caps = B.clientCaps.union(.queryAttributes)
        var attrs: [UInt8] = [0x03, 0x02, 0x01, 0x00, 0x01]
        attrs += [0xFE, 0x00] + B.str("n1") + [0xFE, 0x00] + B.str("trace")
        attrs += B.str("42") + B.str("abc-123") + Array("SELECT mysql_query_attribute_string('n1')".utf8)
        var typed: [UInt8] = [0x03, 0x03, 0x01, 0x02, 0x01]  // the second is NULL
        typed += [0x08, 0x00] + B.str("i") + [0x06, 0x00] + B.str("n") + [0x0C, 0x00] + B.str("t")
        typed += B.le(7, 8) + [4] + B.le(2024, 2) + [1, 2] + Array("select 2".utf8)
        let rec = runMySQL([
            .s(B.greeting()), .c(B.login(caps: caps)), .s(B.ok(2)),
            .c(B.packet(0, [0x03, 0x00, 0x01] + Array("select 1".utf8))), .s(B.ok(1)),
            .c(B.packet(0, attrs)), .s(B.ok(1)),
            .c(B.packet(0, typed)), .s(B.ok(1)),
        ])
        #expect(rec.commands.map(\.query) == ["select 1", "SELECT mysql_query_attribute_string('n1')", "select 2"])
        #expect(rec.commands.map(\.attributeCount) == [0, 2, 3])
        #expect(
            rec.commands[1].attributeNames == ["n1", "trace"] && rec.commands[2].attributeNames == ["i", "n", "t"])
        #expect(rec.commands.allSatisfy { $0.malformed == nil } && rec.counters.malformed == 0)
        // Without the capability the same bytes are plain SQL text.
        let plain = runMySQL([.s(B.greeting()), .c(B.login()), .s(B.ok(2)), .c(B.query("select 1")), .s(B.ok(1))])
        #expect(plain.commands.map(\.query) == ["select 1"])
    }

    /// COM_STMT_PREPARE of an INSERT (one parameter), EXECUTE (classified from the prepare), a
    /// prepared SELECT with binary rows, CLOSE (no answer).
    static let prepared: [MySQLStep] = [
        .s(B.greeting()), .c(B.login()), .s(B.ok(2)),
        .c(B.command(0x16, "INSERT INTO items (name) VALUES (?)")),
        .s(B.packet(1, [0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]) + B.column(2, "?") + B.eof(3)),
        .c(B.packet(0, [0x17] + B.le(1, 4) + [0] + B.le(1, 4) + [0, 1, 0xFE, 0] + B.str("pen"))),
        .s(B.ok(1, affected: 1, insertID: 6)),
        .c(B.command(0x16, "SELECT id FROM items WHERE id > ?")),
        .s(
            B.packet(1, [0, 2, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0]) + B.column(2, "?") + B.eof(3) + B.column(4, "id")
                + B.eof(5)),
        .c(B.packet(0, [0x17] + B.le(2, 4) + [0] + B.le(1, 4) + [0, 1, 0x08, 0] + B.le(0, 8))),
        .s(B.packet(1, [1]) + B.column(2, "id") + B.eof(3) + B.packet(4, [0, 0] + B.le(1, 8)) + B.eof(5)),
        .c(B.packet(0, [0x19] + B.le(1, 4))),
        .c(B.query("commit")),
        .s(B.ok(1)),
    ]

    @Test func preparedStatementsAreMatchedToTheirSQL() {
        let rec = runMySQL(Self.prepared)
        let c = rec.commands
        #expect(
            c.map(\.command.name) == [
                "COM_STMT_PREPARE", "COM_STMT_EXECUTE", "COM_STMT_PREPARE", "COM_STMT_EXECUTE", "COM_STMT_CLOSE",
                "COM_QUERY",
            ])
        #expect(c[0].statementID == 1 && c[0].parameters == 1 && c[0].columns == 0 && c[0].result == .ok)
        #expect(c[1].query == "INSERT INTO items (name) VALUES (?)" && c[1].crud == .create && c[1].insertID == 6)
        #expect(c[2].statementID == 2 && c[2].parameters == 1 && c[2].columns == 1)
        #expect(c[3].crud == .read && c[3].result == .rows && c[3].rows == 1 && c[3].columnNames == ["id"])
        #expect(c[4].statementID == 1 && c[4].result == nil && !c[4].noResponse)
        #expect(c[5].verb == "COMMIT" && c[5].crud == nil && c[5].result == .ok)
        #expect(rec.texts.contains("MySQL statement 1 prepared: 1 params, 0 columns"))
        #expect(rec.counters.malformed == 0)
    }

    @Test func aProcedureWithSeveralResultsIsOneCommand() {
        let more: UInt16 = 0x0008 | 0x0002
        let rec = runMySQL([
            .s(B.greeting()), .c(B.login()), .s(B.ok(2)),
            .c(B.query("CALL report()")),
            .s(
                B.resultSet(["a"], [["1"], ["2"]], deprecateEOF: false, status: more) + B.ok(6, affected: 0, status: 2)),
            .c(B.query("select 1")), .s(B.resultSet(["1"], [["1"]], deprecateEOF: false)),
        ])
        #expect(rec.commands.count == 2)
        #expect(rec.commands[0].verb == "CALL" && rec.commands[0].result == .rows && rec.commands[0].rows == 2)
        #expect(rec.commands[0].rowValues == [["1"], ["2"]])
        #expect(rec.commands[1].rows == 1 && rec.commands[1].crud == .read)
    }

    /// Each COM_CHANGE_USER is a login of its own: the session before it is reported, and the new
    /// one has the command's user, database and plugin and the answer's outcome.
    @Test func changeUserBeginsANewSession() {
        let rec = runMySQL([
            .s(B.greeting()), .c(B.login(user: "root")), .s(B.ok(2)),
            .c(
                B.command(
                    0x11,
                    "bob\u{0}\u{14}" + String(repeating: "x", count: 20)
                        + "shop\u{0}\u{21}\u{0}caching_sha2_password\u{0}")),
            .s(B.packet(1, [0xFE] + B.nul("mysql_native_password") + Array(1...20) + [0])),
            .c(B.packet(2, Array(repeating: 7, count: 20))),
            .s(B.ok(3)),
            .c(B.command(0x11, "eve\u{0}")),
            .s(B.err(1, 1045, "28000", "Access denied for user 'eve'")),
        ])
        #expect(rec.commands.map(\.argument) == ["bob", "eve"])
        #expect(rec.commands.map { $0.result } == [.ok, .error])
        #expect(rec.sessions.map(\.user) == ["root", "bob", "eve"])
        #expect(rec.sessions.map(\.login) == [.ok, .ok, .error])
        let bob = rec.sessions[1]
        #expect(bob.database == "shop" && bob.clientAuthPlugin == "caching_sha2_password")
        #expect(bob.switchedAuthPlugin == "mysql_native_password" && bob.salt == Array(1...20) && bob.scrambleSeen)
        #expect(
            bob.serverVersion == "8.0.32" && bob.connectionID == 42 && bob.loginFrame == 4 && bob.loginResultFrame == 7)
        #expect(rec.sessions[2].errorCode == 1045 && rec.sessions[2].sqlstate == "28000")
        #expect(rec.texts.contains("MySQL COM_CHANGE_USER bob"))
    }

    @Test func localInfileDataAndItsOK() {
        let rec = runMySQL([
            .s(B.greeting()), .c(B.login()), .s(B.ok(2)),
            .c(B.query("LOAD DATA LOCAL INFILE '/tmp/a.csv' INTO TABLE items")),
            .s(B.packet(1, [0xFB] + Array("/tmp/a.csv".utf8))),
            .c(B.packet(2, Array("1,pen\n2,ink\n".utf8)) + B.packet(3, [])),
            .s(B.ok(4, affected: 2)),
        ])
        #expect(rec.commands.count == 1 && rec.commands[0].affectedRows == 2 && rec.commands[0].result == .ok)
        #expect(rec.texts.contains("MySQL LOCAL INFILE request /tmp/a.csv"))
        #expect(rec.texts.contains("MySQL LOCAL INFILE data 12 bytes"))
    }

    @Test func aPayloadOf16MiBOrMoreIsJoinedFromItsPackets() {
        // Exactly 0xFFFFFF bytes: a full packet, then an empty one ends the payload. The text is cut
        // at 64 KiB for display; the framing holds and the next command is read.
        var sql = [0x03] + Array("INSERT INTO blobs VALUES ('".utf8)
        sql += [UInt8](repeating: 0x61, count: 0xFF_FFFF - sql.count - 2) + Array("')".utf8)
        let wire = B.le(0xFF_FFFF, 3) + [0] + sql + B.le(0, 3) + [1]
        let rec = runMySQL([
            .s(B.greeting()), .c(B.login()), .s(B.ok(2)), .c(wire), .s(B.ok(1, affected: 1)),
            .c(B.query("select 1")), .s(B.resultSet(["1"], [["1"]], deprecateEOF: false)),
        ]) { _, s in
            s.count > 100_000 ? [70_000, s.count - 70_000] : [s.count]
        }
        #expect(rec.commands.count == 2)
        #expect(rec.commands[0].crud == .create && rec.commands[0].queryTruncated && rec.commands[0].affectedRows == 1)
        #expect(rec.commands[0].query?.utf8.count == MySQLCommand.maxQueryBytes + 3)
        #expect(rec.commands[1].query == "select 1" && rec.commands[1].rows == 1)
        #expect(rec.counters.truncated == 0)
    }

    @Test func aPacketPastTheCapIsCountedAndSkipped() {
        let n = MySQLFramer.maxBufferedBytes + 10
        var wire: [UInt8] = []
        var payload = [0x03] + Array("select '".utf8)
        payload += [UInt8](repeating: 0x62, count: n - payload.count)
        var seq: UInt8 = 0
        var at = 0
        while true {
            let k = min(0xFF_FFFF, payload.count - at)
            wire += B.le(UInt64(k), 3) + [seq] + payload[at..<at + k]
            at += k
            seq += 1
            if k < 0xFF_FFFF { break }
        }
        let rec = runMySQL([
            .s(B.greeting()), .c(B.login()), .s(B.ok(2)), .c(wire), .s(B.ok(1)),
            .c(B.query("select 2")), .s(B.ok(1)),
        ])
        #expect(rec.counters.truncated == 1)
        #expect(rec.commands.count == 2 && rec.commands[0].queryTruncated && rec.commands[1].query == "select 2")
    }

    @Test func aGapInTheServersStreamLosesThatResponseOnlyAndReadingResumes() {
        var d = MySQLDriver()
        d.send([.s(B.greeting()), .c(B.login()), .s(B.ok(2)), .c(B.query("select * from big"))])
        let rows = B.resultSet(["a"], (0..<10).map { ["\($0)"] }, deprecateEOF: false)
        d.send([.s(Array(rows[0..<40]))])
        d.gap(25, fromClient: false)
        d.send([.s(Array(rows[65...]))])  // the rest of the rows: skipped, not a command's answer
        d.send([.c(B.query("delete from big where a = 1")), .s(B.ok(1, affected: 1))])
        let rec = d.finish()
        #expect(rec.commands.count == 2)
        #expect(rec.commands[0].responseLost && rec.commands[0].query == "select * from big")
        #expect(rec.commands[1].crud == .delete && rec.commands[1].affectedRows == 1 && !rec.commands[1].responseLost)
        #expect(rec.counters.gaps == 1 && rec.counters.gapBytes == 25 && rec.counters.skippedBytes > 0)
    }

    @Test func aGapInTheClientsStreamResumesAtTheNextCommand() {
        var d = MySQLDriver()
        d.send([.s(B.greeting()), .c(B.login()), .s(B.ok(2))])
        let lost = B.query("update t set a = 2")
        d.send([.c(Array(lost[0..<6]))])
        d.gap(lost.count - 6, fromClient: true)
        d.send([.s(B.ok(1, affected: 3))])  // its answer: not matched to anything
        d.send([.c(B.query("select 1")), .s(B.resultSet(["1"], [["1"]], deprecateEOF: false))])
        let rec = d.finish()
        #expect(rec.commands.count == 1 && rec.commands[0].query == "select 1" && rec.commands[0].rows == 1)
    }

    @Test func aGapInTheLoginLeavesItUnknownAndCommandsAreStillRead() {
        var d = MySQLDriver()
        d.send([.s(B.greeting())])
        d.gap(80, fromClient: true)
        d.gap(11, fromClient: false)
        d.send([.c(B.query("show tables")), .s(B.resultSet(["t"], [["a"]], deprecateEOF: false))])
        let rec = d.finish()
        #expect(rec.session.login == .unknown && rec.session.serverVersion == "8.0.32")
        #expect(rec.commands.count == 1 && rec.commands[0].verb == "SHOW" && rec.commands[0].rows == 1)
    }

    @Test func commandsWithoutResponseAtTheEndAreSaid() {
        let rec = runMySQL([.s(B.greeting()), .c(B.login()), .s(B.ok(2)), .c(B.query("select sleep(100)"))])
        #expect(rec.commands.count == 1 && rec.commands[0].noResponse && rec.commands[0].result == nil)
    }

    @Test func rowValuesAreKeptForTheFirstRowsOnlyWithNULLs() {
        var set = B.packet(1, [2]) + B.column(2, "a") + B.column(3, "b") + B.eof(4)
        set += B.row(5, ["0", "x"]) + B.packet(6, B.str("1") + [0xFB])
        for i in 2..<15 { set += B.row(UInt8(5 + i), ["\(i)", String(repeating: "v", count: 300)]) }
        set += B.eof(20)
        let rec = runMySQL([.s(B.greeting()), .c(B.login()), .s(B.ok(2)), .c(B.query("select a, b from t")), .s(set)])
        let c = rec.commands[0]
        #expect(c.rows == 15 && c.rowValues.count == MySQLCommand.maxRowsKept && c.columnNames == ["a", "b"])
        #expect(c.rowValues[0] == ["0", "x"] && c.rowValues[1] == ["1", nil])
        #expect(c.rowValues[2][1]?.utf8.count == MySQLCommand.maxValueBytes + 3)
    }

    @Test func aCaptureThatBeginsAfterTheLoginStillReadsCommands() {
        let rec = runMySQL([.c(B.query("select 1")), .s(B.resultSet(["1"], [["1"]], deprecateEOF: false))])
        #expect(rec.session.login == .unknown && rec.session.user == nil)
        #expect(rec.commands.count == 1 && rec.commands[0].rows == 1 && rec.counters.malformed == 0)
    }

    @Test func aResultSetWithoutMetadataHasRowsOnly() {
        // "metadata follows" 0 after the column count (MariaDB's cached metadata): no definitions.
        let rec = runMySQL([
            .s(B.greeting()), .c(B.login()), .s(B.ok(2)), .c(B.query("select a from t")),
            .s(B.packet(1, [1, 0]) + B.eof(2) + B.row(3, ["x"]) + B.row(4, ["y"]) + B.eof(5)),
        ])
        #expect(rec.commands.count == 1 && rec.commands[0].rows == 2 && rec.commands[0].columns == 1)
        #expect(rec.commands[0].columnNames.isEmpty && rec.counters.malformed == 0)
    }

    @Test func pipelinedCommandsPastTheCapAreReportedAndTheirResponsesStillMatched() {
        let n = MySQLConversation.maxPending + 3
        var steps: [MySQLStep] = [.s(B.greeting()), .c(B.login()), .s(B.ok(2))]
        steps += (0..<n).map { MySQLStep.c(B.query("insert into t values (\($0))")) }
        steps += (0..<n).map { MySQLStep.s(B.ok(1, affected: 1, insertID: UInt64($0 + 1))) }
        let rec = runMySQL(steps)
        #expect(rec.commands.count == n && rec.counters.evictedAtCap == 3)
        #expect(rec.commands.prefix(3).allSatisfy { $0.evictedAtCap && $0.noResponse })
        // The others got their own OK: the evicted ones' answers were read and dropped.
        #expect(rec.commands.dropFirst(3).map(\.insertID) == (3..<n).map { UInt64($0 + 1) })
        #expect(rec.commands.map(\.index) == Array(0..<n))
    }

    // MARK: damage

    /// Every prefix of the session, both ends delivered: no crash; a prefix that ends inside a
    /// packet is counted malformed, never read as a whole packet; only the whole input has all commands.
    @Test func everyPrefixIsReportedNeverTrapped() {
        for steps in [Self.session(), Self.cachingSHA2, Self.prepared] {
            let whole = runMySQL(steps)
            let total = steps.reduce(0) { $0 + $1.bytes.count }
            // Packet ends, as offsets into the concatenation of the steps.
            var ends: Set<Int> = [0]
            var base = 0
            for s in steps {
                var at = 0
                while at + 4 <= s.bytes.count {
                    at += 4 + (Int(s.bytes[at]) | Int(s.bytes[at + 1]) << 8 | Int(s.bytes[at + 2]) << 16)
                    ends.insert(base + at)
                }
                base += s.bytes.count
            }
            for k in 0..<total {
                var left = k
                var cut: [MySQLStep] = []
                for s in steps where left > 0 {
                    cut.append(MySQLStep(fromClient: s.fromClient, bytes: Array(s.bytes.prefix(left))))
                    left -= min(left, s.bytes.count)
                }
                let rec = runMySQL(cut)
                #expect(rec.sessions.count == 1)
                #expect(rec.commands.count <= whole.commands.count)
                if !ends.contains(k) { #expect(rec.counters.malformed >= 1, "prefix \(k)") }
                #expect(rec.texts != whole.texts, "prefix \(k) read as the whole")
            }
        }
    }

    @Test func randomBytesAndDamagedSessionsNeverTrap() {
        var rng = SplitMix64(state: 7)
        for _ in 0..<1_500 {
            var steps: [MySQLStep] = []
            for _ in 0..<Int.random(in: 1...6, using: &rng) {
                let n = Int.random(in: 0...64, using: &rng)
                var bytes = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
                // Plausible headers now and then, so the parsers past the framing are reached.
                if n >= 4 && Bool.random(using: &rng) {
                    bytes[0] = UInt8(n - 4)
                    bytes[1] = 0
                    bytes[2] = 0
                }
                steps.append(MySQLStep(fromClient: Bool.random(using: &rng), bytes: bytes))
            }
            _ = runMySQL(steps)
        }
        let session = Self.session() + Self.prepared
        for _ in 0..<800 {
            var steps = session
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let i = Int.random(in: 0..<steps.count, using: &rng)
                guard !steps[i].bytes.isEmpty else { continue }
                let j = Int.random(in: 0..<steps[i].bytes.count, using: &rng)
                steps[i].bytes[j] = UInt8.random(in: 0...255, using: &rng)
            }
            _ = runMySQL(steps) { _, s in [Int.random(in: 1...max(1, s.count), using: &rng), s.count] }
        }
    }

    // MARK: detection and output

    @Test func aGreetingIsClaimedAsStreamDetectionDoes() {
        let g = B.greeting()
        #expect(g.withUnsafeBytes { MySQLConversation.claimGreeting($0) } == .yes)
        #expect(Array(g[0..<3]).withUnsafeBytes { MySQLConversation.claimGreeting($0) } == .needMore)
        #expect(Array(g[0..<3]).withUnsafeBytes { MySQLConversation.claimGreeting($0, full: true) } == .no)
        #expect(Array("HTTP/1.1 200 OK\r\n".utf8).withUnsafeBytes { MySQLConversation.claimGreeting($0) } == .no)
    }

    @Test func theLinesHaveTheirChineseWords() {
        let rec = runMySQL(Self.session())
        let zh = rec.messages.map { m in
            var o = OutputBuffer(fd: -1)
            m.appendSummary(to: &o, lang: .zh)
            return String(decoding: o.bytes, as: UTF8.self)
        }
        #expect(zh[0] == "MySQL 服务器问候 8.0.32 (mysql_native_password) 连接 42")
        #expect(zh[1] == "MySQL 登录 alice 数据库 shop (mysql_native_password)")
        #expect(zh[4] == "MySQL OK 影响 1 行, 插入 id 5" && zh[6] == "MySQL 结果集 2 列, 3 行")
        #expect(MySQLCRUD.allCases.map { $0.text(.zh).description } == ["增", "查", "改", "删"])
        // Every label has as many slots in both languages.
        for l in MySQLLabel.allCases {
            #expect(
                l.english.description.split(separator: "{}", omittingEmptySubsequences: false).count
                    == l.chinese.description.split(separator: "{}", omittingEmptySubsequences: false).count, "\(l)")
        }
    }

    @Test func theSessionAndCommandJSONCarryTheIssuesKeys() {
        let rec = runMySQL(Self.session())
        var o = OutputBuffer(fd: -1)
        rec.commands[0].appendJSON(stream: 3, to: &o)
        let line = String(decoding: o.bytes, as: UTF8.self)
        #expect(
            line.hasPrefix(
                #"{"kind":"mysql","stream":3,"index":0,"frame":4,"command":"COM_QUERY","query":"INSERT INTO items (name) VALUES ('pen')","argument":null,"verb":"INSERT","crud":"create","result":"ok","rows":null,"affected_rows":1,"insert_id":5,"error_code":null,"sqlstate":null,"error":null,"response_frame":5,"latency_ms":1.000,"#
            ))
        #expect(line.hasSuffix("}\n"))
        o = OutputBuffer(fd: -1)
        rec.session.appendJSON(stream: 3, to: &o)
        let s = String(decoding: o.bytes, as: UTF8.self)
        #expect(
            s.hasPrefix(
                #"{"kind":"mysql_session","stream":3,"server_version":"8.0.32","user":"alice","database":"shop","auth_plugin":"mysql_native_password","login":"ok","connection_id":42,"#
            ))
        #expect(s.contains(#""scramble_seen":true,"password_on_wire":false"#))
    }
}

@Suite("MySQL packets: the framer and every packet's fields bounded")
struct MySQLPacketTests {
    /// The session's packets, each with its payload cut to every shorter length (the header saying
    /// so): every field reader meets the end of its packet at every place, and never traps.
    @Test func everyPayloadPrefixOfEveryPacketIsReadWithoutTrapping() {
        for steps in [
            MySQLConversationTests.session(), MySQLConversationTests.cachingSHA2,
            MySQLConversationTests.prepared,
        ] {
            var packets: [(Bool, UInt8, [UInt8])] = []
            for s in steps {
                var at = 0
                while at + 4 <= s.bytes.count {
                    let n = Int(s.bytes[at]) | Int(s.bytes[at + 1]) << 8 | Int(s.bytes[at + 2]) << 16
                    packets.append((s.fromClient, s.bytes[at + 3], Array(s.bytes[at + 4..<at + 4 + n])))
                    at += 4 + n
                }
            }
            for i in packets.indices {
                for k in 0..<packets[i].2.count {
                    let steps = packets.enumerated().map { j, p in
                        MySQLStep(fromClient: p.0, bytes: MySQLBytes.packet(p.1, j == i ? Array(p.2.prefix(k)) : p.2))
                    }
                    let rec = runMySQL(steps)
                    #expect(rec.sessions.count == 1)
                }
            }
        }
    }

    @Test func theFramerJoinsPiecesAndSaysWhereAPacketBegan() {
        var f = MySQLFramer()
        let wire = MySQLBytes.packet(3, [1, 2, 3]) + MySQLBytes.packet(4, [])
        var got: [(UInt8, [UInt8], Int)] = []
        var base = 0
        for piece in [Array(wire[0..<2]), Array(wire[2..<5]), Array(wire[5...])] {
            piece.withUnsafeBytes { p in
                var off = 0
                while let next = f.next(p, &off, frame: base, time: .missing, base: base) {
                    switch next {
                    case .inPlace(let info, let r): got.append((info.sequence, Array(p[r]), info.offset))
                    case .buffered(let info):
                        got.append((info.sequence, f.buffer, info.offset))
                        f.consumed()
                    }
                }
            }
            base += piece.count
        }
        #expect(got.map(\.0) == [3, 4] && got.map(\.1) == [[1, 2, 3], []] && got.map(\.2) == [0, 7])
        #expect(!f.inPacket && f.held == 0)
    }
}
