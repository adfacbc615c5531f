import Testing
import WiretaleCore

@testable import WiretaleLab

/// `lab servers`' argument parsers, with the messages the command shows for each mistake.
@Suite("lab servers arguments")
struct ServersArgumentsTests {
    @Test("--concurrency: up to 16 numbers from 1 to 2000, spaces allowed")
    func concurrency() throws {
        #expect(try ServersArguments.concurrency("1,10, 100") == [1, 10, 100])
        for bad in ["", "0", "2001", "1,,2", "a", Array(repeating: "1", count: 17).joined(separator: ",")] {
            #expect(throws: LabArgumentError.self) { try ServersArguments.concurrency(bad) }
        }
    }

    @Test("--models: process, thread and coroutine only")
    func models() throws {
        #expect(try ServersArguments.models("thread,process") == [.thread, .process])
        #expect(throws: LabArgumentError.self) { try ServersArguments.models("fiber") }
        #expect(throws: LabArgumentError.self) { try ServersArguments.models("") }
    }

    @Test("--target: a numeric address and a port, IPv6 in brackets")
    func target() throws {
        #expect(try ServersArguments.target("127.0.0.1:8080").description == "127.0.0.1:8080")
        #expect(try ServersArguments.target("[::1]:80").port == 80)
        do {
            _ = try ServersArguments.target("localhost:80")
            Issue.record("a name is not a numeric address")
        } catch {
            #expect(error.message == "--target takes a numeric address and a port: 127.0.0.1:8080")
        }
    }

    @Test("the lab tcp flags pick the scenario")
    func scenario() {
        #expect(TCPLabScenario(serverCloses: false, abort: false, halfClose: false, refused: false) == .clientCloses)
        #expect(TCPLabScenario(serverCloses: true, abort: false, halfClose: false, refused: false) == .serverCloses)
        #expect(TCPLabScenario(serverCloses: true, abort: true, halfClose: false, refused: false) == .serverAborts)
        #expect(TCPLabScenario(serverCloses: false, abort: true, halfClose: false, refused: false) == .abort)
        #expect(TCPLabScenario(serverCloses: false, abort: false, halfClose: true, refused: false) == .halfClose)
        #expect(TCPLabScenario(serverCloses: false, abort: false, halfClose: false, refused: true) == .refused)
    }
}
