import Testing

@testable import WiretaleCore

/// MySQL found by content and read by the tracker: the frames that complete messages carry them
/// (`read`), and each login and command is a report (`conversations`), on any port.
@Suite("MySQL through the tracker: service by content, each message on its frame, sessions and commands reported")
struct MySQLStreamTests {
    @Test("a session on port 13306: service mysql, 增删改查 of each statement, affected rows, an error")
    func session() throws {
        var configuration = ConnectionTracker.Configuration()
        configuration.streamMessages = true
        var h = FlowHarness(configuration: configuration)
        h.server = FlowEndpoint(IPAddress("192.0.2.80")!, 13306)
        h.handshake()
        var dialog = StreamDialog()
        var messages: [String] = []
        func exchange(_ fromClient: Bool, _ bytes: [UInt8]) {
            dialog.send(&h, fromClient: fromClient, bytes)
            var o = OutputBuffer(fd: -1)
            for m in h.tracker.frameMessages { m.appendSummary(to: &o) }
            messages.append(String(decoding: o.bytes, as: UTF8.self))
        }
        exchange(false, MySQLBytes.greeting())
        exchange(true, MySQLBytes.login())
        exchange(false, MySQLBytes.ok(2))
        exchange(true, MySQLBytes.query("INSERT INTO t VALUES (1)"))
        exchange(false, MySQLBytes.ok(1, affected: 1, insertID: 7))
        exchange(true, MySQLBytes.query("update t set a = 2"))
        exchange(false, MySQLBytes.ok(1, affected: 1))
        exchange(true, MySQLBytes.query("DELETE FROM t"))
        exchange(false, MySQLBytes.err(1, 1146, "42S02", "Table 'shop.t' doesn't exist"))
        exchange(true, MySQLBytes.query("select a from t"))
        exchange(false, MySQLBytes.resultSet(["a"], [["2"]], deprecateEOF: false))
        let conversation = h.onlyConversation()
        #expect(conversation?.streams.service == .mysql)
        #expect(messages[0].hasPrefix(": MySQL greeting 8.0.32"), "\(messages[0])")
        #expect(messages[3] == ": MySQL COM_QUERY INSERT INTO t VALUES (1)", "\(messages[3])")
        let commands = h.reports.compactMap { if case .mysqlCommand(_, let x) = $0 { x } else { nil } }
        #expect(commands.map(\.crud) == [.create, .update, .delete, .read])
        #expect(commands.map(\.verb) == ["INSERT", "UPDATE", "DELETE", "SELECT"])
        #expect(commands[0].affectedRows == 1 && commands[0].insertID == 7)
        #expect(commands[2].result == .error && commands[2].errorCode == 1146 && commands[2].sqlstate == "42S02")
        #expect(commands[3].result == .rows && commands[3].rows == 1)
        let sessions = h.reports.compactMap { if case .mysqlSession(_, let x) = $0 { x } else { nil } }
        #expect(sessions.count == 1 && sessions.first?.user == "alice" && sessions.first?.database == "shop")
        #expect(sessions.first?.login == .ok && sessions.first?.scrambleSeen == true)

        var text = OutputBuffer(fd: -1)
        MySQLTable.render(
            sessions: sessions.map { MySQLTable.SessionRow(stream: 0, $0) },
            commands: commands.map { MySQLTable.CommandRow(stream: 0, $0) }, lang: .zh, to: &text)
        let table = String(decoding: text.bytes, as: UTF8.self)
        #expect(table.contains("增") && table.contains("改") && table.contains("删") && table.contains("查"))
        #expect(table.contains("error 1146 (42S02)") && table.contains("ok, 1 affected, id 7"))
    }

    @Test("an SSL request: the stream became tls, nothing after it is read as MySQL")
    func sslRequest() {
        var h = FlowHarness()
        h.handshake()
        let greeting = MySQLBytes.greeting()
        h.sendData(.server, seq: 5001, ack: 1001, greeting)
        let request = MySQLBytes.sslRequest()
        h.sendData(.client, seq: 1001, ack: 5001 + UInt32(greeting.count), request)
        h.sendData(
            .client, seq: 1001 + UInt32(request.count), ack: 5001 + UInt32(greeting.count),
            [22, 3, 1, 0, 4, 1, 0, 0, 0])
        let conversation = h.onlyConversation()
        #expect(conversation?.streams.service == .mysql && conversation?.streams.became == "tls")
        let commands = h.reports.filter { if case .mysqlCommand = $0 { true } else { false } }
        #expect(commands.isEmpty)
    }
}
