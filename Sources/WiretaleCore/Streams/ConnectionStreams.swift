/// What a connection's reassembled streams said on the frame being tracked: the messages that frame
/// completed (`read` shows them on it, as tshark does with reassembly on).
public enum StreamMessage: Sendable {
    /// An HTTP request or response, complete on this frame.
    case http(HTTPMessageSummary)
    /// A MySQL packet (greeting, login, command, OK, ERR, a result set's end...), complete on this frame.
    case mysql(MySQLMessage)
    /// A TLS handshake message, alert, or where a direction's encryption began.
    case tls(TLSMessage)
    /// The connection left the protocol it spoke (HTTP's 101 Switching Protocols, a CONNECT tunnel):
    /// `to` names what it became ("websocket", "tunnel").
    case left(StreamService, to: String)

    /// The text `read` prints after the segment's summary: `: HTTP GET /index.html (host example.org)`
    /// (without `lead`, as `explain` prints it under the segment's row: `HTTP GET /index.html ...`).
    public func appendSummary(to o: inout OutputBuffer, lang: NotesLanguage = .en, lead: Bool = true) {
        switch self {
        case .http(let m):
            if lead { o.append(": ") }
            m.appendSummary(to: &o, lang: lang)
        case .mysql(let m):
            if lead { o.append(": ") }
            m.appendSummary(to: &o, lang: lang)
        case .tls(let m):
            if lead { o.append(": ") }
            m.appendSummary(to: &o)
        case .left(let service, let to):
            if lead { o.append(": ") }
            o.append(to == "tls" ? PacketRemarkLabel.streamToTLS : .streamBecame, lang) { o, slot in
                if slot == 0 { o.append(service.name) } else { o.append(to) }
            }
        }
    }
}

/// Where a tracker's streams put what they produced while one frame was tracked: the frame's
/// completed messages (when `collectMessages`, for `read`) and finished HTTP transactions (when
/// `collectTransactions`, for `conversations`), with the stream number they belong to.
struct StreamSink {
    var collectMessages = false
    var collectTransactions = false
    var messages: [StreamMessage] = []
    var transactions: [(stream: Int32, transaction: HTTPTransaction)] = []
    /// Finished MySQL commands and sessions (when `collectTransactions`).
    var mysqlCommands: [(stream: Int32, command: MySQLCommand)] = []
    var mysqlSessions: [(stream: Int32, session: MySQLSession)] = []
    /// Finished TLS handshakes (when `collectTransactions`).
    var tlsHandshakes: [(stream: Int32, handshake: TLSHandshake)] = []
}

/// One TCP connection's payload, both ways: each direction reassembled (`TCPHalfStream`), the
/// service found from the first bytes (`StreamDetectors`), and, for a service with a stream decoder,
/// that decoder fed in stream order. A class, allocated once per connection that carries payload, so
/// the reassembler's callbacks can hand events to the decoder while a direction is being added to.
///
/// Until the service is known the first `detectionWindow` bytes of each direction are kept (then
/// replayed to the decoder); a connection whose first bytes match nothing after
/// `maxUndecidedBytes`, or whose service has no decoder, stops being reassembled (`isDone`), so it
/// costs nothing more per packet.
final class ConnectionStreams {
    /// The bytes of each direction detectors may see.
    static let detectionWindow = 64
    /// Payload bytes (both ways) after which a connection that matched nothing is left alone.
    static let maxUndecidedBytes = 8192

    let stream: Int32
    let clientPort: UInt16
    let serverPort: UInt16
    var client: TCPHalfStream
    var server: TCPHalfStream
    private(set) var service = StreamService.none
    /// The detectors gave their answer (or gave up).
    private(set) var decided = false
    /// Nothing more is read of this connection.
    private(set) var isDone = false
    /// What the stream became when it left its protocol ("websocket", "tunnel").
    private(set) var became: String?
    /// The start of each direction, kept for the detectors until they answer.
    private var clientStart = DetectionStart()
    private var serverStart = DetectionStart()
    private var http: HTTPConversation?
    /// The MySQL conversation being read (`decodingMySQL` says it is set).
    private var mysql: MySQLConversation?
    private var decodingMySQL = false
    /// The TLS conversation being read (`decodingTLS` says it is set): the connection's own, or
    /// the one a MySQL SSL request started.
    private var tls: TLSConversation?
    private var decodingTLS = false
    /// A line protocol's lines, watched for its switch to TLS.
    private var starttls: STARTTLSWatch?
    /// The SOCKS handshake being read (`service` is `.socks` meanwhile).
    private var socks: SOCKSPrelude?
    /// The proxy protocol the connection went through before `service` (`.socks`), nil when none.
    private(set) var tunnel: StreamService?
    /// `http` is set (tested without copying the conversation out of the optional).
    private var decoding = false

    init(stream: Int32, clientPort: UInt16, serverPort: UInt16, maxHeldBytes: Int) {
        self.stream = stream
        self.clientPort = clientPort
        self.serverPort = serverPort
        client = TCPHalfStream(maxHeldBytes: maxHeldBytes)
        server = TCPHalfStream(maxHeldBytes: maxHeldBytes)
    }

    /// The service `conversations` names: what the tunnel carried, or the tunnel itself when its
    /// bytes named nothing.
    var reportedService: StreamService { service == .none && tunnel != nil ? tunnel! : service }

    /// Reassembly counters of both directions together.
    var gapBytes: Int { client.gapBytes + server.gapBytes }
    var hadCapGap: Bool { client.hadCapGap || server.hadCapGap }

    /// Feeds one segment of the connection.
    func segment(
        seq: UInt32, payload: UnsafeRawBufferPointer, missing: Int, syn: Bool, fin: Bool, fromClient: Bool, frame: Int,
        time: Timestamp, reassembly: inout ReassemblyBudget, httpBudget: inout HTTPBudget, sink: inout StreamSink
    ) {
        guard !isDone else { return }
        if fromClient {
            client.add(
                seq: seq, payload: payload, syn: syn, fin: fin, frame: frame, missing: missing, budget: &reassembly
            ) { event in
                self.receive(event, fromClient: true, frame: frame, time: time, httpBudget: &httpBudget, sink: &sink)
            }
        } else {
            server.add(
                seq: seq, payload: payload, syn: syn, fin: fin, frame: frame, missing: missing, budget: &reassembly
            ) { event in
                self.receive(event, fromClient: false, frame: frame, time: time, httpBudget: &httpBudget, sink: &sink)
            }
        }
        if isDone { release(reassembly: &reassembly) }
    }

    /// The connection is over (closed, evicted, or the capture ended): both directions deliver what
    /// they hold, then the decoder finishes.
    func finish(
        frame: Int, time: Timestamp, reassembly: inout ReassemblyBudget, httpBudget: inout HTTPBudget,
        sink: inout StreamSink
    ) {
        if !isDone {
            client.finish(budget: &reassembly) { event in
                self.receive(event, fromClient: true, frame: frame, time: time, httpBudget: &httpBudget, sink: &sink)
            }
            server.finish(budget: &reassembly) { event in
                self.receive(event, fromClient: false, frame: frame, time: time, httpBudget: &httpBudget, sink: &sink)
            }
        }
        if !decided { decide(force: true, frame: frame, time: time, httpBudget: &httpBudget, sink: &sink) }
        finishDecoder(httpBudget: &httpBudget, sink: &sink)
        isDone = true
        release(reassembly: &reassembly)
    }

    private func finishDecoder(httpBudget: inout HTTPBudget, sink: inout StreamSink) {
        if decodingTLS, var t = tls {
            tls = nil
            decodingTLS = false
            let stream = self.stream
            t.finish { e in Self.take(e, stream: stream, sink: &sink) }
        }
        if decodingMySQL, var m = mysql {
            mysql = nil
            decodingMySQL = false
            let stream = self.stream
            m.finish { e in Self.take(e, stream: stream, sink: &sink, streams: self) }
        }
        guard decoding, var h = http else { return }
        http = nil
        decoding = false
        let stream = self.stream
        h.finish(budget: &httpBudget) { event in Self.take(event, stream: stream, sink: &sink, streams: self) }
    }

    /// Gives back what the directions hold (nothing more will be read).
    private func release(reassembly: inout ReassemblyBudget) {
        client.discard(budget: &reassembly)
        server.discard(budget: &reassembly)
        clientStart = DetectionStart()
        serverStart = DetectionStart()
    }

    private func receive(
        _ event: TCPStreamEvent, fromClient: Bool, frame: Int, time: Timestamp, httpBudget: inout HTTPBudget,
        sink: inout StreamSink
    ) {
        if isDone { return }
        if !decided {
            switch event {
            case .data(let bytes, let first, let last):
                let kept =
                    fromClient
                    ? clientStart.keep(bytes, first: first, last: last)
                    : serverStart.keep(bytes, first: first, last: last)
                decide(force: false, frame: frame, time: time, httpBudget: &httpBudget, sink: &sink)
                // Once decided, the decoder was given the kept bytes (this event's first `kept` among
                // them); the rest of this event follows. Undecided, the rest is a gap for it later.
                guard decided else {
                    if fromClient {
                        clientStart.skipped += bytes.count - kept
                    } else {
                        serverStart.skipped += bytes.count - kept
                    }
                    return
                }
                guard !isDone, bytes.count > kept else { return }
                decode(
                    .data(UnsafeRawBufferPointer(rebasing: bytes[kept...]), firstFrame: first, lastFrame: last),
                    fromClient: fromClient, frame: frame, time: time, httpBudget: &httpBudget, sink: &sink)
                return
            case .gap, .end:
                // A hole or the end before the service is known: decide on what was seen.
                decide(force: true, frame: frame, time: time, httpBudget: &httpBudget, sink: &sink)
                guard !isDone else { return }
            }
        }
        decode(event, fromClient: fromClient, frame: frame, time: time, httpBudget: &httpBudget, sink: &sink)
    }

    /// Asks the detectors; once they answer, starts the decoder and replays the kept bytes to it,
    /// the client's first. `force`: decide now with what there is.
    private func decide(force: Bool, frame: Int, time: Timestamp, httpBudget: inout HTTPBudget, sink: inout StreamSink)
    {
        let answer = clientStart.bytes.withUnsafeBytes { c in
            serverStart.bytes.withUnsafeBytes { s in
                StreamDetectors.detect(
                    StreamStart(
                        client: c, server: s, clientPort: clientPort, serverPort: serverPort,
                        clientFull: clientStart.isFull, serverFull: serverStart.isFull))
            }
        }
        if !answer.decided && answer.service == .none {
            guard
                force || clientStart.delivered + serverStart.delivered >= Self.maxUndecidedBytes
                    || (clientStart.isFull && serverStart.isFull)
            else { return }
        }
        decided = true
        service = answer.service
        guard service.hasStreamDecoder else {
            isDone = true
            return
        }
        switch service {
        case .http:
            http = HTTPConversation()
            decoding = true
        case .socks:
            socks = SOCKSPrelude(version: clientStart.bytes.first == 4 ? .v4 : .v5)
        case .mysql:
            mysql = MySQLConversation()
            decodingMySQL = true
        case .tls:
            tls = TLSConversation()
            decodingTLS = true
        case .smtp: starttls = STARTTLSWatch(.smtp)
        case .pop3: starttls = STARTTLSWatch(.pop3)
        case .imap: starttls = STARTTLSWatch(.imap)
        case .ftp: starttls = STARTTLSWatch(.ftp)
        case .none, .ssh, .redis, .dns: break
        }
        let c = clientStart
        let s = serverStart
        clientStart = DetectionStart()
        serverStart = DetectionStart()
        replay(c, fromClient: true, frame: frame, time: time, httpBudget: &httpBudget, sink: &sink)
        replay(s, fromClient: false, frame: frame, time: time, httpBudget: &httpBudget, sink: &sink)
    }

    /// Hands a direction's kept start to the decoder: its bytes, then a gap for those not kept.
    private func replay(
        _ start: DetectionStart, fromClient: Bool, frame: Int, time: Timestamp, httpBudget: inout HTTPBudget,
        sink: inout StreamSink
    ) {
        guard !start.bytes.isEmpty else { return }
        start.bytes.withUnsafeBytes {
            decode(
                .data($0, firstFrame: start.frames.0, lastFrame: start.frames.1), fromClient: fromClient,
                frame: frame, time: time, httpBudget: &httpBudget, sink: &sink)
        }
        if start.skipped > 0 {
            decode(
                .gap(start.skipped), fromClient: fromClient, frame: frame, time: time, httpBudget: &httpBudget,
                sink: &sink)
        }
    }

    private func decode(
        _ event: TCPStreamEvent, fromClient: Bool, frame: Int, time: Timestamp, httpBudget: inout HTTPBudget,
        sink: inout StreamSink
    ) {
        if socks != nil {
            proxy(event, fromClient: fromClient, frame: frame, time: time, httpBudget: &httpBudget, sink: &sink)
            return
        }
        if decodingMySQL {
            let stream = self.stream
            mysql!.receive(event, fromClient: fromClient, frame: frame, time: time) { e in
                Self.take(e, stream: stream, sink: &sink, streams: self)
            }
            if became != nil {
                // Compression: nothing more is read. TLS after an SSL request: its handshake is.
                let toTLS = became == "tls"
                finishDecoder(httpBudget: &httpBudget, sink: &sink)
                if toTLS {
                    tls = TLSConversation()
                    decodingTLS = true
                } else {
                    isDone = true
                }
            }
            return
        }
        if starttls != nil {
            lines(event, fromClient: fromClient, frame: frame, time: time, sink: &sink)
            return
        }
        if decodingTLS {
            let stream = self.stream
            tls!.receive(event, fromClient: fromClient, frame: frame, time: time) { e in
                Self.take(e, stream: stream, sink: &sink)
            }
            return
        }
        guard decoding else { return }
        let stream = self.stream
        // In place: the conversation is not copied per segment (`take` touches only `became`).
        http!.receive(event, fromClient: fromClient, frame: frame, time: time, budget: &httpBudget) { e in
            Self.take(e, stream: stream, sink: &sink, streams: self)
        }
        if became != nil {
            // The stream left HTTP: nothing more to parse; pending requests are reported now.
            finishDecoder(httpBudget: &httpBudget, sink: &sink)
            isDone = true
        }
    }

    /// A SOCKS handshake's bytes: read until both sides are done, then what follows is the tunnel's,
    /// kept for the detectors as a connection's first bytes are (each side's start is kept from its
    /// first tunnelled byte). A refusal, bytes that are not SOCKS or a gap in the handshake end it.
    private func proxy(
        _ event: TCPStreamEvent, fromClient: Bool, frame: Int, time: Timestamp, httpBudget: inout HTTPBudget,
        sink: inout StreamSink
    ) {
        guard case .data(let bytes, let first, let last) = event else {
            if case .gap = event { isDone = true }
            return
        }
        let used = socks!.feed(bytes, fromClient: fromClient)
        let p = socks!
        switch p.outcome {
        case .broken, .refused:
            isDone = true
            return
        case .pending, .tunnel: break
        }
        if used < bytes.count {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[used...])
            if fromClient {
                clientStart.skipped += rest.count - clientStart.keep(rest, first: first, last: last)
            } else {
                serverStart.skipped += rest.count - serverStart.keep(rest, first: first, last: last)
            }
        }
        guard p.isOver else { return }
        // The tunnel is open both ways: find what it carries.
        socks = nil
        tunnel = .socks
        service = .none
        decided = false
        decide(force: false, frame: frame, time: time, httpBudget: &httpBudget, sink: &sink)
    }

    /// A line protocol's bytes: watched until it switches to TLS, then each direction's rest is
    /// the TLS decoder's. Gaps and the end are the line protocol's (lines resynchronise at an LF).
    private func lines(_ event: TCPStreamEvent, fromClient: Bool, frame: Int, time: Timestamp, sink: inout StreamSink) {
        guard case .data(let bytes, let first, let last) = event else { return }
        let used = starttls!.feed(bytes, fromClient: fromClient, frame: frame)
        let watch = starttls!
        guard fromClient ? watch.clientSwitched : watch.serverSwitched else { return }
        if !decodingTLS {
            tls = TLSConversation()
            decodingTLS = true
            became = "tls"
            if sink.collectMessages { sink.messages.append(.left(service, to: "tls")) }
        }
        if watch.clientSwitched && watch.serverSwitched { starttls = nil }
        guard used < bytes.count else { return }
        let stream = self.stream
        tls!.receive(
            .data(UnsafeRawBufferPointer(rebasing: bytes[used...]), firstFrame: first, lastFrame: last),
            fromClient: fromClient, frame: frame, time: time
        ) { e in Self.take(e, stream: stream, sink: &sink) }
    }

    private static func take(_ e: TLSEvent, stream: Int32, sink: inout StreamSink) {
        switch e {
        case .message(let m):
            if sink.collectMessages { sink.messages.append(.tls(m)) }
        case .handshake(let h):
            if sink.collectTransactions { sink.tlsHandshakes.append((stream, h)) }
        }
    }

    private static func take(_ e: MySQLEvent, stream: Int32, sink: inout StreamSink, streams: ConnectionStreams) {
        switch e {
        case .message(let m):
            if sink.collectMessages { sink.messages.append(.mysql(m)) }
        case .command(let c):
            if sink.collectTransactions { sink.mysqlCommands.append((stream, c)) }
        case .session(let s):
            if sink.collectTransactions { sink.mysqlSessions.append((stream, s)) }
        case .left(let to, _):
            streams.became = to.name.description
            if sink.collectMessages { sink.messages.append(.left(.mysql, to: to.name.description)) }
        }
    }

    private static func take(_ e: HTTPEvent, stream: Int32, sink: inout StreamSink, streams: ConnectionStreams) {
        switch e {
        case .message(let m):
            if sink.collectMessages { sink.messages.append(.http(m)) }
        case .transaction(let t):
            if sink.collectTransactions { sink.transactions.append((stream, t)) }
        case .left(let to, _):
            streams.became = to
            if sink.collectMessages { sink.messages.append(.left(.http, to: to)) }
        }
    }
}

extension StreamMessage {
    /// The members of a frame's JSON object for the messages it completed: `http`, an object (an
    /// array when the frame completed several, as tshark's `--no-duplicate-keys`), and `stream_left`
    /// when the stream left its protocol.
    public static func appendJSON(_ messages: [StreamMessage], to o: inout OutputBuffer) {
        for member in Member.allCases {
            let count = messages.reduce(0) { $0 + ($1.member == member ? 1 : 0) }
            guard count > 0 else { continue }
            if count > 1 { o.beginArray(member.key) } else { o.key(member.key) }
            for m in messages where m.member == member { m.appendMemberJSON(to: &o) }
            if count > 1 { o.endArray() }
        }
        for m in messages {
            if case .left(let service, let to) = m {
                o.beginObject("stream_left")
                o.field("service", service.name)
                o.field("to", to)
                o.endObject()
            }
        }
    }

    /// The frame object's members for messages, in the order they are written.
    enum Member: CaseIterable {
        case tls, mysql, http

        var key: StaticString {
            switch self {
            case .tls: "tls"
            case .mysql: "mysql"
            case .http: "http"
            }
        }
    }

    /// The member this message goes under (nil: `stream_left`, written apart).
    var member: Member? {
        switch self {
        case .http: .http
        case .mysql: .mysql
        case .tls: .tls
        case .left: nil
        }
    }

    /// The message's object in its member.
    func appendMemberJSON(to o: inout OutputBuffer) {
        switch self {
        case .http(let h): h.appendJSON(to: &o)
        case .mysql(let m): m.appendFrameJSON(to: &o)
        case .tls(let t): t.appendJSON(to: &o)
        case .left: break
        }
    }
}

/// The start of one direction of a stream while the detectors have not answered: its first
/// `ConnectionStreams.detectionWindow` bytes, the frames that carried them, how many bytes it
/// delivered in all, and how many were delivered after the kept ones (a gap for the decoder).
struct DetectionStart {
    var bytes: [UInt8] = []
    var frames = (0, 0)
    var delivered = 0
    var skipped = 0

    /// The detectors have seen all they may of this direction.
    var isFull: Bool { delivered >= ConnectionStreams.detectionWindow }

    /// Counts `data` and keeps what fits in the window; returns how many of its bytes it kept.
    mutating func keep(_ data: UnsafeRawBufferPointer, first: Int, last: Int) -> Int {
        delivered += data.count
        let n = min(ConnectionStreams.detectionWindow - bytes.count, data.count)
        guard n > 0 else { return 0 }
        if bytes.isEmpty { frames.0 = first }
        frames.1 = last
        bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: data[0..<n]))
        return n
    }
}
