import Testing
import WiretaleCore

@testable import WiretaleTrace

/// The trace's own words, in both languages, and the report's table header drawn from them.
@Suite("trace: the text report's labels")
struct TraceLabelsTests {
    @Test("every trace label has an English and a Chinese text")
    func bothLanguages() {
        for l in TraceLabel.allCases {
            #expect(!l.english.description.isEmpty && !l.chinese.description.isEmpty, "\(l)")
            #expect(!l.english.description.contains("{}") && !l.chinese.description.contains("{}"))
        }
    }

    @Test("the step table's header is in the language asked for")
    func header() {
        let r = TraceReport(
            url: "http://192.0.2.1/", steps: [TraceStep(.url, startMs: 0, durationMs: 0.1)], result: .ok,
            packets: PacketStatus(captured: false, note: "packets were not captured"))
        let en = TraceText.render(r, lang: .en)
        let zh = TraceText.render(r, lang: .zh)
        #expect(en.contains("  note  step"))
        #expect(en.contains("notes order:    a b c d e f g h i"))
        #expect(zh.contains("  笔记  步骤"))
        #expect(zh.contains("笔记顺序 (notes order):   a b c d e f g h i"))
    }
}
