import Testing
import WiretaleCore
import WiretaleTrace

@testable import WiretaleLab

#if canImport(Glibc)
    import Glibc
#endif

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

    /// `explain`'s ladder of stream 0 of a capture in Captures/, in `lang`.
    static func ladder(_ file: String, _ lang: NotesLanguage) throws -> String {
        var root = #filePath
        for _ in 0..<3 { root = String(root[..<(root.lastIndex(of: "/") ?? root.startIndex)]) }
        let reader = try CaptureFileReader(path: "\(root)/Captures/\(file)")
        var x = FrameExplainer(language: lang)
        while let r = try reader.next() {
            _ = x.line(
                for: LabFrame(
                    timestamp: r.timestamp, originalLength: r.originalLength, bytes: Array(r.bytes),
                    linkType: r.linkType))
        }
        x.finish()
        return x.ladder(stream: 0)
    }

    @Test(
        "explain's ladder: the column header and the Zeek line too",
        arguments: [
            "tcp-simultaneous-close.pcap", "tcp-refused.pcap",
        ])
    func ladder(_ file: String) throws {
        let zh = try Self.ladder(file, .zh)
        expectChinese(zh, "explain --lang zh \(file)")
        #expect(zh.hasPrefix("TCP 流 0: ") && zh.contains("\n帧     时间(ms)"), "\(zh)")
        #expect(zh.contains("\nZeek conn.log: 连接状态 conn_state "), "\(zh)")
        let en = try Self.ladder(file, .en)
        #expect(en.contains("\nframe  +ms        client"), "\(en)")
        #expect(en.contains("\nZeek: conn_state ") && en.contains(", history "), "\(en)")
    }

    /// A loopback port of `type` where nothing listens (bound, then closed).
    static func closedPort(_ type: Int32) throws -> Int {
        let s = try Socket(type: type)
        try s.bind(try #require(SocketAddress(ip: "127.0.0.1", port: 0)))
        let port = Int(try s.localAddress().port)
        s.close()
        return port
    }

    /// `trace --lang zh` of `url`, loopback only: no hosts file, no resolv.conf, the resolver given.
    static func trace(_ url: String, resolverPort: Int? = nil) async -> TraceReport {
        var o = TraceOptions(url: url)
        o.resolver = resolverPort.map { DNSServer(parsing: "127.0.0.1:\($0)") } ?? nil
        o.family = .ipv4
        o.timeoutSeconds = 3
        o.hostsPath = "/dev/null"
        o.resolvConfPath = "/dev/null"
        return await TraceRunner.run(o)
    }

    @Test("trace: a DNS server that is not there (a closed loopback UDP port): the query, the failure, the hint")
    func traceDNSUnreachable() async throws {
        let port = try Self.closedPort(Int32(SOCK_DGRAM.rawValue))
        let r = await Self.trace("http://nothing.wiretale.test/", resolverPort: port)
        let text = TraceText.render(r, lang: .zh)
        expectChinese(text, "trace --lang zh, DNS port unreachable")
        #expect(text.contains("端口不可达: 127.0.0.1:\(port) 上没有程序在监听"), "\(text)")
        #expect(r.exitCode != 0)
        // The English text says it as before, and JSON keeps the English.
        #expect(TraceText.render(r, lang: .en).contains("port unreachable: nothing listens on 127.0.0.1:\(port)"))
        #expect(TraceJSON.render(r).contains("port unreachable: nothing listens on 127.0.0.1:\(port)"))
        #expect(!TraceJSON.render(r).contains("端口不可达"))
    }

    @Test("trace: a refused connection on loopback")
    func traceRefused() async throws {
        let port = try Self.closedPort(Int32(SOCK_STREAM.rawValue))
        let r = await Self.trace("http://127.0.0.1:\(port)/")
        let text = TraceText.render(r, lang: .zh)
        expectChinese(text, "trace --lang zh, connection refused")
        #expect(r.exitCode == 7, "\(text)")
    }

    @Test("trace: a server that reads the request and closes: the phase the exchange was in")
    func traceClosedEarly() async throws {
        let listener = try Socket.tcp()
        try listener.bind(try #require(SocketAddress(ip: "127.0.0.1", port: 0)))
        try listener.listen()
        let port = Int(try listener.localAddress().port)
        let fd = listener.fd
        let server = Task.detached {
            var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, 10_000) == 1 else { return }
            let c = accept(fd, nil, nil)
            guard c >= 0 else { return }
            var buf = [UInt8](repeating: 0, count: 4096)
            _ = recv(c, &buf, buf.count, 0)
            close(c)
        }
        let r = await Self.trace("http://127.0.0.1:\(port)/")
        await server.value
        listener.close()
        let text = TraceText.render(r, lang: .zh)
        expectChinese(text, "trace --lang zh, closed before the response")
        #expect(text.contains("等待响应"), "\(text)")
        #expect(TraceText.render(r, lang: .en).contains("waiting for the response"))
    }

    @Test("lab servers: a failed run's reason, and the load's line")
    func serversFailure() throws {
        var r = ServersRenderTests.report()
        r.runs[0].failure = SocketError(call: "connect", target: "127.0.0.1:1", code: ECONNREFUSED).bilingual
        r.runs[0].answered = 0
        var out = LabOutput(fd: -1, keep: true)
        ServersLab.render(r, lang: .zh, to: &out)
        expectChinese(out.kept, "lab servers --lang zh, a failed run")
        #expect(out.kept.contains("connect 127.0.0.1:1 失败: ECONNREFUSED: 那里没有程序在监听"), "\(out.kept)")
        var en = LabOutput(fd: -1, keep: true)
        ServersLab.render(r, lang: .en, to: &en)
        #expect(
            en.kept.contains(
                "connect 127.0.0.1:1: Connection refused (ECONNREFUSED): nothing listens there (is `wiretale serve` running?)"
            ), "\(en.kept)")
        var f = ServersLab.LoadFigures(concurrency: 2, requests: 10)
        expectChinese(f.text(.zh), "lab servers --target --lang zh")
        f.failure = Bilingual(ServersLabel.serverNotStarted)
        expectChinese(f.text(.zh), "lab servers --target --lang zh, a failure")
    }
}
