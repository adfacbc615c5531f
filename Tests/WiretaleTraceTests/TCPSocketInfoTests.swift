import Testing
import WiretaleCore

@testable import WiretaleTrace

#if canImport(Glibc)
    import Glibc
#endif

@Suite("TCP_INFO's state in the notes' names")
struct TCPSocketInfoTests {
    @Test("tcpi_state numbers are named as the notes name them, SYN-RCVD included")
    func stateNames() {
        #expect(TCPSocketInfo.stateName(1) == "ESTABLISHED")
        #expect(TCPSocketInfo.stateName(2) == "SYN-SENT")
        #expect(TCPSocketInfo.stateName(3) == "SYN-RCVD")
        #expect(TCPSocketInfo.stateName(8) == "CLOSE-WAIT")
        #expect(TCPSocketInfo.stateName(10) == "LISTEN")
        #expect(TCPSocketInfo.stateName(12) == "SYN-RCVD")
        #expect(TCPSocketInfo.stateName(99) == "state 99")
        #expect(TCPSocketInfo.stateName(-1) == "state -1")
    }

    @Test("a connected socket reports ESTABLISHED from the kernel")
    func connectedSocket() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(listener >= 0)
        defer { close(listener) }
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, len) == 0 && listen(listener, 1) == 0 && getsockname(listener, $0, &len) == 0
            }
        }
        try #require(bound)
        let port = Int(UInt16(bigEndian: sin.sin_port))
        let c = try TCPConnector.connect(to: IPAddress(v4: 0x7F00_0001), port: port, timeoutMs: 2000).get()
        defer { close(c.fd) }
        #expect(c.info?.state == "ESTABLISHED")
        #expect(c.localPort != 0 && c.remotePort == port)
    }
}
