// STARTTLS in the line protocols (SMTP RFC 3207, POP3 STLS RFC 2595, IMAP STARTTLS RFC 9051 6.2.1,
// FTP AUTH TLS RFC 4217): the client asks, the server agrees, and from the next byte each way the
// connection is TLS. Zeek's analyzers hand the rest to its SSL analyzer (conn.log `smtp,ssl`); so
// does wiretale: `STARTTLSWatch` reads the lines until the switch and says where it happened.

/// Watches a line protocol's command and reply lines for the switch to TLS. Fed each direction's
/// bytes in stream order, it returns how many are still the protocol's (the rest are TLS once
/// `switched` is set for that direction). Bounded: a line is read from at most `maxLine` bytes.
public struct STARTTLSWatch: Sendable {
    /// The longest line looked at (longer ones are skipped to their end).
    public static let maxLine = 512

    public enum Dialect: Sendable {
        case smtp, pop3, imap, ftp
    }

    public let dialect: Dialect
    /// The client asked (its command line ended) and the server has not answered yet.
    public private(set) var asked = false
    /// The frame of the client's request, and of the server's agreement.
    public private(set) var requestFrame: Int?
    public private(set) var agreedFrame: Int?
    /// Each direction is TLS from here on.
    public private(set) var clientSwitched = false
    public private(set) var serverSwitched = false
    /// IMAP: the tag of the STARTTLS command, which the server's OK must carry.
    private var tag: [UInt8] = []
    private var clientLine: [UInt8] = []
    private var serverLine: [UInt8] = []
    private var clientSkipping = false
    private var serverSkipping = false

    public init(_ dialect: Dialect) {
        self.dialect = dialect
    }

    /// Reads `bytes` of one direction; returns how many belong to the line protocol.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer, fromClient: Bool, frame: Int) -> Int {
        if fromClient ? clientSwitched : serverSwitched { return 0 }
        if fromClient && serverSwitched {
            // The server agreed: the client's bytes from here on are its ClientHello.
            clientSwitched = true
            return 0
        }
        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            i += 1
            if c != 0x0A {
                if fromClient {
                    if clientLine.count < Self.maxLine { clientLine.append(c) } else { clientSkipping = true }
                } else {
                    if serverLine.count < Self.maxLine { serverLine.append(c) } else { serverSkipping = true }
                }
                continue
            }
            if fromClient {
                if !clientSkipping { clientCommand(clientLine, frame: frame) }
                clientLine.removeAll(keepingCapacity: true)
                clientSkipping = false
            } else {
                if !serverSkipping { serverReply(serverLine, frame: frame) }
                serverLine.removeAll(keepingCapacity: true)
                serverSkipping = false
                if serverSwitched { return i }
            }
        }
        return i
    }

    private mutating func clientCommand(_ line: [UInt8], frame: Int) {
        let words = Self.words(line)
        guard !words.isEmpty else { return }
        let asks: Bool
        switch dialect {
        case .smtp: asks = Self.upper(words[0]) == "STARTTLS"
        case .pop3: asks = Self.upper(words[0]) == "STLS"
        case .imap:
            asks = words.count >= 2 && Self.upper(words[1]) == "STARTTLS"
            if asks { tag = words[0] }
        case .ftp:
            asks =
                words.count >= 2 && Self.upper(words[0]) == "AUTH"
                && ["TLS", "SSL", "TLS-C"].contains(Self.upper(words[1]))
        }
        if asks {
            asked = true
            requestFrame = frame
        }
    }

    private mutating func serverReply(_ line: [UInt8], frame: Int) {
        guard asked else { return }
        let words = Self.words(line)
        guard let first = words.first else { return }
        let agreed: Bool
        switch dialect {
        case .smtp:
            agreed = first.starts(with: Array("220".utf8)) && (first.count == 3 || first[3] != UInt8(ascii: "-"))
        case .pop3: agreed = Self.upper(first) == "+OK"
        case .imap:
            // A tagged answer ends the command; untagged lines (`* ...`) do not.
            guard first == tag else { return }
            agreed = words.count >= 2 && Self.upper(words[1]) == "OK"
        case .ftp: agreed = first.starts(with: Array("234".utf8))
        }
        // Any other final reply refuses; the protocol goes on in clear.
        let final: Bool
        switch dialect {
        case .smtp, .ftp: final = first.count == 3 || (first.count > 3 && first[3] != UInt8(ascii: "-"))
        case .pop3, .imap: final = true
        }
        if agreed {
            serverSwitched = true
            agreedFrame = frame
        } else if final {
            asked = false
        }
    }

    /// The line split at spaces (a CR at its end dropped).
    private static func words(_ line: [UInt8]) -> [[UInt8]] {
        var l = line[...]
        if l.last == 0x0D { l = l.dropLast() }
        return l.split(separator: 0x20, omittingEmptySubsequences: true).map(Array.init)
    }

    private static func upper(_ w: [UInt8]) -> String {
        String(decoding: w.map { (0x61...0x7A).contains($0) ? $0 - 0x20 : $0 }, as: UTF8.self)
    }
}
