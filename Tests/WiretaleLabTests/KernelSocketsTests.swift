import Testing
import WiretaleCore

@testable import WiretaleLab

@Suite struct KernelSocketsTests {
    @Test func aProcNetTCPTableParsesIntoAddressesAndTheNotesStates() {
        let text = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0000000000000000 100 0 0 10 0
               1: 0100007F:B10E 0100007F:1F90 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0000000000000000
            """
        let s = KernelSockets.parse(text)
        #expect(s.count == 2)
        #expect(s[0].local == "127.0.0.1:8080")
        #expect(s[0].state == .listen)
        #expect(s[1].remote == "127.0.0.1:8080")
        #expect(s[1].localPort == 0xB10E)
        #expect(s[1].state == .timeWait)
    }

    @Test func everyLinuxStateNumberMapsToOneOfTheNotesStates() {
        let expected: [UInt8: TCPState] = [
            1: .established, 2: .synSent, 3: .synReceived, 4: .finWait1, 5: .finWait2, 6: .timeWait, 7: .closed,
            8: .closeWait, 9: .lastAck, 10: .listen, 11: .closing, 12: .synReceived,
        ]
        for (code, state) in expected {
            let k = KernelSocket(localIP: "", localPort: 0, remoteIP: "", remotePort: 0, code: code)
            #expect(k.state == state)
        }
        #expect(KernelSocket(localIP: "", localPort: 0, remoteIP: "", remotePort: 0, code: 99).state == nil)
    }

    @Test func anIPv6AddressInTheTableReadsBackAsText() {
        let text = "hdr\n   0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 0\n"
        let s = KernelSockets.parse(text)
        #expect(s.first?.localIP == "0:0:0:0:0:0:0:1")
        #expect(s.first?.state == .listen)
    }

    @Test func theKernelsTableForAPortListsTheListenerThenTheClientThenTheAcceptedSocket() throws {
        let listener = try Socket.tcp()
        try listener.bind(SocketAddress(ip: "127.0.0.1", port: 0)!)
        try listener.listen()
        let port = try listener.localAddress().port
        let client = try Socket.tcp()
        try client.connect(SocketAddress(ip: "127.0.0.1", port: port)!)
        let (server, _) = try listener.accept()
        defer { for s in [client, server, listener] { s.close() } }
        let clientPort = try client.localAddress().port
        let table = KernelSockets.tcp(port: port)
        #expect(table.map(\.state) == [.listen, .established, .established])
        #expect(table.map(\.remotePort) == [0, port, clientPort])
    }
}
