import WiretaleCore
import WiretaleSystem

#if canImport(Glibc)
    import Glibc
#endif

/// The kernel's view of one TCP socket (getsockopt TCP_INFO, linux/tcp.h): its state and the
/// retransmission counters that show SYN retries without a capture.
public struct TCPSocketInfo: Sendable, Equatable {
    /// The notes' state name ("ESTABLISHED", "SYN-SENT", "SYN-RCVD", "CLOSE-WAIT", ...).
    public var state: String
    /// Retransmissions of the segment now outstanding (for a SYN in SYN-SENT: the SYN retries).
    public var retransmits: Int
    public var totalRetransmits: Int
    /// Smoothed round-trip time in microseconds, as the kernel estimates it.
    public var rttMicros: Int

    static func read(_ fd: Int32) -> TCPSocketInfo? {
        var info = tcp_info()
        var len = socklen_t(MemoryLayout<tcp_info>.size)
        guard getsockopt(fd, Int32(IPPROTO_TCP), TCP_INFO, &info, &len) == 0 else { return nil }
        return TCPSocketInfo(
            state: stateName(Int(info.tcpi_state)), retransmits: Int(info.tcpi_retransmits),
            totalRetransmits: Int(info.tcpi_total_retrans), rttMicros: Int(info.tcpi_rtt))
    }

    /// The notes' name for Linux's TCP_* state number (`TCPState(linuxState:)`), "state N" for a
    /// number the kernel does not define.
    static func stateName(_ s: Int) -> String {
        UInt8(exactly: s).flatMap { TCPState(linuxState: $0) }?.description ?? "state \(s)"
    }
}

/// A connected TCP socket and how it came to be.
public struct ConnectedSocket: Sendable {
    public var fd: Int32
    public var remote: IPAddress
    public var remotePort: Int
    public var local: IPAddress
    public var localPort: Int
    public var startMs: Double
    public var endMs: Double
    public var info: TCPSocketInfo?
}

public enum TCPConnectError: Error, Sendable {
    /// The server's host answered the SYN with RST: nothing listens on that port.
    case refused(ms: Double)
    /// No answer to the SYN (or its retries) within the timeout.
    case timeout(ms: Double, synRetries: Int?)
    /// The kernel or a router said there is no way there (ENETUNREACH / EHOSTUNREACH).
    case unreachable(errno: Int32, ms: Double)
    case other(errno: Int32, ms: Double)
}

/// One connection attempt of a race: where to, when it began, and how it ended.
public struct ConnectAttempt: Sendable {
    public var remote: IPAddress
    public var startMs: Double
    /// nil when the attempt was abandoned because another one connected first.
    public var result: Result<ConnectedSocket, TCPConnectError>?
}

public enum TCPConnector {
    /// A non-blocking connect(2) to `remote`, waited on with poll(2) for at most `timeoutMs`: the
    /// time from connect to writable is the three-way handshake as the client sees it (SYN sent to
    /// SYN-ACK received and ACK sent).
    public static func connect(to remote: IPAddress, port: Int, timeoutMs: Double) -> Result<
        ConnectedSocket, TCPConnectError
    > {
        race([remote], port: port, attemptDelayMs: timeoutMs, timeoutMs: timeoutMs).attempts[0].result!
    }

    /// Connects to the first of `remotes` that answers, as Happy Eyeballs does (RFC 8305 section 5):
    /// the next address is tried when the one before failed, or when it has not connected within
    /// `attemptDelayMs` (the earlier attempts go on); the first to connect wins and the others are
    /// closed. Each attempt waits at most `timeoutMs` from its own start.
    public static func race(_ remotes: [IPAddress], port: Int, attemptDelayMs: Double, timeoutMs: Double) -> (
        winner: Int?, attempts: [ConnectAttempt]
    ) {
        var attempts: [ConnectAttempt] = []
        var pending: [(index: Int, fd: Int32)] = []
        var nextStartMs = Monotonic.nowMs()

        func finish(_ i: Int, _ result: Result<ConnectedSocket, TCPConnectError>) {
            attempts[i].result = result
            pending.removeAll { $0.index == i }
        }
        /// Starts the next attempt; false when none is left.
        func startNext() -> Bool {
            guard attempts.count < remotes.count else { return false }
            let remote = remotes[attempts.count]
            let i = attempts.count
            let start = Monotonic.nowMs()
            attempts.append(ConnectAttempt(remote: remote, startMs: start, result: nil))
            nextStartMs = start + attemptDelayMs
            let sa = SocketAddress(remote, port: port)
            let fd = socket(
                sa.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue),
                0)
            guard fd >= 0 else {
                attempts[i].result = .failure(.other(errno: errno, ms: 0))
                return true
            }
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            if sa.withSockaddr({ Glibc.connect(fd, $0, $1) }) == 0 {
                pending.append((i, fd))  // connected at once (loopback): poll reports it writable
            } else if errno == EINPROGRESS {
                pending.append((i, fd))
            } else {
                let e = errno
                close(fd)
                attempts[i].result = .failure(classify(e, ms: Monotonic.nowMs() - start, synRetries: nil))
            }
            return true
        }

        _ = startNext()
        while true {
            // An attempt that failed at once lets the next start at once.
            if pending.isEmpty {
                if !startNext() { return (nil, attempts) }
                continue
            }
            let now = Monotonic.nowMs()
            var wakeMs = attempts.count < remotes.count ? nextStartMs : Double.infinity
            for p in pending { wakeMs = min(wakeMs, attempts[p.index].startMs + timeoutMs) }
            var fds = pending.map { pollfd(fd: $0.fd, events: Int16(POLLOUT), revents: 0) }
            let waitMs = max(0, wakeMs - now)
            let n = poll(&fds, nfds_t(fds.count), saturating(min(waitMs.rounded(.up), 1_000_000), as: Int32.self))
            if n < 0 && errno == EINTR { continue }
            let at = Monotonic.nowMs()
            var winner: Int?
            let polled = pending  // `fds` is in this order; `finish` removes from `pending`
            for (k, pfd) in fds.enumerated() where pfd.revents != 0 {
                let (i, fd) = polled[k]
                var err: Int32 = 0
                var len = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len)
                if err == 0 {
                    winner = i
                    break
                }
                let info = TCPSocketInfo.read(fd)
                close(fd)
                finish(i, .failure(classify(err, ms: at - attempts[i].startMs, synRetries: info?.retransmits)))
            }
            if let w = winner, let fd = pending.first(where: { $0.index == w })?.fd {
                for p in pending where p.index != w { close(p.fd) }  // abandoned: their result stays nil
                pending.removeAll()
                finish(w, .success(connected(fd, remote: attempts[w].remote, port: port, startMs: attempts[w].startMs)))
                return (w, attempts)
            }
            for p in pending where at - attempts[p.index].startMs >= timeoutMs {
                let info = TCPSocketInfo.read(p.fd)
                close(p.fd)
                finish(p.index, .failure(.timeout(ms: at - attempts[p.index].startMs, synRetries: info?.retransmits)))
            }
            if at >= nextStartMs { _ = startNext() }
        }
    }

    /// The connection of a socket whose connect(2) completed.
    static func connected(_ fd: Int32, remote: IPAddress, port: Int, startMs: Double) -> ConnectedSocket {
        let end = Monotonic.nowMs()
        let local = SocketAddress.filled { getsockname(fd, $0, $1) }.address
        let (lip, lport) = local.endpoint ?? (remote, 0)
        return ConnectedSocket(
            fd: fd, remote: remote, remotePort: port, local: lip, localPort: lport, startMs: startMs, endMs: end,
            info: TCPSocketInfo.read(fd))
    }

    static func classify(_ e: Int32, ms: Double, synRetries: Int?) -> TCPConnectError {
        switch e {
        case ECONNREFUSED: .refused(ms: ms)
        case ETIMEDOUT: .timeout(ms: ms, synRetries: synRetries)
        case ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL: .unreachable(errno: e, ms: ms)
        default: .other(errno: e, ms: ms)
        }
    }

    /// `net.ipv4.tcp_syn_retries`: how many times Linux resends an unanswered SYN before giving up.
    public static func synRetriesSetting() -> Int? {
        readTextFile("/proc/sys/net/ipv4/tcp_syn_retries").flatMap { Int($0.trimmingASCIIWhitespace()) }
    }
}

/// Blocking helpers over a non-blocking fd, each bounded by a deadline on the monotonic clock.
enum SocketIO {
    /// Waits until `fd` is readable; false on timeout.
    static func waitReadable(_ fd: Int32, until deadline: Double) -> Bool {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while true {
            let left = deadline - Monotonic.nowMs()
            if left <= 0 { return false }
            let n = poll(&pfd, 1, saturating(left.rounded(.up), as: Int32.self))
            if n < 0 && errno == EINTR { continue }
            return n > 0
        }
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], until deadline: Double) -> Bool {
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n > 0 {
                off += n
                continue
            }
            if n < 0 && (errno == EAGAIN || errno == EINTR) {
                var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                let left = deadline - Monotonic.nowMs()
                if left <= 0 || poll(&pfd, 1, saturating(left.rounded(.up), as: Int32.self)) <= 0 { return false }
                continue
            }
            return false
        }
        return true
    }

    /// Reads exactly `count` bytes, nil on EOF, error or timeout.
    static func readExactly(_ fd: Int32, _ count: Int, until deadline: Double) -> [UInt8]? {
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while out.count < count {
            guard waitReadable(fd, until: deadline) else { return nil }
            let want = min(buf.count, count - out.count)
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, want, 0) }
            if n > 0 {
                out += buf[0..<n]
            } else if n == 0 {
                return nil
            } else if errno != EAGAIN && errno != EINTR {
                return nil
            }
        }
        return out
    }
}
