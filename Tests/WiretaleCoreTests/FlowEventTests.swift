import Testing

@testable import WiretaleCore

/// `capture`'s connection events from the shipped captures: every line and object, in both languages.
@Suite("Connection events as a live capture announces them")
struct FlowEventTests {
    /// The events of one capture: text in `lang`, and JSON, one per event.
    static func events(_ file: String, lang: NotesLanguage) throws -> (text: [String], json: [String]) {
        var tracker = ConnectionTracker()
        var packet = DecodedPacket()
        let reader = try CaptureFileReader(path: "\(flowCaptures)/\(file)")
        var frame = 0
        var text: [String] = []
        var json: [String] = []
        while let r = try reader.next() {
            frame += 1
            PacketDecoder.decode(r.bytes, linkType: r.linkType, into: &packet)
            let note = tracker.track(packet, frame: frame, time: r.timestamp, wireLength: r.originalLength)
            guard
                let e = ConnectionEvent.detect(note, packet: packet, frame: frame, time: r.timestamp, tracker: tracker)
            else { continue }
            var o = OutputBuffer(fd: -1)
            e.appendText(to: &o, lang: lang)
            text.append(String(decoding: o.bytes, as: UTF8.self))
            var j = OutputBuffer(fd: -1)
            e.appendJSON(to: &j)
            json.append(String(decoding: j.bytes, as: UTF8.self))
        }
        return (text, json)
    }

    @Test("a client's close: the handshake, then four segments and the client in TIME-WAIT, in both languages")
    func closeClient() throws {
        let en = try Self.events("tcp-close-client.pcap", lang: .en)
        #expect(
            en.text == [
                "#0 handshake complete, rtt 0.040 ms (127.0.0.1:45326 → 127.0.0.1:47001, both ESTABLISHED)",
                "#0 closed by client, four segments, client in TIME-WAIT (waits 2MSL in TIME-WAIT, then CLOSED)",
            ])
        #expect(
            en.json == [
                #"{"event":"handshake","stream":0,"frame":3,"time":"2026-11-26T19:48:54.828320Z","#
                    + #""client":"127.0.0.1:45326","server":"127.0.0.1:47001","client_state":"ESTABLISHED","#
                    + #""server_state":"ESTABLISHED","handshake_kind":"three-way","rtt_ms":0.040}"#,
                #"{"event":"closed","stream":0,"frame":11,"time":"2026-11-26T19:48:54.928999Z","#
                    + #""client":"127.0.0.1:45326","server":"127.0.0.1:47001","client_state":"TIME-WAIT","#
                    + #""server_state":"CLOSED","teardown":"four-way","first_closer":"client"}"#,
            ])
        #expect(
            try Self.events("tcp-close-client.pcap", lang: .zh).text == [
                "#0 握手完成, rtt 0.040 ms (127.0.0.1:45326 → 127.0.0.1:47001, 双方 ESTABLISHED(已连接))",
                "#0 客户端先关闭, 四次挥手(四个报文段), 客户端 进入 TIME-WAIT(时间等待) (经过等待计时器时间2MSL后, 进入CLOSED状态)",
            ])
    }

    @Test("a refused connection, a RST abort and a simultaneous close, each in its own words")
    func otherEndings() throws {
        #expect(
            try Self.events("tcp-refused.pcap", lang: .en).text == [
                "#0 refused: nothing listens on 127.0.0.1:47004, the SYN was answered by RST"
            ])
        #expect(try Self.events("tcp-refused.pcap", lang: .zh).text == ["#0 连接被拒绝: 127.0.0.1:47004 无人监听, SYN被RST回应"])
        let reset = try Self.events("tcp-rst-abort.pcap", lang: .zh)
        #expect(reset.text.last == "#0 被RST终止, 发送方: 客户端 (RST立即终止连接: 没有四次挥手, 也没有TIME-WAIT)")
        #expect(reset.json.last?.hasSuffix(#""client_state":"CLOSED","server_state":"CLOSED","by":"client"}"#) == true)
        let both = try Self.events("tcp-simultaneous-close.pcap", lang: .en)
        #expect(
            both.text.last
                == "#0 closed, simultaneous close, client and server in TIME-WAIT (waits 2MSL in TIME-WAIT, then CLOSED)"
        )
        #expect(
            try Self.events("tcp-simultaneous-close.pcap", lang: .zh).text.last
                == "#0 关闭, 同时关闭, 客户端和服务端 进入 TIME-WAIT(时间等待) (经过等待计时器时间2MSL后, 进入CLOSED状态)")
    }
}
