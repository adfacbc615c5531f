// The MySQL/MariaDB client-server protocol on one TCP connection, as Zeek's MySQL analyzer reads
// it: both directions' reassembled byte streams (`TCPStreamEvent`s) cut into packets
// (`MySQLFramer`), the login followed through its phases (greeting, login request, auth exchange),
// then each command matched to its response, in order: the protocol answers one command at a time.
// Sources: MySQL source documentation, "Connection Phase", "Text Protocol", "Prepared Statements".

/// What a `MySQLConversation` reports, as it happens.
public enum MySQLEvent {
    /// A message completed on the frame being processed (`read` shows it on that frame).
    case message(MySQLMessage)
    /// A command is done: its response complete, or none will come (COM_QUIT, COM_STMT_CLOSE, the
    /// connection ended, a gap); one per command, in order.
    case command(MySQLCommand)
    /// The connection left readable MySQL: an SSL request (`tls`: hand the rest of both streams to
    /// a TLS decoder) or compression negotiated (`compressed`). Nothing after is parsed.
    case left(to: MySQLDeparture, frame: Int)
    /// A login as it ended: one at each COM_CHANGE_USER (the login it replaces) and the last at
    /// `finish`. The connection's first login is the first one reported.
    case session(MySQLSession)
}

/// What one conversation counted.
public struct MySQLConversationCounters: Sendable, Hashable {
    /// Packets read, each way.
    public internal(set) var clientPackets = 0
    public internal(set) var serverPackets = 0
    /// Commands reported.
    public internal(set) var commands = 0
    /// Packets that could not be read (too short, a field out of bounds, unexpected in the phase).
    public internal(set) var malformed = 0
    /// Packets longer than `MySQLFramer.maxBufferedBytes` (only their start was read).
    public internal(set) var truncated = 0
    /// Server packets with no command waiting for them.
    public internal(set) var unsolicited = 0
    /// Gaps delivered by the reassembler, and their bytes, both directions.
    public internal(set) var gaps = 0
    public internal(set) var gapBytes = 0
    /// Bytes dropped while looking for a packet start after a gap (partial packets included).
    public internal(set) var skippedBytes = 0
    /// Commands given up on at `MySQLConversation.maxPending`.
    public internal(set) var evictedAtCap = 0
    /// Bytes after the connection left MySQL (TLS, compression): not parsed.
    public internal(set) var bytesAfterLeaving = 0
}

/// MySQL over one TCP connection: fed each direction's reassembled stream events, it reports
/// messages, commands with their responses, a departure to TLS or compression, and the session.
///
/// - Login: the server's greeting (HandshakeV10), the client's HandshakeResponse41 (or an SSL
///   request: `left(to: .tls)`, and parsing stops), then auth switch (0xFE), more data (0x01,
///   caching_sha2_password's 0x03 fast auth / 0x04 full auth) and the client's auth data, until the
///   server's OK or ERR. CLIENT_COMPRESS or zstd negotiated: at the login's OK, `left(to: .compressed)`.
/// - Commands: a client packet with sequence id 0 begins one; the server's packets answer the
///   oldest waiting (OK, ERR, EOF, result sets with their column definitions and rows until EOF or,
///   with CLIENT_DEPRECATE_EOF, an OK headed 0xFE; more results while SERVER_MORE_RESULTS_EXISTS;
///   COM_STMT_PREPARE_OK and its definitions; LOCAL INFILE; COM_CHANGE_USER's auth exchange).
///   Prepared statements' SQL is remembered (up to `maxStatements`) so COM_STMT_EXECUTE is classified.
/// - Gaps: packet boundaries are lost. Commands waiting are reported `responseLost`; the client
///   side starts again at the first delivery that begins with a plausible command packet (sequence
///   0, a known command), the server side at the first one that begins with a sequence-1 packet
///   after such a command. A gap during the login leaves it `unknown` and goes on to commands.
/// - Memory: `MySQLFramer.maxBufferedBytes` (16 MiB) of one packet per direction, `maxPending`
///   commands, strings cut at `MySQLCommand`'s limits. Nothing is copied for a packet wholly inside
///   one delivery.
/// A conversation holds its two framers in a box: it is not to be copied while in use. Call
/// `finish` once when the connection is over.
public struct MySQLConversation {
    /// Commands awaiting a response held at most (a client that pipelines).
    public static let maxPending = 64
    /// Prepared statements whose SQL is remembered.
    public static let maxStatements = 256
    /// The most bytes of one packet held per direction (16 MiB); the rest of a longer one is
    /// skipped and counted (`MySQLConversationCounters.truncated`).
    public static let maxBufferedBytes = MySQLFramer.maxBufferedBytes

    enum Phase {
        /// Waiting for the server's greeting.
        case greeting
        /// Waiting for the client's login request.
        case login
        /// The auth exchange, until OK or ERR.
        case auth
        case command
        /// TLS, compression: nothing more is read.
        case stopped
    }

    /// What the oldest waiting command's response expects next.
    enum Expect: Equatable {
        /// The first packet of a response (or of the next result set).
        case first
        /// `left` column definitions, then an EOF unless CLIENT_DEPRECATE_EOF, then rows.
        case columns(left: Int)
        case columnsEOF
        case rows
        /// COM_STMT_PREPARE_OK's definitions: `left` now (parameters), then `then` more (columns),
        /// each block followed by an EOF unless CLIENT_DEPRECATE_EOF.
        case definitions(left: Int, then: Int)
        case definitionsEOF(then: Int)
        /// COM_FIELD_LIST: definitions until EOF.
        case fieldList
        /// COM_CHANGE_USER: OK, ERR, auth switch or more data.
        case changeUser
        /// LOCAL INFILE: the client's file packets until an empty one, then OK/ERR.
        case infileData
    }

    struct Pending {
        var c: MySQLCommand
        var expect = Expect.first
        var done = false
        var sawResultSet = false
        /// Column names are gathered (the first result set's only).
        var collectNames = false
        var infileBytes = 0
        /// Reported already at `maxPending`; only its response is still to be read (and dropped).
        var ghost = false
    }

    /// One direction's reading state.
    struct Side {
        var framer = MySQLFramer()
        /// Stream offset of the next byte.
        var offset = 0
        var lastFrame = 0
        var lastTime = Timestamp.missing
        var ended = false
    }

    /// Both directions, boxed, so a framer is worked on in place while the conversation changes.
    final class Sides {
        var client = Side()
        var server = Side()
    }

    struct Context {
        var fromClient: Bool
        var frame: Int
        var time: Timestamp
        var info: MySQLPacketInfo
    }

    private let sides = Sides()
    private var phase = Phase.greeting
    private var pending: [Pending] = []
    private var nextIndex = 0
    private var statements: [UInt32: String] = [:]
    /// The server side lost its framing: it waits for a command read after the loss.
    private var serverWaitsForCommand = false
    /// A salt was seen (the greeting's or an auth switch's): the client's auth data is a scramble of it.
    private var saltSeen = false
    private var finished = false
    public private(set) var session = MySQLSession()
    /// Where MySQL stopped in each direction's stream (the offset of its first byte not read as
    /// MySQL), once the connection left it: a TLS decoder takes each stream from there, including
    /// the rest of the delivery that held the SSL request.
    public private(set) var departureOffsets: (client: Int, server: Int)?
    public private(set) var counters = MySQLConversationCounters()

    public init() {}

    /// Where the connection went, once it stopped being read (TLS, compression).
    public var departure: MySQLDeparture? { session.departure }

    /// Capabilities both sides have (the client's, when no greeting was seen).
    var negotiated: MySQLCapabilities {
        session.greetingFrame == nil
            ? session.clientCapabilities
            : session.clientCapabilities.intersection(session.serverCapabilities)
    }

    /// Whether a server's first bytes are a MySQL greeting (a 3-byte length, sequence id 0,
    /// protocol 10, a version starting with a digit): `StreamDetectors`' own test, so detection and
    /// decoding agree. `full`: no more bytes will come (then too few is `no`).
    public static func claimGreeting(_ server: UnsafeRawBufferPointer, full: Bool = false) -> StreamClaim {
        let none = UnsafeRawBufferPointer(start: nil, count: 0)
        return StreamDetectors.mysql(
            StreamStart(
                client: none, server: server, clientPort: 0, serverPort: 0, clientFull: false, serverFull: full))
    }

    /// One reassembled-stream event of one direction. `frame`/`time` are the packet being
    /// processed (the one whose arrival delivered the event). Never throws; bad bytes are marked.
    public mutating func receive(
        _ event: TCPStreamEvent, fromClient: Bool, frame: Int, time: Timestamp, _ emit: (MySQLEvent) -> Void
    ) {
        guard !finished else { return }
        if fromClient {
            receive(event, side: &sides.client, fromClient: true, frame: frame, time: time, emit)
        } else {
            receive(event, side: &sides.server, fromClient: false, frame: frame, time: time, emit)
        }
        // Stopped (TLS, compression): what the framers held is let go (not inside the call above,
        // which holds one side).
        if phase == .stopped && (sides.client.framer.held > 0 || sides.server.framer.held > 0) {
            sides.client.framer.reset()
            sides.server.framer.reset()
        }
    }

    private mutating func receive(
        _ event: TCPStreamEvent, side: inout Side, fromClient: Bool, frame: Int, time: Timestamp,
        _ emit: (MySQLEvent) -> Void
    ) {
        side.lastFrame = frame
        side.lastTime = time
        switch event {
        case .data(let bytes, let firstFrame, _):
            defer { side.offset += bytes.count }
            guard phase != .stopped else {
                counters.bytesAfterLeaving += bytes.count
                return
            }
            if side.framer.lost {
                if resumes(bytes, fromClient: fromClient) {
                    side.framer.resume()
                } else {
                    counters.skippedBytes += bytes.count
                    return
                }
            }
            var off = 0
            while off < bytes.count && phase != .stopped && !side.framer.lost {
                let before = off
                guard
                    let next = side.framer.next(
                        bytes, &off, frame: before == 0 ? firstFrame : frame, time: time, base: side.offset)
                else { break }
                switch next {
                case .inPlace(let info, let range):
                    let ctx = Context(fromClient: fromClient, frame: frame, time: time, info: info)
                    packet(UnsafeRawBufferPointer(rebasing: bytes[range]), ctx, emit)
                case .buffered(let info):
                    let ctx = Context(fromClient: fromClient, frame: frame, time: time, info: info)
                    var buffer: [UInt8] = []
                    swap(&buffer, &side.framer.buffer)
                    buffer.withUnsafeBytes { packet($0, ctx, emit) }
                    swap(&buffer, &side.framer.buffer)
                    side.framer.consumed()
                }
            }
            if phase == .stopped { counters.bytesAfterLeaving += bytes.count - off }
        case .gap(let n):
            let n = max(0, n)
            side.offset += n
            counters.gaps += 1
            counters.gapBytes += n
            guard phase != .stopped else { return }
            counters.skippedBytes += side.framer.loseSync()
            lostSync(fromClient: fromClient, frame: frame, emit)
        case .end:
            guard !side.ended else { return }
            side.ended = true
            if side.framer.inPacket {
                counters.malformed += 1
                counters.skippedBytes += side.framer.held
            }
            side.framer.reset()
        }
    }

    /// The connection is over: commands still waiting are reported without response, then the
    /// session. Later calls do nothing.
    public mutating func finish(_ emit: (MySQLEvent) -> Void) {
        guard !finished else { return }
        finished = true
        for i in pending.indices where !pending[i].done {
            pending[i].done = true
            pending[i].c.noResponse = true
        }
        emitReady(emit)
        sides.client.framer.reset()
        sides.server.framer.reset()
        emit(.session(session))
    }

    // MARK: gaps

    private mutating func lostSync(fromClient: Bool, frame: Int, _ emit: (MySQLEvent) -> Void) {
        if phase == .greeting || phase == .login || phase == .auth { phase = .command }
        // Responses can no longer be matched to commands: those waiting are reported as cut.
        for i in pending.indices where !pending[i].done {
            pending[i].done = true
            pending[i].c.responseLost = true
        }
        emitReady(emit)
        if fromClient {
            // Commands were lost: the server's answers to them must not be taken for the next one's.
            counters.skippedBytes += sides.server.framer.loseSync()
        }
        serverWaitsForCommand = true
    }

    /// Whether a delivery to a lost side begins where packets can be read again.
    private func resumes(_ b: UnsafeRawBufferPointer, fromClient: Bool) -> Bool {
        guard let (length, seq) = MySQLFramer.header(b), b.count > 4 else { return false }
        if fromClient {
            return seq == 0 && length >= 1 && length < 0xFF_FFFF && MySQLCommandCode(rawValue: b.u8(4)).isKnown
        }
        return !serverWaitsForCommand && seq == 1 && length >= 1 && length < 0xFF_FFFF
    }

    // MARK: packets

    private mutating func packet(_ p: UnsafeRawBufferPointer, _ ctx: Context, _ emit: (MySQLEvent) -> Void) {
        if ctx.info.truncated { counters.truncated += 1 }
        if ctx.fromClient {
            counters.clientPackets += 1
            clientPacket(p, ctx, emit)
        } else {
            counters.serverPackets += 1
            serverPacket(p, ctx, emit)
        }
    }

    private func message(_ kind: MySQLMessage.Kind, _ ctx: Context, _ emit: (MySQLEvent) -> Void) {
        emit(
            .message(
                MySQLMessage(
                    kind: kind, fromClient: ctx.fromClient, frame: ctx.frame, firstFrame: ctx.info.firstFrame,
                    sequence: ctx.info.sequence)))
    }

    private mutating func malformed(_ why: String, _ ctx: Context, _ emit: (MySQLEvent) -> Void) {
        counters.malformed += 1
        message(.malformed(why), ctx, emit)
    }

    /// A problem with the response of `e`: kept on the command, counted, and said.
    private mutating func mark(_ e: inout Pending, _ why: String, _ ctx: Context, _ emit: (MySQLEvent) -> Void) {
        if e.c.malformed == nil { e.c.malformed = why }
        malformed(why, ctx, emit)
    }

    private mutating func depart(_ d: MySQLDeparture, _ ctx: Context, _ emit: (MySQLEvent) -> Void) {
        session.departure = d
        phase = .stopped
        // Only the other side is read here: the packet's own side is being worked on in place.
        let end = ctx.info.offset + 4 + ctx.info.length
        departureOffsets =
            ctx.fromClient
            ? (client: end, server: sides.server.offset - sides.server.framer.held)
            : (client: sides.client.offset - sides.client.framer.held, server: end)
        message(.departed(d), ctx, emit)
        emit(.left(to: d, frame: ctx.frame))
    }

    // MARK: the client

    private mutating func clientPacket(_ p: UnsafeRawBufferPointer, _ ctx: Context, _ emit: (MySQLEvent) -> Void) {
        switch phase {
        case .stopped:
            return
        case .greeting where ctx.info.sequence == 0, .auth where ctx.info.sequence == 0:
            // A command where a login or auth data was due (those have sequence ids from 1): the
            // capture began after the login, or its end was not seen. The login stays unknown.
            phase = .command
            clientPacket(p, ctx, emit)
        case .greeting, .login:
            loginRequest(p, ctx, emit)
        case .auth:
            authData(p, ctx, emit)
        case .command:
            if let i = pending.firstIndex(where: { !$0.done }) {
                if pending[i].expect == .infileData {
                    pending[i].infileBytes += ctx.info.length
                    if ctx.info.length == 0 {
                        pending[i].expect = .first
                        message(.infileData(bytes: pending[i].infileBytes), ctx, emit)
                    }
                    return
                }
                if pending[i].expect == .changeUser && ctx.info.sequence != 0 {
                    authData(p, ctx, emit)
                    return
                }
            }
            command(p, ctx, emit)
        }
    }

    /// HandshakeResponse41 (or 320), or an SSL request.
    private mutating func loginRequest(_ p: UnsafeRawBufferPointer, _ ctx: Context, _ emit: (MySQLEvent) -> Void) {
        var r = MySQLReader(p)
        session.loginFrame = ctx.frame
        phase = .auth
        guard let low = r.u16() else { return malformed("a login request of \(p.count) bytes", ctx, emit) }
        var caps = MySQLCapabilities(rawValue: UInt32(low))
        if caps.contains(.protocol41) {
            guard let all = r.u32(at: 0) else { return malformed("a login request of \(p.count) bytes", ctx, emit) }
            caps = MySQLCapabilities(rawValue: all)
            session.clientCapabilities = caps
            guard r.skip(2 + 4 + 1 + 23) else {
                return malformed("a login request of \(p.count) bytes", ctx, emit)
            }
            if caps.contains(.ssl) && p.count == 32 {
                session.login = .tls
                message(.sslRequest, ctx, emit)
                return depart(.tls, ctx, emit)
            }
        } else {
            session.clientCapabilities = caps
            guard r.skip(3) else { return malformed("a login request of \(p.count) bytes", ctx, emit) }
            if caps.contains(.ssl) && p.count == 5 {
                session.login = .tls
                message(.sslRequest, ctx, emit)
                return depart(.tls, ctx, emit)
            }
        }
        guard let user = r.nulBytes() else {
            return malformed("the login request's user name is not terminated", ctx, emit)
        }
        session.user = MySQLReader.text(user, max: 256)
        var authLength: Int?
        if caps.contains(.pluginAuthLenencClientData) {
            authLength = r.lenencBytes()?.count
        } else if caps.contains(.secureConnection) {
            if let n = r.u8(), r.skip(Int(n)) { authLength = Int(n) }
        } else {
            authLength = r.nulBytes(orRest: true)?.count
        }
        guard let authLength else {
            message(.login(user: session.user ?? "", database: nil, plugin: nil), ctx, emit)
            return malformed("the login request's auth response runs past its end", ctx, emit)
        }
        session.authResponseLength = authLength
        if saltSeen && authLength > 0 { session.scrambleSeen = true }
        if caps.contains(.connectWithDB), !r.atEnd, let db = r.nulBytes(orRest: true), !db.isEmpty {
            session.database = MySQLReader.text(db, max: 256)
        }
        if caps.contains(.pluginAuth), !r.atEnd, let plugin = r.nulBytes(orRest: true) {
            session.clientAuthPlugin = MySQLReader.text(plugin, max: 256)
            if session.clientAuthPlugin == "mysql_clear_password" { session.clearTextPassword = true }
        }
        if caps.contains(.connectAttrs), !r.atEnd {
            // Key/value pairs in a length-encoded block: counted, stepped over within the block only.
            if let block = r.lenencBytes() {
                var a = MySQLReader(block)
                while !a.atEnd, a.lenencBytes() != nil, a.lenencBytes() != nil { session.connectionAttributes += 1 }
            }
        }
        message(
            .login(user: session.user ?? "", database: session.database, plugin: session.clientAuthPlugin), ctx, emit)
    }

    /// Auth data from the client during an auth exchange (a scramble, a key request, a password).
    private mutating func authData(_ p: UnsafeRawBufferPointer, _ ctx: Context, _ emit: (MySQLEvent) -> Void) {
        if saltSeen && p.count > 1 { session.scrambleSeen = true }
        message(.authResponse(bytes: ctx.info.length), ctx, emit)
    }

    /// A command packet: its code and arguments.
    private mutating func command(_ p: UnsafeRawBufferPointer, _ ctx: Context, _ emit: (MySQLEvent) -> Void) {
        var c = MySQLCommand()
        c.index = nextIndex
        nextIndex += 1
        c.frame = ctx.frame
        c.firstFrame = ctx.info.firstFrame
        c.time = ctx.time
        serverWaitsForCommand = false
        guard !p.isEmpty else {
            counters.malformed += 1
            c.malformed = "an empty command packet"
            c.noResponse = true
            message(.malformed("an empty command packet"), ctx, emit)
            return enqueue(Pending(c: c, done: true), emit)
        }
        c.command = MySQLCommandCode(rawValue: p.u8(0))
        if ctx.info.sequence != 0 { c.malformed = "a command with sequence id \(ctx.info.sequence), not 0" }
        var r = MySQLReader(p, at: 1)
        var expect = Expect.first
        switch c.command {
        case .query:
            if negotiated.contains(.queryAttributes) {
                if !queryAttributes(&r, &c) {
                    c.malformed = "the query attributes could not be read"
                    r = MySQLReader(p, at: 1)
                }
            }
            setQuery(&c, r.rest(), truncated: ctx.info.truncated)
        case .stmtPrepare:
            setQuery(&c, r.rest(), truncated: ctx.info.truncated)
        case .initDB, .fieldList:
            if let arg = r.nulBytes(orRest: true) { c.argument = MySQLReader.text(arg, max: 1024) }
            if c.command == .fieldList { expect = .fieldList }
        case .changeUser:
            if let user = r.nulBytes(orRest: true) { c.argument = MySQLReader.text(user, max: 256) }
            changeUser(&r, user: c.argument, ctx, emit)
            expect = .changeUser
        case .stmtExecute, .stmtClose, .stmtReset, .stmtSendLongData, .stmtFetch:
            if let id = r.u32() {
                c.statementID = id
                if let sql = statements[id] {
                    c.query = sql
                    let s = MySQLStatement.classify(sql)
                    c.verb = s.verb
                    c.crud = s.crud
                }
                if c.command == .stmtClose { statements[id] = nil }
            } else {
                c.malformed = "\(c.command.name) without a statement id"
            }
            if c.command == .stmtFetch { expect = .rows }
        default:
            break
        }
        if c.malformed != nil { counters.malformed += 1 }
        let q: String? = c.command == .stmtExecute ? nil : c.query ?? c.argument
        message(.command(c.command, query: q, statementID: c.statementID), ctx, emit)
        let done = !c.command.hasResponse
        enqueue(Pending(c: c, expect: expect, done: done), emit)
    }

    private func setQuery(_ c: inout MySQLCommand, _ text: UnsafeRawBufferPointer, truncated: Bool) {
        c.query = MySQLReader.text(text, max: MySQLCommand.maxQueryBytes)
        c.queryTruncated = truncated || text.count > MySQLCommand.maxQueryBytes
        let s = MySQLStatement.classify(text)
        c.verb = s.verb
        c.crud = s.crud
    }

    /// COM_QUERY's attributes (CLIENT_QUERY_ATTRIBUTES): parameter count, parameter set count,
    /// then, when there are any, a NULL bitmap, the bind flag, each type and name, and the values
    /// in the binary protocol. False when they cannot be read (the reader's position is then void).
    private func queryAttributes(_ r: inout MySQLReader, _ c: inout MySQLCommand) -> Bool {
        guard let count = r.lenenc(), r.lenenc() != nil, count <= UInt64(r.remaining) else { return false }
        let n = Int(count)
        c.attributeCount = n
        guard n > 0 else { return true }
        guard let bitmap = r.take((n + 7) / 8), let bind = r.u8(), bind == 1 else { return false }
        var types: [UInt8] = []
        types.reserveCapacity(min(n, 4096))
        for _ in 0..<n {
            guard let type = r.u16(), let name = r.lenencBytes() else { return false }
            types.append(UInt8(truncatingIfNeeded: type))
            if c.attributeNames.count < MySQLCommand.maxAttributes {
                c.attributeNames.append(MySQLReader.text(name, max: 256))
            }
        }
        for i in 0..<n where bitmap.u8(i / 8) & (1 << UInt8(i % 8)) == 0 {
            guard Self.skipBinaryValue(&r, type: types[i]) else { return false }
        }
        return true
    }

    /// Steps over one value of the binary protocol ("Binary Protocol Value") of column type `type`.
    static func skipBinaryValue(_ r: inout MySQLReader, type: UInt8) -> Bool {
        switch type {
        case 0x06: return true
        case 0x01: return r.skip(1)
        case 0x02, 0x0D: return r.skip(2)
        case 0x03, 0x04, 0x09: return r.skip(4)
        case 0x05, 0x08: return r.skip(8)
        case 0x07, 0x0A, 0x0B, 0x0C:
            guard let n = r.u8() else { return false }
            return r.skip(Int(n))
        case 0x00, 0x0F, 0x10, 0xF5...0xFF: return r.lenencBytes() != nil
        default: return false
        }
    }

    /// Adds a command. Past `maxPending` waiting, the oldest is reported at once without its
    /// response (`evictedAtCap`) and left in the queue as a ghost with its code only, so that its
    /// response, when it comes, is read and dropped instead of being taken for the next command's.
    /// Ghosts are kept up to `maxPending` more; past that the oldest goes (matching may then slip).
    private mutating func enqueue(_ p: Pending, _ emit: (MySQLEvent) -> Void) {
        if pending.count(where: { !$0.ghost && !$0.done }) >= Self.maxPending,
            let i = pending.firstIndex(where: { !$0.ghost && !$0.done })
        {
            var old = pending[i].c
            old.noResponse = true
            old.evictedAtCap = true
            counters.evictedAtCap += 1
            counters.commands += 1
            emit(.command(old))
            var ghost = MySQLCommand()
            ghost.command = old.command
            pending[i].c = ghost
            pending[i].ghost = true
            if pending.count(where: \.ghost) > Self.maxPending, let g = pending.firstIndex(where: \.ghost) {
                pending.remove(at: g)
            }
        }
        pending.append(p)
        emitReady(emit)
    }

    private mutating func emitReady(_ emit: (MySQLEvent) -> Void) {
        while let first = pending.first, first.done {
            let ghost = first.ghost
            var c = pending.removeFirst().c
            if ghost { continue }
            if let a = c.responseStart, !a.isMissing, !c.time.isMissing {
                c.latency = a.totalNanoseconds - c.time.totalNanoseconds
            }
            counters.commands += 1
            emit(.command(c))
        }
    }

    // MARK: the server

    private mutating func serverPacket(_ p: UnsafeRawBufferPointer, _ ctx: Context, _ emit: (MySQLEvent) -> Void) {
        switch phase {
        case .stopped:
            return
        case .greeting:
            greeting(p, ctx, emit)
        case .login:
            malformed("a server packet before the client's login request", ctx, emit)
        case .auth:
            authReply(p, ctx, emit)
        case .command:
            guard let i = pending.firstIndex(where: { !$0.done }) else {
                counters.unsolicited += 1
                if p.first == 0xFF, let e = Self.errPacket(p) {
                    message(.error(code: e.code, sqlstate: e.sqlstate, message: e.message), ctx, emit)
                } else if p.first == 0x00, let ok = Self.okPacket(p, negotiated) {
                    message(.ok(affectedRows: ok.affected, insertID: ok.insertID, warnings: ok.warnings), ctx, emit)
                }
                return
            }
            // Worked on out of the array (swapped, not copied), as `response` changes `self` too.
            var e = Pending(c: MySQLCommand())
            swap(&e, &pending[i])
            response(p, &e, ctx, emit)
            swap(&e, &pending[i])
            emitReady(emit)
        }
    }

    /// The server's greeting (Protocol::HandshakeV10), or an ERR refusing the connection.
    private mutating func greeting(_ p: UnsafeRawBufferPointer, _ ctx: Context, _ emit: (MySQLEvent) -> Void) {
        phase = .login
        session.greetingFrame = ctx.frame
        if p.first == 0xFF, let e = Self.errPacket(p) {
            loginFailed(e, ctx, emit)
            phase = .command
            return
        }
        var r = MySQLReader(p)
        guard let version = r.u8(), version == 10 || version == 9, let name = r.nulBytes() else {
            return malformed("not a greeting (protocol 10)", ctx, emit)
        }
        session.protocolVersion = version
        session.serverVersion = MySQLReader.text(name, max: 256)
        guard let id = r.u32() else { return malformed("the greeting ends after its version", ctx, emit) }
        session.connectionID = id
        defer {
            message(
                .greeting(version: session.serverVersion ?? "", connectionID: id, plugin: session.serverAuthPlugin),
                ctx, emit)
        }
        guard version == 10 else { return }
        guard let part1 = r.take(8), r.skip(1), let low = r.u16() else { return }
        var salt = Array(part1)
        var caps = UInt32(low)
        defer {
            session.serverCapabilities = MySQLCapabilities(rawValue: caps)
            session.salt = salt
            saltSeen = !salt.isEmpty
        }
        guard r.skip(1 + 2), let high = r.u16(), let saltLength = r.u8(), r.skip(10) else { return }
        caps |= UInt32(high) << 16
        let c = MySQLCapabilities(rawValue: caps)
        if c.contains(.secureConnection) {
            let n = min(r.remaining, max(13, Int(saltLength) - 8))
            if let part2 = r.take(n) {
                salt.append(contentsOf: part2)
                if salt.last == 0 { salt.removeLast() }
            }
        }
        if c.contains(.pluginAuth), let plugin = r.nulBytes(orRest: true), !plugin.isEmpty {
            session.serverAuthPlugin = MySQLReader.text(plugin, max: 256)
        }
    }

    private mutating func loginFailed(
        _ e: ErrPacket, _ ctx: Context, _ emit: (MySQLEvent) -> Void, say: Bool = true
    ) {
        session.login = .error
        session.errorCode = e.code
        session.sqlstate = e.sqlstate
        session.error = e.message
        session.loginResultFrame = ctx.frame
        if say { message(.error(code: e.code, sqlstate: e.sqlstate, message: e.message), ctx, emit) }
    }

    /// COM_CHANGE_USER is a new login on the same connection: the session so far is reported, and
    /// a new one begins with the greeting's facts and the command's user, database and plugin
    /// (after the user: the auth data, the database, the character set, the plugin).
    private mutating func changeUser(
        _ r: inout MySQLReader, user: String?, _ ctx: Context, _ emit: (MySQLEvent) -> Void
    ) {
        emit(.session(session))
        var next = MySQLSession()
        next.protocolVersion = session.protocolVersion
        next.serverVersion = session.serverVersion
        next.connectionID = session.connectionID
        next.serverCapabilities = session.serverCapabilities
        next.clientCapabilities = session.clientCapabilities
        next.serverAuthPlugin = session.serverAuthPlugin
        next.greetingFrame = session.greetingFrame
        next.user = user
        next.loginFrame = ctx.frame
        let caps = session.clientCapabilities
        var authLength: Int?
        if caps.contains(.secureConnection) {
            if let n = r.u8(), r.skip(Int(n)) { authLength = Int(n) }
        } else {
            authLength = r.nulBytes()?.count
        }
        next.authResponseLength = authLength
        next.scrambleSeen = saltSeen && (authLength ?? 0) > 0
        if authLength != nil, let db = r.nulBytes(orRest: true), !db.isEmpty {
            next.database = MySQLReader.text(db, max: 256)
        }
        if caps.contains(.pluginAuth), r.skip(2), let plugin = r.nulBytes(orRest: true), !plugin.isEmpty {
            next.clientAuthPlugin = MySQLReader.text(plugin, max: 256)
            if next.clientAuthPlugin == "mysql_clear_password" { next.clearTextPassword = true }
        }
        session = next
    }

    /// The server during the auth exchange: OK, ERR, auth switch, more data.
    private mutating func authReply(_ p: UnsafeRawBufferPointer, _ ctx: Context, _ emit: (MySQLEvent) -> Void) {
        switch p.first {
        case 0x00?:
            session.login = .ok
            session.loginResultFrame = ctx.frame
            phase = .command
            let ok = Self.okPacket(p, negotiated)
            message(
                .ok(affectedRows: ok?.affected ?? 0, insertID: ok?.insertID ?? 0, warnings: ok?.warnings ?? 0), ctx,
                emit)
            if negotiated.contains(.compress) || negotiated.contains(.zstdCompression) {
                depart(.compressed, ctx, emit)
            }
        case 0xFF?:
            phase = .command
            guard let e = Self.errPacket(p) else { return malformed("an ERR packet of \(p.count) bytes", ctx, emit) }
            loginFailed(e, ctx, emit)
        case 0xFE?, 0x01?:
            authExchange(p, ctx, emit)
        default:
            malformed("a packet starting 0x\(String(p.first ?? 0, radix: 16)) in the auth exchange", ctx, emit)
        }
    }

    /// An auth switch request (0xFE) or more data (0x01), in the login or a COM_CHANGE_USER.
    private mutating func authExchange(_ p: UnsafeRawBufferPointer, _ ctx: Context, _ emit: (MySQLEvent) -> Void) {
        var r = MySQLReader(p, at: 1)
        if p.first == 0xFE {
            // Length 1: the pre-4.1 "use the old password" request.
            let plugin = p.count == 1 ? "mysql_old_password" : r.nulBytes(orRest: true).map { MySQLReader.text($0) }
            session.switchedAuthPlugin = plugin
            if session.switchedAuthPlugin == "mysql_clear_password" { session.clearTextPassword = true }
            var data = Array(r.rest())
            if data.last == 0 { data.removeLast() }
            if !data.isEmpty {
                session.salt = data
                saltSeen = true
            }
            message(.authSwitch(plugin: plugin ?? ""), ctx, emit)
        } else {
            var fast: Bool?
            if p.count == 2 {
                if p.u8(1) == 0x03 { fast = true }
                if p.u8(1) == 0x04 { fast = false }
            }
            if let fast { session.cachingSHA2 = fast ? "fast_auth_ok" : "full_auth" }
            message(.authMoreData(fastAuthOK: fast, bytes: p.count - 1), ctx, emit)
        }
    }

    // MARK: responses

    /// One server packet for the oldest waiting command.
    private mutating func response(
        _ p: UnsafeRawBufferPointer, _ e: inout Pending, _ ctx: Context, _ emit: (MySQLEvent) -> Void
    ) {
        if e.c.responseFirstFrame == nil {
            e.c.responseFirstFrame = ctx.info.firstFrame
            e.responseStartTime(ctx.time)
        }
        e.c.responseFrame = ctx.frame
        let first = p.first
        let deprecateEOF = negotiated.contains(.deprecateEOF)
        let isEOF = first == 0xFE && (deprecateEOF ? ctx.info.length < 0xFF_FFFF : ctx.info.length < 9)
        if first == 0xFF {
            let err = Self.errPacket(p)
            if e.expect == .changeUser, let err { loginFailed(err, ctx, emit, say: false) }
            e.c.result = .error
            e.c.errorCode = err?.code
            e.c.sqlstate = err?.sqlstate
            e.c.error = err?.message
            if let err {
                message(.error(code: err.code, sqlstate: err.sqlstate, message: err.message), ctx, emit)
            } else {
                mark(&e, "an ERR packet of \(p.count) bytes", ctx, emit)
            }
            e.done = true
            return
        }
        switch e.expect {
        case .first:
            firstPacket(p, &e, ctx, emit)
        case .columns(let left):
            if e.collectNames, e.c.columnNames.count < MySQLCommand.maxColumnNames, let name = Self.columnName(p) {
                e.c.columnNames.append(name)
            }
            if left > 1 {
                e.expect = .columns(left: left - 1)
            } else {
                e.expect = deprecateEOF ? .rows : .columnsEOF
            }
        case .columnsEOF:
            if !isEOF { mark(&e, "no EOF after the column definitions", ctx, emit) }
            e.expect = .rows
        case .rows:
            guard isEOF else {
                e.c.rows = (e.c.rows ?? 0) + 1
                if e.collectNames, e.c.rowValues.count < MySQLCommand.maxRowsKept, e.c.command == .query,
                    let values = Self.textRow(p)
                {
                    e.c.rowValues.append(values)
                }
                return
            }
            let status = Self.terminatorStatus(p, deprecateEOF: deprecateEOF)
            e.c.statusFlags = status.status
            e.c.warnings = status.warnings
            if e.c.command == .stmtFetch {
                e.c.result = .rows
                message(.resultSet(columns: e.c.columns ?? 0, rows: e.c.rows ?? 0), ctx, emit)
                e.done = true
                return
            }
            message(.resultSet(columns: e.c.columns ?? 0, rows: e.c.rows ?? 0), ctx, emit)
            moreResults(status.status, &e)
        case .definitions(let left, let then):
            if left > 1 {
                e.expect = .definitions(left: left - 1, then: then)
            } else if !deprecateEOF {
                e.expect = .definitionsEOF(then: then)
            } else {
                nextDefinitions(then, &e, ctx, emit)
            }
        case .definitionsEOF(let then):
            if !isEOF { mark(&e, "no EOF after the statement's definitions", ctx, emit) }
            nextDefinitions(then, &e, ctx, emit)
        case .fieldList:
            if isEOF {
                e.c.result = .rows
                e.c.rows = 0
                message(.fields(columns: e.c.columns ?? 0), ctx, emit)
                e.done = true
            } else {
                e.c.columns = (e.c.columns ?? 0) + 1
                if e.c.columnNames.count < MySQLCommand.maxColumnNames, let name = Self.columnName(p) {
                    e.c.columnNames.append(name)
                }
            }
        case .changeUser:
            switch first {
            case 0x00?:
                ok(p, &e, ctx, emit)
                session.login = .ok
                session.loginResultFrame = ctx.frame
                e.done = true
            case 0xFE?, 0x01?:
                authExchange(p, ctx, emit)
            default:
                mark(&e, "a packet starting 0x\(String(first ?? 0, radix: 16)) in COM_CHANGE_USER's auth", ctx, emit)
                e.done = true
            }
        case .infileData:
            mark(&e, "a server packet during LOCAL INFILE data", ctx, emit)
        }
    }

    /// The first packet of a response (or of the next result set).
    private mutating func firstPacket(
        _ p: UnsafeRawBufferPointer, _ e: inout Pending, _ ctx: Context, _ emit: (MySQLEvent) -> Void
    ) {
        let first = p.first
        if e.c.command == .statistics {
            e.c.result = .ok
            e.c.info = MySQLReader.text(p, max: 1024)
            message(.statistics(e.c.info ?? ""), ctx, emit)
            e.done = true
            return
        }
        if e.c.command == .stmtPrepare && first == 0x00 {
            var r = MySQLReader(p, at: 1)
            guard let id = r.u32(), let columns = r.u16(), let params = r.u16() else {
                mark(&e, "a COM_STMT_PREPARE_OK of \(p.count) bytes", ctx, emit)
                e.done = true
                return
            }
            if r.skip(1), let w = r.u16() { e.c.warnings = Int(w) }
            e.c.result = .ok
            e.c.statementID = id
            e.c.columns = Int(columns)
            e.c.parameters = Int(params)
            if let sql = e.c.query {
                if statements.count >= Self.maxStatements, statements[id] == nil, let k = statements.keys.first {
                    statements[k] = nil
                }
                statements[id] = sql
            }
            message(.prepared(statementID: id, columns: Int(columns), parameters: Int(params)), ctx, emit)
            if params > 0 {
                e.expect = .definitions(left: Int(params), then: Int(columns))
            } else if columns > 0 {
                e.expect = .definitions(left: Int(columns), then: 0)
            } else {
                e.done = true
            }
            return
        }
        switch first {
        case 0x00?:
            let status = ok(p, &e, ctx, emit)
            moreResults(status, &e)
        case 0xFE? where ctx.info.length < 9 || negotiated.contains(.deprecateEOF):
            let status = Self.terminatorStatus(p, deprecateEOF: negotiated.contains(.deprecateEOF))
            if e.c.result == nil { e.c.result = .ok }
            e.c.statusFlags = status.status
            e.c.warnings = status.warnings
            message(.eof, ctx, emit)
            e.done = true
        case 0xFB? where e.c.command == .query:
            let file = MySQLReader.text(UnsafeRawBufferPointer(rebasing: p[1...]), max: 1024)
            message(.localInfile(file: file), ctx, emit)
            e.expect = .infileData
        default:
            var r = MySQLReader(p)
            guard let n = r.lenenc(), n > 0, n < 1 << 20 else {
                mark(&e, "a response starting 0x\(String(first ?? 0, radix: 16)) to \(e.c.command.name)", ctx, emit)
                e.done = true
                return
            }
            // Columns and names are the first result set's; rows count all of them.
            let firstSet = !e.sawResultSet
            e.sawResultSet = true
            e.c.result = .rows
            if firstSet { e.c.columns = Int(n) }
            if e.c.rows == nil { e.c.rows = 0 }
            e.collectNames = firstSet
            // A byte after the count is "metadata follows" (MySQL's CLIENT_OPTIONAL_RESULTSET_METADATA,
            // MariaDB's MARIADB_CLIENT_CACHE_METADATA): 0 means no column definitions.
            if r.remaining == 1, r.u8() == 0 {
                e.expect = negotiated.contains(.deprecateEOF) ? .rows : .columnsEOF
            } else {
                e.expect = .columns(left: Int(n))
            }
        }
    }

    /// An OK packet for the command: its numbers kept; returns its status flags.
    @discardableResult
    private mutating func ok(
        _ p: UnsafeRawBufferPointer, _ e: inout Pending, _ ctx: Context, _ emit: (MySQLEvent) -> Void
    ) -> UInt16 {
        guard let ok = Self.okPacket(p, negotiated) else {
            mark(&e, "an OK packet of \(p.count) bytes", ctx, emit)
            if e.c.result == nil { e.c.result = .ok }
            return 0
        }
        if !e.sawResultSet { e.c.result = .ok }
        e.c.affectedRows = (e.c.affectedRows ?? 0) + ok.affected
        if ok.insertID > 0 || e.c.insertID == nil { e.c.insertID = ok.insertID }
        e.c.statusFlags = ok.status
        e.c.warnings = ok.warnings
        if let info = ok.info, !info.isEmpty { e.c.info = info }
        message(.ok(affectedRows: ok.affected, insertID: ok.insertID, warnings: ok.warnings), ctx, emit)
        return ok.status ?? 0
    }

    /// After an OK or a result set's end: another result follows while SERVER_MORE_RESULTS_EXISTS.
    private func moreResults(_ status: UInt16?, _ e: inout Pending) {
        if let status, status & 0x0008 != 0 {
            e.expect = .first
        } else {
            e.done = true
        }
    }

    private func nextDefinitions(_ then: Int, _ e: inout Pending, _ ctx: Context, _ emit: (MySQLEvent) -> Void) {
        if then > 0 {
            e.expect = .definitions(left: then, then: 0)
        } else {
            e.done = true
        }
    }

    // MARK: packet bodies

    struct ErrPacket {
        var code: Int
        var sqlstate: String?
        var message: String
    }

    /// ERR_Packet: 0xFF, the code, `#` and a 5-byte SQLSTATE (when there is one), the message.
    static func errPacket(_ p: UnsafeRawBufferPointer) -> ErrPacket? {
        var r = MySQLReader(p, at: 1)
        guard p.first == 0xFF, let code = r.u16() else { return nil }
        var state: String?
        if r.remaining >= 6, p.u8(r.pos) == 0x23 {
            _ = r.skip(1)
            state = r.take(5).map { MySQLReader.text($0) }
        }
        return ErrPacket(code: Int(code), sqlstate: state, message: MySQLReader.text(r.rest(), max: 1024))
    }

    struct OKPacket {
        var affected: UInt64
        var insertID: UInt64
        var status: UInt16?
        var warnings: Int
        var info: String?
    }

    /// OK_Packet (header 0x00, or 0xFE as CLIENT_DEPRECATE_EOF's end of rows): affected rows and
    /// last insert id (length-encoded), status flags and warnings (with CLIENT_PROTOCOL_41), info.
    static func okPacket(_ p: UnsafeRawBufferPointer, _ caps: MySQLCapabilities) -> OKPacket? {
        var r = MySQLReader(p, at: 1)
        guard let affected = r.lenenc(), let insertID = r.lenenc() else { return nil }
        var ok = OKPacket(affected: affected, insertID: insertID, status: nil, warnings: 0, info: nil)
        if let status = r.u16() {
            ok.status = status
            if let w = r.u16() { ok.warnings = Int(w) }
        }
        if !r.atEnd {
            // The protocol's documentation has the info as the rest of the packet unless
            // CLIENT_SESSION_TRACK, but MySQL's and MariaDB's servers (net_send_ok) always write it
            // length-encoded: taken so when its length covers exactly the rest, else as the rest.
            var lenenc = r
            if caps.contains(.sessionTrack) {
                ok.info = r.lenencBytes().map { MySQLReader.text($0, max: 1024) }
            } else if let b = lenenc.lenencBytes(), lenenc.atEnd {
                ok.info = MySQLReader.text(b, max: 1024)
            } else {
                ok.info = MySQLReader.text(r.rest(), max: 1024)
            }
        }
        return ok
    }

    /// The status and warnings of an EOF_Packet (warnings, then status) or of an OK headed 0xFE.
    static func terminatorStatus(_ p: UnsafeRawBufferPointer, deprecateEOF: Bool) -> (status: UInt16?, warnings: Int?) {
        if deprecateEOF, let ok = okPacket(p, []) { return (ok.status, ok.warnings) }
        var r = MySQLReader(p, at: 1)
        let w = r.u16()
        return (r.u16(), w.map(Int.init))
    }

    /// A text-protocol row (ProtocolText::ResultsetRow): a length-encoded string a column, 0xFB for
    /// NULL; each value cut at `MySQLCommand.maxValueBytes`. Nil when the packet is not one.
    static func textRow(_ p: UnsafeRawBufferPointer) -> [String?]? {
        var r = MySQLReader(p)
        var values: [String?] = []
        while !r.atEnd {
            if p.u8(r.pos) == 0xFB {
                _ = r.skip(1)
                values.append(nil)
            } else if let v = r.lenencBytes() {
                values.append(MySQLReader.text(v, max: MySQLCommand.maxValueBytes))
            } else {
                return nil
            }
        }
        return values
    }

    /// Column Definition 41's `name` (after catalog, schema, table and org_table).
    static func columnName(_ p: UnsafeRawBufferPointer) -> String? {
        var r = MySQLReader(p)
        for _ in 0..<4 { guard r.lenencBytes() != nil else { return nil } }
        return r.lenencBytes().map { MySQLReader.text($0, max: 256) }
    }
}

extension MySQLConversation.Pending {
    fileprivate mutating func responseStartTime(_ t: Timestamp) { c.responseStart = t }
}

extension MySQLReader {
    /// A 32-bit field at absolute position `at`, the position unchanged.
    fileprivate func u32(at: Int) -> UInt32? {
        var copy = self
        copy.pos = at
        return copy.u32()
    }
}
