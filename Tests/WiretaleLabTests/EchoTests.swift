import Testing
import WiretaleSystem

@testable import WiretaleLab

#if canImport(Glibc)
    import Glibc
#endif

/// `serve` and `send`: the notes' client/server code, against each other on loopback (no root needed).
@Suite(.timeLimit(.minutes(1))) struct EchoTests {
    /// A port free now (bound and released).
    func freePort(udp: Bool) throws -> UInt16 {
        let s = try udp ? Socket.udp() : Socket.tcp()
        try s.bind(SocketAddress(ip: "127.0.0.1", port: 0)!)
        defer { s.close() }
        return try s.localAddress().port
    }

    @Test func theTCPClientGetsItsMessageBackFromTheTCPServer() throws {
        let port = try freePort(udp: false)
        let address = SocketAddress(ip: "127.0.0.1", port: port)!
        let server = try #require(startThread { try? Echo.serveTCP(bind: address, limit: 1, log: { _ in }) })
        var reply: [UInt8] = []
        for _ in 0..<50 {
            if let r = try? Echo.sendTCP(to: address, message: Array("hello tcp".utf8), log: { _ in }) {
                reply = r
                break
            }
            pause(milliseconds: 20)  // the server may not be listening yet
        }
        joinThread(server)
        #expect(String(decoding: reply, as: UTF8.self) == "hello tcp")
    }

    @Test func theUDPClientGetsItsDatagramBackFromTheUDPServer() throws {
        let port = try freePort(udp: true)
        let address = SocketAddress(ip: "127.0.0.1", port: port)!
        let server = try #require(startThread { try? Echo.serveUDP(bind: address, limit: 1, log: { _ in }) })
        pause(milliseconds: 100)
        var lines: [String] = []
        let reply = try Echo.sendUDP(to: address, message: Array("hello udp".utf8), log: { lines.append($0) })
        joinThread(server)
        #expect(reply.map { String(decoding: $0, as: UTF8.self) } == "hello udp")
        #expect(lines.first?.contains("no handshake") == true)
    }

    @Test func aConnectionToAClosedPortIsRefusedWithASayableError() throws {
        let port = try freePort(udp: false)
        #expect {
            try Echo.sendTCP(to: SocketAddress(ip: "127.0.0.1", port: port)!, message: [1], log: { _ in })
        } throws: { error in
            guard let e = error as? SocketError else { return false }
            return e.code == ECONNREFUSED && e.description.contains("nothing listens there")
        }
    }
}
