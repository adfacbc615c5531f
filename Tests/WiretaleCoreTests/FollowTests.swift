import Testing

@testable import WiretaleCore

/// What `TCPStreamFollow` emitted, copied out of its callbacks.
enum FollowGot: Equatable {
    case begin(String, String)
    case data(FollowDirection, [UInt8], first: Int, last: Int, offset: Int, by: Int)
    case gap(FollowDirection, Int, offset: Int)

    init(_ e: FollowEvent) {
        switch e {
        case .begin(let c, let s): self = .begin(c.description, s.description)
        case .data(let d, let b, let first, let last, let offset, let by):
            self = .data(d, Array(b), first: first, last: last, offset: offset, by: by)
        case .gap(let d, let n, let offset): self = .gap(d, n, offset: offset)
        }
    }
}

/// Frames of one connection, client 10.0.0.1:40000 to server 10.0.0.2:80, built byte by byte.
enum FollowFrames {
    static let syn: UInt8 = 0x02, synAck: UInt8 = 0x12, ack: UInt8 = 0x10, pshAck: UInt8 = 0x18, finAck: UInt8 = 0x11

    static func client(_ seq: UInt32, _ flags: UInt8, _ payload: [UInt8] = [], totalLength: Int? = nil) -> [UInt8] {
        FrameBuilder.ethernet(
            type: 0x0800,
            FrameBuilder.ipv4(
                proto: 6, totalLength: totalLength,
                FrameBuilder.tcp(src: 40000, dst: 80, seq: seq, ack: 5001, flags: flags, payload)))
    }

    static func server(_ seq: UInt32, _ flags: UInt8, _ payload: [UInt8] = []) -> [UInt8] {
        FrameBuilder.ethernet(
            type: 0x0800,
            FrameBuilder.ipv4(
                src: [10, 0, 0, 2], dst: [10, 0, 0, 1], proto: 6,
                FrameBuilder.tcp(src: 80, dst: 40000, seq: seq, ack: 1001, flags: flags, payload)))
    }

    static let request = Array("GET / HTTP/1.0\r\n\r\n".utf8)  // 18 bytes
    static let status = Array("HTTP/1.0 200 OK\r\n".utf8)  // 17 bytes
    static let after = Array("after".utf8)

    /// A handshake, a request, a response whose second segment (10 bytes) was not captured, the
    /// request retransmitted, both FINs.
    static var withGap: [[UInt8]] {
        [
            client(1000, syn), server(5000, synAck), client(1001, ack), client(1001, pshAck, request),
            server(5001, pshAck, status), server(5028, pshAck, after), client(1001, pshAck, request),
            client(1019, finAck), server(5033, finAck), client(1020, ack),
        ]
    }

    /// Follows `frames` (wire lengths as given, else the frame's own) and feeds stream `stream`.
    static func follow(
        _ frames: [[UInt8]], stream: Int = 0, wireLengths: [Int: Int] = [:], finish: Bool = true
    ) -> (TCPStreamFollow, [FollowGot]) {
        var follower = PacketFollower()
        var follow = TCPStreamFollow(stream: stream)
        var got: [FollowGot] = []
        for (i, f) in frames.enumerated() {
            f.withUnsafeBytes { b in
                let note = follower.follow(
                    b, linkType: .ethernet, frame: i + 1,
                    time: Timestamp(seconds: 1000 + Int64(i), fraction: 0, digits: 6),
                    wireLength: wireLengths[i + 1] ?? f.count)
                follow.add(follower, note: note, frame: i + 1, frameBytes: b) { got.append(FollowGot($0)) }
            }
        }
        if finish { follow.finish { got.append(FollowGot($0)) } }
        return (follow, got)
    }
}

@Suite("Following a TCP stream")
struct TCPStreamFollowTests {
    @Test("Both directions are delivered in wire order, each at its offset, with the frame that carried it")
    func bothDirectionsInOrder() {
        let (f, got) = FollowFrames.follow(FollowFrames.withGap, finish: false)
        #expect(
            got == [
                .begin("10.0.0.1:40000", "10.0.0.2:80"),
                .data(.client, FollowFrames.request, first: 4, last: 4, offset: 0, by: 4),
                .data(.server, FollowFrames.status, first: 5, last: 5, offset: 0, by: 5),
            ])
        #expect(f.fromClient.ended && !f.fromServer.ended, "the server's FIN waits behind the hole")
        #expect(f.frames == 10 && f.firstFrame == 1 && f.lastFrame == 10)
    }

    @Test("A hole that never fills is a gap at the end of the capture, and the bytes after it follow")
    func gapAtTheEnd() {
        let (f, got) = FollowFrames.follow(FollowFrames.withGap)
        #expect(
            Array(got.dropFirst(3)) == [
                .gap(.server, 10, offset: 17), .data(.server, FollowFrames.after, first: 6, last: 6, offset: 27, by: 0),
            ])
        #expect(f.fromServer.gapBytes == 10 && f.serverSide.bytes == 22 && f.serverSide.offset == 32)
        #expect(f.ended)
    }

    @Test("A retransmitted segment is counted, not delivered twice")
    func retransmissionCounted() {
        let (f, got) = FollowFrames.follow(FollowFrames.withGap)
        let client = got.compactMap { g -> [UInt8]? in
            if case .data(.client, let b, _, _, _, _) = g { return b }
            return nil
        }
        #expect(client == [FollowFrames.request])
        #expect(f.fromClient.retransmittedBytes == 18 && f.clientSide.chunks == 1 && f.clientSide.sawFIN)
        #expect(f.clientSide.segments == 6 && f.serverSide.segments == 4)
    }

    @Test("A segment sent in two IP fragments is delivered once, whole, by the frame that completed it")
    func ipFragments() {
        let body = Array("0123456789abcdefghijklmnopqrstuvwxyzABCD".utf8)  // 40 bytes
        let segment = FrameBuilder.tcp(src: 40000, dst: 80, seq: 1001, ack: 5001, flags: FollowFrames.pshAck, body)
        // 60 bytes of TCP: the first fragment carries 40 (the header and 20 bytes), the second the rest.
        let first = FrameBuilder.ethernet(
            type: 0x0800, FrameBuilder.ipv4(proto: 6, flagsFragment: 0x2000, Array(segment[..<40])))
        let second = FrameBuilder.ethernet(
            type: 0x0800, FrameBuilder.ipv4(proto: 6, flagsFragment: 40 / 8, Array(segment[40...])))
        let frames = [
            FollowFrames.client(1000, FollowFrames.syn), FollowFrames.server(5000, FollowFrames.synAck),
            FollowFrames.client(1001, FollowFrames.ack), first, second,
        ]
        let (f, got) = FollowFrames.follow(frames, finish: false)
        #expect(Array(got.dropFirst()) == [.data(.client, body, first: 5, last: 5, offset: 0, by: 5)])
        #expect(f.clientSide.segments == 3, "the first fragment is no segment of its own")
    }

    @Test("Bytes that came before the hole filled are delivered by the frame that filled it, after its own")
    func outOfOrder() {
        let tail = Array("0123456789".utf8)
        let frames = [
            FollowFrames.client(1000, FollowFrames.syn), FollowFrames.server(5000, FollowFrames.synAck),
            FollowFrames.client(1001, FollowFrames.ack), FollowFrames.server(5018, FollowFrames.pshAck, tail),
            FollowFrames.server(5001, FollowFrames.pshAck, FollowFrames.status),
        ]
        let (_, got) = FollowFrames.follow(frames, finish: false)
        #expect(
            Array(got.dropFirst()) == [
                .data(.server, FollowFrames.status, first: 5, last: 5, offset: 0, by: 5),
                .data(.server, tail, first: 4, last: 4, offset: 17, by: 5),
            ])
        var o = OutputBuffer(fd: -1)
        tail.withUnsafeBytes {
            FollowRender(format: .ascii, stream: 0).render(
                .data(.server, $0, firstFrame: 4, lastFrame: 4, offset: 17, deliveredBy: 5), to: &o)
        }
        #expect(
            String(decoding: o.bytes, as: UTF8.self)
                == "\t10 bytes server → client, frame 4 (held until frame 5)\n0123456789\n")
    }

    @Test("Frames of other streams are ignored")
    func otherStreamsIgnored() {
        let (f, got) = FollowFrames.follow(FollowFrames.withGap, stream: 1)
        #expect(!f.seen && got.isEmpty)
    }

    @Test("A payload the snapshot cut is delivered as far as it was captured, the rest a gap before its FIN")
    func snapshotCutPayload() {
        // 18 bytes on the wire, 8 captured: the IP length says 58, the frame holds 48 after Ethernet.
        var frames = FollowFrames.withGap
        let cut = FollowFrames.client(1001, FollowFrames.finAck, Array(FollowFrames.request.prefix(8)), totalLength: 58)
        frames = [frames[0], frames[1], frames[2], cut]
        let (f, got) = FollowFrames.follow(frames, wireLengths: [4: cut.count + 10])
        #expect(
            Array(got.dropFirst()) == [
                .data(.client, Array(FollowFrames.request.prefix(8)), first: 4, last: 4, offset: 0, by: 4),
                .gap(.client, 10, offset: 8),
            ])
        #expect(f.fromClient.ended && f.clientSide.sawFIN)
    }
}

@Suite("follow's renderers")
struct FollowRenderTests {
    static func rendered(_ format: FollowRender.Format, lang: NotesLanguage = .en, direction: FollowDirection = .client)
        -> String
    {
        var o = OutputBuffer(fd: -1)
        let render = FollowRender(format: format, stream: 0, lang: lang, direction: direction)
        var follower = PacketFollower()
        var follow = TCPStreamFollow(stream: 0)
        for (i, frame) in FollowFrames.withGap.enumerated() {
            frame.withUnsafeBytes { b in
                let note = follower.follow(
                    b, linkType: .ethernet, frame: i + 1, time: Timestamp(seconds: 1000, fraction: 0, digits: 6),
                    wireLength: frame.count)
                follow.add(follower, note: note, frame: i + 1, frameBytes: b) { render.render($0, to: &o) }
            }
        }
        follow.finish { render.render($0, to: &o) }
        render.finish(follow, stop: .endOfCapture, to: &o)
        return String(decoding: o.bytes, as: UTF8.self)
    }

    @Test("ascii: tshark's header, a line per chunk, the server's indented, the gap marked, then the summary")
    func ascii() {
        let text = Self.rendered(.ascii)
        let rule = "===================================================================\n"
        #expect(
            text == "\n" + rule + "Follow: tcp,ascii\nFilter: tcp.stream eq 0\n"
                + "Node 0: 10.0.0.1:40000 (client)\nNode 1: 10.0.0.2:80 (server)\n"
                + "18 bytes client → server, frame 4\nGET / HTTP/1.0\r\n\r\n\n"
                + "\t17 bytes server → client, frame 5\nHTTP/1.0 200 OK\r\n\n"
                + "\t[gap: 10 bytes missing]\n"
                + "\t5 bytes server → client, frame 6 (held until the end of the capture)\nafter\n"
                + rule
                + "client → server: 18 bytes in 1 chunk(s) from 6 segment(s), ended by FIN\n"
                + "  reassembly: 18 bytes retransmitted, 0 overlapping (0 segment(s) with conflicting bytes, the first "
                + "copy kept), 0 out of window, 0 missing (gaps)\n"
                + "server → client: 22 bytes in 2 chunk(s) from 4 segment(s), ended by FIN\n"
                + "  reassembly: 0 bytes retransmitted, 0 overlapping (0 segment(s) with conflicting bytes, the first "
                + "copy kept), 0 out of window, 10 missing (gaps)\n"
                + "stream 0: 10 frame(s), 1 to 10, read to the end of the capture\n" + rule)
    }

    @Test("ascii in Chinese: the labels change, the bytes and numbers do not")
    func asciiChinese() {
        let text = Self.rendered(.ascii, lang: .zh)
        #expect(text.contains("Node 0: 10.0.0.1:40000 (客户端)\n"))
        #expect(text.contains("18 字节 客户端 → 服务端, 第 4 帧\nGET / HTTP/1.0\r\n\r\n\n"))
        #expect(text.contains("\t[缺口: 缺少 10 字节]\n"))
        #expect(text.contains("重传 18 字节"))
    }

    @Test("hex: tshark's hexdump, offsets within each direction's stream and gaps counted in them")
    func hex() {
        let text = Self.rendered(.hex)
        #expect(
            text.contains(
                "18 bytes client → server, frame 4\n00000000  47 45 54 20 2f 20 48 54  54 50 2f 31 2e 30 0d 0a  GET / HT TP/1.0..\n00000010  0d 0a                                             ..\n"
            ))
        #expect(
            text.contains("\t5 bytes server → client, frame 6 (held until the end of the capture)\n\t0000001B  61 66"))
    }

    @Test("tshark's hexdump line, byte for byte (from tshark -z follow,tcp,hex on http-loopback.pcap)")
    func hexLineAsTshark() {
        var o = OutputBuffer(fd: -1)
        let bytes = Array("GET /index.html HTTP/1.1\r\nHost: ".utf8) + Array(" */*\r\n\r\n".utf8)
        bytes.withUnsafeBytes { FollowRender.appendHexdump($0, offset: 0, indent: false, to: &o) }
        bytes.withUnsafeBytes { FollowRender.appendHexdump($0, offset: 0xB9, indent: true, to: &o) }
        let lines = String(decoding: o.bytes, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(lines[0] == "00000000  47 45 54 20 2f 69 6e 64  65 78 2e 68 74 6d 6c 20  GET /ind ex.html")
        #expect(lines[1] == "00000010  48 54 54 50 2f 31 2e 31  0d 0a 48 6f 73 74 3a 20  HTTP/1.1 ..Host:")
        #expect(lines[2] == "00000020  20 2a 2f 2a 0d 0a 0d 0a                            */*....")
        #expect(lines[3] == "\t000000B9  47 45 54 20 2f 69 6e 64  65 78 2e 68 74 6d 6c 20  GET /ind ex.html")
    }

    @Test("raw: one direction's bytes only, nothing else")
    func raw() {
        #expect(Self.rendered(.raw) == "GET / HTTP/1.0\r\n\r\n")
        #expect(Self.rendered(.raw, direction: .server) == "HTTP/1.0 200 OK\r\nafter")
    }

    @Test("json: an object per chunk with base64 data, one per gap, and a summary")
    func json() {
        let lines = Self.rendered(.json).split(separator: "\n").map(String.init)
        #expect(lines.count == 5)
        #expect(
            lines[0]
                == #"{"stream":0,"direction":"client","first_frame":4,"last_frame":4,"delivered_frame":4,"offset":0,"length":18,"data":"R0VUIC8gSFRUUC8xLjANCg0K"}"#
        )
        #expect(lines[2] == #"{"stream":0,"direction":"server","offset":17,"gap":10}"#)
        #expect(lines[3].contains(#""last_frame":6,"delivered_frame":null,"offset":27,"length":5,"data":"YWZ0ZXI="}"#))
        #expect(
            lines[4].hasPrefix(#"{"stream":0,"summary":{"client":"10.0.0.1:40000","server":"10.0.0.2:80","frames":10"#))
        #expect(lines[4].contains(#""server_to_client":{"bytes":22,"chunks":2,"segments":4,"end":"fin","#))
        #expect(lines[4].contains(#""gap_bytes":10,"cap_gap":false}"#))
        #expect(lines[4].hasSuffix(#""budget_flushes":0,"stopped":"end-of-capture"}}"#))
    }

    @Test("follow's labels have an English and a Chinese text with the same slots")
    func labels() {
        #expect(NotesVocabularyTests.checkTable(FollowLabel.self) == FollowLabel.allCases.count)
    }
}
