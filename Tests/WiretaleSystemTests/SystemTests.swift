import Synchronization
import Testing
import WiretaleSystem

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Socket addresses: built from text or numbers, read back the same")
struct SocketAddressTests {
    @Test("an IPv4 address and port read back as text, number and port")
    func ipv4() throws {
        let a = try #require(SocketAddress(ip: "192.0.2.7", port: 8080))
        #expect(a.isIPv4 && a.ip == "192.0.2.7" && a.port == 8080)
        #expect(a.ipv4 == 0xC000_0207 && a.ipv6 == nil)
        #expect(a.description == "192.0.2.7:8080")
        #expect(a.length == socklen_t(MemoryLayout<sockaddr_in>.size))
        let same = SocketAddress(ipv4: 0xC000_0207, port: 8080)
        #expect(same.description == a.description)
    }

    @Test("an IPv6 address is written in brackets and its halves survive the round trip")
    func ipv6() throws {
        let a = try #require(SocketAddress(ip: "2001:db8::1", port: 443))
        #expect(a.isIPv6 && a.description == "[2001:db8::1]:443")
        let halves = try #require(a.ipv6)
        #expect(halves.high == 0x2001_0db8_0000_0000 && halves.low == 1)
        #expect(SocketAddress(ipv6High: halves.high, low: halves.low, port: 443).description == a.description)
    }

    @Test("text that is not a numeric address gives no address")
    func notAnAddress() {
        #expect(SocketAddress(ip: "localhost", port: 1) == nil)
        #expect(SocketAddress(ip: "256.1.1.1", port: 1) == nil)
    }

    @Test("getsockname fills in the port the kernel chose")
    func filledByTheKernel() throws {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        try #require(fd >= 0)
        defer { close(fd) }
        let any = try #require(SocketAddress(ip: "127.0.0.1", port: 0))
        #expect(any.withSockaddr { bind(fd, $0, $1) } == 0)
        let (rc, bound) = SocketAddress.filled { getsockname(fd, $0, $1) }
        #expect(rc == 0 && bound.ip == "127.0.0.1" && bound.port != 0)
        let copy = bound.withSockaddr { sa, _ in SocketAddress(sa) }
        #expect(copy?.description == bound.description)
    }
}

@Suite("errno: one table of names, the C library's text")
struct ErrnoTests {
    @Test("the names every module's messages use")
    func names() {
        #expect(errnoName(ECONNREFUSED) == "ECONNREFUSED")
        #expect(errnoName(EADDRNOTAVAIL) == "EADDRNOTAVAIL")
        #expect(errnoName(ENOSPC) == "ENOSPC")
        #expect(errnoName(EINPROGRESS) == "EINPROGRESS")
        #expect(errnoName(9999) == "errno 9999" && knownErrnoName(9999) == nil)
    }

    @Test("a description is the lower-cased text and the name")
    func description() {
        #expect(errnoText(ENOENT) == "No such file or directory")
        #expect(errnoDescription(ENOENT) == "no such file or directory (ENOENT)")
        #expect(errnoDescription(9999).hasSuffix("(errno 9999)"))
    }
}

@Suite("Processes, files, threads")
struct ProcessAndThreadTests {
    @Test("a child's output, exit status and a signal's death are reported")
    func subprocess() {
        let ok = Subprocess.run(["/bin/sh", "-c", "echo out; echo err >&2; exit 3"], timeout: 10)
        #expect(ok.exit == 3 && ok.stdout == "out\n" && ok.stderr == "err\n" && !ok.timedOut)
        let killed = Subprocess.run(["/bin/sh", "-c", "kill -TERM $$"], timeout: 10)
        #expect(killed.exit == 128 + SIGTERM)
        let slow = Subprocess.run(["/bin/sleep", "5"], timeout: 0.2)
        #expect(slow.timedOut)
        let missing = Subprocess.run(["/nonexistent/tool"], timeout: 1)
        #expect(missing.exit != 0)
    }

    @Test("a spawned child looked up in PATH gets the descriptor placed where asked")
    func spawnWithDescriptors() throws {
        var fds: [Int32] = [-1, -1]
        try #require(pipe(&fds) == 0)
        let pid = try ChildProcess.spawn(
            ["sh", "-c", "echo placed >&5"], actions: [.dup2(from: fds[1], to: 5)], searchPath: true
        ).get()
        close(fds[1])
        var buf = [UInt8](repeating: 0, count: 64)
        let n = read(fds[0], &buf, buf.count)
        close(fds[0])
        #expect(String(decoding: buf.prefix(max(0, n)), as: UTF8.self) == "placed\n")
        #expect(ChildProcess.wait(pid, seconds: 10).exitCode == 0)
    }

    @Test("a text file is read whole, a missing one is nil, a directory reads as empty")
    func textFiles() {
        #expect(readTextFile("/proc/self/status")?.contains("Pid:") == true)
        #expect(readTextFile("/nonexistent/file") == nil)
        #expect(readTextFile("/proc/self/status", limit: 10).map { $0.utf8.count <= 16_384 } == true)
        #expect(readTextFile("/") == "")
    }

    @Test("a thread runs its body, is joined, and hands a value over")
    func threads() throws {
        let seen = Counter()
        let handoff = Handoff<Int>()
        let t = try #require(
            startThread {
                seen.value.withLock { $0 += 1 }
                handoff.put(42)
            })
        #expect(handoff.wait() == 42)
        joinThread(t)
        #expect(seen.value.withLock { $0 } == 1)
    }
}

/// A count two threads share.
private final class Counter: Sendable {
    let value = Mutex(0)
}
