// HTTP/1.x on one TCP connection, as Zeek's HTTP analyzer reads it: both directions' reassembled
// byte streams (`TCPStreamEvent`s from `TCPHalfStream`) through one lenient `HTTPParser` each,
// requests matched to responses in order (RFC 9112 section 9.3: persistent connections and
// pipelining), each pair reported as an `HTTPTransaction`. Bad input never stops it: after a parse
// error or a gap it resynchronises at the next line that can start a message.

/// The limits shared by all HTTP conversations of one tracker, passed `inout` to every call (no
/// locks, no reference), like `ReassemblyBudget`. A conversation gives back what it holds at
/// `finish`, so the counters of a tracker whose conversations all finished are 0.
public struct HTTPBudget: Sendable {
    /// The most zlib streams (one per gzip/deflate body being read) live at once, all
    /// conversations together (default 256, about 10 MiB of zlib state). A body that finds none
    /// free is read as usual but its decoded length is not computed (`HTTPDecodedLength.refused`).
    public var maxInflaters: Int
    /// The most bytes of unfinished heads held, all conversations together (default 16 MiB; each
    /// head is also capped at `HTTPParser.Limits.maxHeadBytes`, 64 KiB). A conversation that takes
    /// the total past it drops the head it holds (marked, `headsDropped`) and resynchronises.
    public var maxBufferedHeadBytes: Int
    /// zlib streams live now.
    public internal(set) var inflaters = 0
    /// Bytes of unfinished heads held now.
    public internal(set) var bufferedHeadBytes = 0
    /// Bodies whose decoded length was not computed because `maxInflaters` were live.
    public internal(set) var inflatersRefused = 0
    /// Heads dropped because `maxBufferedHeadBytes` was reached.
    public internal(set) var headsDropped = 0

    public init(maxInflaters: Int = 256, maxBufferedHeadBytes: Int = 16 << 20) {
        self.maxInflaters = maxInflaters
        self.maxBufferedHeadBytes = maxBufferedHeadBytes
    }
}

/// What an `HTTPConversation` reports, as it happens.
public enum HTTPEvent {
    /// A message completed on the frame being processed (`read` shows it on that frame, as tshark
    /// does with reassembly); interim (1xx) responses and marked malformed bytes included.
    case message(HTTPMessageSummary)
    /// A transaction is done (its response complete, or the connection ended without one): one
    /// per request, plus one for each response with no request seen (`method`/`uri` nil).
    case transaction(HTTPTransaction)
    /// The stream left HTTP (101 Switching Protocols: `websocket`, `h2c`...; a 2xx to CONNECT:
    /// `tunnel`; the HTTP/2 preface: `h2`): parsing stopped for both directions.
    case left(to: String, frame: Int)
}

/// What one conversation counted.
public struct HTTPConversationCounters: Sendable, Hashable {
    /// Requests and final responses read (malformed ones included), and interim responses.
    public internal(set) var requests = 0
    public internal(set) var responses = 0
    public internal(set) var interim = 0
    /// Transactions reported.
    public internal(set) var transactions = 0
    /// Problems found (malformed messages, bytes that were not HTTP, heads cut by gaps).
    public internal(set) var malformed = 0
    /// Gaps delivered by the reassembler, and their bytes, both directions.
    public internal(set) var gaps = 0
    public internal(set) var gapBytes = 0
    /// Bytes dropped while looking for the next message after an error or a gap.
    public internal(set) var skippedBytes = 0
    /// Requests given up on at `HTTPConversation.maxPending`.
    public internal(set) var evictedAtCap = 0
    /// Bytes after the connection left HTTP (not parsed).
    public internal(set) var bytesAfterLeaving = 0
}

/// HTTP/1.x over one TCP connection: fed each direction's reassembled stream events, it reports
/// messages, transactions and a departure from HTTP (`HTTPEvent`).
///
/// - Matching: requests wait in a FIFO until their responses come (pipelining, RFC 9112 section
///   9.3.2); a response with none waiting is a transaction of its own (`noRequest`). The FIFO holds
///   at most `maxPending` requests awaiting a response: past it the oldest is reported without
///   response (`evictedAtCap`, counted), and the response that answers it, when it comes, alone.
/// - Framing: `HTTPParser`'s (Content-Length, chunked, until close; HEAD, 1xx, 204, 304 without
///   a body). A body that runs until the close ends at the server's `.end` or at `finish`.
/// - Leaving HTTP: after a 101, a 2xx to CONNECT or the HTTP/2 preface, both directions stop.
/// - HTTP/0.9: `GET /` with no version is a request of its own; a reply that does not begin with
///   `HTTP/` is read as an HTTP/0.9 body (status nil) until the close, or a line that starts a
///   status line.
/// - Errors and gaps: a gap inside a Content-Length body, a chunk's data or an until-close body is
///   stepped over (counted in the message's gap bytes; the message still completes). Anywhere else,
///   and after a parse error, the message is marked (`HTTPProblem`: what and where) and bytes are
///   dropped until a line start that begins a plausible request (a known method and a space) or
///   response (`HTTP/1.`), where parsing starts again.
/// - Memory: a head at most `HTTPParser.Limits.maxHeadBytes` (64 KiB) a direction, charged to
///   `HTTPBudget.bufferedHeadBytes`; the FIFO at `maxPending` (plus responses waiting for their
///   request's end, at most as many again); strings per message, cut at `HTTPTransaction`'s
///   limits; at most one inflater a direction. The body path allocates nothing per event.
/// Call `finish` once when the connection is over: it gives back what the budget lent.
public struct HTTPConversation {
    /// Requests awaiting a response held at most (per connection).
    public static let maxPending = 64
    /// Interim statuses kept per transaction.
    public static let maxInterim = 16

    struct Entry {
        var t: HTTPTransaction
        var requestDone: Bool
        var responseStarted = false
        var responseDone = false
    }

    /// One direction's reading state.
    struct Side {
        enum Mode {
            case parsing
            /// Dropping bytes until a line start that begins a message.
            case hunting
            /// An HTTP/0.9 reply: every byte is body, until the close (or a status line).
            case rawBody
            case stopped
        }

        var parser: HTTPParser
        var mode = Mode.parsing
        /// Stream offset of the next byte (bytes and gaps so far).
        var offset = 0
        var ended = false
        var lastFrame = 0
        var lastTime = Timestamp.missing
        // The message being read: where it began, what is known of it.
        var started = false
        var startFrame = 0
        var startTime = Timestamp.missing
        var startOffset = 0
        var summary: HTTPMessageSummary?
        /// The transaction (`HTTPTransaction.index`) the message belongs to.
        var entry: Int?
        var leaveTo: String?
        var inflater: HTTPInflater?
        var decoded: HTTPDecodedLength?
        var coding: String?
        /// Problems of the message being read; before a head, those of bytes skipped before it.
        var problems: [HTTPProblem] = []
        var extraProblems = 0
        // Resynchronising: the candidate start of a message, and whether a line starts here.
        var carry: [UInt8] = []
        var carryFrame = 0
        var carryTime = Timestamp.missing
        var carryOffset = 0
        var atLineStart = false
        /// Head bytes charged to the budget.
        var charged = 0

        init(_ kind: HTTPMessageKind) {
            parser = HTTPParser(kind)
            parser.lenient = true
        }

        var kind: HTTPMessageKind { parser.kind }
    }

    /// The packet being processed and the event's first frame; `base` is the stream offset of the
    /// bytes' first byte.
    struct Context {
        var frame: Int
        var firstFrame: Int
        var time: Timestamp
        var base: Int
    }

    /// Both directions, boxed, so one side is worked on in place (`&sides.client`) while the
    /// conversation's own state changes: no copy of a side per segment. A conversation is therefore
    /// not to be copied while it is used (`ConnectionStreams` holds it in place).
    final class Sides {
        var client = Side(.request)
        var server = Side(.response)
    }
    private let sides = Sides()
    private var pending: [Entry] = []
    /// Requests reported at the cap whose responses have not come yet.
    private var droppedAwaiting = 0
    private var nextIndex = 0
    private var finished = false
    /// What the connection became, once it left HTTP.
    public private(set) var leftTo: String?
    public private(set) var counters = HTTPConversationCounters()

    public init() {}

    /// Whether the connection left HTTP (101, CONNECT, HTTP/2 preface).
    public var hasLeftHTTP: Bool { leftTo != nil }

    /// One reassembled-stream event of one direction. `frame`/`time` are the packet being
    /// processed (the one whose arrival delivered the event). Never throws; bad bytes are marked.
    public mutating func receive(
        _ event: TCPStreamEvent, fromClient: Bool, frame: Int, time: Timestamp, budget: inout HTTPBudget,
        _ emit: (HTTPEvent) -> Void
    ) {
        guard !finished else { return }
        if fromClient {
            receive(event, side: &sides.client, frame: frame, time: time, budget: &budget, emit)
        } else {
            receive(event, side: &sides.server, frame: frame, time: time, budget: &budget, emit)
        }
    }

    private mutating func receive(
        _ event: TCPStreamEvent, side: inout Side, frame: Int, time: Timestamp, budget: inout HTTPBudget,
        _ emit: (HTTPEvent) -> Void
    ) {
        side.lastFrame = frame
        side.lastTime = time
        switch event {
        case .data(let bytes, let firstFrame, _):
            let ctx = Context(frame: frame, firstFrame: firstFrame, time: time, base: side.offset)
            if side.mode == .stopped {
                counters.bytesAfterLeaving += bytes.count
            } else {
                feed(&side, bytes, ctx, &budget, emit)
            }
            side.offset += bytes.count
            charge(&side, ctx, &budget, emit)
        case .gap(let n):
            let ctx = Context(frame: frame, firstFrame: frame, time: time, base: side.offset)
            gap(&side, max(0, n), ctx, &budget, emit)
            charge(&side, ctx, &budget, emit)
        case .end:
            let ctx = Context(frame: frame, firstFrame: frame, time: time, base: side.offset)
            end(&side, ctx, &budget, emit)
        }
    }

    /// The connection is over (both directions ended, evicted, or the capture ended): a body
    /// running until the close ends, pending requests become transactions without response, and
    /// buffers and inflaters are given back to `budget`. Later calls do nothing.
    public mutating func finish(budget: inout HTTPBudget, _ emit: (HTTPEvent) -> Void) {
        guard !finished else { return }
        finish(side: &sides.server, budget: &budget, emit)
        finish(side: &sides.client, budget: &budget, emit)
        while !pending.isEmpty { emitFront(emit) }
        finished = true
    }

    private mutating func finish(side: inout Side, budget: inout HTTPBudget, _ emit: (HTTPEvent) -> Void) {
        let ctx = Context(frame: side.lastFrame, firstFrame: side.lastFrame, time: side.lastTime, base: side.offset)
        end(&side, ctx, &budget, emit)
        release(&side, &budget)
    }

    // MARK: bytes

    private mutating func feed(
        _ side: inout Side, _ bytes: UnsafeRawBufferPointer, _ ctx: Context, _ budget: inout HTTPBudget,
        _ emit: (HTTPEvent) -> Void
    ) {
        var off = 0
        while off < bytes.count {
            switch side.mode {
            case .stopped:
                counters.bytesAfterLeaving += bytes.count - off
                return
            case .parsing:
                runParser(&side, bytes, &off, ctx, &budget, emit)
            case .hunting, .rawBody:
                hunt(&side, bytes, &off, ctx, &budget, emit)
            }
        }
    }

    /// Runs the parser over `bytes` from `off` until it needs more, or stops parsing (an error,
    /// the connection leaving HTTP).
    private mutating func runParser(
        _ side: inout Side, _ bytes: UnsafeRawBufferPointer, _ off: inout Int, _ ctx: Context,
        _ budget: inout HTTPBudget, _ emit: (HTTPEvent) -> Void
    ) {
        while side.mode == .parsing {
            if side.kind == .response && side.parser.isIdle { side.parser.requestMethod = nextResponseMethod() }
            let before = off
            let event: HTTPParser.Event?
            do {
                event = try side.parser.next(bytes, at: &off)
            } catch {
                if !side.started && side.parser.bufferedHeadBytes > 0 { markStart(&side, bytes, before, ctx) }
                failed(&side, error, lastByte: off > 0 ? bytes.u8(off - 1) : 0x0A, ctx, &budget, emit)
                return
            }
            if !side.started {
                if case .head? = event {
                    markStart(&side, bytes, before, ctx)
                } else if !side.parser.isIdle {
                    markStart(&side, bytes, before, ctx)
                }
            }
            guard let event else { return }
            switch event {
            case .head(let head):
                onHead(&side, head, ctx, &budget, emit)
            case .body(let range):
                side.summary?.bodyLength += range.count
                if let inflater = side.inflater { inflater.feed(UnsafeRawBufferPointer(rebasing: bytes[range])) }
            case .end:
                onEnd(&side, ctx, &budget, emit)
            }
        }
    }

    private func markStart(_ side: inout Side, _ bytes: UnsafeRawBufferPointer, _ from: Int, _ ctx: Context) {
        var s = from
        if side.kind == .request {
            while s < bytes.count && (bytes.u8(s) == 0x0D || bytes.u8(s) == 0x0A) { s += 1 }
        }
        side.started = true
        side.startFrame = ctx.firstFrame
        side.startTime = ctx.time
        side.startOffset = ctx.base + s
    }

    /// The method of the request the next response answers (framing depends on HEAD and CONNECT).
    private func nextResponseMethod() -> String {
        if droppedAwaiting == 0,
            let e = pending.first(where: { !$0.responseStarted && !$0.t.flags.contains(.noRequest) })
        {
            return e.t.method ?? "GET"
        }
        return "GET"
    }

    // MARK: heads and ends

    private mutating func onHead(
        _ side: inout Side, _ head: HTTPHead, _ ctx: Context, _ budget: inout HTTPBudget, _ emit: (HTTPEvent) -> Void,
        parsed: Bool = true
    ) {
        switch head {
        case .request(let r):
            var s = HTTPMessageSummary(kind: .request, firstFrame: side.startFrame, lastFrame: ctx.frame)
            s.method = r.method
            s.uri = HTTPTransaction.cut(r.target, HTTPTransaction.maxURIBytes)
            s.host = HTTPTransaction.cut(r.header("Host"), HTTPTransaction.maxFieldBytes)
            s.userAgent = HTTPTransaction.cut(r.header("User-Agent"), HTTPTransaction.maxFieldBytes)
            s.contentType = HTTPTransaction.cut(r.header("Content-Type"), HTTPTransaction.maxFieldBytes)
            s.version = r.version
            s.http09 = r.version == "HTTP/0.9"
            if parsed { addHeadProblems(&side, ctx) }
            s.malformed = side.problems.first(where: \.isInMessage)?.text
            var t = newTransaction()
            t.method = s.method
            t.uri = s.uri
            t.host = s.host
            t.userAgent = s.userAgent
            t.version = r.version
            t.requestContentType = s.contentType
            t.requestFirstFrame = side.startFrame
            if s.http09 { t.flags.insert(.http09) }
            takeProblems(&side, into: &t)
            side.summary = s
            side.entry = t.index
            setUpInflater(&side, r.headers, &budget)
            if r.method == "PRI" && r.target == "*" && r.version == "HTTP/2.0" { side.leaveTo = "h2" }
            enqueue(Entry(t: t, requestDone: false), emit)
        case .response(let r):
            var s = HTTPMessageSummary(kind: .response, firstFrame: side.startFrame, lastFrame: ctx.frame)
            s.status = r.status
            s.reason = HTTPTransaction.cut(r.reason, HTTPTransaction.maxFieldBytes)
            s.contentType = HTTPTransaction.cut(r.header("Content-Type"), HTTPTransaction.maxFieldBytes)
            s.version = r.version
            if parsed { addHeadProblems(&side, ctx) }
            s.malformed = side.problems.first(where: \.isInMessage)?.text
            if r.isInterim {
                counters.interim += 1
                s.isInterim = true
                if let i = responseTarget(create: droppedAwaiting == 0) {
                    if pending[i].t.interim.count < Self.maxInterim { pending[i].t.interim.append(r.status) }
                    takeProblems(&side, into: &pending[i].t)
                }
                side.problems.removeAll(keepingCapacity: true)
                side.started = false
                emit(.message(s))
                return
            }
            let i = answerSlot()
            pending[i].responseStarted = true
            pending[i].t.status = r.status
            pending[i].t.reason = s.reason
            pending[i].t.responseVersion = r.version
            pending[i].t.contentType = s.contentType
            pending[i].t.responseFirstFrame = side.startFrame
            pending[i].t.responseStart = side.startTime
            takeProblems(&side, into: &pending[i].t)
            side.summary = s
            side.entry = pending[i].t.index
            setUpInflater(&side, r.headers, &budget)
            if r.status == 101 {
                let up = r.header("Upgrade") ?? ""
                let name = HTTPBytes.trimmed(String(up.split(separator: ",").first ?? "")).lowercased()
                side.leaveTo = name.isEmpty ? "unknown" : String(name.prefix(64))
                pending[i].t.flags.insert(.upgraded)
            } else if side.parser.requestMethod == "CONNECT" && (200..<300).contains(r.status) {
                side.leaveTo = "tunnel"
                pending[i].t.flags.insert(.connect)
            }
        }
    }

    /// The message being read is complete on this frame.
    private mutating func onEnd(
        _ side: inout Side, _ ctx: Context, _ budget: inout HTTPBudget, _ emit: (HTTPEvent) -> Void,
        incomplete: Bool = false
    ) {
        defer {
            side.summary = nil
            side.entry = nil
            side.started = false
            side.problems.removeAll(keepingCapacity: true)
        }
        guard var s = side.summary else { return }
        s.lastFrame = ctx.frame
        let decoded = endInflater(&side, &budget)
        s.decodedBodyLength = decoded
        if s.malformed == nil { s.malformed = side.problems.first(where: \.isInMessage)?.text }
        let i = side.entry.flatMap(slot)
        if let i { takeProblems(&side, into: &pending[i].t) }
        if s.kind == .request {
            counters.requests += 1
            if let i {
                pending[i].requestDone = true
                pending[i].t.requestFrame = ctx.frame
                pending[i].t.requestEnd = ctx.time
                pending[i].t.requestBodyLength = s.bodyLength
                pending[i].t.requestGapBytes = s.gapBytes
                pending[i].t.requestDecodedLength = decoded
                pending[i].t.requestCoding = side.coding
                if incomplete { pending[i].t.flags.insert(.requestIncomplete) }
            }
        } else {
            counters.responses += 1
            if let i {
                pending[i].responseDone = true
                pending[i].t.responseFrame = ctx.frame
                pending[i].t.responseBodyLength = s.bodyLength
                pending[i].t.responseGapBytes = s.gapBytes
                pending[i].t.responseDecodedLength = decoded
                pending[i].t.responseCoding = side.coding
                if s.http09 { pending[i].t.flags.insert(.http09) }
                if incomplete { pending[i].t.flags.insert(.responseIncomplete) }
            }
        }
        if !incomplete { emit(.message(s)) }
        let leave = side.leaveTo
        side.leaveTo = nil
        if let leave, !incomplete, let i {
            pending[i].t.leftTo = leave
            leaveHTTP(leave, &side, ctx, &budget, emit)
            return
        }
        emitReady(emit)
    }

    /// Both directions stop; every transaction still pending is reported, then `.left`.
    private mutating func leaveHTTP(
        _ to: String, _ side: inout Side, _ ctx: Context, _ budget: inout HTTPBudget, _ emit: (HTTPEvent) -> Void
    ) {
        leftTo = to
        side.mode = .stopped
        side.parser.reset()
        side.carry.removeAll()
        if side.kind == .request {
            stop(&sides.server, &budget)
        } else {
            stop(&sides.client, &budget)
        }
        for i in pending.indices where pending[i].t.leftTo == nil && !pending[i].responseDone {
            pending[i].t.leftTo = to
        }
        while !pending.isEmpty { emitFront(emit) }
        emit(.left(to: to, frame: ctx.frame))
    }

    /// The other direction, when the connection leaves HTTP: nothing more is read.
    private func stop(_ side: inout Side, _ budget: inout HTTPBudget) {
        side.mode = .stopped
        side.parser.reset()
        side.carry.removeAll()
        release(&side, &budget)
        side.summary = nil
        side.entry = nil
    }

    /// Gives back the budget's share: the head bytes charged and a live inflater.
    private func release(_ side: inout Side, _ budget: inout HTTPBudget) {
        budget.bufferedHeadBytes -= side.charged
        side.charged = 0
        if side.inflater != nil {
            side.inflater = nil
            budget.inflaters -= 1
        }
    }

    // MARK: errors, gaps, ends of stream

    /// The parser threw: mark what and where, keep what is known of the message, resynchronise.
    private mutating func failed(
        _ side: inout Side, _ error: HTTPParseError, lastByte: UInt8, _ ctx: Context, _ budget: inout HTTPBudget,
        _ emit: (HTTPEvent) -> Void
    ) {
        counters.malformed += 1
        let atLineStart = lastByte == 0x0A
        let offset = side.started ? side.startOffset : ctx.base
        if case .notHTTP(.response, _) = error, side.summary == nil,
            droppedAwaiting > 0 || pending.contains(where: { !$0.responseStarted && !$0.t.flags.contains(.noRequest) })
        {
            // A reply that is not a status line: HTTP/0.9's (RFC 1945 section 6), read to the close.
            let head = side.parser.bufferedHeadBytes
            let i = answerSlot()
            let wanted09 = pending[i].t.version == "HTTP/0.9"
            if !wanted09 {
                side.problems.append(
                    HTTPProblem(place: .response, frame: ctx.frame, offset: offset, text: error.description))
            }
            pending[i].responseStarted = true
            pending[i].t.flags.insert(.http09)
            pending[i].t.responseFirstFrame = side.started ? side.startFrame : ctx.firstFrame
            pending[i].t.responseStart = side.started ? side.startTime : ctx.time
            var s = HTTPMessageSummary(
                kind: .response, firstFrame: pending[i].t.responseFirstFrame ?? ctx.firstFrame, lastFrame: ctx.frame)
            s.http09 = true
            s.bodyLength = head
            side.summary = s
            side.entry = pending[i].t.index
            side.started = true
            side.parser.reset()
            side.mode = .rawBody
            side.atLineStart = atLineStart
            return
        }
        let place: HTTPProblem.Place = side.kind == .request ? .request : .response
        let line: Int? = {
            if case .badHeader = error { return nil }
            return side.summary == nil ? 1 : nil
        }()
        if side.summary != nil {
            // In a body (a bad chunk): the message ends here, marked.
            side.problems.append(HTTPProblem(place: place, frame: ctx.frame, offset: ctx.base, text: error.description))
            if side.summary?.malformed == nil { side.summary?.malformed = error.description }
            onEnd(&side, ctx, &budget, emit)
        } else if let head = side.parser.unframedHead {
            // A whole head whose body cannot be framed.
            side.problems.append(HTTPProblem(place: place, frame: ctx.frame, offset: offset, text: error.description))
            synthesize(&side, head: head, ctx, &budget, emit, incomplete: false)
        } else if let line = side.parser.bufferedStartLine(), isHeadTooLarge(error) {
            side.problems.append(
                HTTPProblem(place: place, frame: ctx.frame, offset: offset, line: 1, text: error.description))
            synthesize(&side, head: Self.head(line), ctx, &budget, emit, incomplete: true)
        } else if side.kind == .response, isStatusLineError(error), side.parser.bufferedHeadBytes > 0 || side.started {
            // It began with HTTP/: a reply whose status line is unreadable still answers.
            side.problems.append(
                HTTPProblem(place: .response, frame: ctx.frame, offset: offset, line: line, text: error.description))
            synthesize(&side, head: nil, ctx, &budget, emit, incomplete: false)
        } else {
            // Not a message at all: noted for the next message of this direction, shown on this frame.
            let before: HTTPProblem.Place = side.kind == .request ? .beforeRequest : .beforeResponse
            addProblem(
                &side, HTTPProblem(place: before, frame: ctx.frame, offset: offset, line: line, text: error.description)
            )
            var s = HTTPMessageSummary(
                kind: side.kind, firstFrame: side.started ? side.startFrame : ctx.firstFrame, lastFrame: ctx.frame)
            s.malformed = error.description
            side.started = false
            emit(.message(s))
        }
        side.parser.reset()
        side.mode = .hunting
        side.atLineStart = atLineStart
        side.carry.removeAll(keepingCapacity: true)
    }

    private func isHeadTooLarge(_ e: HTTPParseError) -> Bool {
        if case .headTooLarge = e { return true }
        return false
    }

    private func isStatusLineError(_ e: HTTPParseError) -> Bool {
        switch e {
        case .badStatusLine, .tooManyInterim, .badHeader, .headTooLarge: true
        default: false
        }
    }

    /// A head made from a start line alone (a head cut before its end).
    private static func head(_ line: HTTPStartLine) -> HTTPHead {
        switch line {
        case .request(let method, let target, let version):
            .request(HTTPRequestHead(method: method, target: target, version: version))
        case .response(let version, let status, let reason):
            .response(HTTPResponseHead(version: version, status: status, reason: reason))
        }
    }

    /// A message known only in part (its head cut, or unframeable): reported as far as known and
    /// ended here, so that requests and responses stay matched.
    private mutating func synthesize(
        _ side: inout Side, head: HTTPHead?, _ ctx: Context, _ budget: inout HTTPBudget, _ emit: (HTTPEvent) -> Void,
        incomplete: Bool
    ) {
        if !side.started {
            side.started = true
            side.startFrame = ctx.firstFrame
            side.startTime = ctx.time
            side.startOffset = ctx.base
        }
        let problems = side.problems
        side.problems.removeAll(keepingCapacity: true)
        if let head {
            let leaveTo = side.leaveTo
            onHead(&side, head, ctx, &budget, emit, parsed: !incomplete)
            side.leaveTo = leaveTo
            endInflater(&side, &budget)
            side.coding = nil
        } else {
            // A reply with no readable status line.
            let i = answerSlot()
            pending[i].responseStarted = true
            pending[i].t.responseFirstFrame = side.startFrame
            pending[i].t.responseStart = side.startTime
            side.summary = HTTPMessageSummary(kind: .response, firstFrame: side.startFrame, lastFrame: ctx.frame)
            side.entry = pending[i].t.index
        }
        if side.summary == nil { return }  // an interim head: nothing more to end
        side.problems = problems + side.problems
        side.summary?.malformed = side.problems.first(where: \.isInMessage)?.text
        onEnd(&side, ctx, &budget, emit, incomplete: incomplete)
    }

    private mutating func gap(
        _ side: inout Side, _ n: Int, _ ctx: Context, _ budget: inout HTTPBudget, _ emit: (HTTPEvent) -> Void
    ) {
        guard n > 0 else { return }
        counters.gaps += 1
        counters.gapBytes += n
        defer { side.offset += n }
        switch side.mode {
        case .stopped:
            return
        case .hunting:
            counters.skippedBytes += side.carry.count
            side.carry.removeAll(keepingCapacity: true)
            side.atLineStart = true
        case .rawBody:
            side.summary?.bodyLength += side.carry.count + n
            side.summary?.gapBytes += n
            side.carry.removeAll(keepingCapacity: true)
            side.atLineStart = true
        case .parsing:
            if side.summary == nil && side.parser.isIdle {
                // Between messages: whatever was lost, the next message is looked for after it.
                side.mode = .hunting
                side.atLineStart = true
                return
            }
            if side.summary != nil {
                let used = side.parser.skipBody(n)
                side.summary?.bodyLength += used
                side.summary?.gapBytes += used
                if used > 0, let inflater = side.inflater {
                    // The coded data has a hole: what was inflated so far is all there is.
                    side.decoded = .incomplete(inflater.output)
                    side.inflater = nil
                    budget.inflaters -= 1
                }
                var none = 0
                runParser(&side, UnsafeRawBufferPointer(start: nil, count: 0), &none, ctx, &budget, emit)
                if used == n || side.mode != .parsing { return }
                if side.summary != nil {
                    // The gap runs past a chunk's data: the chunk framing is lost.
                    counters.malformed += 1
                    let text = "a gap of \(n) bytes in the chunked body: its framing is lost"
                    let place: HTTPProblem.Place = side.kind == .request ? .request : .response
                    side.problems.append(HTTPProblem(place: place, frame: ctx.frame, offset: ctx.base, text: text))
                    if side.summary?.malformed == nil { side.summary?.malformed = text }
                    side.summary?.gapBytes += n - used
                    onEnd(&side, ctx, &budget, emit, incomplete: true)
                }
            } else {
                // Inside a head: the head is lost; what its start line said is kept.
                counters.malformed += 1
                let text = "a gap of \(n) bytes inside the \(side.kind.rawValue) head: the head is lost"
                let place: HTTPProblem.Place = side.kind == .request ? .request : .response
                let offset = side.started ? side.startOffset : ctx.base
                if let line = side.parser.bufferedStartLine() {
                    side.problems.append(HTTPProblem(place: place, frame: ctx.frame, offset: offset, text: text))
                    synthesize(&side, head: Self.head(line), ctx, &budget, emit, incomplete: true)
                } else if side.kind == .response, side.parser.bufferedHeadBytes > 0 {
                    side.problems.append(HTTPProblem(place: place, frame: ctx.frame, offset: offset, text: text))
                    synthesize(&side, head: nil, ctx, &budget, emit, incomplete: true)
                } else {
                    let before: HTTPProblem.Place = side.kind == .request ? .beforeRequest : .beforeResponse
                    addProblem(&side, HTTPProblem(place: before, frame: ctx.frame, offset: offset, text: text))
                }
                side.started = false
            }
            side.parser.reset()
            side.mode = .hunting
            side.atLineStart = true
            side.carry.removeAll(keepingCapacity: true)
        }
    }

    /// The direction's stream ended (its FIN, or the end of the capture).
    private mutating func end(
        _ side: inout Side, _ ctx: Context, _ budget: inout HTTPBudget, _ emit: (HTTPEvent) -> Void
    ) {
        guard !side.ended else { return }
        side.ended = true
        switch side.mode {
        case .stopped:
            break
        case .rawBody:
            side.summary?.bodyLength += side.carry.count
            onEnd(&side, ctx, &budget, emit)
        case .hunting:
            counters.skippedBytes += side.carry.count
        case .parsing:
            if case .end? = side.parser.finish() {
                onEnd(&side, ctx, &budget, emit)
            } else if side.summary != nil {
                onEnd(&side, ctx, &budget, emit, incomplete: true)
            } else if side.parser.isInMessage, let line = side.parser.bufferedStartLine() {
                synthesize(&side, head: Self.head(line), ctx, &budget, emit, incomplete: true)
            }
        }
        side.carry.removeAll()
        side.parser.reset()
        if side.mode != .stopped { side.mode = .stopped }
        release(&side, &budget)
        if side.kind == .response {
            // Nothing more will answer: requests still waiting have no response.
            for i in pending.indices where !pending[i].responseStarted {
                pending[i].responseStarted = true
                pending[i].responseDone = true
                if !pending[i].t.flags.contains(.noRequest) { pending[i].t.flags.insert(.noResponse) }
            }
        }
        emitReady(emit)
    }

    /// Charges the head bytes held to the budget; past its total, the head is dropped.
    private mutating func charge(
        _ side: inout Side, _ ctx: Context, _ budget: inout HTTPBudget, _ emit: (HTTPEvent) -> Void
    ) {
        let now = side.parser.bufferedHeadBytes + side.carry.count
        budget.bufferedHeadBytes += now - side.charged
        side.charged = now
        guard now > 0, budget.bufferedHeadBytes > budget.maxBufferedHeadBytes, side.mode != .stopped else { return }
        budget.headsDropped += 1
        counters.malformed += 1
        let text =
            "the \(side.kind.rawValue) head was dropped: the heads held by all connections reached \(budget.maxBufferedHeadBytes) bytes"
        let place: HTTPProblem.Place = side.kind == .request ? .request : .response
        let offset = side.started ? side.startOffset : ctx.base
        if side.mode == .parsing, let line = side.parser.bufferedStartLine() {
            side.problems.append(HTTPProblem(place: place, frame: ctx.frame, offset: offset, text: text))
            synthesize(&side, head: Self.head(line), ctx, &budget, emit, incomplete: true)
        } else {
            addProblem(
                &side,
                HTTPProblem(
                    place: place == .request ? .beforeRequest : .beforeResponse, frame: ctx.frame, offset: offset,
                    text: text))
        }
        side.parser.reset()
        side.carry.removeAll(keepingCapacity: true)
        if side.mode == .parsing { side.mode = .hunting }
        side.atLineStart = false
        side.started = false
        budget.bufferedHeadBytes -= side.charged
        side.charged = 0
    }

    // MARK: resynchronising

    /// Drops bytes (hunting) or counts them as an HTTP/0.9 body (rawBody) until a line start that
    /// begins a plausible message, where parsing starts again with the bytes that matched.
    private mutating func hunt(
        _ side: inout Side, _ bytes: UnsafeRawBufferPointer, _ off: inout Int, _ ctx: Context,
        _ budget: inout HTTPBudget, _ emit: (HTTPEvent) -> Void
    ) {
        let raw = side.mode == .rawBody
        var dropped = 0
        defer {
            if raw { side.summary?.bodyLength += dropped } else { counters.skippedBytes += dropped }
        }
        while off < bytes.count {
            let b = bytes.u8(off)
            if side.carry.isEmpty {
                guard side.atLineStart else {
                    off += 1
                    dropped += 1
                    if b == 0x0A { side.atLineStart = true }
                    continue
                }
                side.carryFrame = ctx.firstFrame
                side.carryTime = ctx.time
                side.carryOffset = ctx.base + off
            }
            side.carry.append(b)
            off += 1
            switch Self.matchStart(side.carry, response: side.kind == .response) {
            case .partial:
                continue
            case .none:
                dropped += side.carry.count
                side.carry.removeAll(keepingCapacity: true)
                side.atLineStart = b == 0x0A
            case .full:
                if raw {
                    side.summary?.bodyLength += dropped
                    dropped = 0
                    onEnd(&side, ctx, &budget, emit)
                } else {
                    counters.skippedBytes += dropped
                    dropped = 0
                }
                side.mode = .parsing
                side.parser.reset()
                var carry: [UInt8] = []
                swap(&carry, &side.carry)
                let cctx = Context(
                    frame: ctx.frame, firstFrame: side.carryFrame, time: side.carryTime, base: side.carryOffset)
                carry.withUnsafeBytes { p in
                    var o = 0
                    runParser(&side, p, &o, cctx, &budget, emit)
                }
                carry.removeAll(keepingCapacity: true)
                swap(&carry, &side.carry)
                return
            }
        }
    }

    enum StartMatch { case none, partial, full }

    /// Whether `c` begins a request line (a known method and a space) or a status line (`HTTP/1.`),
    /// could still (partial), or cannot.
    static func matchStart(_ c: [UInt8], response: Bool) -> StartMatch {
        func against(_ pattern: StaticString, space: Bool) -> StartMatch {
            pattern.withUTF8Buffer { m in
                let n = m.count + (space ? 1 : 0)
                for i in 0..<min(c.count, n) {
                    let want = i < m.count ? m[i] : 0x20
                    // A status line's name in any case (`http/1.1`, as the lenient parser reads it).
                    guard c[i] == want || (response && i < 4 && c[i] | 0x20 == want | 0x20) else { return .none }
                }
                return c.count >= n ? .full : .partial
            }
        }
        if response { return against("HTTP/1.", space: false) }
        var best = StartMatch.none
        for m in HTTPMessage.knownMethods {
            switch against(m, space: true) {
            case .full: return .full
            case .partial: best = .partial
            case .none: break
            }
        }
        return best
    }

    // MARK: the FIFO

    private mutating func newTransaction() -> HTTPTransaction {
        defer { nextIndex += 1 }
        return HTTPTransaction(index: nextIndex)
    }

    private func slot(_ index: Int) -> Int? {
        pending.lastIndex { $0.t.index == index }
    }

    /// Adds a request; past the cap the oldest awaiting its response is reported without one.
    private mutating func enqueue(_ e: Entry, _ emit: (HTTPEvent) -> Void) {
        let awaiting = pending.reduce(0) { $0 + ($1.responseStarted || $1.t.flags.contains(.noRequest) ? 0 : 1) }
        if awaiting >= Self.maxPending,
            let i = pending.firstIndex(where: { !$0.responseStarted && !$0.t.flags.contains(.noRequest) })
        {
            var old = pending.remove(at: i)
            old.t.flags.formUnion([.evictedAtCap, .noResponse])
            counters.evictedAtCap += 1
            droppedAwaiting += 1
            report(old.t, emit)
        }
        pending.append(e)
        while pending.count > 2 * Self.maxPending { emitFront(emit) }
    }

    /// The entry a final response answers: the oldest awaiting one, or a new one of its own.
    private mutating func answerSlot() -> Int {
        if droppedAwaiting > 0 {
            droppedAwaiting -= 1
        } else if let i = pending.firstIndex(where: { !$0.responseStarted && !$0.t.flags.contains(.noRequest) }) {
            return i
        }
        var t = newTransaction()
        t.flags.insert(.noRequest)
        pending.append(Entry(t: t, requestDone: true))
        return pending.count - 1
    }

    /// The entry an interim response belongs to (created as one of its own when none waits).
    private mutating func responseTarget(create: Bool) -> Int? {
        if let i = pending.firstIndex(where: { !$0.responseStarted }) { return i }
        guard create else { return nil }
        var t = newTransaction()
        t.flags.insert(.noRequest)
        pending.append(Entry(t: t, requestDone: true))
        return pending.count - 1
    }

    private mutating func emitReady(_ emit: (HTTPEvent) -> Void) {
        while let first = pending.first, first.requestDone && first.responseDone { emitFront(emit) }
    }

    /// Reports the oldest entry as it stands.
    private mutating func emitFront(_ emit: (HTTPEvent) -> Void) {
        var e = pending.removeFirst()
        if !e.requestDone && !e.t.flags.contains(.noRequest) { e.t.flags.insert(.requestIncomplete) }
        if !e.responseStarted && !e.t.flags.contains(.noRequest) {
            e.t.flags.insert(.noResponse)
        } else if e.responseStarted && !e.responseDone {
            e.t.flags.insert(.responseIncomplete)
        }
        report(e.t, emit)
    }

    private mutating func report(_ t: HTTPTransaction, _ emit: (HTTPEvent) -> Void) {
        var t = t
        if let a = t.requestEnd, let b = t.responseStart, !a.isMissing, !b.isMissing {
            t.latency = b.totalNanoseconds - a.totalNanoseconds
        }
        counters.transactions += 1
        emit(.transaction(t))
    }

    // MARK: problems and inflaters

    private func addHeadProblems(_ side: inout Side, _ ctx: Context) {
        let place: HTTPProblem.Place = side.kind == .request ? .request : .response
        for p in side.parser.headProblems {
            addProblem(
                &side,
                HTTPProblem(
                    place: place, frame: ctx.frame, offset: side.startOffset + p.offset, line: p.line, text: p.text))
        }
    }

    private func addProblem(_ side: inout Side, _ p: HTTPProblem) {
        if side.problems.count < HTTPTransaction.maxProblems {
            side.problems.append(p)
        } else {
            side.extraProblems += 1
        }
    }

    /// Moves the problems gathered so far into the transaction.
    private func takeProblems(_ side: inout Side, into t: inout HTTPTransaction) {
        for p in side.problems { t.add(p) }
        t.moreProblems += side.extraProblems
        side.extraProblems = 0
        side.problems.removeAll(keepingCapacity: true)
    }

    private func setUpInflater(_ side: inout Side, _ headers: [HTTPHeaders.Field], _ budget: inout HTTPBudget) {
        side.decoded = nil
        side.coding = nil
        guard side.parser.framing != HTTPFraming.none,
            let value = headers.first(where: { HTTPHeaders.sameName($0.name, "Content-Encoding") })?.value,
            let format = HTTPInflater.Format(contentEncoding: value)
        else { return }
        side.coding = HTTPBytes.trimmed(value).lowercased()
        guard budget.inflaters < budget.maxInflaters else {
            budget.inflatersRefused += 1
            side.decoded = .refused
            return
        }
        side.inflater = HTTPInflater(format)
        budget.inflaters += 1
    }

    /// The body's decoded length, and the inflater given back.
    @discardableResult
    private func endInflater(_ side: inout Side, _ budget: inout HTTPBudget) -> HTTPDecodedLength? {
        defer { side.decoded = nil }
        guard let inflater = side.inflater else { return side.decoded }
        side.inflater = nil
        budget.inflaters -= 1
        switch inflater.state {
        case .complete: return .bytes(inflater.output)
        case .tooLarge: return .moreThan(inflater.limit)
        case .corrupt(let why): return .corrupt(inflater.output, why)
        case .running: return .incomplete(inflater.output)
        }
    }
}
