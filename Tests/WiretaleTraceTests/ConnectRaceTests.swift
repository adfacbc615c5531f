import Testing
import WiretaleCore

@testable import WiretaleTrace

#if canImport(Glibc)
    import Glibc
#endif

/// `TCPConnector.race` on loopback, with real sockets: the Happy Eyeballs rules without a network.
@Suite("Connecting to the first address that answers")
struct ConnectRaceTests {
    /// A listening socket on 127.0.0.1 and its port (closed on deinit).
    final class Listener {
        let fd: Int32
        let port: Int

        init(listening: Bool = true) throws {
            let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            addr.sin_port = 0
            let bound = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            try #require(bound == 0)
            if listening { try #require(Glibc.listen(s, 4) == 0) }
            var len = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(s, $0, &len) }
            }
            fd = s
            port = Int(UInt16(bigEndian: addr.sin_port))
        }

        deinit { close(fd) }
    }

    @Test("a refused address lets the next one start at once; the first to connect wins")
    func refusedThenConnected() throws {
        let server = try Listener()
        let loop = IPAddress("127.0.0.1")!
        let other = IPAddress("127.0.0.2")!  // on lo too, but nothing listens on it: RST
        let r = TCPConnector.race([other, loop], port: server.port, attemptDelayMs: 5000, timeoutMs: 5000)
        #expect(r.winner == 1)
        #expect(r.attempts.count == 2)
        guard case .failure(.refused)? = r.attempts[0].result else {
            Issue.record("the first attempt should be refused: \(String(describing: r.attempts[0].result))")
            return
        }
        guard case .success(let c)? = r.attempts[1].result else {
            Issue.record("the second attempt should connect")
            return
        }
        // Not the attempt delay: the refusal started the next attempt.
        #expect(r.attempts[1].startMs - r.attempts[0].startMs < 1000)
        #expect(c.remote == loop && c.remotePort == server.port && c.localPort > 0)
        close(c.fd)
    }

    @Test("with one address it is a plain connect: refused is refused")
    func single() throws {
        let closed = try Listener(listening: false)  // bound, not listening: the port answers RST
        let r = TCPConnector.connect(to: IPAddress("127.0.0.1")!, port: closed.port, timeoutMs: 2000)
        guard case .failure(.refused) = r else {
            Issue.record("expected refused, got \(r)")
            return
        }
    }
}
