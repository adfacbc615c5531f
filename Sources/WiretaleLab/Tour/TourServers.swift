import Synchronization
import WiretaleSystem

#if canImport(Glibc)
    import Glibc
#endif

/// The tour's own loopback servers for a `trace` that needs no network: a DNS server that knows one
/// name (`notes.example` → 127.0.0.1) and a web server with one page. Each runs on its own thread,
/// answers until `stop()`, and is bounded in time (each wait ends after 200 ms to check for stop).
public final class TourServers: @unchecked Sendable {
    public static let name = "notes.example"
    public let dnsPort: UInt16
    public let httpPort: UInt16
    private let dns: Socket
    private let http: Socket
    private var threads: [pthread_t] = []
    private let stopping = Mutex(false)

    public static let page = """
        <!doctype html>
        <html><head><title>wiretale tour</title></head>
        <body><h1>Hello from the tour's own web server</h1>
        <p>This page came over TCP from 127.0.0.1, after a DNS answer from 127.0.0.1.</p></body></html>

        """

    /// Opens both servers on 127.0.0.1, ports chosen by the kernel.
    public init() throws(SocketError) {
        dns = try Socket.udp()
        try dns.bind(SocketAddress(ip: "127.0.0.1", port: 0)!)
        try dns.receiveTimeout(milliseconds: 200)
        dnsPort = try dns.localAddress().port
        http = try Socket.tcp()
        try http.reuseAddress()
        try http.bind(SocketAddress(ip: "127.0.0.1", port: 0)!)
        try http.listen()
        httpPort = try http.localAddress().port
        let me = SendableBox(self)
        threads += [startThread { me.value.serveDNS() }, startThread { me.value.serveHTTP() }].compactMap { $0 }
    }

    var stopped: Bool { stopping.withLock { $0 } }

    /// Stops both servers and waits for their threads.
    public func stop() {
        stopping.withLock { $0 = true }
        for t in threads { joinThread(t) }
        threads.removeAll()
        dns.close()
        http.close()
    }

    private func serveDNS() {
        while !stopped {
            guard let (query, peer) = try? dns.receiveFrom(max: 512) else { continue }
            if let reply = Self.answer(query) { _ = try? dns.send(reply, to: peer) }
        }
    }

    private func serveHTTP() {
        while !stopped {
            guard http.waitReadable(milliseconds: 200), let (c, _) = try? http.accept() else { continue }
            try? c.receiveTimeout(milliseconds: 2000)
            var request: [UInt8] = []
            while !request.ends(with: [13, 10, 13, 10]), request.count < 16_384,
                let d = try? c.receive(max: 4096), !d.isEmpty
            {
                request += d
            }
            let body = Array(Self.page.utf8)
            let head =
                "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: \(body.count)\r\n"
                + "Connection: close\r\n\r\n"
            _ = try? c.send(Array(head.utf8) + body)
            c.close()
        }
    }

    /// A DNS response (RFC 1035 4.1) to `query`: an A record 127.0.0.1 for `notes.example`,
    /// NOERROR with no answer for its other types, NXDOMAIN for any other name.
    static func answer(_ q: [UInt8]) -> [UInt8]? {
        guard q.count >= 12, q[2] & 0x80 == 0 else { return nil }
        var i = 12
        var labels: [String] = []
        while i < q.count, q[i] != 0 {
            let n = Int(q[i])
            guard n < 64, i + 1 + n <= q.count else { return nil }
            labels.append(String(decoding: q[(i + 1)..<(i + 1 + n)], as: UTF8.self).lowercased())
            i += 1 + n
        }
        guard i + 5 <= q.count else { return nil }
        let questionEnd = i + 5
        let type = UInt16(q[i + 1]) << 8 | UInt16(q[i + 2])
        let known = labels.joined(separator: ".") == name
        var r = Array(q[0..<2])
        r += [0x81 | (q[2] & 0x01), known ? 0x80 : 0x83]  // QR, RD copied; RA; rcode 0 or 3 (NXDOMAIN)
        let answers: UInt8 = known && type == 1 ? 1 : 0
        r += [0, 1, 0, answers, 0, 0, 0, 0]
        r += q[12..<questionEnd]
        if answers == 1 {
            r += [0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1]
        }
        return r
    }
}

extension Array where Element == UInt8 {
    func ends(with suffix: [UInt8]) -> Bool {
        count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix
    }
}
