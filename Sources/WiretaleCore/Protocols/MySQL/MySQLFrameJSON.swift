extension MySQLMessage {
    /// The `mysql` object `read --format json` puts on the frame that completes the message:
    /// `from` (`client`/`server`), `sequence`, `first_frame`, `frame`, `type` (`greeting`, `login`,
    /// `ssl_request`, `auth_switch`, `auth_more_data`, `auth_response`, `command`, `ok`, `error`,
    /// `eof`, `result_set`, `prepared`, `statistics`, `fields`, `local_infile`, `infile_data`,
    /// `departed`, `malformed`), that type's values, and `summary`, the text `read` prints.
    public func appendFrameJSON(to o: inout OutputBuffer) {
        o.beginObject()
        o.field("from", fromClient ? "client" as StaticString : "server")
        o.field("sequence", Int(sequence))
        o.field("first_frame", firstFrame)
        o.field("frame", frame)
        switch kind {
        case .greeting(let version, let id, let plugin):
            o.field("type", "greeting" as StaticString)
            o.field("server_version", version)
            o.field("connection_id", Int(id))
            o.field("auth_plugin", plugin)
        case .login(let user, let database, let plugin):
            o.field("type", "login" as StaticString)
            o.field("user", user)
            o.field("database", database)
            o.field("auth_plugin", plugin)
        case .sslRequest:
            o.field("type", "ssl_request" as StaticString)
        case .authSwitch(let plugin):
            o.field("type", "auth_switch" as StaticString)
            o.field("auth_plugin", plugin)
        case .authMoreData(let fast, let bytes):
            o.field("type", "auth_more_data" as StaticString)
            if let fast { o.field("fast_auth_ok", fast) }
            o.field("bytes", bytes)
        case .authResponse(let bytes):
            o.field("type", "auth_response" as StaticString)
            o.field("bytes", bytes)
        case .command(let code, let query, let statement):
            o.field("type", "command" as StaticString)
            o.field("command", code.name)
            o.field("query", query)
            if let statement { o.field("statement_id", Int(statement)) }
        case .ok(let affected, let insertID, let warnings):
            o.field("type", "ok" as StaticString)
            o.field("affected_rows", Int(truncatingIfNeeded: affected))
            o.field("insert_id", Int(truncatingIfNeeded: insertID))
            o.field("warnings", warnings)
        case .error(let code, let sqlstate, let message):
            o.field("type", "error" as StaticString)
            o.field("error_code", code)
            o.field("sqlstate", sqlstate)
            o.field("error", message)
        case .eof:
            o.field("type", "eof" as StaticString)
        case .resultSet(let columns, let rows):
            o.field("type", "result_set" as StaticString)
            o.field("columns", columns)
            o.field("rows", rows)
        case .prepared(let statement, let columns, let parameters):
            o.field("type", "prepared" as StaticString)
            o.field("statement_id", Int(statement))
            o.field("columns", columns)
            o.field("parameters", parameters)
        case .statistics(let text):
            o.field("type", "statistics" as StaticString)
            o.field("text", text)
        case .fields(let columns):
            o.field("type", "fields" as StaticString)
            o.field("columns", columns)
        case .localInfile(let file):
            o.field("type", "local_infile" as StaticString)
            o.field("file", file)
        case .infileData(let bytes):
            o.field("type", "infile_data" as StaticString)
            o.field("bytes", bytes)
        case .departed(let to):
            o.field("type", "departed" as StaticString)
            o.field("to", to.name)
        case .malformed(let why):
            o.field("type", "malformed" as StaticString)
            o.field("error", why)
        }
        var text = OutputBuffer(fd: -1)
        appendSummary(to: &text)
        o.field("summary", String(decoding: text.bytes, as: UTF8.self))
        o.endObject()
    }
}
