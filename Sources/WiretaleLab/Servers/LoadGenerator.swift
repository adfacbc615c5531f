import CLinux
import WiretaleSystem

#if canImport(Glibc)
    import Glibc
#endif

/// The lab's load: C keep-alive connections, each sending `GET` and waiting for the whole response
/// before the next (no pipelining, as wrk does by default), driven by a few threads each with its
/// own epoll over its share of the connections. Bounded by a request count and a deadline.
final class LoadGenerator: @unchecked Sendable {
    let fds: [Int32]
    let request: [UInt8]

    /// What one run measured.
    struct Result {
        var answered = 0
        /// Connections closed or reset before their answer, and answers other than 200.
        var errors = 0
        /// Requests still waiting for their answer when the deadline came.
        var unfinished = 0
        /// Client-measured time from sending a request to its last response byte, nanoseconds.
        var latencies: [Int64] = []
        var elapsedNs: Int64 = 0
        /// Per serving process (X-Wiretale-Pid), the highest per-process counter seen.
        var counters: [Int32: Int] = [:]
        /// The highest shared-memory counter seen (process model only).
        var shared: Int?

        mutating func merge(_ o: Result) {
            answered += o.answered
            errors += o.errors
            unfinished += o.unfinished
            latencies += o.latencies
            for (k, v) in o.counters { counters[k] = max(counters[k] ?? 0, v) }
            if let s = o.shared { shared = max(shared ?? 0, s) }
        }

        func percentileMs(_ p: Double) -> Double? {
            guard !latencies.isEmpty else { return nil }
            let sorted = latencies.sorted()
            let i = min(sorted.count - 1, max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1))
            return Double(sorted[i]) / 1e6
        }
    }

    /// Opens `connections` connections to `address` (blocking connects, then non-blocking).
    init(address: SocketAddress, connections: Int, path: String = "/") throws(SocketError) {
        HTTPServer.raiseFileLimit()
        var fds: [Int32] = []
        do throws(SocketError) {
            for _ in 0..<connections {
                let s = try Socket.tcp()
                try s.connect(address)
                let fd = dup(s.fd)
                s.close()
                var one: Int32 = 1
                setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
                fds.append(fd)
            }
        } catch {
            for fd in fds { Glibc.close(fd) }
            throw error
        }
        self.fds = fds
        request = Array("GET \(path) HTTP/1.1\r\nHost: \(address)\r\n\r\n".utf8)
    }

    deinit { for fd in fds { Glibc.close(fd) } }

    /// Sends `requests` requests in all (each connection sends its next as soon as its last was
    /// answered) on `threads` threads, stopping at `seconds`. `counters`: read the server's headers.
    func run(requests: Int, seconds: Double, threads: Int = 2, counters: Bool = false) -> Result {
        let t = max(1, min(threads, fds.count))
        let start = Clock.nowNs()
        let deadline = start + Int64(seconds * 1e9)
        var results = [Result](repeating: Result(), count: t)
        var handles: [pthread_t] = []
        let box = ResultsBox(t)
        for k in 0..<t {
            let mine = stride(from: k, to: fds.count, by: t).map { fds[$0] }
            let budget = requests / t + (k < requests % t ? 1 : 0)
            let g = SendableBox(self)
            let started = startThread {
                box.set(k, g.value.drive(mine, budget: budget, deadline: deadline, counters: counters))
            }
            if let started { handles.append(started) }
        }
        for h in handles { joinThread(h) }
        results = box.results
        var total = Result()
        for r in results { total.merge(r) }
        total.elapsedNs = Clock.nowNs() - start
        return total
    }

    final class ResultsBox: @unchecked Sendable {
        var results: [Result]
        init(_ n: Int) { results = [Result](repeating: Result(), count: n) }
        // Each thread writes its own slot; the joins order the writes before the read.
        func set(_ i: Int, _ r: Result) { results[i] = r }
    }

    /// The largest response kept while it arrives.
    static let maxResponse = 1 << 20

    struct Conn {
        var fd: Int32
        var buffer: [UInt8] = []
        var sentAt: Int64 = 0
        var busy = false
        var dead = false
    }

    /// One thread's share: its connections in one epoll set.
    func drive(_ fds: [Int32], budget: Int, deadline: Int64, counters: Bool) -> Result {
        var r = Result()
        r.latencies.reserveCapacity(budget)
        let ep = wt_epoll_create()
        defer { Glibc.close(ep) }
        var conns = fds.map { Conn(fd: $0) }
        var left = budget
        var busy = 0
        func send(_ i: Int) {
            let n = request.withUnsafeBytes { Glibc.send(conns[i].fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            // A request this small fits an empty send buffer at once; anything else is an error.
            if n != request.count {
                conns[i].dead = true
                r.errors += 1
                return
            }
            conns[i].sentAt = Clock.nowNs()
            conns[i].busy = true
            busy += 1
            left -= 1
        }
        /// A connection in flight that will give no answer: counted as an error and dropped.
        func drop(_ i: Int) {
            conns[i].busy = false
            conns[i].dead = true
            busy -= 1
            r.errors += 1
            wt_epoll_ctl(ep, Int32(WT_EPOLL_CTL_DEL), conns[i].fd, 0, 0)
        }
        for i in conns.indices {
            wt_epoll_ctl(ep, Int32(WT_EPOLL_CTL_ADD), conns[i].fd, UInt32(WT_EPOLLIN | WT_EPOLLRDHUP), UInt64(i))
            conns[i].buffer.reserveCapacity(4096)
        }
        for i in conns.indices where left > 0 { send(i) }
        var data = [UInt64](repeating: 0, count: 256)
        var events = [UInt32](repeating: 0, count: 256)
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while busy > 0 {
            let now = Clock.nowNs()
            if now >= deadline { break }
            let n = wt_epoll_wait(ep, &data, &events, 256, Int32(min(1000, (deadline - now) / 1_000_000 + 1)))
            if n < 0 && errno != EINTR { break }
            for e in 0..<max(0, Int(n)) {
                let i = Int(data[e])
                guard conns[i].busy else { continue }
                let got = chunk.withUnsafeMutableBytes { recv(conns[i].fd, $0.baseAddress, $0.count, 0) }
                if got < 0 && (errno == EAGAIN || errno == EINTR) { continue }
                if got <= 0 {
                    // The server closed or reset the connection before answering.
                    drop(i)
                    continue
                }
                conns[i].buffer.append(contentsOf: chunk[0..<got])
                let parsed = ResponseHead.parse(conns[i].buffer, counters: counters)
                // A head that never ends, or a body larger than this server ever sends: not an answer.
                let tooLong = parsed.map { $0.length > Self.maxResponse } ?? (conns[i].buffer.count > Self.maxResponse)
                guard let head = parsed ?? (tooLong ? ResponseHead(length: -1) : nil) else { continue }
                if head.length < 0 || tooLong {
                    drop(i)
                    continue
                }
                guard conns[i].buffer.count >= head.length else { continue }
                let took = Clock.nowNs() - conns[i].sentAt
                conns[i].buffer.removeFirst(head.length)
                conns[i].busy = false
                busy -= 1
                if head.status == 200 {
                    r.answered += 1
                    r.latencies.append(took)
                } else {
                    r.errors += 1
                }
                if counters, let pid = head.pid, let c = head.count { r.counters[pid] = max(r.counters[pid] ?? 0, c) }
                if let s = head.shared { r.shared = max(r.shared ?? 0, s) }
                if left > 0 && !conns[i].dead { send(i) }
            }
        }
        r.unfinished = busy
        return r
    }
}

/// A response's head, as the load generator and the lab's probes read it.
struct ResponseHead {
    var status = 0
    /// Head plus body, bytes; -1 when the head is malformed.
    var length = 0
    var pid: Int32?
    var count: Int?
    var shared: Int?
    var close = false

    /// Parses the head at the start of `b`; nil while it has not all arrived.
    static func parse(_ b: [UInt8], counters: Bool) -> ResponseHead? {
        guard let end = HTTPHandling.headEnd(b) else { return nil }
        var h = ResponseHead()
        b.withUnsafeBufferPointer { p in
            // "HTTP/1.1 200 ..."
            guard end > 12, p[9] >= 48, p[9] <= 57 else {
                h.length = -1
                return
            }
            h.status = (Int(p[9]) - 48) * 100 + (Int(p[10]) - 48) * 10 + (Int(p[11]) - 48)
            var bodyLength = 0
            var i = 0
            while i < end {
                // Each header line starts after "\r\n".
                guard p[i] == 10 else {
                    i += 1
                    continue
                }
                i += 1
                let c = p[i] | 0x20
                if c == UInt8(ascii: "c") {
                    if matches(p, i, "content-length:") {
                        bodyLength = number(p, i + 15)
                    } else if matches(p, i, "connection: close") {
                        h.close = true
                    }
                } else if counters && c == UInt8(ascii: "x") {
                    if matches(p, i, "x-wiretale-pid:") { h.pid = Int32(number(p, i + 15)) }
                    if matches(p, i, "x-wiretale-count:") { h.count = number(p, i + 17) }
                    if matches(p, i, "x-wiretale-shared:") { h.shared = number(p, i + 18) }
                }
            }
            h.length = end + 4 + bodyLength
        }
        return h
    }

    static func matches(_ p: UnsafeBufferPointer<UInt8>, _ at: Int, _ s: StaticString) -> Bool {
        guard at + s.utf8CodeUnitCount <= p.count else { return false }
        return s.withUTF8Buffer { w in
            for k in 0..<w.count where p[at + k] | 0x20 != w[k] | 0x20 { return false }
            return true
        }
    }

    static func number(_ p: UnsafeBufferPointer<UInt8>, _ at: Int) -> Int {
        var i = at
        while i < p.count && p[i] == 32 { i += 1 }
        var n = 0
        while i < p.count, p[i] >= 48, p[i] <= 57, n < 1 << 40 {
            n = n * 10 + Int(p[i] - 48)
            i += 1
        }
        return n
    }
}
