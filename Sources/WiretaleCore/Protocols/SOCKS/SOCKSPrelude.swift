// SOCKS 4, 4a and 5 (RFC 1928, RFC 1929; SOCKS 4 and 4a as Ying-Da Lee's specifications): the
// handshake a client and a proxy exchange before the tunnel carries another protocol. Zeek's SOCKS
// analyzer reads it and hands the rest of the connection to protocol detection again (its conn.log
// says `socks,http`); tshark's SOCKS dissector does the same on port 1080. `SOCKSPrelude` reads
// both directions' handshake bytes and says where each direction's tunnelled bytes begin.

/// Where one connection's SOCKS handshake stands, both directions; fed each direction's stream bytes
/// in order (`feed`), it consumes the handshake's messages and returns how many bytes they took.
/// Bounded: a message is read from at most `maxMessage` bytes kept across segments.
public struct SOCKSPrelude: Sendable {
    /// The most bytes of one handshake message kept while it is incomplete (a SOCKS 5 request with a
    /// 255-byte domain name is 262 bytes; SOCKS 4a's user id and host are NUL-terminated).
    public static let maxMessage = 512

    public enum Version: UInt8, Sendable {
        case v4 = 4
        case v5 = 5
    }

    public enum Outcome: Sendable, Equatable {
        /// Still in the handshake.
        case pending
        /// The proxy granted the connection: what follows is the tunnelled protocol.
        case tunnel
        /// The proxy refused (its reply code), or no method was acceptable: nothing is tunnelled.
        case refused(UInt8)
        /// Bytes that are not the SOCKS handshake (the text says what was wrong).
        case broken(String)
    }

    public let version: Version
    /// What the client asked to reach: `host:port` (`[v6]:port`), when its request was read.
    public private(set) var target: String?
    /// The user name of a SOCKS 5 user/password sub-negotiation (RFC 1929) or SOCKS 4's user id.
    /// The password travels in clear too; it is not kept.
    public private(set) var user: String?
    public private(set) var outcome = Outcome.pending
    /// Each direction read its last handshake message.
    public private(set) var clientDone = false
    public private(set) var serverDone = false

    private var clientStep = 0
    private var serverStep = 0
    /// The method the proxy chose (SOCKS 5): 2 means the client's next message is user/password.
    private var method: UInt8?
    private var clientHeld: [UInt8] = []
    private var serverHeld: [UInt8] = []

    public init(version: Version) {
        self.version = version
    }

    /// Whether the handshake is over both ways (granted or not): nothing more is SOCKS.
    public var isOver: Bool {
        if case .pending = outcome { return false }
        return outcome != .tunnel || (clientDone && serverDone)
    }

    /// Reads `bytes` of one direction; returns how many belong to the handshake (the rest, if that
    /// direction is done, belong to the tunnel).
    public mutating func feed(_ bytes: UnsafeRawBufferPointer, fromClient: Bool) -> Int {
        var used = 0
        while used < bytes.count {
            if fromClient ? clientDone : serverDone { break }
            if case .broken = outcome { return used }
            if case .refused = outcome { return used }
            // A message: from what is held and the new bytes.
            let held = fromClient ? clientHeld : serverHeld
            let take = min(bytes.count - used, Self.maxMessage - held.count)
            var message = held
            message.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[used..<(used + take)]))
            let length = message.withUnsafeBytes { p in
                fromClient ? clientMessage(p) : serverMessage(p)
            }
            if case .broken = outcome { return used }
            switch length {
            case nil:
                // Incomplete: keep it all, unless it cannot be a message any more.
                if message.count >= Self.maxMessage {
                    outcome = .broken("a SOCKS message longer than \(Self.maxMessage) bytes")
                    return used + take
                }
                if fromClient { clientHeld = message } else { serverHeld = message }
                return used + take
            case let n?:
                // The message ends `n` bytes into `message`: of the new bytes, `n - held.count`.
                used += n - held.count
                if fromClient { clientHeld = [] } else { serverHeld = [] }
            }
        }
        return used
    }

    /// The length of the client's next message at the start of `p`, nil when incomplete; advances
    /// the client's step (and may mark the outcome broken).
    private mutating func clientMessage(_ p: UnsafeRawBufferPointer) -> Int? {
        switch version {
        case .v4:
            // VN CD DSTPORT(2) DSTIP(4) USERID NUL [HOST NUL when DSTIP is 0.0.0.x, x != 0: SOCKS 4a].
            guard p.count >= 9 else { return nil }
            guard let userEnd = Self.nul(p, from: 8) else { return nil }
            var end = userEnd + 1
            let port = Int(p[2]) << 8 | Int(p[3])
            user = Self.text(p, 8, userEnd)
            if p[4] == 0 && p[5] == 0 && p[6] == 0 && p[7] != 0 {
                guard let hostEnd = Self.nul(p, from: end) else { return nil }
                target = "\(Self.text(p, end, hostEnd)):\(port)"
                end = hostEnd + 1
            } else {
                target = "\(p[4]).\(p[5]).\(p[6]).\(p[7]):\(port)"
            }
            clientDone = true
            return end
        case .v5:
            if clientStep == 0 {
                // VER NMETHODS METHODS.
                guard p.count >= 2 else { return nil }
                guard p[0] == 5, p[1] > 0 else {
                    outcome = .broken("not a SOCKS 5 greeting")
                    return 0
                }
                guard p.count >= 2 + Int(p[1]) else { return nil }
                clientStep = 1
                return 2 + Int(p[1])
            }
            guard !p.isEmpty else { return nil }
            if p[0] == 1 && clientStep == 1 {
                // RFC 1929: VER ULEN UNAME PLEN PASSWD.
                guard p.count >= 2 else { return nil }
                let ulen = Int(p[1])
                guard p.count >= 3 + ulen else { return nil }
                let plen = Int(p[2 + ulen])
                guard p.count >= 3 + ulen + plen else { return nil }
                user = Self.text(p, 2, 2 + ulen)
                clientStep = 2
                return 3 + ulen + plen
            }
            // VER CMD RSV ATYP DST.ADDR DST.PORT.
            guard p[0] == 5 else {
                outcome = .broken("not a SOCKS 5 request")
                return 0
            }
            guard let (address, end) = requestAddress(p) else { return nil }
            target = address
            clientDone = true
            return end
        }
    }

    /// The length of the proxy's next message at the start of `p`, nil when incomplete.
    private mutating func serverMessage(_ p: UnsafeRawBufferPointer) -> Int? {
        switch version {
        case .v4:
            // VN(0) CD DSTPORT(2) DSTIP(4); CD 90 granted.
            guard p.count >= 8 else { return nil }
            serverDone = true
            if p[1] == 90 {
                if outcome == .pending { outcome = .tunnel }
            } else {
                outcome = .refused(p[1])
            }
            return 8
        case .v5:
            guard p.count >= 2 else { return nil }
            if serverStep == 0 {
                // VER METHOD; 0xFF: no acceptable method.
                guard p[0] == 5 else {
                    outcome = .broken("not a SOCKS 5 method choice")
                    return 0
                }
                method = p[1]
                serverStep = p[1] == 2 ? 1 : 2
                if p[1] == 0xFF {
                    outcome = .refused(0xFF)
                    serverDone = true
                } else if p[1] != 0 && p[1] != 2 {
                    // GSSAPI or a private method: its messages are not read.
                    outcome = .broken("SOCKS 5 method \(p[1]) is not read")
                }
                return 2
            }
            if serverStep == 1 {
                // RFC 1929's status: VER STATUS, 0 is success.
                serverStep = 2
                if p[1] != 0 {
                    outcome = .refused(p[1])
                    serverDone = true
                }
                return 2
            }
            // VER REP RSV ATYP BND.ADDR BND.PORT; REP 0 succeeded.
            guard p[0] == 5 else {
                outcome = .broken("not a SOCKS 5 reply")
                return 0
            }
            guard let (_, end) = requestAddress(p) else { return nil }
            serverDone = true
            if p[1] == 0 {
                if outcome == .pending { outcome = .tunnel }
            } else {
                outcome = .refused(p[1])
            }
            return end
        }
    }

    /// The address and port of a SOCKS 5 request or reply (its type at offset 3) and where they end;
    /// nil when incomplete, or when the type is unknown (the outcome is then broken).
    private mutating func requestAddress(_ p: UnsafeRawBufferPointer) -> (String, Int)? {
        if p.count >= 4 && ![1, 3, 4].contains(p[3]) {
            outcome = .broken("an unknown SOCKS 5 address type")
            return nil
        }
        return Self.address(p, at: 3)
    }

    /// A SOCKS 5 address of type `p[at]` and its port: the text and the offset after the port.
    private static func address(_ p: UnsafeRawBufferPointer, at i: Int) -> (String, Int)? {
        guard p.count > i else { return nil }
        let start = i + 1
        var end: Int
        var host: String
        switch p[i] {
        case 1:
            end = start + 4
            guard p.count >= end + 2 else { return nil }
            host = "\(IPAddress.v4(p, start))"
        case 3:
            guard p.count > start else { return nil }
            end = start + 1 + Int(p[start])
            guard p.count >= end + 2 else { return nil }
            host = text(p, start + 1, end)
        case 4:
            end = start + 16
            guard p.count >= end + 2 else { return nil }
            host = "[\(IPAddress.v6(p, start))]"
        default:
            return nil
        }
        let port = Int(p[end]) << 8 | Int(p[end + 1])
        end += 2
        return ("\(host):\(port)", end)
    }

    private static func nul(_ p: UnsafeRawBufferPointer, from: Int) -> Int? {
        var i = from
        while i < p.count {
            if p[i] == 0 { return i }
            i += 1
        }
        return nil
    }

    private static func text(_ p: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: p[start..<min(end, p.count)]), as: UTF8.self)
    }

    /// SOCKS from the first bytes of both directions: a SOCKS 5 greeting (`05`, 1 to 16 methods, all
    /// of it) answered by `05`, or a SOCKS 4 CONNECT or BIND (`04 01`/`04 02`, port, address, a
    /// NUL-terminated user id) answered by `00` and a reply code 90 to 93.
    public static func claimStream(_ s: StreamStart) -> StreamClaim {
        version(s) == nil ? (pending(s) ? .needMore : .no) : .yes
    }

    /// The version `claimStream` found, nil when it found none.
    public static func version(_ s: StreamStart) -> Version? {
        let c = s.client
        let r = s.server
        guard c.count >= 2, r.count >= 2 else { return nil }
        if c[0] == 5, (1...16).contains(c[1]), c.count >= 2 + Int(c[1]), r[0] == 5 { return .v5 }
        if c[0] == 4, c[1] == 1 || c[1] == 2, c.count >= 9, nul(c, from: 8) != nil, r[0] == 0,
            (90...93).contains(r[1])
        {
            return .v4
        }
        return nil
    }

    /// Whether more bytes could still make `version` find SOCKS.
    private static func pending(_ s: StreamStart) -> Bool {
        let c = s.client
        guard !c.isEmpty else { return !s.clientFull }
        if c[0] == 5 {
            if c.count == 1 { return true }
            guard (1...16).contains(c[1]) else { return false }
        } else if c[0] == 4 {
            if c.count == 1 { return true }
            guard c[1] == 1 || c[1] == 2 else { return false }
        } else {
            return false
        }
        // The client's message may be whole; the proxy's answer may come.
        return s.server.count < 2 && !s.serverFull
    }
}
