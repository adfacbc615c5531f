// What a `TLSConversation` reports: a message per record-layer event worth a line in `read`
// (`TLSMessage`), and one `TLSHandshake` per ClientHello with the ServerHello that answers it and
// what followed (certificates, alerts, where encryption began, application data counted).

/// One thing seen on one direction, reported on the frame that completed it.
public struct TLSMessage: Sendable {
    public enum Kind: Sendable, Hashable {
        case clientHello
        case serverHello
        case helloRetryRequest
        case certificate
        /// Another plaintext handshake message (its type, `TLSNames.handshakeType`).
        case handshake(UInt8)
        case changeCipherSpec
        case alert
        /// An alert after encryption began: its level and description are unreadable.
        case encryptedAlert
        /// The direction's first encrypted record: from here on it is encrypted.
        case encryptedStart
        /// An application-data record after the first.
        case applicationData
        /// Something wrong: bytes that are not TLS, a gap, a message over the cap (`problem`).
        case problem
    }

    public var kind: Kind
    public var fromClient: Bool
    /// The frame that completed the message, and the one that carried its first byte.
    public var frame: Int
    public var firstFrame: Int
    public var time: Timestamp
    /// The `TLSHandshake.index` it belongs to (-1 before any hello).
    public var handshakeIndex: Int
    public var clientHello: TLSClientHello?
    public var serverHello: TLSServerHello?
    /// A Certificate message's chain (TLS ≤ 1.2; TLS 1.3 sends it encrypted).
    public var certificates: [X509Certificate] = []
    public var alertLevel: UInt8 = 0
    public var alertDescription: UInt8 = 0
    /// The record's length, for `encryptedStart` and `applicationData`; the record type of
    /// `encryptedStart` (23 application data, 22 an encrypted handshake message).
    public var bytes = 0
    public var recordType: UInt8 = 0
    /// What was wrong (`problem`), or why a parsed message did not add up.
    public var problem: String?

    public init(kind: Kind, fromClient: Bool, frame: Int, firstFrame: Int, time: Timestamp, handshakeIndex: Int) {
        self.kind = kind
        self.fromClient = fromClient
        self.frame = frame
        self.firstFrame = firstFrame
        self.time = time
        self.handshakeIndex = handshakeIndex
    }
}

/// One handshake: a ClientHello and the ServerHello (or HelloRetryRequest) that answers it, then
/// what the connection showed until the next ClientHello or its end.
public struct TLSHandshake: Sendable {
    /// 0, 1, … in the connection (a HelloRetryRequest makes the second ClientHello the next one).
    public var index: Int
    public var clientHelloFrame: Int?
    public var clientHelloTime = Timestamp.missing
    public var clientHello: TLSClientHello?
    public var serverHelloFrame: Int?
    public var serverHelloTime = Timestamp.missing
    public var serverHello: TLSServerHello?
    /// The server's chain (TLS ≤ 1.2), leaf first, and the client's (a client certificate).
    public var certificates: [X509Certificate] = []
    public var clientCertificates: [X509Certificate] = []
    public var certificateFrame: Int?
    /// The first readable alert: its level, description, frame and direction.
    public var alertLevel: UInt8?
    public var alertDescription: UInt8?
    public var alertFrame: Int?
    public var alertFromClient = false
    /// Alerts sent after encryption began (unreadable).
    public var encryptedAlerts = 0
    /// The session was resumed: TLS ≤ 1.2 an echoed non-empty session id or an abbreviated
    /// handshake (ChangeCipherSpec straight after ServerHello: a ticket); TLS 1.3 the server's
    /// `pre_shared_key`.
    public var resumed = false
    /// The frame of each direction's first encrypted record.
    public var encryptedFrameClient: Int?
    public var encryptedFrameServer: Int?
    /// Application-data records and their bytes (record payloads), each way.
    public var applicationDataRecordsClient = 0
    public var applicationDataRecordsServer = 0
    public var applicationDataBytesClient = 0
    public var applicationDataBytesServer = 0
    /// Problems seen (at most `TLSConversation.maxProblems`), and how many more.
    public var problems: [String] = []
    public var moreProblems = 0
    /// Server handshake messages after ServerHello that only a full handshake sends (Certificate,
    /// ServerKeyExchange, CertificateRequest, ServerHelloDone).
    var serverFull = false

    public init(index: Int) { self.index = index }

    /// The answer was a HelloRetryRequest (RFC 8446 section 4.1.4).
    public var isHelloRetryRequest: Bool { serverHello?.isHelloRetryRequest ?? false }

    /// The negotiated version (`TLSServerHello.version`), when a ServerHello was seen.
    public var version: UInt16? { serverHello?.version }

    mutating func note(_ problem: String) {
        if problems.count < TLSConversation.maxProblems {
            problems.append(problem)
        } else {
            moreProblems += 1
        }
    }
}

/// What a `TLSConversation` reports, as it happens.
public enum TLSEvent: Sendable {
    /// A message completed on the frame being processed (`read` shows it there).
    case message(TLSMessage)
    /// A handshake is done: at the next ClientHello, or at `finish`.
    case handshake(TLSHandshake)
}

/// What one conversation counted, both directions.
public struct TLSConversationCounters: Sendable, Hashable {
    public internal(set) var records = 0
    public internal(set) var handshakeMessages = 0
    public internal(set) var applicationDataRecords = 0
    public internal(set) var applicationDataBytes = 0
    /// Gaps delivered by the reassembler and their bytes.
    public internal(set) var gaps = 0
    public internal(set) var gapBytes = 0
    /// Bytes dropped looking for a record header after a gap.
    public internal(set) var skippedBytes = 0
    /// Handshake messages over `TLSConversation.maxHandshakeMessageBytes`, skipped.
    public internal(set) var oversizedMessages = 0
    public internal(set) var problems = 0
}
