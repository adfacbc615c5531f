import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `wiretale capture` end to end: the binary is started as a user would start it, real traffic is
/// made on 127.0.0.1 (a TCP client and server, a UDP exchange), and what it printed, wrote and
/// summarised is checked. Capturing needs root (CI runs as root); elsewhere the suite is skipped
/// with that reason. Every wait is bounded.
@Suite("wiretale capture", .serialized, .enabled(if: getuid() == 0, "needs root to capture (CI runs as root)"))
struct CaptureCommandTests {
    // MARK: Seeing and explaining live traffic

    @Test("JSON: a TCP handshake, data, teardown and a UDP exchange are seen, with connection events and a summary")
    func tcpAndUDPInJSON() throws {
        let server = try LiveTCPServer()
        let udp = try LiveUDPPeer()
        let run = try LiveRun([
            "capture", "-i", "lo", "--format", "json", "--duration", "3",
            "tcp port \(server.port) or udp port \(udp.port)",
        ])
        try run.waitUntilCapturing()
        try LiveTCPExchange.run(server: server)
        try udp.exchange()
        let r = try run.finish(timeout: 8)
        #expect(r.status == 0, "\(r.stderr)")
        let objects = try CLI.json(r)
        let packets = objects.filter { $0["frame"] != nil && $0["event"] == nil }
        let events = objects.filter { $0["event"] != nil }

        // The handshake: SYN, SYN-ACK, ACK on the server's port, stream 0.
        let flags = packets.compactMap { ($0["tcp"] as? [String: Any])?["flags"] as? [String] }
        #expect(flags.first == ["SYN"])
        #expect(flags.dropFirst().first == ["SYN", "ACK"])
        #expect(flags.filter { $0.contains("FIN") }.count == 2, "both FINs: \(flags)")
        let handshake = try #require(events.first { $0["event"] as? String == "handshake" }, "\(events)")
        #expect(handshake["stream"] as? Int == 0)
        #expect(handshake["handshake_kind"] as? String == "three-way")
        #expect(
            handshake["client_state"] as? String == "ESTABLISHED"
                && handshake["server_state"] as? String == "ESTABLISHED")
        #expect(handshake["rtt_ms"] is Double || handshake["rtt_ms"] is Int)
        #expect((handshake["server"] as? String)?.hasSuffix(":\(server.port)") == true)
        #expect(handshake["frame"] as? Int == 3, "the third handshake segment completes it")
        let closed = try #require(events.first { $0["event"] as? String == "closed" }, "\(events)")
        #expect(closed["first_closer"] as? String == "client")
        #expect(closed["client_state"] as? String == "TIME-WAIT" && closed["server_state"] as? String == "CLOSED")
        #expect(["four-way", "three-segment"].contains(closed["teardown"] as? String ?? ""))

        // The datagrams: one each way, explained as UDP.
        let datagrams = packets.filter { $0["udp"] != nil }
        #expect(datagrams.count == 2)
        #expect(datagrams.allSatisfy { $0["tcp"] == nil })

        // The summary: as JSON last on stdout, and in words on stderr.
        let summary = try #require(objects.last)
        #expect(summary["event"] as? String == "summary")
        #expect(summary["stopped_by"] as? String == "duration")
        #expect(summary["packets_captured"] as? Int == packets.count)
        #expect(summary["tcp_connections"] as? Int == 1 && summary["handshakes"] as? Int == 1)
        #expect(summary["teardowns"] as? Int == 1 && summary["udp_flows"] as? Int == 1)
        #expect(summary["dropped_by_kernel"] as? Int == 0)
        #expect(r.stderr.contains("capturing on lo, link type ether, snapshot 262144"))
        #expect(r.stderr.contains("\(packets.count) packets captured"))
        #expect(r.stderr.contains("1 TCP connection seen, 1 handshake completed, 1 teardown (FIN)"))
    }

    @Test("Text, in immediate mode: each packet as `read` prints it, the notes' steps and states, and #stream events")
    func textWithEvents() throws {
        let server = try LiveTCPServer()
        let run = try LiveRun(["capture", "-i", "lo", "--immediate", "--duration", "2", "tcp port \(server.port)"])
        try run.waitUntilCapturing()
        try LiveTCPExchange.run(server: server)
        let r = try run.finish(timeout: 6)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.lines
        #expect(lines.first?.contains("first handshake (SYN)") == true, "\(lines)")
        #expect(lines.contains { $0.contains("second handshake (SYN+ACK): ack = x+1 holds") })
        #expect(lines.contains { $0.contains("third handshake (ACK): ack = y+1 holds") })
        let handshake = try #require(lines.firstIndex { $0.hasPrefix("#0 handshake complete, rtt ") }, "\(lines)")
        #expect(lines[handshake - 1].contains("third handshake"), "the event follows the packet that caused it")
        #expect(lines.contains { $0.hasPrefix("#0 closed by client, ") && $0.contains("client in TIME-WAIT") })
        #expect(lines.contains { $0.contains("teardown 1 (FIN)") })

        // The same packets, saved and read back, give the same lines (events aside).
        let packetLines = lines.filter { !$0.hasPrefix("#") }
        #expect(packetLines.count >= 8)
    }

    @Test("--lang zh: the notes' Chinese terms in remarks and events")
    func chinese() throws {
        let server = try LiveTCPServer()
        let run = try LiveRun(["capture", "-i", "lo", "--lang", "zh", "--duration", "2", "tcp port \(server.port)"])
        try run.waitUntilCapturing()
        try LiveTCPExchange.run(server: server)
        let r = try run.finish(timeout: 6)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.lines.contains { $0.contains("第一次握手") })
        #expect(r.lines.contains { $0.hasPrefix("#0 握手完成") })
        #expect(r.lines.contains { $0.hasPrefix("#0 客户端先关闭") && $0.contains("TIME-WAIT(时间等待)") })
    }

    @Test("A refused connection is an event of its own")
    func refused() throws {
        // A port nobody listens on: bind and close a listener to learn a free one.
        let port = try LiveTCPServer().port
        let run = try LiveRun(["capture", "-i", "lo", "--format", "json", "--duration", "1.5", "tcp port \(port)"])
        try run.waitUntilCapturing()
        #expect(throws: LiveSocketError.self) { _ = try LiveSocket.connect(port: port) }
        let r = try run.finish(timeout: 6)
        let events = try CLI.json(r).filter { $0["event"] as? String == "refused" }
        #expect(events.count == 1, "\(r.stdout)")
    }

    @Test("A connection aborted with RST is a reset event, not a teardown")
    func reset() throws {
        let server = try LiveTCPServer()
        let run = try LiveRun([
            "capture", "-i", "lo", "--format", "json", "--duration", "1.5", "tcp port \(server.port)",
        ])
        try run.waitUntilCapturing()
        let client = try LiveSocket.connect(port: server.port)
        let accepted = accept(server.fd, nil, nil)
        defer { if accepted >= 0 { close(accepted) } }
        // SO_LINGER with a zero timeout: close() sends RST instead of FIN.
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(client, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        close(client)
        let r = try run.finish(timeout: 6)
        let objects = try CLI.json(r)
        let resets = objects.filter { $0["event"] as? String == "reset" }
        #expect(resets.count == 1, "\(r.stdout)")
        #expect(resets.first?["by"] as? String == "client")
        #expect(
            resets.first?["client_state"] as? String == "CLOSED" && resets.first?["server_state"] as? String == "CLOSED"
        )
        #expect(!objects.contains { $0["event"] as? String == "closed" })
        #expect(objects.last?["resets"] as? Int == 1 && objects.last?["teardowns"] as? Int == 0)
    }

    @Test("--count stops after exactly N packets")
    func count() throws {
        let udp = try LiveUDPPeer()
        let run = try LiveRun(["capture", "-i", "lo", "--format", "json", "-c", "2", "udp port \(udp.port)"])
        try run.waitUntilCapturing()
        for _ in 0..<5 { try udp.sendToSelf() }
        let r = try run.finish(timeout: 5)
        #expect(r.status == 0, "\(r.stderr)")
        let objects = try CLI.json(r)
        #expect(objects.filter { $0["frame"] != nil }.count == 2)
        #expect(objects.last?["stopped_by"] as? String == "count")
    }

    @Test("-i any: Linux cooked capture v2, decoded")
    func anyInterface() throws {
        let udp = try LiveUDPPeer()
        let run = try LiveRun(["capture", "-i", "any", "--format", "json", "-c", "1", "udp port \(udp.port)"])
        try run.waitUntilCapturing()
        try udp.sendToSelf()
        let r = try run.finish(timeout: 5)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("link type linux-sll2"))
        let first = try #require(try CLI.json(r).first)
        #expect(first["link"] as? String == "linux-sll2")
        #expect((first["udp"] as? [String: Any])?["dstport"] as? Int == Int(udp.port))
    }

    // MARK: Files and stopping

    @Test("Ctrl-C: the -w file is complete, `read` and `tcpdump -r` open it, and the summary is printed")
    func interruptWritesCompleteFile() throws {
        let dir = try LiveTempDir()
        let file = dir.path + "/live.pcap"
        let server = try LiveTCPServer()
        let udp = try LiveUDPPeer()
        let run = try LiveRun(["capture", "-i", "lo", "-w", file, "tcp port \(server.port) or udp port \(udp.port)"])
        try run.waitUntilCapturing()
        try LiveTCPExchange.run(server: server)
        try udp.exchange()
        Thread.sleep(forTimeInterval: 0.3)
        run.signal(SIGINT)
        let r = try run.finish(timeout: 5)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.isEmpty, "-w without --print prints no packet lines")
        let captured = try #require(Self.capturedCount(r.stderr), "\(r.stderr)")
        #expect(captured >= 10)
        #expect(
            r.stderr.contains("received by filter") && r.stderr.contains("dropped by kernel")
                && r.stderr.contains("dropped by interface"))
        #expect(r.stderr.contains("1 TCP connection seen, 1 handshake completed, 1 teardown (FIN)"))
        #expect(r.stderr.contains("1 UDP flow"))

        let read = try CLI.run(["read", file])
        #expect(read.status == 0, "\(read.stderr)")
        #expect(read.lines.count == captured)
        #expect(read.lines.first?.contains("first handshake (SYN)") == true)
        #expect(read.lines.contains { $0.contains("teardown 1 (FIN)") })
        if let tcpdump = LiveTools.find("tcpdump") {
            let t = try LiveTools.run(tcpdump, ["-n", "-r", file])
            #expect(t.status == 0, "\(t.stderr)")
            #expect(t.stdout.split(separator: "\n").count == captured)
        }
    }

    @Test("SIGTERM stops as cleanly as Ctrl-C")
    func terminate() throws {
        let dir = try LiveTempDir()
        let file = dir.path + "/term.pcap"
        let udp = try LiveUDPPeer()
        let run = try LiveRun(["capture", "-i", "lo", "-w", file, "--print", "udp port \(udp.port)"])
        try run.waitUntilCapturing()
        for _ in 0..<3 { try udp.sendToSelf() }
        Thread.sleep(forTimeInterval: 0.3)
        run.signal(SIGTERM)
        let r = try run.finish(timeout: 5)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.lines.count == 3, "--print prints the packets as well: \(r.stdout)")
        #expect(try CLI.run(["read", file]).lines.count == 3)
    }

    @Test("Under sudo (SUDO_UID/SUDO_GID) privileges are dropped and the -w file belongs to that user")
    func fileBelongsToSudoUser() throws {
        let dir = try LiveTempDir()
        chmod(dir.path, 0o777)
        let file = dir.path + "/mine.pcap"
        let udp = try LiveUDPPeer()
        var env = ProcessInfo.processInfo.environment
        env["SUDO_UID"] = "65534"
        env["SUDO_GID"] = "65534"
        let run = try LiveRun(
            ["capture", "-i", "lo", "-w", file, "-c", "1", "--duration", "3", "udp port \(udp.port)"], environment: env)
        try run.waitUntilCapturing()
        try udp.sendToSelf()
        let r = try run.finish(timeout: 6)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("dropped root privileges: now nobody, uid 65534, gid 65534"))
        var st = stat()
        #expect(stat(file, &st) == 0)
        #expect(st.st_uid == 65534 && st.st_gid == 65534)
        #expect(try CLI.run(["read", file]).lines.count == 1)
    }

    // MARK: Errors

    @Test("Without root or CAP_NET_RAW: a clear error saying what to run, exit 1")
    func unprivileged() throws {
        guard let setpriv = LiveTools.find("setpriv") else {
            Swift.print("skipped: setpriv is not installed")
            return
        }
        // The build directory may not be readable by nobody: run a copy. The copy is written by a
        // separate `install` process, never by this one: a file this process held open for writing
        // would be inherited by a child another test forks meanwhile, and exec would fail with
        // ETXTBSY ("Text file busy") until that child exec'd.
        let dir = try LiveTempDir()
        chmod(dir.path, 0o755)
        let copy = dir.path + "/wiretale"
        let installed = try LiveTools.run(
            LiveTools.find("install") ?? "/usr/bin/install", ["-m", "0755", CLI.binary, copy])
        try #require(installed.status == 0, "\(installed.stderr)")
        let r = try LiveTools.run(
            setpriv,
            ["--reuid=nobody", "--regid=nogroup", "--clear-groups", "--", copy, "capture", "-i", "lo", "-c", "1"])
        #expect(r.status == 1, "\(r.stdout) \(r.stderr)")
        #expect(r.stderr.hasPrefix("wiretale: capturing on 'lo' needs privileges (root or CAP_NET_RAW)"), "\(r.stderr)")
        #expect(r.stderr.contains("sudo wiretale capture -i lo -c 1"))
        #expect(r.stderr.contains("setcap cap_net_raw,cap_net_admin+eip"))
        #expect(r.stderr.contains(copy))
        #expect(!r.stderr.contains("socket: Operation not permitted"), "never libpcap's message alone")
    }

    @Test("An unknown interface lists the ones that exist")
    func unknownInterface() throws {
        let r = try CLI.run(["capture", "-i", "nosuch0", "-c", "1"])
        #expect(r.status == 1)
        #expect(
            r.stderr.contains("no interface named 'nosuch0'") && r.stderr.contains("lo") && r.stderr.contains("any"))
    }

    @Test("A bad filter shows libpcap's message with the filter text")
    func badFilter() throws {
        let r = try CLI.run(["capture", "-i", "lo", "-c", "1", "tcp prot 80"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("bad filter 'tcp prot 80'") && r.stderr.contains("(libpcap)"), "\(r.stderr)")
    }

    @Test("A full disk or an unwritable -w path is an error, exit 1")
    func unwritable() throws {
        let full = try CLI.run(["capture", "-i", "lo", "-c", "1", "-w", "/dev/full"])
        #expect(full.status == 1)
        #expect(full.stderr.contains("/dev/full") && full.stderr.contains("ENOSPC"), "\(full.stderr)")
        let missing = try CLI.run(["capture", "-i", "lo", "-c", "1", "-w", "/nonexistent/dir/x.pcap"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("/nonexistent/dir/x.pcap") && missing.stderr.contains("does not exist"))
    }

    static func capturedCount(_ stderr: String) -> Int? {
        for line in stderr.split(separator: "\n") where line.contains(" packets captured") {
            return Int(line.split(separator: " ").first ?? "")
        }
        return nil
    }
}

// MARK: - Helpers

/// The binary running in the background, its output collected as it comes.
final class LiveRun: @unchecked Sendable {
    let process = Process()
    private let lock = NSLock()
    private var out = Data()
    private var err = Data()
    private let group = DispatchGroup()

    init(_ arguments: [String], environment: [String: String]? = nil) throws {
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let o = Pipe()
        let e = Pipe()
        process.standardOutput = o
        process.standardError = e
        process.standardInput = FileHandle.nullDevice
        try process.run()
        collect(o.fileHandleForReading, isError: false)
        collect(e.fileHandleForReading, isError: true)
    }

    private func collect(_ handle: FileHandle, isError: Bool) {
        group.enter()
        Thread.detachNewThread { [self] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                lock.lock()
                if isError { err.append(chunk) } else { out.append(chunk) }
                lock.unlock()
            }
            group.leave()
        }
    }

    var stderrText: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: err, as: UTF8.self)
    }

    /// Waits (at most `timeout` seconds) for the "capturing on" line: the interface is open and
    /// the filter attached, so traffic from now on is seen.
    func waitUntilCapturing(timeout: Double = 5) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if stderrText.contains("capturing on") { return }
            if !process.isRunning { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        process.terminate()
        throw LiveSocketError(call: "wiretale did not start capturing: \(stderrText)", code: 0)
    }

    func signal(_ number: Int32) {
        kill(process.processIdentifier, number)
    }

    /// Waits for the exit (killing it after `timeout` seconds) and returns what it printed.
    func finish(timeout: Double) throws -> CLI.Result {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            Issue.record("wiretale capture did not stop within \(timeout) s")
        }
        process.waitUntilExit()
        _ = group.wait(timeout: .now() + 5)
        lock.lock()
        defer { lock.unlock() }
        return CLI.Result(
            status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
            stderr: String(decoding: err, as: UTF8.self))
    }
}

struct LiveSocketError: Error, CustomStringConvertible {
    var call: String
    var code: Int32
    var description: String { code == 0 ? call : "\(call): \(String(cString: strerror(code)))" }
}

/// Blocking sockets on 127.0.0.1 with 2-second timeouts, so a lost packet cannot hang a test.
enum LiveSocket {
    static func address(port: UInt16) -> sockaddr_in {
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_port = port.bigEndian
        a.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return a
    }

    static func make(_ type: Int32) throws -> Int32 {
        let fd = socket(AF_INET, type, 0)
        if fd < 0 { throw LiveSocketError(call: "socket", code: errno) }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    /// Binds to 127.0.0.1 on a free port and returns the port.
    static func bind(_ fd: Int32) throws -> UInt16 {
        var a = address(port: 0)
        let status = withUnsafePointer(to: &a) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if status != 0 { throw LiveSocketError(call: "bind", code: errno) }
        var bound = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return UInt16(bigEndian: bound.sin_port)
    }

    static func connect(port: UInt16) throws -> Int32 {
        let fd = try make(Int32(SOCK_STREAM.rawValue))
        var a = address(port: port)
        let status = withUnsafePointer(to: &a) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if status != 0 {
            let code = errno
            close(fd)
            throw LiveSocketError(call: "connect", code: code)
        }
        return fd
    }

    static func send(_ fd: Int32, _ text: String) throws {
        let bytes = Array(text.utf8)
        if Glibc.send(fd, bytes, bytes.count, 0) != bytes.count { throw LiveSocketError(call: "send", code: errno) }
    }

    /// Reads once; "" at end of stream.
    static func receive(_ fd: Int32) throws -> String {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = recv(fd, &buffer, buffer.count, 0)
        if n < 0 { throw LiveSocketError(call: "recv", code: errno) }
        return String(decoding: buffer[0..<n], as: UTF8.self)
    }
}

/// A listening TCP socket on 127.0.0.1:<free port>.
final class LiveTCPServer {
    let fd: Int32
    let port: UInt16

    init() throws {
        fd = try LiveSocket.make(Int32(SOCK_STREAM.rawValue))
        port = try LiveSocket.bind(fd)
        if listen(fd, 4) != 0 { throw LiveSocketError(call: "listen", code: errno) }
    }

    deinit { close(fd) }
}

/// The notes' whole story on one connection: handshake, a request and a reply, then the client
/// closes first (so it ends in TIME-WAIT) and the server closes after reading the end of stream.
enum LiveTCPExchange {
    static func run(server: LiveTCPServer) throws {
        let client = try LiveSocket.connect(port: server.port)
        defer { close(client) }
        let accepted = accept(server.fd, nil, nil)
        if accepted < 0 { throw LiveSocketError(call: "accept", code: errno) }
        defer { close(accepted) }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        _ = setsockopt(accepted, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        try LiveSocket.send(client, "hello")
        #expect(try LiveSocket.receive(accepted) == "hello")
        try LiveSocket.send(accepted, "world")
        #expect(try LiveSocket.receive(client) == "world")
        shutdown(client, Int32(SHUT_WR))
        #expect(try LiveSocket.receive(accepted) == "", "the server reads the client's FIN as end of stream")
        Thread.sleep(forTimeInterval: 0.05)
        shutdown(accepted, Int32(SHUT_WR))
        #expect(try LiveSocket.receive(client) == "")
        Thread.sleep(forTimeInterval: 0.05)
    }
}

/// Two UDP sockets on 127.0.0.1: a "server" on `port` and a client that sends and gets an answer.
final class LiveUDPPeer {
    let fd: Int32
    let port: UInt16

    init() throws {
        fd = try LiveSocket.make(Int32(SOCK_DGRAM.rawValue))
        port = try LiveSocket.bind(fd)
    }

    deinit { close(fd) }

    /// One datagram to the server and its answer.
    func exchange() throws {
        let client = try LiveSocket.make(Int32(SOCK_DGRAM.rawValue))
        defer { close(client) }
        _ = try LiveSocket.bind(client)
        try sendTo(client, port: port, "ping")
        var from = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        var buffer = [UInt8](repeating: 0, count: 512)
        let n = withUnsafeMutablePointer(to: &from) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(fd, &buffer, buffer.count, 0, $0, &length) }
        }
        if n < 0 { throw LiveSocketError(call: "recvfrom", code: errno) }
        try sendTo(fd, port: UInt16(bigEndian: from.sin_port), "pong")
        #expect(try LiveSocket.receive(client) == "pong")
    }

    /// A datagram from the server's socket to itself (one packet on the wire).
    func sendToSelf() throws {
        try sendTo(fd, port: port, "x")
        _ = try LiveSocket.receive(fd)
    }

    private func sendTo(_ fd: Int32, port: UInt16, _ text: String) throws {
        var a = LiveSocket.address(port: port)
        let bytes = Array(text.utf8)
        let sent = withUnsafePointer(to: &a) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(fd, bytes, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if sent != bytes.count { throw LiveSocketError(call: "sendto", code: errno) }
    }
}

/// A temporary directory, removed with what is in it.
final class LiveTempDir {
    let path: String

    init() throws {
        var base = NSTemporaryDirectory()
        if !base.hasSuffix("/") { base += "/" }
        var template = Array((base + "wiretale-capture-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw LiveSocketError(call: "mkdtemp", code: errno) }
        path = String(cString: made)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Other programs: found on PATH, run to completion.
enum LiveTools {
    static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let dirs = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/bin", "/sbin"]
        for dir in dirs {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    static func run(_ tool: String, _ arguments: [String]) throws -> CLI.Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = arguments
        let o = Pipe()
        let e = Pipe()
        p.standardOutput = o
        p.standardError = e
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let errBox = CLI.DataBox()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errBox.data = e.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = o.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        let errData = errBox.data
        p.waitUntilExit()
        return CLI.Result(
            status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }
}
