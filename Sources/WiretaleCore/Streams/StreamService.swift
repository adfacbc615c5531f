/// What a TCP connection carries, found from the first bytes of its reassembled streams (Zeek's
/// dynamic protocol detection), not from its ports: HTTP on port 22 or 8000 is HTTP. A
/// connection's `service` in `conversations`.
///
/// The order of the cases is the order detectors are asked. `http` has a decoder of its stream
/// (`HTTPConversation`): its messages and transactions are read; `socks` a reader of its handshake
/// (`SOCKSPrelude`), after which detection starts again on the tunnelled bytes; `mysql` its
/// client-server protocol (`MySQLConversation`); `tls` its handshakes (`TLSConversation`); `smtp`,
/// `pop3`, `imap` and `ftp` their lines until a STARTTLS (`STARTTLSWatch`), then TLS. The others are named from their
/// signatures only, and the connection's streams are no longer reassembled once named.
public enum StreamService: UInt8, Sendable, CaseIterable {
    /// Nothing recognised (yet, or at all).
    case none
    /// HTTP/1.x: a request line from the client, or a status line from the server.
    case http
    /// TLS (or SSL 3.0): a handshake record, either way.
    case tls
    /// SSH: an identification string, `SSH-2.0-` (RFC 4253 section 4.2).
    case ssh
    /// MySQL or MariaDB: the server's greeting (protocol version 10) in its first packet.
    case mysql
    /// SMTP: a 220 greeting, then EHLO or HELO from the client (RFC 5321 section 4.1).
    case smtp
    /// FTP's control connection: a 220 greeting, then USER, AUTH, FEAT, SYST or OPTS.
    case ftp
    /// POP3: `+OK` from the server (RFC 1939 section 4).
    case pop3
    /// IMAP: `* OK` or `* PREAUTH` from the server (RFC 9051 section 7.1).
    case imap
    /// Redis's RESP: an array of bulk strings from the client (`*2\r\n$4\r\nAUTH`).
    case redis
    /// A SOCKS 4 or 5 proxy handshake (`SOCKSPrelude`); what its tunnel carries is found again by
    /// content, and the connection is named by that service with `socks` as its tunnel.
    case socks
    /// DNS over TCP (RFC 1035 section 4.2.2): on port 53, decoded per segment by `DNSDecoder`.
    case dns

    /// The name `conversations` shows and JSON's `service` holds.
    public var name: StaticString {
        switch self {
        case .none: "-"
        case .http: "http"
        case .tls: "tls"
        case .ssh: "ssh"
        case .mysql: "mysql"
        case .smtp: "smtp"
        case .ftp: "ftp"
        case .pop3: "pop3"
        case .imap: "imap"
        case .redis: "redis"
        case .socks: "socks"
        case .dns: "dns"
        }
    }

    /// Whether wiretale reads this service's stream (and keeps reassembling it once named).
    public var hasStreamDecoder: Bool {
        switch self {
        case .http, .socks, .mysql, .tls, .smtp, .ftp, .pop3, .imap: true
        case .none, .ssh, .redis, .dns: false
        }
    }
}

/// A detector's answer to the first bytes of a connection.
public enum StreamClaim: Sendable, Equatable {
    /// Not this protocol.
    case no
    /// Maybe: more bytes (of either side) would tell.
    case needMore
    /// This protocol.
    case yes
}

/// The first bytes of both directions of one connection, as detectors see them.
public struct StreamStart {
    /// The client's first bytes and the server's (up to `StreamDetector.window` each; either may be empty).
    public let client: UnsafeRawBufferPointer
    public let server: UnsafeRawBufferPointer
    public let clientPort: UInt16
    public let serverPort: UInt16
    /// The client's or the server's stream has more bytes than these (they are all a detector sees).
    public let clientFull: Bool
    public let serverFull: Bool
}

/// The detectors of `StreamService`, in one place. A protocol with a stream decoder detects in its
/// folder (`HTTPDecoder.claimStream`); the others' signatures are here, until they have one.
public enum StreamDetectors {
    /// Asks each service, in case order; the first `yes` wins. `needMore` from any keeps the
    /// question open, unless both sides are full (then nothing matched).
    public static func detect(_ s: StreamStart) -> (service: StreamService, decided: Bool) {
        var open = false
        for service in StreamService.allCases {
            switch claim(service, s) {
            case .yes: return (service, true)
            case .needMore: open = true
            case .no: break
            }
        }
        return (.none, !open)
    }

    static func claim(_ service: StreamService, _ s: StreamStart) -> StreamClaim {
        switch service {
        case .none: .no
        case .http: HTTPDecoder.claimStream(s)
        case .tls: tls(s)
        case .ssh: ssh(s)
        case .mysql: mysql(s)
        case .smtp: greeting220(s, commands: ["EHLO", "HELO"])
        case .ftp: greeting220(s, commands: ["USER", "AUTH", "FEAT", "SYST", "OPTS", "PASV", "EPSV"])
        case .pop3: serverLine(s, prefixes: ["+OK"])
        case .imap: serverLine(s, prefixes: ["* OK", "* PREAUTH"])
        case .redis: redis(s)
        case .socks: SOCKSPrelude.claimStream(s)
        case .dns: s.clientPort == 53 || s.serverPort == 53 ? .yes : .no
        }
    }

    /// `prefix` at the start of `b`: yes, no, or needMore when `b` is a shorter prefix of it.
    static func starts(_ b: UnsafeRawBufferPointer, _ prefix: StaticString, full: Bool) -> StreamClaim {
        let p = prefix.utf8Start
        let n = min(b.count, prefix.utf8CodeUnitCount)
        for i in 0..<n where b[i] != p[i] { return .no }
        if n == prefix.utf8CodeUnitCount { return .yes }
        return full ? .no : .needMore
    }

    /// A TLS record of type handshake (22) with version 3.x, and a ClientHello (1) or ServerHello
    /// (2) in it (RFC 8446 section 5.1), from whichever side spoke first.
    static func tls(_ s: StreamStart) -> StreamClaim {
        func record(_ b: UnsafeRawBufferPointer, hello: UInt8) -> StreamClaim {
            if b.isEmpty { return .needMore }
            guard b[0] == 22 else { return .no }
            if b.count < 2 { return .needMore }
            guard b[1] == 3 else { return .no }
            if b.count < 3 { return .needMore }
            guard b[2] <= 4 else { return .no }
            if b.count < 6 { return .needMore }
            return b[5] == hello ? .yes : .no
        }
        let c = record(s.client, hello: 1)
        if c != .needMore || !s.client.isEmpty { return c }
        let r = record(s.server, hello: 2)
        return r == .needMore && s.server.isEmpty ? .needMore : r
    }

    /// `SSH-` from either side (the server usually speaks first).
    static func ssh(_ s: StreamStart) -> StreamClaim {
        let a = starts(s.server, "SSH-", full: s.serverFull)
        let b = starts(s.client, "SSH-", full: s.clientFull)
        if a == .yes || b == .yes { return .yes }
        return a == .needMore || b == .needMore ? .needMore : .no
    }

    /// The server's greeting packet: a 3-byte length, sequence id 0, protocol version 10, then a
    /// server version that starts with a digit (MySQL's Protocol::HandshakeV10).
    static func mysql(_ s: StreamStart) -> StreamClaim {
        let b = s.server
        if b.count < 6 { return s.serverFull ? .no : .needMore }
        let length = Int(b[0]) | Int(b[1]) << 8 | Int(b[2]) << 16
        guard b[3] == 0, b[4] == 10, length >= 20, length < 1024, (0x30...0x39).contains(b[5]) else { return .no }
        return .yes
    }

    /// A `220` greeting from the server, then one of `commands` from the client (SMTP and FTP both
    /// greet with 220: the client's first word tells them apart).
    static func greeting220(_ s: StreamStart, commands: [StaticString]) -> StreamClaim {
        let g = starts(s.server, "220", full: s.serverFull)
        guard g != .no else { return .no }
        if s.client.count < 4 { return s.clientFull ? .no : .needMore }
        guard g == .yes else { return .needMore }
        for c in commands where upperStarts(s.client, c) { return .yes }
        return .no
    }

    /// The client's first four bytes are `word`, in any case.
    static func upperStarts(_ b: UnsafeRawBufferPointer, _ word: StaticString) -> Bool {
        let w = word.utf8Start
        guard b.count >= word.utf8CodeUnitCount else { return false }
        for i in 0..<word.utf8CodeUnitCount where b[i] & 0xDF != w[i] { return false }
        return true
    }

    /// One of `prefixes` at the start of the server's first bytes.
    static func serverLine(_ s: StreamStart, prefixes: [StaticString]) -> StreamClaim {
        var open = false
        for p in prefixes {
            switch starts(s.server, p, full: s.serverFull) {
            case .yes: return .yes
            case .needMore: open = true
            case .no: break
            }
        }
        return open ? .needMore : .no
    }

    /// RESP from the client: `*<digits>\r\n$<digits>\r\n`.
    static func redis(_ s: StreamStart) -> StreamClaim {
        let b = s.client
        if b.isEmpty { return .needMore }
        guard b[0] == UInt8(ascii: "*") else { return .no }
        var i = 1
        var digits = 0
        while i < b.count, (0x30...0x39).contains(b[i]) {
            i += 1
            digits += 1
        }
        if i == b.count { return s.clientFull ? .no : .needMore }
        guard digits > 0, b[i] == 0x0D else { return .no }
        if i + 2 >= b.count { return s.clientFull ? .no : .needMore }
        return b[i + 1] == 0x0A && b[i + 2] == UInt8(ascii: "$") ? .yes : .no
    }
}
