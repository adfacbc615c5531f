import Testing
import WiretaleCore

@testable import WiretaleCapture

/// The pieces of `capture` that need no interface: the summary's words and the shell quoting of
/// the "run it as root" hint.
@Suite("Capture session: summary labels and shell quoting")
struct CaptureSessionTests {
    @Test("the English summary pluralizes each count, the Chinese one uses the notes' terms")
    func summaryLine() {
        #expect(
            CaptureLabel.summary(
                tcpConnections: 1, handshakes: 2, teardowns: 1, resets: 0, refused: 3, udpFlows: 1, lang: .en)
                == "1 TCP connection seen, 2 handshakes completed, 1 teardown (FIN), 0 resets (RST), 3 refused; "
                + "1 UDP flow")
        #expect(
            CaptureLabel.summary(
                tcpConnections: 2, handshakes: 1, teardowns: 0, resets: 1, refused: 0, udpFlows: 4, lang: .zh)
                == "2 个TCP连接, 1 次握手完成, 0 次挥手关闭, 1 次RST终止, 0 次连接被拒绝; 4 个UDP流")
    }

    @Test("every label has its own English and Chinese words", arguments: CaptureLabel.allCases)
    func labelsDistinct(_ label: CaptureLabel) {
        let others = CaptureLabel.allCases.filter { $0 != label }
        for lang in NotesLanguage.allCases {
            let text = label.counted(5, lang: lang)
            #expect(text.hasPrefix("5 "))
            #expect(!others.contains { $0.counted(5, lang: lang) == text })
        }
    }

    @Test("shell quoting leaves safe words alone and quotes the rest, quotes included")
    func quoting() {
        #expect(CaptureCommandRunner.shellQuoted("tcp") == "tcp")
        #expect(CaptureCommandRunner.shellQuoted("-i") == "-i")
        #expect(CaptureCommandRunner.shellQuoted("") == "''")
        #expect(CaptureCommandRunner.shellQuoted("tcp port 80") == "'tcp port 80'")
        #expect(CaptureCommandRunner.shellQuoted("it's") == "'it'\\''s'")
    }
}
