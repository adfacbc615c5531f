import Testing
import WiretaleCore

@testable import WiretaleTrace

/// The trace's own words, in both languages, and the report's table header drawn from them.
@Suite("trace: the text report's labels")
struct TraceLabelsTests {
    /// How many `{}` slots a text has.
    static func slots(_ s: StaticString) -> Int { s.description.components(separatedBy: "{}").count - 1 }

    @Test("every trace label has an English and a Chinese text, with as many slots in each")
    func bothLanguages() {
        for l in TraceLabel.allCases {
            #expect(!l.english.description.isEmpty && !l.chinese.description.isEmpty, "\(l)")
            #expect(Self.slots(l.english) == Self.slots(l.chinese), "\(l)")
        }
        for l in TraceSay.allCases {
            #expect(!l.english.description.isEmpty && !l.chinese.description.isEmpty, "\(l)")
            #expect(Self.slots(l.english) == Self.slots(l.chinese), "\(l)")
        }
    }

    @Test("a line keeps both languages: the values go in each one's slots, JSON reads the English")
    func bilingualLines() {
        var s = TraceStep(.tcp)
        s.say(.kernelSocket, "ESTABLISHED", "0.04")
        #expect(s.evidence == ["the kernel says the socket is ESTABLISHED; its RTT estimate is 0.04 ms"])
        #expect(s.lines[0].chinese == "内核说套接字处于 ESTABLISHED; 它估计的RTT为 0.04 ms")
        let r = TraceReport(
            url: "http://192.0.2.1/", steps: [s], result: .ok, packets: PacketStatus(captured: false, note: ""))
        #expect(TraceText.render(r, lang: .zh).contains("      内核说套接字处于 ESTABLISHED"))
        #expect(
            TraceJSON.render(r).contains("\"the kernel says the socket is ESTABLISHED; its RTT estimate is 0.04 ms\""))
    }

    /// The teardown step of a connection whose capture ends with `ending` (WireAttributionTests' frames).
    static func teardown(_ ending: [(Bool, TCPFlags, UInt32, UInt32)]) -> TraceStep {
        let captured = WireAttributionTests.capture(ending: ending)
        let (by, connections) = FrameAttribution.assign(captured, keys: WireAttributionTests.keys())
        var step = TraceStep(.teardown, startMs: 10, durationMs: 1)
        step.detail.set("closed_first_by", "server")
        step.frames = by["teardown#0"] ?? []
        FrameEvidence.apply(
            to: &step, frames: step.frames.map { captured.frames[$0 - 1] }, connection: connections[0])
        return step
    }

    @Test("the teardown step is named by what the capture shows: a three-segment close is not 四次挥手")
    func teardownNamedByShape() {
        // The server's FIN, the client's FIN carrying the ACK of it, the last ACK: three segments.
        let three = Self.teardown([
            (false, [.fin, .ack], 5401, 1101), (true, [.fin, .ack], 1101, 5402), (false, [.ack], 5402, 1102),
        ])
        #expect(three.teardownShape == .threeWay, "\(three.evidence)")
        #expect(three.chineseTitle.hasPrefix(TeardownKind.threeWay.chinese.description))
        #expect(!three.chineseTitle.contains("四次挥手"))
        // FIN, ACK, FIN, ACK: the notes' four.
        let four = Self.teardown([
            (false, [.fin, .ack], 5401, 1101), (true, [.ack], 1101, 5402), (true, [.fin, .ack], 1101, 5402),
            (false, [.ack], 5402, 1102),
        ])
        #expect(four.teardownShape == .fourWay, "\(four.evidence)")
        #expect(four.chineseTitle.hasPrefix("四次挥手"))
        // Without a capture, no count of segments is claimed.
        let unseen = TraceStep(.teardown, startMs: 10, durationMs: 1)
        #expect(unseen.teardownShape == nil)
        #expect(!unseen.chineseTitle.contains("四次") && !unseen.chineseTitle.contains("三次"))
        // The report names it so in the table, the evidence head and the observed order; JSON's name_zh too.
        let r = TraceReport(
            url: "http://192.0.2.1/", steps: [TraceStep(.url, startMs: 0, durationMs: 0.1), three], result: .ok,
            packets: PacketStatus(captured: true, note: "3 packets captured on any"))
        let zh = TraceText.render(r, lang: .zh)
        // (第四次挥手 names the last segment; the step itself is not called 四次挥手.)
        #expect(!zh.contains("四次挥手（"), "\(zh)")
        #expect(zh.contains("三次挥手(ACK随FIN)（笔记未列出）"), "\(zh)")
        #expect(zh.contains("抓包所见: three-segment close") == false)
        #expect(zh.contains("抓包所见: 三次挥手(ACK随FIN): 笔记的第2、3步合为一个报文段"), "\(zh)")
        #expect(TraceJSON.render(r).contains("\"name_zh\":\"三次挥手(ACK随FIN)（笔记未列出）\""))
        // English is as it was: the step is "teardown", the evidence names the shape.
        let en = TraceText.render(r, lang: .en)
        #expect(en.contains("captured: three-segment close: the notes' steps 2 and 3 are one segment"), "\(en)")
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
        #expect(zh.contains("笔记顺序: a b c d e f g h i"))
    }
}
