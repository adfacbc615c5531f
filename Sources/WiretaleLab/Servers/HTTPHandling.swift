import CLinux
import Synchronization
import WiretaleCore

#if canImport(Glibc)
    import Glibc
#endif

/// The request handling every concurrency model shares: a small HTTP/1.1 keep-alive server. Each
/// request increments this process's counter (and, under processes, a counter in memory shared on
/// purpose); the response carries both and the serving process's id, so a client sees whose memory
/// answered. `GET /crash` makes the handler trap, as a bug would.
///
/// HTTP rather than the echo server: `wrk` speaks it, so the lab's own load generator can be checked
/// against a standard tool on the same server, and `capture` shows readable requests.
enum HTTPHandling {
    /// The longest request head kept; a longer one gets 431 and the connection is closed.
    static let maxHead = 8192
    static let pid = getpid()

    /// One connection's unparsed bytes; `consume` turns whole requests into response bytes.
    struct Connection {
        var pending: [UInt8] = []

        init() { pending.reserveCapacity(1024) }

        /// Appends what arrived and answers every whole request in it. `close` is true when the
        /// connection must end after `reply` (the client asked, or the request was malformed).
        mutating func consume(
            _ bytes: UnsafeRawBufferPointer, counter: RequestCounter, shared: SharedCounter?
        ) -> (reply: [UInt8], close: Bool) {
            pending.append(contentsOf: bytes)
            var reply: [UInt8] = []
            while let end = headEnd(pending) {
                let request = parseHead(pending[..<(end + 4)])
                // Skip a body the client declared (the lab and wrk send none).
                let total = end + 4 + request.bodyLength
                guard pending.count >= total else { break }
                pending.removeFirst(total)
                guard request.valid else {
                    reply += response(status: "400 Bad Request", body: "bad request\n", close: true)
                    return (reply, true)
                }
                if request.path == "/crash" {
                    // A handler bug: under processes it ends this worker, under threads and
                    // coroutines the whole server (a Swift trap ends the process).
                    fatalError("wiretale: /crash asked the handler to crash")
                }
                let n = counter.increment()
                let s = shared?.increment()
                reply += response(
                    status: "200 OK", body: "served by pid \(pid): request \(n) of this process\n",
                    close: request.close, count: n, shared: s)
                if request.close { return (reply, true) }
            }
            if pending.count > maxHead && headEnd(pending) == nil {
                reply += response(status: "431 Request Header Fields Too Large", body: "head too long\n", close: true)
                return (reply, true)
            }
            return (reply, false)
        }
    }

    struct Head {
        var valid = false
        var path = ""
        var close = false
        var bodyLength = 0
    }

    /// The index of the blank line ending the head ("\r\n\r\n"), nil while it has not arrived.
    static func headEnd(_ b: [UInt8]) -> Int? {
        guard b.count >= 4 else { return nil }
        return b.withUnsafeBufferPointer { p in
            var i = 0
            while i + 3 < p.count {
                if p[i + 3] != 10 {
                    i += p[i + 3] == 13 ? 1 : 4
                    continue
                }
                if p[i] == 13 && p[i + 1] == 10 && p[i + 2] == 13 { return i }
                i += 1
            }
            return nil
        }
    }

    /// The request line and the two headers that matter here (Connection, Content-Length), read by
    /// the core's HTTP/1.x head parser (`HTTPMessage.parseHead`). `head` runs through the blank line
    /// that ends it. A request that is not `METHOD target HTTP/1.x` with well-formed field lines, or
    /// whose Content-Length is not 0 to 65,536, is invalid (the server answers 400).
    static func parseHead(_ head: ArraySlice<UInt8>) -> Head {
        var h = Head()
        let parsed = head.withUnsafeBytes { HTTPMessage.parseHead($0) }
        guard let (line, headers) = parsed, case .request(_, let target, let version) = line,
            version.hasPrefix("HTTP/1."), case .complete = headers.end
        else { return h }
        h.path = target
        h.close = version == "HTTP/1.0"
        for field in headers.fields {
            let value = field.value.lowercased()
            switch field.name.lowercased() {
            case "connection":
                if value == "close" { h.close = true }
                if value == "keep-alive" { h.close = false }
            case "content-length":
                guard let n = Int(value), n >= 0, n <= 65_536 else { return h }
                h.bodyLength = n
            default: continue
            }
        }
        h.valid = true
        return h
    }

    static func response(
        status: String, body: String, close: Bool, count: Int? = nil, shared: Int? = nil
    ) -> [UInt8] {
        var head = "HTTP/1.1 \(status)\r\nContent-Type: text/plain\r\nContent-Length: \(body.utf8.count)\r\n"
        head += "X-Wiretale-Pid: \(pid)\r\n"
        if let count { head += "X-Wiretale-Count: \(count)\r\n" }
        if let shared { head += "X-Wiretale-Shared: \(shared)\r\n" }
        if close { head += "Connection: close\r\n" }
        return Array((head + "\r\n" + body).utf8)
    }
}

/// This process's request counter: ordinary memory, so every thread (and every task) of the
/// process sees the one total, and another process sees none of it.
final class RequestCounter: Sendable {
    private let value = Mutex(0)

    func increment() -> Int {
        value.withLock { v in
            v += 1
            return v
        }
    }
}

/// A counter the processes share on purpose: a page of a memfd every worker maps MAP_SHARED, with a
/// process-shared mutex beside the count. The one way processes' memory meets.
final class SharedCounter: @unchecked Sendable {
    let fd: Int32
    private let base: UnsafeMutableRawPointer

    struct Page {
        var lock = pthread_mutex_t()
        var value = 0
    }

    /// A new page (the parent's side); `fd` is passed to each worker.
    static func create() -> SharedCounter? {
        let fd = wt_memfd("wiretale-shared-counter")
        guard fd >= 0, ftruncate(fd, off_t(MemoryLayout<Page>.size)) == 0, let c = SharedCounter(fd: fd) else {
            return nil
        }
        var attr = pthread_mutexattr_t()
        pthread_mutexattr_init(&attr)
        pthread_mutexattr_setpshared(&attr, Int32(PTHREAD_PROCESS_SHARED))
        let page = c.base.assumingMemoryBound(to: Page.self)
        page.initialize(to: Page())
        pthread_mutex_init(&page.pointee.lock, &attr)
        pthread_mutexattr_destroy(&attr)
        return c
    }

    /// Maps the page behind an inherited `fd`.
    init?(fd: Int32) {
        guard let p = mmap(nil, MemoryLayout<Page>.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0),
            p != UnsafeMutableRawPointer(bitPattern: -1)
        else { return nil }
        self.fd = fd
        base = p
    }

    func increment() -> Int {
        let page = base.assumingMemoryBound(to: Page.self)
        pthread_mutex_lock(&page.pointee.lock)
        defer { pthread_mutex_unlock(&page.pointee.lock) }
        page.pointee.value += 1
        return page.pointee.value
    }
}
