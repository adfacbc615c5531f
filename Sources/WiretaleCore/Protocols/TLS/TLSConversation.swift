// The TLS record layer (RFC 8446 section 5, RFC 5246 section 6.2) and handshake (section 4 / 7.4)
// on one TCP connection, fed both directions' reassembled streams (`TCPStreamEvent`s) the way
// `HTTPConversation` is. Records may span segments, handshake messages may span records and
// several may share one; only handshake bytes before encryption are buffered.

/// TLS over one TCP connection: fed each direction's reassembled stream events, it reports
/// messages and handshakes (`TLSEvent`).
///
/// - Detection: the client's first five bytes must be a record header (type 20–23, version
///   3.0–3.4, length at most `maxRecordLength`) or an SSLv2-compatible ClientHello (RFC 5246
///   appendix E.2, recognised and read: versions and ciphers); anything else is "not TLS", marked
///   once, and both directions stop.
/// - Encryption: TLS ≤ 1.2, every record after a direction's ChangeCipherSpec; TLS 1.3 (a
///   ServerHello choosing 1.3, or a HelloRetryRequest), every application-data (23) record, its
///   ChangeCipherSpec being only the compatibility one (RFC 8446 appendix D.4). The first
///   encrypted record of each direction is reported once (`encryptedStart`); application-data
///   records and bytes are counted (in TLS 1.3 by the outer type 23, so they include the
///   encrypted handshake: EncryptedExtensions, Certificate, Finished).
/// - Truncation: a stream that ends inside a record header or a record that is not application
///   data is reported (a problem), never read as complete.
/// - Gaps: inside an application-data or encrypted record, stepped over (the boundary is known);
///   inside a handshake record, the message being read is lost (marked) and the rest of that
///   record dropped; anywhere else the record boundary is lost: bytes are dropped (counted) until
///   a plausible header (type 21–23, the direction's record version, a valid length), at most
///   `maxHuntBytes`, after which the direction stops.
/// - Bytes that are not a record header where one must be: marked, and the direction stops.
/// - Memory: per direction a 5-byte header and one handshake message, at most
///   `maxHandshakeMessageBytes` (64 KiB); a larger message is skipped and marked. Models are capped
///   by their parsers (lists, strings, 16 certificates a chain, `maxProblems` problems).
/// Call `finish` once when the connection is over: it reports the last handshake. The two
/// directions' state is boxed (worked on in place, no copy per segment), so a conversation is not
/// to be copied while it is used (hold it in place, as `ConnectionStreams` holds `HTTPConversation`).
public struct TLSConversation {
    /// The largest handshake message buffered (per direction); larger ones are skipped, marked.
    public static let maxHandshakeMessageBytes = 64 << 10
    /// The largest record length accepted (RFC 5246 section 6.2.3: 2^14 + 2048).
    public static let maxRecordLength = 16384 + 2048
    /// How far past a gap a record header is looked for before the direction stops.
    public static let maxHuntBytes = 256 << 10
    /// Certificates kept per chain, problems kept per handshake.
    public static let maxCertificates = 16
    public static let maxProblems = 8

    final class Side {
        enum Mode {
            /// The first bytes: a record header or an SSLv2 hello.
            case start
            case header
            case body
            /// An SSLv2 hello's body.
            case sslv2
            /// Looking for a record header after a gap.
            case hunting
            case stopped
        }

        let fromClient: Bool
        var mode = Mode.start
        var offset = 0
        var head: [UInt8] = []
        var recordType: UInt8 = 0
        var recordVersion: UInt16 = 0
        var recordLength = 0
        var remaining = 0
        var recordEncrypted = false
        var recordFirstFrame = 0
        /// Records after this direction's ChangeCipherSpec are encrypted (TLS ≤ 1.2).
        var afterCCS = false
        var announced = false
        /// The handshake message being reassembled (header and body), or bytes to skip.
        var message: [UInt8] = []
        var messageFirstFrame = 0
        var skip = 0
        /// The rest of the current handshake record is dropped (a gap cut a message).
        var dropRecord = false
        var alert: [UInt8] = []
        var hunted = 0
        var version: UInt16 = 0

        init(fromClient: Bool) { self.fromClient = fromClient }
    }

    /// The packet being processed and the event's first frame.
    struct Context {
        var frame: Int
        var firstFrame: Int
        var time: Timestamp
    }

    private let client = Side(fromClient: true)
    private let server = Side(fromClient: false)
    private var current: TLSHandshake?
    private var nextIndex = 0
    private var tls13 = false
    private var finished = false
    /// nil until the client's first bytes were read; then whether they were TLS.
    public private(set) var isTLS: Bool?
    public private(set) var counters = TLSConversationCounters()

    public init() {}

    /// Whether both directions stopped (not TLS, or lost).
    public var hasStopped: Bool { client.mode == .stopped && server.mode == .stopped }

    /// One reassembled-stream event of one direction. `frame`/`time` are the packet being
    /// processed. Never throws; bad bytes are marked.
    public mutating func receive(
        _ event: TCPStreamEvent, fromClient: Bool, frame: Int, time: Timestamp, _ emit: (TLSEvent) -> Void
    ) {
        guard !finished else { return }
        let side = fromClient ? client : server
        switch event {
        case .data(let raw, let firstFrame, _):
            guard side.mode != .stopped else { return }
            let ctx = Context(frame: frame, firstFrame: firstFrame, time: time)
            var i = 0
            while i < raw.count && side.mode != .stopped {
                i += step(raw, from: i, side: side, ctx, emit)
            }
        case .gap(let n):
            counters.gaps += 1
            counters.gapBytes += n
            guard side.mode != .stopped, n > 0 else { return }
            gap(n, side: side, Context(frame: frame, firstFrame: frame, time: time), emit)
        case .end:
            let ctx = Context(frame: frame, firstFrame: frame, time: time)
            switch side.mode {
            case .body where side.recordType != 23, .sslv2:
                problem("stream ended inside a record (\(side.remaining) bytes missing)", side: side, ctx, emit)
            case .start, .header:
                if !side.head.isEmpty {
                    problem(
                        "stream ended inside a record header (\(side.head.count) of 5 bytes)", side: side, ctx, emit)
                }
            case .body, .hunting, .stopped:
                break
            }
            side.mode = .stopped
        }
    }

    /// The connection is over: the last handshake is reported. Later events are ignored.
    public mutating func finish(_ emit: (TLSEvent) -> Void) {
        guard !finished else { return }
        finished = true
        if let h = current { emit(.handshake(h)) }
        current = nil
    }

    // MARK: - Record layer

    /// Reads from `raw[from...]` in the side's mode; returns the bytes used (at least 1).
    private mutating func step(
        _ raw: UnsafeRawBufferPointer, from i: Int, side: Side, _ ctx: Context, _ emit: (TLSEvent) -> Void
    ) -> Int {
        switch side.mode {
        case .start, .header:
            if side.head.isEmpty { side.recordFirstFrame = ctx.firstFrame }
            let n = min(5 - side.head.count, raw.count - i)
            side.head.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[i..<i + n]))
            side.offset += n
            if side.head.count == 5 { headerComplete(side: side, ctx, emit) }
            return n
        case .hunting:
            side.head.append(raw[i])
            if side.head.count > 5 { side.head.removeFirst() }
            side.offset += 1
            side.hunted += 1
            counters.skippedBytes += 1
            if side.head.count == 5 && plausible(side.head, side: side) {
                side.recordFirstFrame = ctx.firstFrame
                counters.skippedBytes -= 5
                headerComplete(side: side, ctx, emit)
            } else if side.hunted > TLSConversation.maxHuntBytes {
                problem("no TLS record header found in \(side.hunted) bytes after a gap", side: side, ctx, emit)
                side.mode = .stopped
            }
            return 1
        case .body, .sslv2:
            let n = min(side.remaining, raw.count - i)
            side.remaining -= n
            side.offset += n
            let chunk = UnsafeRawBufferPointer(rebasing: raw[i..<i + n])
            if side.mode == .sslv2 {
                side.message.append(contentsOf: chunk)
                if side.remaining == 0 { sslv2Complete(side: side, ctx, emit) }
                return max(n, 1)
            }
            body(chunk, side: side, ctx, emit)
            if side.remaining == 0 { recordComplete(side: side, ctx, emit) }
            return max(n, 1)
        case .stopped:
            return raw.count - i
        }
    }

    private func plausible(_ h: [UInt8], side: Side) -> Bool {
        guard h[0] >= 21 && h[0] <= 23, h[1] == 3 else { return false }
        let version = UInt16(h[1]) << 8 | UInt16(h[2])
        if side.version != 0 && version != side.version { return false }
        let length = Int(h[3]) << 8 | Int(h[4])
        return length > 0 && length <= TLSConversation.maxRecordLength
    }

    private mutating func headerComplete(side: Side, _ ctx: Context, _ emit: (TLSEvent) -> Void) {
        let h = side.head
        side.head.removeAll(keepingCapacity: true)
        let length = Int(h[3]) << 8 | Int(h[4])
        let isRecord = h[0] >= 20 && h[0] <= 23 && h[1] == 3 && h[2] <= 4 && length <= TLSConversation.maxRecordLength
        if side.mode == .start && !isRecord {
            // An SSLv2-compatible ClientHello: a 2-byte length with the top bit set, msg_type 1,
            // a version 3.x (or 2.0).
            let v2Length = Int(h[0] & 0x7f) << 8 | Int(h[1])
            if side.fromClient && h[0] & 0x80 != 0 && h[2] == 1 && (h[3] == 3 || h[3] == 0) && v2Length >= 9 {
                isTLS = true
                side.mode = .sslv2
                side.message = [h[2], h[3], h[4]]
                side.messageFirstFrame = side.recordFirstFrame
                side.remaining = v2Length - 3
                return
            }
            if side.fromClient || isTLS == nil {
                isTLS = false
                problem("not TLS (first bytes \(SHA256.hex(h)))", side: side, ctx, emit)
                client.mode = .stopped
                server.mode = .stopped
            } else {
                problem("not a TLS record (bytes \(SHA256.hex(h)))", side: side, ctx, emit)
                side.mode = .stopped
            }
            return
        }
        guard isRecord else {
            problem(
                "not a TLS record header at stream offset \(side.offset - 5) (bytes \(SHA256.hex(h)))", side: side,
                ctx, emit)
            side.mode = .stopped
            return
        }
        if side.fromClient && isTLS == nil { isTLS = true }
        counters.records += 1
        side.recordType = h[0]
        side.recordVersion = UInt16(h[1]) << 8 | UInt16(h[2])
        if side.version == 0 { side.version = side.recordVersion }
        side.recordLength = length
        side.remaining = length
        side.hunted = 0
        side.dropRecord = false
        side.alert.removeAll(keepingCapacity: true)
        side.mode = .body
        side.recordEncrypted = h[0] == 23 || (side.afterCCS && h[0] != 20)
        if h[0] == 23 {
            counters.applicationDataRecords += 1
            counters.applicationDataBytes += length
            if current != nil {
                if side.fromClient {
                    current!.applicationDataRecordsClient += 1
                    current!.applicationDataBytesClient += length
                } else {
                    current!.applicationDataRecordsServer += 1
                    current!.applicationDataBytesServer += length
                }
            }
        }
        if side.recordEncrypted && !side.announced {
            side.announced = true
            var m = message(.encryptedStart, side: side, ctx)
            m.bytes = length
            m.recordType = h[0]
            if current != nil {
                if side.fromClient {
                    current!.encryptedFrameClient = ctx.frame
                } else {
                    current!.encryptedFrameServer = ctx.frame
                }
            }
            emit(.message(m))
        } else if h[0] == 23 {
            var m = message(.applicationData, side: side, ctx)
            m.bytes = length
            m.recordType = 23
            emit(.message(m))
        }
        if length == 0 { recordComplete(side: side, ctx, emit) }
    }

    private mutating func body(
        _ chunk: UnsafeRawBufferPointer, side: Side, _ ctx: Context, _ emit: (TLSEvent) -> Void
    ) {
        guard !side.recordEncrypted else { return }
        switch side.recordType {
        case 22:
            guard !side.dropRecord else { return }
            handshakeBytes(chunk, side: side, ctx, emit)
        case 21:
            if side.alert.count < 2 { side.alert.append(contentsOf: chunk.prefix(2 - side.alert.count)) }
        default:
            break
        }
    }

    private mutating func recordComplete(side: Side, _ ctx: Context, _ emit: (TLSEvent) -> Void) {
        side.mode = .header
        switch side.recordType {
        case 20:
            emit(.message(message(.changeCipherSpec, side: side, ctx)))
            if !tls13 { side.afterCCS = true }
            if !side.fromClient, var h = current, let sh = h.serverHello, sh.version <= 0x0303, !h.serverFull {
                h.resumed = true
                current = h
            }
        case 21:
            if side.recordEncrypted {
                current?.encryptedAlerts += 1
                emit(.message(message(.encryptedAlert, side: side, ctx)))
            } else if side.alert.count == 2 {
                var m = message(.alert, side: side, ctx)
                m.alertLevel = side.alert[0]
                m.alertDescription = side.alert[1]
                if current != nil && current!.alertLevel == nil {
                    current!.alertLevel = side.alert[0]
                    current!.alertDescription = side.alert[1]
                    current!.alertFrame = ctx.frame
                    current!.alertFromClient = side.fromClient
                }
                emit(.message(m))
            } else {
                problem("alert record of \(side.recordLength) bytes", side: side, ctx, emit)
            }
        default:
            break
        }
    }

    private mutating func gap(_ n: Int, side: Side, _ ctx: Context, _ emit: (TLSEvent) -> Void) {
        side.offset += n
        if side.mode == .body && n <= side.remaining {
            side.remaining -= n
            if side.recordType == 22 && !side.recordEncrypted && !side.dropRecord {
                problem("gap of \(n) bytes inside a handshake record: its message is lost", side: side, ctx, emit)
                side.message.removeAll(keepingCapacity: true)
                side.skip = 0
                side.dropRecord = true
            } else if side.recordType == 21 && !side.recordEncrypted {
                side.alert = [0xff, 0xff]
            }
            if side.remaining == 0 {
                if side.recordType == 21 && !side.recordEncrypted {
                    side.mode = .header
                } else {
                    recordComplete(side: side, ctx, emit)
                }
            }
            return
        }
        if side.mode == .sslv2 || side.mode == .start {
            problem("gap of \(n) bytes before the first record", side: side, ctx, emit)
        } else if side.mode != .hunting {
            problem(
                "gap of \(n) bytes: record boundary lost, looking for the next record header", side: side, ctx, emit)
        }
        side.message.removeAll(keepingCapacity: true)
        side.skip = 0
        side.head.removeAll(keepingCapacity: true)
        side.mode = .hunting
    }

    // MARK: - Handshake messages

    private mutating func handshakeBytes(
        _ chunk: UnsafeRawBufferPointer, side: Side, _ ctx: Context, _ emit: (TLSEvent) -> Void
    ) {
        var i = 0
        while i < chunk.count {
            if side.skip > 0 {
                let n = min(side.skip, chunk.count - i)
                side.skip -= n
                i += n
                continue
            }
            if side.message.isEmpty { side.messageFirstFrame = ctx.firstFrame }
            if side.message.count < 4 {
                let n = min(4 - side.message.count, chunk.count - i)
                side.message.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[i..<i + n]))
                i += n
                if side.message.count == 4 {
                    let length = Int(side.message[1]) << 16 | Int(side.message[2]) << 8 | Int(side.message[3])
                    if length > TLSConversation.maxHandshakeMessageBytes {
                        counters.oversizedMessages += 1
                        problem(
                            "\(TLSNames.handshakeType(side.message[0])) of \(length) bytes skipped (over the "
                                + "\(TLSConversation.maxHandshakeMessageBytes)-byte cap)", side: side, ctx, emit)
                        side.skip = length
                        side.message.removeAll(keepingCapacity: true)
                        continue
                    }
                    if length == 0 { handshakeComplete(side: side, ctx, emit) }
                }
                continue
            }
            let length = Int(side.message[1]) << 16 | Int(side.message[2]) << 8 | Int(side.message[3])
            let n = min(4 + length - side.message.count, chunk.count - i)
            side.message.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[i..<i + n]))
            i += n
            if side.message.count == 4 + length { handshakeComplete(side: side, ctx, emit) }
        }
    }

    private mutating func handshakeComplete(side: Side, _ ctx: Context, _ emit: (TLSEvent) -> Void) {
        let type = side.message[0]
        let body = Array(side.message[4...])
        side.message.removeAll(keepingCapacity: true)
        counters.handshakeMessages += 1
        var c = ctx
        c.firstFrame = side.messageFirstFrame
        switch type {
        case 1:
            clientHello(TLSClientHello(body: body), side: side, c, emit)
        case 2:
            serverHello(TLSServerHello(body: body), side: side, c, emit)
        case 11:
            var m = message(.certificate, side: side, c)
            let (chain, bad) = TLSConversation.certificateChain(body)
            m.certificates = chain
            m.problem = bad
            if current == nil { current = newHandshake() }
            if side.fromClient {
                current!.clientCertificates = chain
            } else {
                current!.certificates = chain
                current!.certificateFrame = ctx.frame
                current!.serverFull = true
            }
            if let bad { current!.note(bad) }
            emit(.message(m))
        default:
            if !side.fromClient && (type == 12 || type == 13 || type == 14) { current?.serverFull = true }
            emit(.message(message(.handshake(type), side: side, c)))
        }
    }

    private mutating func newHandshake() -> TLSHandshake {
        defer { nextIndex += 1 }
        return TLSHandshake(index: nextIndex)
    }

    private mutating func clientHello(
        _ hello: TLSClientHello, side: Side, _ ctx: Context, _ emit: (TLSEvent) -> Void
    ) {
        if let h = current, h.clientHello != nil || h.serverHello != nil { emit(.handshake(h)) }
        if current == nil || current!.clientHello != nil || current!.serverHello != nil { current = newHandshake() }
        current!.clientHello = hello
        current!.clientHelloFrame = ctx.frame
        current!.clientHelloTime = ctx.time
        if let bad = hello.malformed { current!.note(bad) }
        var m = message(.clientHello, side: side, ctx)
        m.clientHello = hello
        m.problem = hello.malformed
        emit(.message(m))
    }

    private mutating func serverHello(
        _ hello: TLSServerHello, side: Side, _ ctx: Context, _ emit: (TLSEvent) -> Void
    ) {
        if current == nil || current!.serverHello != nil {
            if let h = current { emit(.handshake(h)) }
            current = newHandshake()
        }
        current!.serverHello = hello
        current!.serverHelloFrame = ctx.frame
        current!.serverHelloTime = ctx.time
        if let bad = hello.malformed { current!.note(bad) }
        if hello.isHelloRetryRequest || hello.version == 0x0304 { tls13 = true }
        if hello.version == 0x0304 {
            current!.resumed = hello.hasPreSharedKey
        } else if !hello.sessionID.isEmpty, let ch = current!.clientHello, ch.sessionID == hello.sessionID {
            current!.resumed = true
        }
        var m = message(hello.isHelloRetryRequest ? .helloRetryRequest : .serverHello, side: side, ctx)
        m.serverHello = hello
        m.problem = hello.malformed
        emit(.message(m))
    }

    private mutating func sslv2Complete(side: Side, _ ctx: Context, _ emit: (TLSEvent) -> Void) {
        let hello = TLSClientHello(sslv2Body: side.message)
        side.message.removeAll(keepingCapacity: true)
        side.mode = .header
        counters.handshakeMessages += 1
        var c = ctx
        c.firstFrame = side.messageFirstFrame
        clientHello(hello, side: side, c, emit)
    }

    /// A Certificate message's chain (RFC 5246 section 7.4.2): a 3-byte total length, then each
    /// DER certificate with a 3-byte length; at most `maxCertificates` kept.
    static func certificateChain(_ body: [UInt8]) -> ([X509Certificate], String?) {
        var r = TLSReader(body)
        guard var list = r.vector(3) else { return ([], "Certificate message length does not fit") }
        var chain: [X509Certificate] = []
        while list.remaining > 0 {
            guard var one = list.vector(3), let der = one.take(one.remaining) else {
                return (chain, "Certificate entry length does not fit")
            }
            if chain.count < maxCertificates { chain.append(X509Certificate(der: der)) }
        }
        return (chain, nil)
    }

    private func message(_ kind: TLSMessage.Kind, side: Side, _ ctx: Context) -> TLSMessage {
        TLSMessage(
            kind: kind, fromClient: side.fromClient, frame: ctx.frame, firstFrame: ctx.firstFrame, time: ctx.time,
            handshakeIndex: current?.index ?? -1)
    }

    private mutating func problem(_ text: String, side: Side, _ ctx: Context, _ emit: (TLSEvent) -> Void) {
        counters.problems += 1
        current?.note(text)
        var m = message(.problem, side: side, ctx)
        m.problem = text
        emit(.message(m))
    }
}
