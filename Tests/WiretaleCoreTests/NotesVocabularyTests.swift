import Testing

@testable import WiretaleCore

/// The notes' vocabulary is spelled once, in both languages, and says what the notes say.
@Suite("The notes' vocabulary: states and steps in English and Chinese")
struct NotesVocabularyTests {
    @Test("every TCP state has the RFC name the notes use and a Chinese label that keeps it")
    func stateNames() {
        #expect(
            TCPState.allCases.map { $0.name.description } == [
                "CLOSED", "LISTEN", "SYN-SENT", "SYN-RCVD", "ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2", "CLOSE-WAIT",
                "CLOSING", "LAST-ACK", "TIME-WAIT",
            ])
        for s in TCPState.allCases {
            #expect(s.chinese.description.hasPrefix(s.name.description))
            #expect(s.label(.en).description == s.name.description)
        }
        // The notes' own words for the two states they gloss.
        #expect(TCPState.established.chinese.description == "ESTABLISHED(已连接)")
        #expect(TCPState.closed.chinese.description == "CLOSED(关闭)")
    }

    @Test("the handshake and teardown steps carry the notes' Chinese names, 第一次握手 to 第四次挥手")
    func stepNames() {
        #expect(ConnectionStep.handshake1.chinese.description == "第一次握手")
        #expect(ConnectionStep.handshake2.chinese.description == "第二次握手")
        #expect(ConnectionStep.handshake3.chinese.description == "第三次握手")
        #expect(ConnectionStep.teardown1.chinese.description.hasPrefix("第一次挥手"))
        #expect(ConnectionStep.teardown4.chinese.description.hasPrefix("第四次挥手"))
        #expect(HandshakeKind.threeWay.chinese.description == "三次握手")
        #expect(TeardownKind.fourWay.chinese.description == "四次挥手")
        for step in ConnectionStep.allCases where step != .none {
            #expect(!step.english.description.isEmpty && !step.chinese.description.isEmpty)
            #expect(step.isHandshake != step.isTeardown)
        }
    }

    @Test("remarks come out in the language asked for")
    func remarksInBothLanguages() {
        var h = FlowHarness()
        h.send(.client, .syn, seq: 1000)
        let n = h.send(.server, [.syn, .ack], seq: 5000, ack: 1001)
        #expect(
            n.remarks(lang: .en)
                == "second handshake (SYN+ACK): ack = x+1 holds; client SYN-SENT → ESTABLISHED, server CLOSED → LISTEN → SYN-RCVD"
        )
        #expect(n.remarks(lang: .zh).hasPrefix("第二次握手, 检查 ack = x+1 正确; 客户端 SYN-SENT(同步已发送) → ESTABLISHED(已连接)"))
        let dup = FlowAnomalyTests.established()
        var d = dup
        d.send(.server, [.psh, .ack], seq: 5001, ack: 1101, len: 10)
        let a = d.send(.server, [.psh, .ack], seq: 5001, ack: 1101, len: 10, after: 500)
        #expect(a.remarks() == "[TCP Retransmission]")
        #expect(a.remarks(lang: .zh) == "[重传]")
    }
}
