import Testing
import WiretaleCore
import WiretaleTrace

@testable import WiretaleLab

/// `--lang zh` complete in `trace`, `lab` and `tour` (issue 11, section 3): every sentence, evidence
/// line, verdict and hint in the notes' Chinese; only technical tokens stay as they are
/// (`ChineseTextCheck`). A new English sentence that is not in a label table fails these.
@Suite("--lang zh: trace, lab and tour say it all in Chinese", .serialized, .timeLimit(.minutes(2)))
struct ChineseOutputTests {
    func expectChinese(_ text: String, _ what: Comment) {
        let found = ChineseTextCheck.englishWords(in: text)
        #expect(found.isEmpty, "\(what): English left:\n\(ChineseTextCheck.report(found))")
        #expect(text.unicodeScalars.contains { $0.value >= 0x4E00 && $0.value <= 0x9FFF }, what)
    }

    @Test("the check finds an English sentence and passes technical tokens")
    func theCheck() {
        #expect(ChineseTextCheck.englishWords(in: "内核说套接字处于 ESTABLISHED; RTT 0.04 ms").isEmpty)
        #expect(
            ChineseTextCheck.englishWords(
                in: "帧 3 于 2.230 ms: IP 127.0.0.1:5 > 127.0.0.1:6 TCP [S] seq 1 win 9 length 0"
            ).isEmpty)
        #expect(ChineseTextCheck.englishWords(in: "      > User-Agent: wiretale/0.1").isEmpty)
        #expect(ChineseTextCheck.englishWords(in: "connect() 从 127.0.0.1:1 到 127.0.0.1:2").isEmpty)
        let found = ChineseTextCheck.englishWords(in: "第一次握手 the kernel says the socket is ESTABLISHED")
        #expect(found.map(\.word) == ["the", "kernel", "says", "the", "socket"])
    }

    @Test("trace on loopback (the tour's own DNS and web servers): steps, evidence, verdict and result")
    func traceOnLoopback() async throws {
        let traced = try #require(await Tour.trace(.zh), "the tour's loopback servers could not start")
        expectChinese(traced.text, "trace --lang zh")
        #expect(traced.text.contains("结果: 成功 (exit 0)"), "\(traced.text)")
        // The teardown is named by what was captured, and without a capture no count is claimed.
        if traced.text.contains("抓包所见: 三次挥手") { #expect(!traced.text.contains("四次挥手（笔记未列出）")) }
        if !traced.text.contains("抓包所见") { #expect(!traced.text.contains("四次挥手（笔记未列出）")) }
        for (_, line) in traced.observed { expectChinese(line.chinese, "the tour's observed letters") }
    }

    @Test("tour --recorded: everything but the TCP lab's own calls (lab tcp's text is its own)")
    func recordedTour() async {
        var out = LabOutput(fd: -1, keep: true)
        await Tour.run(live: false, lang: .zh, trace: { await Tour.trace(.zh) }, to: &out)
        var lines = out.kept.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // The TCP lab's steps, from its heading to the recorded capture that follows it.
        if let start = lines.firstIndex(where: { $0.hasPrefix("1 和 2. TCP") }),
            let end = lines[start...].firstIndex(where: { $0.hasPrefix("── ") })
        {
            lines.removeSubrange((start + 2)..<end)
        }
        expectChinese(lines.joined(separator: "\n"), "tour --recorded --lang zh")
        #expect(out.kept.contains("这次 tour 展示了什么, 用笔记的术语"))
    }

    @Test("lab udp without broadcast: the calls' meanings, results, kernel states and the finding")
    func udpLab() {
        var out = LabOutput(fd: -1, keep: true)
        LabText.render(UDPLab.run(capture: false), lang: .zh, to: &out)
        expectChinese(out.kept, "lab udp --lang zh")
        #expect(out.kept.contains("UDP实验: 每个方向一个数据报"))
        var en = LabOutput(fd: -1, keep: true)
        LabText.render(UDPLab.run(capture: false), lang: .en, to: &en)
        #expect(en.kept.contains("           the datagram and who sent it; no ACK goes back"))
    }

    @Test("lab compare, a short run: the table, the legend and what it shows")
    func compareLab() {
        var out = LabOutput(fd: -1, keep: true)
        CompareLab.render(CompareLab.run(count: 5, size: 32, capture: false), lang: .zh, to: &out)
        expectChinese(out.kept, "lab compare --lang zh")
    }

    @Test("lab servers' report: the header, the legend and the five differences' evidence")
    func serversReport() {
        var out = LabOutput(fd: -1, keep: true)
        var r = ServersRenderTests.report()
        r.crash[.thread] = r.crash[.process]
        r.runs[0].failure = nil  // a failure is the load generator's own text, a value
        ServersLab.render(r, lang: .zh, to: &out)
        expectChinese(out.kept, "lab servers --lang zh")
    }
}
