import WiretaleCore
import WiretaleSystem

#if canImport(Glibc)
    import Glibc
#endif

/// One query sent and what came back: the evidence behind step b, and the key (server, local port,
/// id) that ties it to captured packets.
public struct DNSExchange: Sendable {
    public var server: DNSServer
    public var transport: String  // "udp" or "tcp"
    public var name: String
    public var type: DNSRecordType
    public var id: UInt16
    public var localPort: Int
    public var attempt: Int
    public var sentMs: Double
    public var answeredMs: Double?
    public var response: DNSResponse?
    /// What went wrong when there is no response: "timeout", "port unreachable (ICMP)", ... (JSON
    /// keeps the English).
    public var problem: Bilingual?
}

/// A resolved name: where the answer came from and the addresses in the order they will be tried.
public struct DNSResult: Sendable {
    public enum Source: Sendable {
        case hostsFile(path: String, lines: [Int])
        /// `localhost` or a name under `.localhost`, answered without any query (RFC 6761 section 6.3).
        case localhost
        case dns
    }

    public struct Address: Sendable, Equatable {
        public var address: IPAddress
        public var ttl: UInt32?
    }

    public var source: Source
    /// The name that was answered (after the search list).
    public var name: String
    /// CNAME hops from `name` to the canonical name: (alias, target, ttl).
    public var cnames: [(String, String, UInt32)]
    public var addresses: [Address]
    public var exchanges: [DNSExchange]
    public var namesTried: [String]
}

public enum DNSFailure: Error, Sendable {
    /// Every candidate name came back NXDOMAIN (RFC 1035 rcode 3).
    case noSuchName(names: [String], server: DNSServer, negativeTTL: UInt32?, exchanges: [DNSExchange])
    /// The name exists but has no address of the families asked (NOERROR with no A/AAAA: NODATA).
    case noAddress(name: String, types: [DNSRecordType], exchanges: [DNSExchange])
    /// The servers answered with an error (SERVFAIL, REFUSED, ...).
    case serverError(rcode: DNSRCode, server: DNSServer, exchanges: [DNSExchange])
    /// Nobody answered: each server was asked `attempts` times, `timeoutMs` each.
    case timeout(servers: [DNSServer], attempts: Int, timeoutMs: Double, exchanges: [DNSExchange])
    /// The server's host said nothing listens there (ICMP port unreachable), or there is no route.
    case unreachable(server: DNSServer, reason: Bilingual, exchanges: [DNSExchange])
    /// The answer was truncated over UDP (TC=1) and the TCP retry failed (`reason`).
    case truncated(server: DNSServer, reason: Bilingual, exchanges: [DNSExchange])
    /// The server's reply could not be parsed as a DNS message.
    case malformed(server: DNSServer, reason: Bilingual, exchanges: [DNSExchange])
    /// The CNAME chain comes back to a name it already passed (`chain` ends with the repeated name).
    case cnameLoop(chain: [String], exchanges: [DNSExchange])
    /// The CNAME chain is longer than `limit` links.
    case cnameChainTooLong(limit: Int, chain: [String], exchanges: [DNSExchange])

    public var exchanges: [DNSExchange] {
        switch self {
        case .noSuchName(_, _, _, let x), .noAddress(_, _, let x), .serverError(_, _, let x), .timeout(_, _, _, let x),
            .unreachable(_, _, let x), .truncated(_, _, let x), .malformed(_, _, let x), .cnameLoop(_, let x),
            .cnameChainTooLong(_, _, let x):
            x
        }
    }
}

/// The trace's own stub resolver (not getaddrinfo): /etc/hosts, then UDP queries to the servers of
/// /etc/resolv.conf with its timeout/attempts/search/ndots, TCP when an answer is truncated (TC=1,
/// RFC 7766 section 5).
public struct Resolver: Sendable {
    public var conf: ResolvConf
    public var hosts: HostsFile
    public var hostsPath: String
    public var types: [DNSRecordType]
    /// Whole-step deadline in milliseconds (the trace's --timeout).
    public var timeoutCapMs: Double
    /// The most CNAME links followed from the asked name before the chain is called too long.
    public static let maxCNAMEChain = 16

    /// How long one try waits: resolv.conf's timeout, shortened so that every try of every server
    /// fits in `timeoutCapMs` (the step as a whole never takes longer than --timeout).
    public var perTryMs: Double {
        min(Double(conf.timeoutSeconds) * 1000, timeoutCapMs / Double(max(1, conf.attempts * conf.nameservers.count)))
    }

    public init(
        conf: ResolvConf, hosts: HostsFile, hostsPath: String = "/etc/hosts", types: [DNSRecordType],
        timeoutCapMs: Double
    ) {
        self.conf = conf
        self.hosts = hosts
        self.hostsPath = hostsPath
        self.types = types
        self.timeoutCapMs = timeoutCapMs
    }

    /// `localhost`, `localhost.` and any name under `.localhost` (RFC 6761 section 6.3), any case.
    public static func isLocalhost(_ name: String) -> Bool {
        var n = name.lowercased()
        if n.hasSuffix(".") { n.removeLast() }
        return n == "localhost" || n.hasSuffix(".localhost")
    }

    public func resolve(_ name: String) throws(DNSFailure) -> DNSResult {
        let wanted = hosts.lookup(name).filter { e in types.contains(e.address.isIPv6 ? .aaaa : .a) }
        if !wanted.isEmpty {
            return DNSResult(
                source: .hostsFile(path: hostsPath, lines: wanted.map(\.line)), name: name, cnames: [],
                addresses: wanted.map { DNSResult.Address(address: $0.address, ttl: nil) }, exchanges: [],
                namesTried: [name])
        }
        // RFC 6761 section 6.3: resolvers answer localhost and *.localhost with the loopback
        // addresses themselves and never send those queries to a DNS server. /etc/hosts comes first
        // (above), as glibc's files-before-dns does.
        if Self.isLocalhost(name) {
            let loopback = types.map { $0 == .aaaa ? IPAddress("::1")! : IPAddress("127.0.0.1")! }
            return DNSResult(
                source: .localhost, name: name, cnames: [],
                addresses: loopback.map { DNSResult.Address(address: $0, ttl: nil) }, exchanges: [],
                namesTried: [name])
        }
        let deadline = Monotonic.nowMs() + timeoutCapMs
        var exchanges: [DNSExchange] = []
        var tried: [String] = []
        var lastNX: (DNSServer, UInt32?)?
        var noData: String?
        for candidate in conf.candidates(for: name) {
            tried.append(candidate)
            let outcome = try ask(candidate, deadline: deadline, exchanges: &exchanges)
            switch outcome {
            case .answered(let result):
                var r = result
                r.exchanges = exchanges
                r.namesTried = tried
                return r
            case .nxdomain(let server, let ttl):
                lastNX = (server, ttl)
            case .noData:
                if noData == nil { noData = candidate }
            }
        }
        if let noData { throw .noAddress(name: noData, types: types, exchanges: exchanges) }
        let (server, ttl) = lastNX ?? (conf.nameservers[0], nil)
        throw .noSuchName(names: tried, server: server, negativeTTL: ttl, exchanges: exchanges)
    }

    enum Outcome {
        case answered(DNSResult)
        case nxdomain(DNSServer, UInt32?)
        case noData
    }

    /// Asks for every type of `name`, trying servers in turn, `attempts` rounds.
    func ask(_ name: String, deadline: Double, exchanges: inout [DNSExchange]) throws(DNSFailure) -> Outcome {
        var answers: [DNSRecordType: DNSResponse] = [:]
        var lastError: DNSFailure?
        let perTry = perTryMs
        rounds: for attempt in 1...conf.attempts {
            for server in conf.nameservers {
                if Monotonic.nowMs() >= deadline { break rounds }
                let pending = types.filter { answers[$0] == nil }
                let got =
                    conf.useTCP
                    ? askTCP(
                        server, name, pending, attempt: attempt, deadline: min(deadline, Monotonic.nowMs() + perTry),
                        log: &exchanges)
                    : askUDP(
                        server, name, pending, attempt: attempt, deadline: min(deadline, Monotonic.nowMs() + perTry),
                        log: &exchanges)
                switch got {
                case .failure(let f):
                    lastError = f
                    continue
                case .success(let responses):
                    for (t, r) in responses {
                        if r.rcode == .noError || r.rcode == .nxDomain {
                            answers[t] = r
                        } else {
                            lastError = .serverError(rcode: r.rcode, server: server, exchanges: [])
                        }
                    }
                }
                if types.allSatisfy({ answers[$0] != nil }) { break rounds }
            }
        }
        guard !answers.isEmpty else {
            switch lastError {
            case .serverError(let rc, let s, _)?: throw .serverError(rcode: rc, server: s, exchanges: exchanges)
            case .unreachable(let s, let why, _)?: throw .unreachable(server: s, reason: why, exchanges: exchanges)
            case .truncated(let s, let why, _)?: throw .truncated(server: s, reason: why, exchanges: exchanges)
            case .malformed(let s, let why, _)?: throw .malformed(server: s, reason: why, exchanges: exchanges)
            default:
                throw .timeout(
                    servers: conf.nameservers, attempts: conf.attempts, timeoutMs: perTry, exchanges: exchanges)
            }
        }
        let responses = types.compactMap { answers[$0] }
        if responses.allSatisfy({ $0.rcode == .nxDomain }) {
            let server = exchanges.last { $0.response?.rcode == .nxDomain }?.server ?? conf.nameservers[0]
            return .nxdomain(server, responses.compactMap(\.negativeTTL).min())
        }
        // Follow the CNAME chain from the asked name, then collect addresses for the final name.
        var cnames: [(String, String, UInt32)] = []
        var current = Self.canonical(name)
        var seen: Set<String> = [current]
        let all = responses.flatMap(\.answers)
        while let c = all.first(where: { $0.type == .cname && Self.canonical($0.name) == current }) {
            cnames.append((c.name, c.data, c.ttl))
            current = Self.canonical(c.data)
            if !seen.insert(current).inserted {
                throw .cnameLoop(chain: [name] + cnames.map { $0.1 }, exchanges: exchanges)
            }
            if cnames.count > Self.maxCNAMEChain {
                throw .cnameChainTooLong(
                    limit: Self.maxCNAMEChain, chain: [name] + cnames.map { $0.1 }, exchanges: exchanges)
            }
        }
        var addrs: [DNSResult.Address] = []
        for t in types {
            for r in answers[t]?.answers ?? [] where r.type == t && Self.canonical(r.name) == current {
                if let a = IPAddress(r.data), !addrs.contains(where: { $0.address == a }) {
                    addrs.append(DNSResult.Address(address: a, ttl: r.ttl))
                }
            }
        }
        if addrs.isEmpty { return .noData }
        return .answered(
            DNSResult(source: .dns, name: name, cnames: cnames, addresses: addrs, exchanges: [], namesTried: []))
    }

    /// A name as compared: lower case, without the root's trailing dot.
    static func canonical(_ name: String) -> String {
        let n = name.lowercased()
        return n.hasSuffix(".") ? String(n.dropLast()) : n
    }

    /// `r` answers the question asked in `x` (RFC 5452 section 9.1: id, name and type must match).
    static func matches(_ r: DNSResponse, _ x: DNSExchange) -> Bool {
        r.isResponse && r.id == x.id && canonical(r.questionName) == canonical(x.name) && r.questionType == x.type
    }

    /// Sends one query per type on one connected UDP socket (as glibc does for A and AAAA) and waits
    /// for the answers until `deadline`. A truncated answer is asked again over TCP.
    func askUDP(
        _ server: DNSServer, _ name: String, _ pending: [DNSRecordType], attempt: Int, deadline: Double,
        log: inout [DNSExchange]
    ) -> Result<[DNSRecordType: DNSResponse], DNSFailure> {
        let sa = SocketAddress(server.address, port: server.port)
        let fd = socket(
            sa.family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else {
            let e = errno
            return .failure(
                .unreachable(
                    server: server, reason: Bilingual(english: errnoText(e), chinese: errnoName(e)), exchanges: []))
        }
        defer { close(fd) }
        if sa.withSockaddr({ Glibc.connect(fd, $0, $1) }) != 0 {
            return .failure(.unreachable(server: server, reason: Self.errnoReason(errno), exchanges: []))
        }
        let localPort = localPortOf(fd)
        var waiting: [UInt16: Int] = [:]  // id -> index in log
        // Every query is built and logged first, then all are sent back to back, as glibc does: the
        // A and AAAA questions are in flight together and the step lasts one round trip, not two.
        var queries: [(index: Int, bytes: [UInt8])] = []
        for t in pending {
            var id = UInt16.random(in: 1...UInt16.max)
            while waiting[id] != nil { id = UInt16.random(in: 1...UInt16.max) }
            guard let q = try? DNSBuilder.query(id: id, name: name, type: t, ednsPayload: conf.edns0 ? 1232 : nil)
            else {
                continue
            }
            log.append(
                DNSExchange(
                    server: server, transport: "udp", name: name, type: t, id: id, localPort: localPort,
                    attempt: attempt, sentMs: 0, answeredMs: nil, response: nil, problem: nil))
            waiting[id] = log.count - 1
            queries.append((log.count - 1, q))
        }
        for q in queries {
            log[q.index].sentMs = Monotonic.nowMs()
            _ = q.bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        }
        var got: [DNSRecordType: DNSResponse] = [:]
        var buf = [UInt8](repeating: 0, count: 65535)
        var malformed: Bilingual?
        var tcpFallback: Bilingual?
        var ignored = 0
        while !waiting.isEmpty {
            guard SocketIO.waitReadable(fd, until: deadline) else { break }
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            let now = Monotonic.nowMs()
            if n < 0 {
                if errno == EAGAIN || errno == EINTR { continue }
                let e = errno
                let why =
                    e == ECONNREFUSED
                    ? Bilingual(TraceSay.dnsPortUnreachable, server.description) : Self.errnoReason(e)
                for (_, i) in waiting { log[i].problem = why }
                return .failure(.unreachable(server: server, reason: why, exchanges: []))
            }
            let message = Array(buf[0..<n])
            let r: DNSResponse
            do {
                r = try DNSResponse.parse(message)
            } catch {
                // Only the server can send to this connected socket: its reply is broken. The id,
                // when there are two bytes of it, says which question it was meant to answer.
                let id = n >= 2 ? UInt16(message[0]) << 8 | UInt16(message[1]) : 0
                let why = Bilingual(TraceSay.dnsMalformedReply, "\(n)", "\(error)")
                if let i = waiting[id] { log[i].problem = why }
                malformed = why
                continue
            }
            // A reply to another question (other id, name or type) is not ours: ignored, and the
            // wait goes on (RFC 5452 section 9.1).
            guard let i = waiting[r.id], Self.matches(r, log[i]) else {
                ignored += 1
                continue
            }
            waiting[r.id] = nil
            log[i].answeredMs = now
            log[i].response = r
            if r.truncated {
                log[i].problem = Bilingual(TraceSay.dnsTruncatedRetried)
                switch askTCP(server, name, [log[i].type], attempt: attempt, deadline: deadline, log: &log) {
                case .success(let more):
                    got.merge(more) { $1 }
                case .failure(let f):
                    if case .unreachable(_, let why, _) = f {
                        tcpFallback = why
                    } else {
                        tcpFallback = Bilingual(verbatim: "\(f)")
                    }
                    log[i].problem = Bilingual(
                        TraceSay.dnsTCPRetryFailed, parts: [tcpFallback ?? Bilingual(verbatim: "")])
                }
                continue
            }
            got[log[i].type] = r
        }
        let perTry = formatMs(perTryMs)
        for (_, i) in waiting where log[i].problem == nil {
            log[i].problem =
                Bilingual(TraceSay.dnsNoAnswerWithin, perTry)
                + (ignored > 0 ? Bilingual(TraceSay.dnsIgnoredReplies, "\(ignored)") : Bilingual(verbatim: ""))
        }
        if got.isEmpty {
            if let why = tcpFallback {
                return .failure(
                    .truncated(
                        server: server, reason: Bilingual(TraceSay.dnsTCPFallbackFailed, parts: [why]), exchanges: []))
            }
            if let why = malformed { return .failure(.malformed(server: server, reason: why, exchanges: [])) }
            if !waiting.isEmpty {
                return .failure(.timeout(servers: [server], attempts: 1, timeoutMs: 0, exchanges: []))
            }
        }
        return .success(got)
    }

    /// The same over TCP: a 2-byte length before each message (RFC 1035 section 4.2.2).
    func askTCP(
        _ server: DNSServer, _ name: String, _ pending: [DNSRecordType], attempt: Int, deadline: Double,
        log: inout [DNSExchange]
    ) -> Result<[DNSRecordType: DNSResponse], DNSFailure> {
        var got: [DNSRecordType: DNSResponse] = [:]
        for t in pending {
            let left = deadline - Monotonic.nowMs()
            guard left > 0 else { break }
            let sent = Monotonic.nowMs()
            let id = UInt16.random(in: 1...UInt16.max)
            switch TCPConnector.connect(to: server.address, port: server.port, timeoutMs: left) {
            case .failure(let e):
                let why: Bilingual
                switch e {
                case .refused: why = Bilingual(TraceSay.dnsTCPRefused, server.description)
                case .timeout: why = Bilingual(TraceSay.dnsTCPTimedOut, server.description)
                case .unreachable(let err, _), .other(let err, _): why = Self.errnoReason(err)
                }
                log.append(
                    DNSExchange(
                        server: server, transport: "tcp", name: name, type: t, id: id, localPort: 0, attempt: attempt,
                        sentMs: sent, answeredMs: nil, response: nil, problem: why))
                return .failure(.unreachable(server: server, reason: why, exchanges: []))
            case .success(let c):
                defer { close(c.fd) }
                guard let q = try? DNSBuilder.query(id: id, name: name, type: t) else { continue }
                var ex = DNSExchange(
                    server: server, transport: "tcp", name: name, type: t, id: id, localPort: c.localPort,
                    attempt: attempt, sentMs: sent, answeredMs: nil, response: nil, problem: nil)
                let framed = [UInt8(q.count >> 8), UInt8(q.count & 0xFF)] + q
                if SocketIO.writeAll(c.fd, framed, until: deadline),
                    let lenBytes = SocketIO.readExactly(c.fd, 2, until: deadline),
                    let body = SocketIO.readExactly(c.fd, Int(lenBytes[0]) << 8 | Int(lenBytes[1]), until: deadline),
                    let r = try? DNSResponse.parse(body), Self.matches(r, ex)
                {
                    ex.answeredMs = Monotonic.nowMs()
                    ex.response = r
                    got[t] = r
                } else {
                    ex.problem = Bilingual(TraceSay.dnsNoTCPAnswer)
                }
                log.append(ex)
            }
        }
        return .success(got)
    }

    /// A failed call's errno: its name and the C library's text in English, the name alone in
    /// Chinese (strerror speaks English only).
    static func errnoReason(_ e: Int32) -> Bilingual {
        Bilingual(english: "\(errnoName(e)): \(errnoText(e))", chinese: errnoName(e))
    }

    func localPortOf(_ fd: Int32) -> Int {
        SocketAddress.filled { getsockname(fd, $0, $1) }.address.endpoint?.1 ?? 0
    }
}
