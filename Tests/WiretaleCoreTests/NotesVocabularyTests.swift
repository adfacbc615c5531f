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
                == "second handshake (SYN+ACK): ack = x+1 holds; client SYN-SENT → ESTABLISHED"
        )
        #expect(n.remarks(lang: .zh).hasPrefix("第二次握手, 检查 ack = x+1 正确; 客户端 SYN-SENT(同步已发送) → ESTABLISHED(已连接)"))
        let dup = FlowAnomalyTests.established()
        var d = dup
        d.send(.server, [.psh, .ack], seq: 5001, ack: 1101, len: 10)
        let a = d.send(.server, [.psh, .ack], seq: 5001, ack: 1101, len: 10, after: 500)
        #expect(a.remarks() == "[TCP Retransmission]")
        #expect(a.remarks(lang: .zh) == "[重传]")
    }

    /// Every label of one table: both texts non-empty, and the same `{}` slots in each language
    /// (a value the English shows, the Chinese shows too).
    static func checkTable<L: NotesLabel>(_: L.Type, except skipped: Set<String> = []) -> Int {
        var checked = 0
        for l in L.allCases where !skipped.contains("\(l)") {
            let en = l.english.description
            let zh = l.chinese.description
            #expect(!en.isEmpty, "\(L.self).\(l) has no English text")
            #expect(!zh.isEmpty, "\(L.self).\(l) has no Chinese text")
            #expect(
                en.components(separatedBy: "{}").count == zh.components(separatedBy: "{}").count,
                "\(L.self).\(l): the English and the Chinese text have different slots")
            #expect(l.text(.en).description == en && l.text(.zh).description == zh)
            checked += 1
        }
        return checked
    }

    @Test("every label of every table has an English and a Chinese text, with the same slots")
    func everyLabelInBothLanguages() {
        var n = 0
        n += Self.checkTable(TCPState.self)
        n += Self.checkTable(ConnectionStep.self, except: ["none"])  // no step: nothing to say
        n += Self.checkTable(HandshakeKind.self)
        n += Self.checkTable(TeardownKind.self)
        n += Self.checkTable(NotesPhrase.self)
        n += Self.checkTable(ConversationLabel.self)
        n += Self.checkTable(PacketRemarkLabel.self)
        n += Self.checkTable(LadderLabel.self)
        n += Self.checkTable(ConnectionEventLabel.self)
        #expect(n > 100)
        #expect(TCPAnomalies.names.count == TCPAnomalies.kindCount)
        for (i, name) in TCPAnomalies.names.enumerated() {
            #expect(!name.json.description.isEmpty)
            #expect(TCPAnomalies.label(index: i, .en).description == name.wireshark.description)
            #expect(!TCPAnomalies.label(index: i, .zh).description.isEmpty)
        }
        for u in ExecutionUnit.allCases {
            #expect(!u.english.isEmpty && !u.chinese.isEmpty)
            #expect(!u.definition.english.isEmpty && !u.definition.chinese.isEmpty)
        }
        for d in UnitDifference.allCases { #expect(!d.english.isEmpty && !d.chinese.isEmpty) }
        for s in NotesStep.allCases { #expect(!s.english.isEmpty && !s.chinese.isEmpty) }
    }

    @Test("a label's slots take the values in order, in each language's own word order")
    func slotsFollowTheLanguage() {
        func written(_ lang: NotesLanguage, _ body: (inout OutputBuffer) -> Void) -> String {
            var o = OutputBuffer(fd: -1)
            body(&o)
            return String(decoding: o.bytes, as: UTF8.self)
        }
        #expect(
            written(.en) { $0.append(LadderLabel.undrawn, .en, 7, 10_000) }
                == "… and 7 more segments not drawn (the ladder holds its first 10000; --max-segments raises it)\n")
        #expect(
            written(.zh) { $0.append(LadderLabel.undrawn, .zh, 7, 10_000) }
                == "… 另有 7 个报文段未画出 (只画前 10000 个; --max-segments 可调高)\n")
        // The closer goes before the verb in Chinese, after it in English.
        let closer: (inout OutputBuffer, Int) -> Void = { o, _ in o.append("客户端") }
        #expect(written(.zh) { $0.append(ConnectionEventLabel.closedBy, .zh, slots: closer) } == "客户端先关闭, ")
        #expect(
            written(.en) { $0.append(ConnectionEventLabel.closedBy, .en) { o, _ in o.append("client") } }
                == "closed by client, ")
        #expect(written(.en) { $0.append(LadderLabel.handshake, .en) } == "handshake: ")
    }
}
