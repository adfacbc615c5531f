import Testing
import WiretaleCore

/// Linux numbers its TCP states (`include/net/tcp_states.h`); `/proc/net/tcp` and `TCP_INFO` give
/// those numbers, and every view of them names the state with the notes' one vocabulary.
@Suite("The Linux kernel's TCP state numbers in the notes' names")
struct TCPStateKernelTests {
    @Test("each number tcp_states.h defines, TCP_ESTABLISHED (1) to TCP_BOUND_INACTIVE (13), is one state")
    func everyKernelNumber() {
        let expected: [(UInt8, TCPState)] = [
            (1, .established), (2, .synSent), (3, .synReceived), (4, .finWait1), (5, .finWait2), (6, .timeWait),
            (7, .closed), (8, .closeWait), (9, .lastAck), (10, .listen), (11, .closing), (12, .synReceived),
            (13, .closed),
        ]
        for (number, state) in expected {
            #expect(TCPState(linuxState: number) == state, "TCP state \(number)")
        }
    }

    @Test("a half-open request (TCP_NEW_SYN_RECV) is SYN-RCVD, spelled as the notes spell it")
    func newSynReceivedIsSynRcvd() {
        #expect(TCPState(linuxState: 12)?.description == "SYN-RCVD")
        #expect(TCPState(linuxState: 3)?.description == "SYN-RCVD")
    }

    @Test("every one of the notes' states has a kernel number")
    func everyStateIsReachable() {
        let reached = Set((0...255).compactMap { TCPState(linuxState: UInt8($0)) })
        #expect(reached == Set(TCPState.allCases))
    }

    @Test("a number outside tcp_states.h is no state", arguments: [UInt8(0), 14, 99, 255])
    func unknownNumbers(_ number: UInt8) {
        #expect(TCPState(linuxState: number) == nil)
    }
}
