/// `conversations`' MySQL section in text: each login (server version, user, database, plugin, how
/// it ended, and that the password itself is not on the wire), then the commands read like a query
/// log: stream, frame, latency, the notes' class (增 create, 查 read, 改 update, 删 delete), the
/// command or statement verb, the result, and the SQL. Rows are held as their cells, at most
/// `--max-rows` of each (`ConversationTable.HeldRows`).
public enum MySQLTable {
    /// One command's cells.
    public struct CommandRow: Sendable {
        public let stream: Int32
        public let index: Int
        public let frame: Int
        public let latency: Int64?
        public let crud: MySQLCRUD?
        /// The statement's verb (`INSERT`), else the command's name (`COM_PING`).
        public let what: String
        /// `ok`, `error 1146 (42S02)`, `3 rows`, `1 affected`, `no response`.
        public let result: String
        /// The SQL (or the command's argument), on one line, cut at `maxSQL` characters.
        public let sql: String

        /// The most characters of a statement the table shows.
        public static let maxSQL = 120

        public init(stream: Int, _ c: MySQLCommand) {
            self.stream = Int32(truncatingIfNeeded: stream)
            index = c.index
            frame = c.frame
            latency = c.latency
            crud = c.crud
            what = c.verb ?? c.command.name
            var r = ""
            switch c.result {
            case .ok?:
                r = c.affectedRows.map { "ok, \($0) affected" } ?? "ok"
                if let id = c.insertID, id > 0 { r += ", id \(id)" }
            case .error?:
                r = MySQLTable.error(c.errorCode, c.sqlstate)
            case .rows?:
                r = "\(c.rows ?? 0) rows"
            case nil:
                r = c.noResponse ? "no response" : "-"
            }
            result = r
            let text = (c.query ?? c.argument ?? "").split(whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\t" })
                .joined(separator: " ")
            sql = text.count > Self.maxSQL ? String(text.prefix(Self.maxSQL - 1)) + "…" : text
        }
    }

    /// One login's cells.
    public struct SessionRow: Sendable {
        public let stream: Int32
        public let serverVersion: String?
        public let user: String?
        public let database: String?
        public let plugin: String?
        /// How the login ended: `ok`, `tls`, `error 1045 (28000): Access denied …`.
        public let login: String
        public let scrambleSeen: Bool
        public let clearText: Bool

        public init(stream: Int, _ s: MySQLSession) {
            self.stream = Int32(truncatingIfNeeded: stream)
            serverVersion = s.serverVersion
            user = s.user
            database = s.database
            plugin = s.authPlugin
            var login = s.login.name.description
            if s.errorCode != nil {
                login = MySQLTable.error(s.errorCode, s.sqlstate)
                if let text = s.error, !text.isEmpty { login += ": \(text.prefix(CommandRow.maxSQL))" }
            }
            self.login = login
            scrambleSeen = s.scrambleSeen
            clearText = s.clearTextPassword
        }
    }

    /// An ERR packet's cell: `error 1146 (42S02)`, `error ?` when the code was not read.
    static func error(_ code: Int?, _ sqlstate: String?) -> String {
        var r = "error \(code.map(String.init) ?? "?")"
        if let sqlstate { r += " (\(sqlstate))" }
        return r
    }

    package static func commandRows(cap: Int) -> ConversationTable.HeldRows<CommandRow> {
        ConversationTable.HeldRows(cap: cap) { ($0.stream, $0.index) < ($1.stream, $1.index) }
    }

    package static func sessionRows(cap: Int) -> ConversationTable.HeldRows<SessionRow> {
        ConversationTable.HeldRows(cap: cap) { $0.stream < $1.stream }
    }

    /// The section: nothing at all when the capture held no MySQL.
    public static func render(
        sessions: [SessionRow], commands: [CommandRow], unlisted: Int = 0, lang: NotesLanguage, width: Int? = nil,
        to o: inout OutputBuffer
    ) {
        guard !sessions.isEmpty || !commands.isEmpty else { return }
        var line = o.bytes.count
        func wrap() {
            if let width { o.wrapLines(from: line, width: width, indent: 8) }
            line = o.bytes.count
        }
        o.append(MySQLTableLabel.title, lang, sessions.count, commands.count + unlisted)
        o.append(byte: 0x0A)
        wrap()
        for s in sessions {
            o.append(right: UInt64(max(0, s.stream)), width: 6)
            o.append("  ")
            o.append(MySQLTableLabel.session, lang) { o, slot in
                switch slot {
                case 0: o.append(s.serverVersion ?? "-")
                case 1: o.append(s.user ?? "-")
                case 2: o.append(s.database ?? "-")
                case 3: o.append(s.plugin ?? "-")
                default: o.append(s.login)
                }
            }
            if s.clearText {
                o.append(MySQLTableLabel.clearText, lang)
            } else if s.scrambleSeen {
                o.append(MySQLTableLabel.scramble, lang)
            }
            o.append(byte: 0x0A)
            wrap()
        }
        guard !commands.isEmpty else { return }
        let whatWidth = max(8, commands.reduce(0) { max($0, $1.what.terminalWidth) } + 2)
        let resultWidth = max(8, commands.reduce(0) { max($0, $1.result.terminalWidth) } + 2)
        o.append(MySQLTableLabel.header, lang)
        o.append(byte: 0x0A)
        wrap()
        for c in commands {
            o.append(right: UInt64(max(0, c.stream)), width: 6)
            o.append(right: UInt64(max(0, c.frame)), width: 9)
            var t = OutputBuffer(fd: -1)
            if let l = c.latency { t.appendDecimal(l, scale: 1_000_000, digits: 3) } else { t.append("-") }
            o.pad(from: t.bytes.count, to: 12)
            o.append(String(decoding: t.bytes, as: UTF8.self))
            o.append("  ")
            let start = o.bytes.count
            if let crud = c.crud { o.append(crud, lang) } else { o.append("-") }
            o.pad(from: String(decoding: o.bytes[start...], as: UTF8.self).terminalWidth, to: 8)
            o.append(padded: c.what, to: whatWidth)
            o.append(padded: c.result, to: resultWidth)
            o.append(c.sql.isEmpty ? "-" : c.sql)
            o.append(byte: 0x0A)
            wrap()
            o.flushIfNeeded()
        }
        if unlisted > 0 {
            ConversationTable.appendUnlisted(unlisted, listed: commands.count, lang: lang, width: width, to: &o)
        }
    }
}

/// The MySQL section's words, in English and in the notes' Chinese (增删改查).
public enum MySQLTableLabel: UInt8, NotesLabel {
    case title, session, scramble, clearText, header

    public var english: StaticString {
        switch self {
        case .title: "MySQL: {} login(s), {} command(s)"
        case .session: "login: server {}, user {}, database {}, plugin {}, result {}"
        case .scramble:
            " (the password is not on the wire; the salt and the scramble are: an offline guess is possible)"
        case .clearText: " (the password is sent in clear text)"
        case .header: "stream    frame  latency ms  class   command   result  SQL"
        }
    }

    public var chinese: StaticString {
        switch self {
        case .title: "MySQL: 登录 {} 次, 命令 {} 条"
        case .session: "登录: 服务器 {}, 用户 {}, 数据库 {}, 认证插件 {}, 结果 {}"
        case .scramble: " (密码本身不在线路上; 盐和加扰值在: 可以离线猜测)"
        case .clearText: " (密码以明文发送)"
        case .header: "流        帧    延迟 ms     增删改查  命令    结果    SQL"
        }
    }
}
