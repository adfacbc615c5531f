import Foundation
import Testing

/// The MariaDB captures in `Captures/` (recorded by `scripts/record-mysql-captures.sh` against a
/// private Debian MariaDB 10.11): every statement, its verb and the notes' class (增删改查), its
/// result, affected rows, insert id and errors, exactly as the client saw them (PyMySQL's cursor,
/// the mariadb client's output) and as tshark 4.0 reads the frames
/// (`tshark -r F -Y mysql -T fields -e frame.number -e mysql.command -e mysql.query
/// -e mysql.affected_rows -e mysql.error_code -e mysql.user`).
@Suite("MySQL in the recorded MariaDB captures: logins, statements, 增删改查, results")
struct MySQLCaptureTests {
    /// One expected command: frame, command, verb, class, result, rows or affected rows, insert
    /// id, error code.
    struct Want: CustomStringConvertible, Equatable {
        var frame: Int
        var command = "COM_QUERY"
        var verb: String?
        var crud: String?
        var result: String
        var count: Int?
        var insertID: Int?
        var error: Int?
        var description: String {
            "\(frame) \(command) \(verb ?? "-") \(crud ?? "-") \(result) \(count.map(String.init) ?? "-") "
                + "id \(insertID.map(String.init) ?? "-") err \(error.map(String.init) ?? "-")"
        }

        init(
            _ frame: Int, _ verb: String?, _ crud: String?, _ result: String, _ count: Int? = nil,
            id: Int? = nil, error: Int? = nil, command: String = "COM_QUERY"
        ) {
            self.frame = frame
            self.verb = verb
            self.crud = crud
            self.result = result
            self.count = count
            self.insertID = id
            self.error = error
            self.command = command
        }

        /// From a `conversations --format json` object of kind `mysql`.
        init(json o: [String: Any]) {
            frame = o["frame"] as? Int ?? -1
            command = o["command"] as? String ?? "?"
            verb = o["verb"] as? String
            crud = o["crud"] as? String
            result = o["result"] as? String ?? "-"
            count = (o["rows"] as? Int) ?? (o["affected_rows"] as? Int)
            let id = o["insert_id"] as? Int
            insertID = (id ?? 0) > 0 ? id : nil
            error = o["error_code"] as? Int
        }
    }

    static func mysql(_ file: String) throws -> (sessions: [[String: Any]], commands: [Want], raw: [[String: Any]]) {
        let r = try CLI.run(["conversations", CLI.capture(file), "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let objects = try CLI.json(r)
        let sessions = objects.filter { $0["kind"] as? String == "mysql_session" }
        let raw = objects.filter { $0["kind"] as? String == "mysql" }
        return (sessions, raw.map(Want.init(json:)), raw)
    }

    @Test("PyMySQL's 增删改查: each statement's class, affected rows, insert id and error as the driver saw them")
    func pymysqlCRUD() throws {
        let (sessions, commands, raw) = try Self.mysql("mysql-crud-pymysql.pcap")
        let want: [Want] = [
            Want(9, "CREATE", nil, "ok", 0),
            Want(11, "INSERT", "create", "ok", 3, id: 1),
            Want(13, "SELECT", "read", "rows", 3),
            Want(15, "UPDATE", "update", "ok", 1),
            Want(17, "DELETE", "delete", "ok", 1),
            Want(19, "REPLACE", "create", "ok", 2, id: 3),
            Want(21, "SELECT", "read", "error", error: 1146),
            Want(23, "INSERT", "create", "error", error: 1062),
            Want(25, "UPDATE", "update", "ok", 0),
            Want(27, "SELECT", "read", "rows", 1),
            Want(29, "DROP", nil, "ok", 0),
            Want(31, nil, nil, "-", command: "COM_QUIT"),
        ]
        #expect(commands == want, "\n\(commands.map(\.description).joined(separator: "\n"))")
        #expect(raw[2]["column_names"] as? [String] == ["id", "topic"])
        #expect(raw[2]["row_values"] as? [[String]] == [["1", "tcp"], ["2", "udp"], ["3", "dns"]])
        #expect(raw[1]["info"] as? String == "Records: 3  Duplicates: 0  Warnings: 0", "the OK's info, length-encoded")
        #expect(raw[6]["sqlstate"] as? String == "42S02")
        #expect(raw[6]["error"] as? String == "Table 'shop.missing_table' doesn't exist")
        #expect(raw[7]["sqlstate"] as? String == "23000")
        let s = try #require(sessions.first)
        #expect(sessions.count == 1)
        #expect(s["user"] as? String == "student" && s["database"] as? String == "shop")
        #expect(s["login"] as? String == "ok" && s["auth_plugin"] as? String == "mysql_native_password")
        #expect((s["server_version"] as? String)?.contains("MariaDB") == true)
        #expect(s["scramble_seen"] as? Bool == true && s["password_on_wire"] as? Bool == false)

        // The text query log names the classes; --lang zh in the notes' words.
        let text = try CLI.run(["conversations", CLI.capture("mysql-crud-pymysql.pcap")])
        #expect(text.stdout.contains("MySQL: 1 login(s), 12 command(s)"), "\(text.stdout)")
        #expect(text.stdout.contains("offline guess is possible"))
        let zh = try CLI.run(["conversations", CLI.capture("mysql-crud-pymysql.pcap"), "--lang", "zh"])
        for word in ["增", "删", "改", "查"] { #expect(zh.stdout.contains("  \(word)  "), "\(word): \(zh.stdout)") }
    }

    @Test("The mariadb client: USE as COM_INIT_DB, a transaction, SQL PREPARE/EXECUTE, SHOW, an error, COM_QUIT")
    func mariadbClient() throws {
        let (sessions, commands, raw) = try Self.mysql("mysql-cli.pcap")
        let want: [Want] = [
            Want(9, "SELECT", "read", "rows", 1),
            Want(11, nil, nil, "ok", 0, command: "COM_INIT_DB"),
            Want(13, "CREATE", nil, "ok", 0),
            Want(15, "BEGIN", nil, "ok", 0),
            Want(17, "INSERT", "create", "ok", 2),
            Want(19, "UPDATE", "update", "ok", 1),
            Want(21, "COMMIT", nil, "ok", 0),
            Want(23, "PREPARE", nil, "ok", 0),
            Want(25, "SET", nil, "ok", 0),
            Want(27, "EXECUTE", nil, "rows", 1),
            Want(29, "DEALLOCATE", nil, "ok", 0),
            Want(31, "SHOW", nil, "rows", 1),
            Want(33, "SELECT", "read", "rows", 2),
            Want(35, "DELETE", "delete", "ok", 2),
            Want(37, "DROP", nil, "error", error: 1051),
            Want(39, nil, nil, "-", command: "COM_QUIT"),
        ]
        #expect(commands == want, "\n\(commands.map(\.description).joined(separator: "\n"))")
        #expect(raw[1]["argument"] as? String == "shop")
        #expect(raw[0]["query"] as? String == "SELECT DATABASE()", "the client's own question after USE")
        #expect(sessions.first?["database"] is NSNull, "no database at login: the client said USE later")
    }

    @Test("A refused login: ERR 1045 (28000) at the login, no commands; text says the error")
    func loginRefused() throws {
        let (sessions, commands, _) = try Self.mysql("mysql-login-refused.pcap")
        #expect(commands.isEmpty)
        let s = try #require(sessions.first)
        #expect(s["login"] as? String == "error" && s["error_code"] as? Int == 1045)
        #expect(s["sqlstate"] as? String == "28000")
        #expect((s["error"] as? String)?.hasPrefix("Access denied for user 'student'") == true)
        #expect(s["login_result_frame"] as? Int == 8)
        let text = try CLI.run(["conversations", CLI.capture("mysql-login-refused.pcap")])
        #expect(text.stdout.contains("result error 1045 (28000): Access denied for user 'student'"), "\(text.stdout)")
    }

    @Test("MySQL's SSL request: the login departs to TLS, and the TLS 1.3 handshake is decoded")
    func sslRequest() throws {
        let r = try CLI.run(["conversations", CLI.capture("mysql-tls.pcap"), "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let objects = try CLI.json(r)
        let s = try #require(objects.first { $0["kind"] as? String == "mysql_session" })
        #expect(s["login"] as? String == "tls" && s["departure"] as? String == "tls")
        #expect(s["user"] is NSNull, "the user is inside TLS")
        #expect(!objects.contains { $0["kind"] as? String == "mysql" }, "no command is readable")
        let tls = try #require(objects.first { $0["kind"] as? String == "tls" })
        // tshark: frame 8 Client Hello, frame 10 Server Hello (TLS 1.3, TLS_AES_256_GCM_SHA384).
        #expect(tls["client_hello_frame"] as? Int == 8 && tls["server_hello_frame"] as? Int == 10)
        #expect(tls["version"] as? String == "TLS 1.3")
        #expect(tls["cipher"] as? String == "TLS_AES_256_GCM_SHA384" && tls["cipher_id"] as? Int == 4866)
        let read = try CLI.run(["read", CLI.capture("mysql-tls.pcap")])
        #expect(read.stdout.contains("TLS"), "\(read.stdout)")
    }
}
