import Synchronization
import WiretaleCore
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
    /// NOERROR with no answer for its other types, NXDOMAIN for any other name. Read and written
    /// by the core's `DNSMessage` and `DNSBuilder`; nil for a response or a query with no question.
    static func answer(_ q: [UInt8]) -> [UInt8]? {
        let (query, _) = q.withUnsafeBytes { DNSMessage.parsePartial($0) }
        guard !query.isResponse, let question = query.questions.first else { return nil }
        let known = question.name.lowercased() == name
        let answers =
            known && question.type == .a
            ? [DNSBuilder.Resource.address(question.name, IPAddress(v4: 0x7F00_0001), ttl: 60)] : []
        return try? DNSBuilder.response(to: query, rcode: known ? .noError : .nxDomain, answers: answers)
    }
}

extension Array where Element == UInt8 {
    func ends(with suffix: [UInt8]) -> Bool {
        count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix
    }
}
