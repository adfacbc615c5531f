// What a MySQL/MariaDB connection said, as values: the capability flags, the command numbers,
// the session (greeting and login), each command with its response, and each message as `read`
// shows it on the frame that completes it. Names follow MySQL's source documentation
// ("Capabilities Flags", "Text Protocol", "Prepared Statements").

/// The capability flags of the greeting and the login (`CLIENT_*`, both 16-bit halves).
public struct MySQLCapabilities: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let longPassword = MySQLCapabilities(rawValue: 1 << 0)
    public static let connectWithDB = MySQLCapabilities(rawValue: 1 << 3)
    public static let compress = MySQLCapabilities(rawValue: 1 << 5)
    public static let localFiles = MySQLCapabilities(rawValue: 1 << 7)
    public static let protocol41 = MySQLCapabilities(rawValue: 1 << 9)
    public static let ssl = MySQLCapabilities(rawValue: 1 << 11)
    public static let transactions = MySQLCapabilities(rawValue: 1 << 13)
    public static let secureConnection = MySQLCapabilities(rawValue: 1 << 15)
    public static let multiStatements = MySQLCapabilities(rawValue: 1 << 16)
    public static let multiResults = MySQLCapabilities(rawValue: 1 << 17)
    public static let pluginAuth = MySQLCapabilities(rawValue: 1 << 19)
    public static let connectAttrs = MySQLCapabilities(rawValue: 1 << 20)
    public static let pluginAuthLenencClientData = MySQLCapabilities(rawValue: 1 << 21)
    public static let sessionTrack = MySQLCapabilities(rawValue: 1 << 23)
    public static let deprecateEOF = MySQLCapabilities(rawValue: 1 << 24)
    public static let zstdCompression = MySQLCapabilities(rawValue: 1 << 26)
    public static let queryAttributes = MySQLCapabilities(rawValue: 1 << 27)
}

/// A command's number (the first byte of a command packet), known or not.
public struct MySQLCommandCode: RawRepresentable, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let sleep = MySQLCommandCode(rawValue: 0x00)
    public static let quit = MySQLCommandCode(rawValue: 0x01)
    public static let initDB = MySQLCommandCode(rawValue: 0x02)
    public static let query = MySQLCommandCode(rawValue: 0x03)
    public static let fieldList = MySQLCommandCode(rawValue: 0x04)
    public static let statistics = MySQLCommandCode(rawValue: 0x09)
    public static let processInfo = MySQLCommandCode(rawValue: 0x0A)
    public static let ping = MySQLCommandCode(rawValue: 0x0E)
    public static let changeUser = MySQLCommandCode(rawValue: 0x11)
    public static let binlogDump = MySQLCommandCode(rawValue: 0x12)
    public static let stmtPrepare = MySQLCommandCode(rawValue: 0x16)
    public static let stmtExecute = MySQLCommandCode(rawValue: 0x17)
    public static let stmtSendLongData = MySQLCommandCode(rawValue: 0x18)
    public static let stmtClose = MySQLCommandCode(rawValue: 0x19)
    public static let stmtReset = MySQLCommandCode(rawValue: 0x1A)
    public static let stmtFetch = MySQLCommandCode(rawValue: 0x1C)
    public static let binlogDumpGTID = MySQLCommandCode(rawValue: 0x1E)

    /// The name in MySQL's documentation (`COM_QUERY`), or `COM_UNKNOWN_<n>`.
    public var name: String {
        switch rawValue {
        case 0x00: "COM_SLEEP"
        case 0x01: "COM_QUIT"
        case 0x02: "COM_INIT_DB"
        case 0x03: "COM_QUERY"
        case 0x04: "COM_FIELD_LIST"
        case 0x05: "COM_CREATE_DB"
        case 0x06: "COM_DROP_DB"
        case 0x07: "COM_REFRESH"
        case 0x08: "COM_SHUTDOWN"
        case 0x09: "COM_STATISTICS"
        case 0x0A: "COM_PROCESS_INFO"
        case 0x0B: "COM_CONNECT"
        case 0x0C: "COM_PROCESS_KILL"
        case 0x0D: "COM_DEBUG"
        case 0x0E: "COM_PING"
        case 0x0F: "COM_TIME"
        case 0x10: "COM_DELAYED_INSERT"
        case 0x11: "COM_CHANGE_USER"
        case 0x12: "COM_BINLOG_DUMP"
        case 0x13: "COM_TABLE_DUMP"
        case 0x14: "COM_CONNECT_OUT"
        case 0x15: "COM_REGISTER_SLAVE"
        case 0x16: "COM_STMT_PREPARE"
        case 0x17: "COM_STMT_EXECUTE"
        case 0x18: "COM_STMT_SEND_LONG_DATA"
        case 0x19: "COM_STMT_CLOSE"
        case 0x1A: "COM_STMT_RESET"
        case 0x1B: "COM_SET_OPTION"
        case 0x1C: "COM_STMT_FETCH"
        case 0x1D: "COM_DAEMON"
        case 0x1E: "COM_BINLOG_DUMP_GTID"
        case 0x1F: "COM_RESET_CONNECTION"
        case 0x20: "COM_CLONE"
        case 0xFA: "COM_STMT_BULK_EXECUTE"
        default: "COM_UNKNOWN_\(rawValue)"
        }
    }

    /// Whether the server answers it (COM_QUIT, COM_STMT_CLOSE and COM_STMT_SEND_LONG_DATA get nothing).
    public var hasResponse: Bool { self != .quit && self != .stmtClose && self != .stmtSendLongData }

    /// Numbers the protocol defines (a packet starting with another is not taken as a command when
    /// resynchronising after a gap).
    var isKnown: Bool { rawValue <= 0x20 || rawValue == 0xFA }
}

/// How the login ended.
public enum MySQLLoginResult: UInt8, Sendable, Hashable {
    /// Not seen (the capture began later, or ended first, or a gap hid it).
    case unknown
    /// The server's OK.
    case ok
    /// The server's ERR (the session's `errorCode`, `sqlstate`, `error`).
    case error
    /// The client asked for TLS (an SSL request): the rest of the login is encrypted.
    case tls

    /// JSON's `login`.
    public var name: StaticString {
        switch self {
        case .unknown: "unknown"
        case .ok: "ok"
        case .error: "error"
        case .tls: "tls"
        }
    }
}

/// Where the connection went when it stopped being readable MySQL.
public enum MySQLDeparture: UInt8, Sendable, Hashable {
    /// An SSL request: the client and server continue with a TLS handshake on the same stream.
    case tls
    /// CLIENT_COMPRESS (or zstd) negotiated: after the login, packets are compressed; not decoded.
    case compressed

    public var name: StaticString {
        switch self {
        case .tls: "tls"
        case .compressed: "compressed"
        }
    }
}

/// One MySQL connection's login: the greeting, the login request and how it ended.
///
/// The password is never on the wire (except with `mysql_clear_password`, `clearTextPassword`):
/// the server sends a random salt (`scrambleSeen`) and the client a scramble of the password with it.
/// Both are in the capture, so whoever has it can try passwords offline against them.
public struct MySQLSession: Sendable, Hashable {
    /// The greeting's protocol version (10; 9 for pre-4.1 servers).
    public internal(set) var protocolVersion: UInt8?
    public internal(set) var serverVersion: String?
    public internal(set) var connectionID: UInt32?
    public internal(set) var serverCapabilities = MySQLCapabilities()
    public internal(set) var clientCapabilities = MySQLCapabilities()
    /// The greeting's default auth plugin.
    public internal(set) var serverAuthPlugin: String?
    /// The plugin the client named in its login, and the one an auth switch asked for.
    public internal(set) var clientAuthPlugin: String?
    public internal(set) var switchedAuthPlugin: String?
    /// The user of the login (or of the last successful COM_CHANGE_USER), and its database.
    public internal(set) var user: String?
    public internal(set) var database: String?
    public internal(set) var login = MySQLLoginResult.unknown
    /// The ERR that refused the login.
    public internal(set) var errorCode: Int?
    public internal(set) var sqlstate: String?
    public internal(set) var error: String?
    /// A salt (the greeting's, or an auth switch's) was captured, and the client's scramble.
    public internal(set) var scrambleSeen = false
    public internal(set) var salt: [UInt8] = []
    /// The length of the client's auth response (the scramble, or a cleartext password).
    public internal(set) var authResponseLength: Int?
    /// caching_sha2_password's answer: `fast_auth_ok` (0x01 0x03) or `full_auth` (0x01 0x04).
    public internal(set) var cachingSHA2: String?
    /// The auth plugin sends the password itself (`mysql_clear_password`).
    public internal(set) var clearTextPassword = false
    /// The frames of the greeting, the login request and the packet that ended the login.
    public internal(set) var greetingFrame: Int?
    public internal(set) var loginFrame: Int?
    public internal(set) var loginResultFrame: Int?
    /// Where the connection went (TLS after an SSL request; compression).
    public internal(set) var departure: MySQLDeparture?
    /// Connection attributes the client sent (`_client_name`...), counted, not kept.
    public internal(set) var connectionAttributes = 0

    public init() {}

    /// The auth plugin that decided the login: the switched-to one, else the client's, else the server's.
    public var authPlugin: String? { switchedAuthPlugin ?? clientAuthPlugin ?? serverAuthPlugin }

    /// One line (NDJSON) for `conversations --format json`: `{"kind":"mysql_session","stream":N,
    /// "server_version","user","database","auth_plugin","login","connection_id",...}` and what else
    /// is known; null for what is unknown.
    public func appendJSON(stream: Int, to o: inout OutputBuffer) {
        o.beginObject()
        o.field("kind", "mysql_session" as StaticString)
        o.field("stream", stream)
        o.field("server_version", serverVersion)
        o.field("user", user)
        o.field("database", database)
        o.field("auth_plugin", authPlugin)
        o.field("login", login.name)
        o.field("connection_id", connectionID.map(Int.init))
        o.field("protocol_version", protocolVersion.map(Int.init))
        o.field("server_auth_plugin", serverAuthPlugin)
        o.field("client_auth_plugin", clientAuthPlugin)
        o.field("error_code", errorCode)
        o.field("sqlstate", sqlstate)
        o.field("error", error)
        o.field("scramble_seen", scrambleSeen)
        o.field("password_on_wire", clearTextPassword)
        o.key("caching_sha2")
        if let cachingSHA2 { o.value(cachingSHA2) } else { o.nullValue() }
        o.field("server_capabilities", UInt64(serverCapabilities.rawValue))
        o.field("client_capabilities", UInt64(clientCapabilities.rawValue))
        o.field("greeting_frame", greetingFrame)
        o.field("login_frame", loginFrame)
        o.field("login_result_frame", loginResultFrame)
        o.key("departure")
        if let departure { o.value(departure.name) } else { o.nullValue() }
        o.endObject()
        o.endRecord()
    }
}

/// How a command was answered.
public enum MySQLResult: UInt8, Sendable, Hashable {
    /// OK (or EOF, or COM_STMT_PREPARE_OK, or COM_STATISTICS' text).
    case ok
    /// ERR.
    case error
    /// A result set (or COM_FIELD_LIST's columns).
    case rows

    public var name: StaticString {
        switch self {
        case .ok: "ok"
        case .error: "error"
        case .rows: "rows"
        }
    }
}

/// One command and its response.
public struct MySQLCommand: Sendable, Hashable {
    /// Longest SQL text kept (64 KiB; longer ends in `...`, `queryTruncated`).
    public static let maxQueryBytes = 1 << 16
    /// Column names kept per command (the count is always exact).
    public static let maxColumnNames = 64
    /// Query attribute names kept per command.
    public static let maxAttributes = 32
    /// Rows whose values are kept per command, and the longest value kept (longer ends in `...`).
    public static let maxRowsKept = 10
    public static let maxValueBytes = 256

    /// Position among the connection's commands, from 0.
    public internal(set) var index = 0
    /// The frame completing the command packet, and its first.
    public internal(set) var frame = 0
    public internal(set) var firstFrame = 0
    public internal(set) var time = Timestamp.missing
    public internal(set) var command = MySQLCommandCode.sleep
    /// COM_QUERY's and COM_STMT_PREPARE's SQL (and COM_STMT_EXECUTE's, from its prepare).
    public internal(set) var query: String?
    /// COM_INIT_DB's schema, COM_FIELD_LIST's table, COM_CHANGE_USER's user.
    public internal(set) var argument: String?
    public internal(set) var queryTruncated = false
    public internal(set) var verb: String?
    public internal(set) var crud: MySQLCRUD?
    /// COM_QUERY's query attributes (MySQL 8.0.23+): their number and names.
    public internal(set) var attributeCount = 0
    public internal(set) var attributeNames: [String] = []
    /// The prepared statement a COM_STMT_* names, or COM_STMT_PREPARE_OK gave.
    public internal(set) var statementID: UInt32?
    public internal(set) var result: MySQLResult?
    /// Rows of the result set(s); column count and names of the (first) result set.
    public internal(set) var rows: Int?
    public internal(set) var columns: Int?
    public internal(set) var columnNames: [String] = []
    /// The first rows' values of COM_QUERY's (first) result set, for `-v`: at most `maxRowsKept`
    /// rows, each value cut at `maxValueBytes` (nil: SQL NULL). Binary rows (prepared
    /// statements) are counted only.
    public internal(set) var rowValues: [[String?]] = []
    /// COM_STMT_PREPARE_OK's parameter count.
    public internal(set) var parameters: Int?
    public internal(set) var affectedRows: UInt64?
    public internal(set) var insertID: UInt64?
    public internal(set) var statusFlags: UInt16?
    public internal(set) var warnings: Int?
    public internal(set) var errorCode: Int?
    public internal(set) var sqlstate: String?
    public internal(set) var error: String?
    /// COM_STATISTICS' answer, or an OK's info text.
    public internal(set) var info: String?
    /// The frame completing the response (its last packet), and the one where it began.
    public internal(set) var responseFrame: Int?
    public internal(set) var responseFirstFrame: Int?
    /// The command's completing frame time to the response's first packet, in nanoseconds.
    public internal(set) var latency: Int64?
    /// The response was not (wholly) seen: the connection ended, or a gap cut it (`responseLost`).
    public internal(set) var noResponse = false
    public internal(set) var responseLost = false
    /// Reported before its response at `MySQLConversation.maxPending` waiting commands.
    public internal(set) var evictedAtCap = false
    /// What was wrong with the command or its response, when something was.
    public internal(set) var malformed: String?

    var responseStart: Timestamp?

    init() {}

    /// One line (NDJSON) for `conversations --format json`: `{"kind":"mysql","stream":N,"frame",
    /// "command","query","verb","crud","result","rows","affected_rows","insert_id","error_code",
    /// "sqlstate","error","response_frame","latency_ms",...}`; null for what is unknown.
    public func appendJSON(stream: Int, to o: inout OutputBuffer) {
        o.beginObject()
        o.field("kind", "mysql" as StaticString)
        o.field("stream", stream)
        o.field("index", index)
        o.field("frame", frame)
        o.field("command", command.name)
        o.field("query", query)
        o.field("argument", argument)
        o.field("verb", verb)
        o.key("crud")
        if let crud { o.value(crud.name) } else { o.nullValue() }
        o.key("result")
        if let result { o.value(result.name) } else { o.nullValue() }
        o.field("rows", rows)
        o.field("affected_rows", affectedRows)
        o.field("insert_id", insertID)
        o.field("error_code", errorCode)
        o.field("sqlstate", sqlstate)
        o.field("error", error)
        o.field("response_frame", responseFrame)
        o.field("latency_ms", milliseconds: latency)
        o.field("first_frame", firstFrame)
        o.field("response_first_frame", responseFirstFrame)
        o.field("columns", columns)
        o.beginArray("column_names")
        for n in columnNames { o.value(n) }
        o.endArray()
        o.beginArray("row_values")
        for row in rowValues {
            o.beginArray()
            for v in row {
                if let v { o.value(v) } else { o.nullValue() }
            }
            o.endArray()
        }
        o.endArray()
        o.field("statement_id", statementID.map(Int.init))
        o.field("parameters", parameters)
        o.field("warnings", warnings)
        o.field("status_flags", statusFlags.map(Int.init))
        o.field("info", info)
        o.field("query_attributes", attributeCount)
        o.beginArray("query_attribute_names")
        for n in attributeNames { o.value(n) }
        o.endArray()
        o.field("query_truncated", queryTruncated)
        o.field("no_response", noResponse)
        o.field("response_lost", responseLost)
        o.field("evicted_at_cap", evictedAtCap)
        o.field("malformed", malformed)
        o.endObject()
        o.endRecord()
    }
}

/// One message, as `read` shows it on the frame that completes it.
public struct MySQLMessage: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// The server's greeting: version, connection id, default auth plugin.
        case greeting(version: String, connectionID: UInt32, plugin: String?)
        /// The client's login request.
        case login(user: String, database: String?, plugin: String?)
        /// A short login with CLIENT_SSL: TLS follows.
        case sslRequest
        /// The server asks for another auth plugin (0xFE in the login).
        case authSwitch(plugin: String)
        /// The server's extra auth data (0x01): caching_sha2's 0x03 fast auth ok, 0x04 full auth,
        /// or other data (an RSA public key) of that many bytes.
        case authMoreData(fastAuthOK: Bool?, bytes: Int)
        /// The client's auth data after a switch or more-data packet (its length).
        case authResponse(bytes: Int)
        /// A command: its SQL or argument (`MySQLCommand.query`, `argument`), its statement.
        case command(MySQLCommandCode, query: String?, statementID: UInt32?)
        case ok(affectedRows: UInt64, insertID: UInt64, warnings: Int)
        case error(code: Int, sqlstate: String?, message: String)
        case eof
        /// A result set ended: its columns and rows.
        case resultSet(columns: Int, rows: Int)
        case prepared(statementID: UInt32, columns: Int, parameters: Int)
        /// COM_STATISTICS' answer, or COM_FIELD_LIST's columns.
        case statistics(String)
        case fields(columns: Int)
        /// The server asks for a client file (LOCAL INFILE), and the client's file data (bytes).
        case localInfile(file: String)
        case infileData(bytes: Int)
        /// The connection switched to TLS or compression: nothing after is decoded.
        case departed(MySQLDeparture)
        /// A packet that could not be read (what was wrong).
        case malformed(String)
    }

    public var kind: Kind
    public var fromClient: Bool
    /// The frame completing the message and the one where it began.
    public var frame: Int
    public var firstFrame: Int
    /// The packet's sequence id.
    public var sequence: UInt8

    /// `read`'s text: `MySQL greeting 8.0.32 (caching_sha2_password)`, `MySQL login alice db shop`,
    /// `MySQL COM_QUERY select 1`, `MySQL OK 1 row affected`, `MySQL ERR 1045 (28000) Access denied...`.
    public func appendSummary(to o: inout OutputBuffer, lang: NotesLanguage = .en) {
        o.append("MySQL ")
        switch kind {
        case .greeting(let version, let id, let plugin):
            o.append(MySQLLabel.greeting, lang) { o, _ in o.append(version) }
            if let plugin { o.append(" (" + plugin + ")") }
            o.append(MySQLLabel.connectionID, lang, Int(id))
        case .login(let user, let database, let plugin):
            o.append(MySQLLabel.login, lang) { o, _ in o.append(user) }
            if let database { o.append(MySQLLabel.database, lang) { o, _ in o.append(database) } }
            if let plugin { o.append(" (" + plugin + ")") }
        case .sslRequest:
            o.append(MySQLLabel.sslRequest, lang)
        case .authSwitch(let plugin):
            o.append(MySQLLabel.authSwitch, lang) { o, _ in o.append(plugin) }
        case .authMoreData(let fast, let bytes):
            switch fast {
            case true?: o.append(MySQLLabel.fastAuthOK, lang)
            case false?: o.append(MySQLLabel.fullAuth, lang)
            case nil: o.append(MySQLLabel.authMoreData, lang, bytes)
            }
        case .authResponse(let bytes):
            o.append(MySQLLabel.authResponse, lang, bytes)
        case .command(let code, let query, let statement):
            o.append(code.name)
            if let query {
                o.append(byte: 0x20)
                o.append(query)
            }
            if let statement { o.append(MySQLLabel.statement, lang, Int(statement)) }
        case .ok(let affected, let insertID, let warnings):
            o.append("OK")
            if affected > 0 {
                o.append(affected == 1 ? MySQLLabel.rowAffected : MySQLLabel.rowsAffected, lang) { o, _ in
                    o.append(affected)
                }
            }
            if insertID > 0 { o.append(MySQLLabel.insertID, lang) { o, _ in o.append(insertID) } }
            if warnings > 0 { o.append(MySQLLabel.warnings, lang, warnings) }
        case .error(let code, let sqlstate, let message):
            o.append("ERR ")
            o.append(code)
            if let sqlstate { o.append(" (" + sqlstate + ")") }
            if !message.isEmpty {
                o.append(byte: 0x20)
                o.append(message)
            }
        case .eof:
            o.append("EOF")
        case .resultSet(let columns, let rows):
            o.append(MySQLLabel.resultSet, lang, columns, rows)
        case .prepared(let id, let columns, let parameters):
            o.append(MySQLLabel.prepared, lang, Int(id), parameters, columns)
        case .statistics(let text):
            o.append(MySQLLabel.statistics, lang) { o, _ in o.append(text) }
        case .fields(let columns):
            o.append(MySQLLabel.fields, lang, columns)
        case .localInfile(let file):
            o.append(MySQLLabel.localInfile, lang) { o, _ in o.append(file) }
        case .infileData(let bytes):
            o.append(MySQLLabel.infileData, lang, bytes)
        case .departed(let d):
            o.append(d == .tls ? MySQLLabel.departedTLS : MySQLLabel.departedCompressed, lang)
        case .malformed(let why):
            o.append(MySQLLabel.malformed, lang) { o, _ in o.append(why) }
        }
    }
}

/// The words of MySQL's lines, in one place (to join the notes' label tables in `Notes/` when the
/// integrator wires `--lang zh`; the Chinese for 增删改查 is `MySQLCRUD`'s). Each `{}` is a slot.
public enum MySQLLabel: UInt8, NotesLabel {
    case greeting, connectionID, login, database, sslRequest, authSwitch, fastAuthOK, fullAuth, authMoreData,
        authResponse, statement, rowAffected, rowsAffected, insertID, warnings, resultSet, prepared, statistics,
        fields, localInfile, infileData, departedTLS, departedCompressed, malformed

    public var english: StaticString {
        switch self {
        case .greeting: "greeting {}"
        case .connectionID: " connection {}"
        case .login: "login {}"
        case .database: " db {}"
        case .sslRequest: "SSL request: TLS from here on"
        case .authSwitch: "auth switch to {}"
        case .fastAuthOK: "auth more data: fast auth ok"
        case .fullAuth: "auth more data: full authentication"
        case .authMoreData: "auth more data {} bytes"
        case .authResponse: "auth response {} bytes"
        case .statement: " statement {}"
        case .rowAffected: " {} row affected"
        case .rowsAffected: " {} rows affected"
        case .insertID: ", insert id {}"
        case .warnings: ", {} warnings"
        case .resultSet: "result {} columns, {} rows"
        case .prepared: "statement {} prepared: {} params, {} columns"
        case .statistics: "statistics {}"
        case .fields: "fields {} columns"
        case .localInfile: "LOCAL INFILE request {}"
        case .infileData: "LOCAL INFILE data {} bytes"
        case .departedTLS: "TLS from here on: not MySQL"
        case .departedCompressed: "compressed protocol from here on: not decoded"
        case .malformed: "malformed: {}"
        }
    }

    public var chinese: StaticString {
        switch self {
        case .greeting: "服务器问候 {}"
        case .connectionID: " 连接 {}"
        case .login: "登录 {}"
        case .database: " 数据库 {}"
        case .sslRequest: "SSL 请求: 此后为 TLS"
        case .authSwitch: "认证方式切换为 {}"
        case .fastAuthOK: "认证附加数据: 快速认证成功"
        case .fullAuth: "认证附加数据: 需要完整认证"
        case .authMoreData: "认证附加数据 {} 字节"
        case .authResponse: "认证应答 {} 字节"
        case .statement: " 语句 {}"
        case .rowAffected: " 影响 {} 行"
        case .rowsAffected: " 影响 {} 行"
        case .insertID: ", 插入 id {}"
        case .warnings: ", 警告 {} 个"
        case .resultSet: "结果集 {} 列, {} 行"
        case .prepared: "语句 {} 已预处理: {} 个参数, {} 列"
        case .statistics: "统计 {}"
        case .fields: "字段 {} 列"
        case .localInfile: "LOCAL INFILE 请求 {}"
        case .infileData: "LOCAL INFILE 数据 {} 字节"
        case .departedTLS: "此后为 TLS: 不再是 MySQL"
        case .departedCompressed: "此后为压缩协议: 不解码"
        case .malformed: "格式错误: {}"
        }
    }
}
