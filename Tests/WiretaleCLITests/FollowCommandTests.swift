import Foundation
import Testing

/// The TCP payloads of a classic pcap's frames, read here with no help from wiretale (Ethernet or
/// Linux cooked v2, IPv4): what `follow --format raw` must write, frame by frame.
enum PcapPayloads {
    struct Segment {
        var frame: Int
        var srcPort: Int
        var payload: [UInt8]
    }

    static func segments(_ path: String) throws -> [Segment] {
        let d = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        func u32le(_ i: Int) -> Int { Int(d[i]) | Int(d[i + 1]) << 8 | Int(d[i + 2]) << 16 | Int(d[i + 3]) << 24 }
        func u16(_ i: Int) -> Int { Int(d[i]) << 8 | Int(d[i + 1]) }
        let link = u32le(20)
        var at = 24
        var frame = 0
        var out: [Segment] = []
        while at + 16 <= d.count {
            let caplen = u32le(at + 8)
            let f = at + 16
            frame += 1
            at = f + caplen
            let ip = f + (link == 1 ? 14 : 20)
            guard d[ip] >> 4 == 4, d[ip + 9] == 6 else { continue }
            let ihl = Int(d[ip] & 0x0F) * 4
            let total = u16(ip + 2)
            let tcp = ip + ihl
            let hl = Int(d[tcp + 12] >> 4) * 4
            out.append(Segment(frame: frame, srcPort: u16(tcp), payload: Array(d[(tcp + hl)..<(ip + total)])))
        }
        return out
    }

    /// The bytes one side sent, in frame order (the captures here have no loss or reordering).
    static func sent(_ path: String, fromPort port: Int) throws -> [UInt8] {
        try segments(path).filter { $0.srcPort == port }.flatMap(\.payload)
    }
}

/// Builds a small classic pcap (Ethernet, IPv4) of one connection whose server segment of 10
/// bytes was not captured, for gaps.
enum GapCapture {
    static func tcpFrame(client: Bool, seq: UInt32, flags: UInt8, _ payload: [UInt8]) -> [UInt8] {
        func be16(_ v: Int) -> [UInt8] { [UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        func be32(_ v: UInt32) -> [UInt8] {
            [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
        }
        let a: [UInt8] = [10, 0, 0, 1]
        let b: [UInt8] = [10, 0, 0, 2]
        let tcp =
            be16(client ? 51000 : 80) + be16(client ? 80 : 51000) + be32(seq) + be32(client ? 5001 : 1001)
            + [0x50, flags] + be16(65535) + [0, 0, 0, 0] + payload
        let ip = [0x45, 0] + be16(20 + tcp.count) + [0, 1, 0x40, 0, 64, 6, 0, 0] + (client ? a + b : b + a)
        return [2, 0, 0, 0, 0, 0x0B, 2, 0, 0, 0, 0, 0x0A, 0x08, 0x00] + ip + tcp
    }

    static let request = Array("GET /a HTTP/1.0\r\n\r\n".utf8)
    static let head = Array("HTTP/1.0 200 OK\r\n".utf8)
    static let tail = Array("after the gap".utf8)

    /// Handshake, request, the response's first 17 bytes, (10 bytes lost), 13 more, FINs.
    static func write() throws -> String {
        let frames = [
            tcpFrame(client: true, seq: 1000, flags: 0x02, []), tcpFrame(client: false, seq: 5000, flags: 0x12, []),
            tcpFrame(client: true, seq: 1001, flags: 0x10, []), tcpFrame(client: true, seq: 1001, flags: 0x18, request),
            tcpFrame(client: false, seq: 5001, flags: 0x18, head),
            tcpFrame(client: false, seq: 5028, flags: 0x18, tail),
            tcpFrame(client: true, seq: 1020, flags: 0x11, []), tcpFrame(client: false, seq: 5041, flags: 0x11, []),
            tcpFrame(client: true, seq: 1021, flags: 0x10, []),
        ]
        func le32(_ v: Int) -> [UInt8] {
            [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24 & 0xFF)]
        }
        var file: [UInt8] = [0xD4, 0xC3, 0xB2, 0xA1, 2, 0, 4, 0] + le32(0) + le32(0) + le32(65535) + le32(1)
        for (i, f) in frames.enumerated() {
            file += le32(1_800_000_000 + i) + le32(0) + le32(f.count) + le32(f.count) + f
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("wiretale-follow-gap-\(getpid()).pcap")
            .path
        try Data(file).write(to: URL(fileURLWithPath: path))
        return path
    }
}

@Suite("wiretale follow", .serialized)
struct FollowCommandTests {
    let http = CLI.capture("http-loopback.pcap")

    @Test("ascii: tshark's header, each chunk with its count, direction and frame, the server indented, a summary")
    func ascii() throws {
        let r = try CLI.run(["follow", http, "--stream", "0"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("\n====="))
        #expect(r.stdout.contains("Follow: tcp,ascii\nFilter: tcp.stream eq 0\n"))
        #expect(r.stdout.contains("Node 0: 127.0.0.1:51566 (client)\nNode 1: 127.0.0.1:8080 (server)\n"))
        #expect(
            r.stdout.contains("88 bytes client → server, frame 4\nGET /index.html HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n")
        )
        #expect(r.stdout.contains("\n\t185 bytes server → client, frame 6\nHTTP/1.0 200 OK\r\n"))
        #expect(r.stdout.contains("\n\t68 bytes server → client, frame 8\n<html><head>"))
        #expect(r.stdout.contains("client → server: 88 bytes in 1 chunk(s) from 6 segment(s), ended by FIN\n"))
        #expect(r.stdout.contains("server → client: 253 bytes in 2 chunk(s) from 5 segment(s), ended by FIN\n"))
        #expect(r.stdout.contains("0 bytes retransmitted, 0 overlapping"))
        // Both FINs are delivered by frame 11: frame 12, the last ACK, is not read.
        #expect(r.stdout.contains("stream 0: 11 frame(s), 1 to 11, read until both directions had ended"))
        #expect(!r.stdout.contains("[gap"))
    }

    @Test("hex: the dump lines are tshark's (from tshark -q -z follow,tcp,hex,0 on http-loopback.pcap)")
    func hexAsTshark() throws {
        let r = try CLI.run(["follow", http, "--stream", "0", "--format", "hex"])
        #expect(r.status == 0, "\(r.stderr)")
        let dump = r.stdout.split(separator: "\n").map(String.init).filter {
            $0.range(of: #"^\t?[0-9A-F]{8}  "#, options: .regularExpression) != nil
        }
        #expect(dump == Self.tsharkHex)
    }

    @Test("raw: exactly the bytes the chosen side sent, concatenated, and nothing else")
    func raw() throws {
        let client = try CLI.run(["follow", http, "--stream", "0", "--format", "raw"])
        #expect(client.status == 0 && client.stderr.isEmpty, "\(client.stderr)")
        #expect(Array(client.stdout.utf8) == (try PcapPayloads.sent(http, fromPort: 51566)))
        let server = try CLI.run(["follow", http, "--stream", "0", "--format", "raw", "--direction", "server"])
        #expect(Array(server.stdout.utf8) == (try PcapPayloads.sent(http, fromPort: 8080)))
        #expect(server.stdout.utf8.count == 253)
        let half = CLI.capture("tcp-half-close.pcap")
        let after = try CLI.run(["follow", half, "--stream", "0", "--format", "raw", "--direction", "server"])
        #expect(Array(after.stdout.utf8) == (try PcapPayloads.sent(half, fromPort: 47005)))
        #expect(after.stdout == "you said: question (and more after your FIN)")
    }

    @Test("json: one object per chunk whose base64 data add up to each side's bytes, then a summary")
    func json() throws {
        let r = try CLI.run(["follow", http, "--stream", "0", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let objects = try CLI.json(r)
        let chunks = objects.filter { $0["data"] != nil }
        #expect(chunks.map { $0["first_frame"] as? Int } == [4, 6, 8])
        #expect(chunks.map { $0["offset"] as? Int } == [0, 0, 185])
        #expect(chunks.map { $0["delivered_frame"] as? Int } == [4, 6, 8])
        func bytes(_ d: String) -> [UInt8] {
            chunks.filter { $0["direction"] as? String == d }.flatMap {
                [UInt8](Data(base64Encoded: $0["data"] as? String ?? "") ?? Data())
            }
        }
        #expect(bytes("client") == (try PcapPayloads.sent(http, fromPort: 51566)))
        #expect(bytes("server") == (try PcapPayloads.sent(http, fromPort: 8080)))
        #expect(chunks.allSatisfy { ($0["length"] as? Int ?? -1) > 0 && $0["stream"] as? Int == 0 })
        let summary = try #require(objects.last?["summary"] as? [String: Any])
        #expect(summary["client"] as? String == "127.0.0.1:51566" && summary["server"] as? String == "127.0.0.1:8080")
        let toClient = try #require(summary["server_to_client"] as? [String: Any])
        #expect(
            toClient["bytes"] as? Int == 253 && toClient["end"] as? String == "fin"
                && toClient["gap_bytes"] as? Int == 0)
    }

    @Test("A segment missing from the capture is a marked gap in every format, and raw notes it on standard error")
    func gaps() throws {
        let path = try GapCapture.write()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let text = try CLI.run(["follow", path, "--stream", "0"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(
            text.stdout.contains(
                "\t17 bytes server → client, frame 5\nHTTP/1.0 200 OK\r\n\n\t[gap: 10 bytes missing]\n"))
        #expect(
            text.stdout.contains(
                "\t13 bytes server → client, frame 6 (held until the end of the capture)\nafter the gap\n"))
        #expect(text.stdout.contains("10 missing (gaps)"))
        let hex = try CLI.run(["follow", path, "--stream", "0", "--format", "hex"])
        #expect(
            hex.stdout.contains("\t[gap: 10 bytes missing]\n\t13 bytes server → client, frame 6 (held until the end"))
        #expect(hex.stdout.contains("capture)\n\t0000001B  61 66"))
        let raw = try CLI.run(["follow", path, "--stream", "0", "--format", "raw", "--direction", "server"])
        #expect(raw.status == 0)
        #expect(Array(raw.stdout.utf8) == GapCapture.head + GapCapture.tail)
        #expect(raw.stderr.contains("10 byte(s) missing at offset 17"))
        let json = try CLI.json(try CLI.run(["follow", path, "--stream", "0", "--format", "json"]))
        let gap = try #require(json.first { $0["gap"] != nil })
        #expect(gap["gap"] as? Int == 10 && gap["offset"] as? Int == 17 && gap["direction"] as? String == "server")
        let after = try #require(json.first { $0["first_frame"] as? Int == 6 })
        #expect(after["offset"] as? Int == 27 && after["delivered_frame"] is NSNull)
    }

    @Test("No such stream: exit 1, naming how many the file holds and `wiretale conversations`")
    func noSuchStream() throws {
        let r = try CLI.run(["follow", http, "--stream", "5"])
        #expect(r.status == 1)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("no TCP stream 5; its TCP streams are numbered 0 to 0"))
        #expect(r.stderr.contains("wiretale conversations \(http)"))
    }

    @Test("A UDP flow's number: exit 1, saying follow is for TCP")
    func udpStream() throws {
        let r = try CLI.run(["follow", CLI.capture("udp-dns.pcap"), "--stream", "0"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("holds no TCP stream"))
        #expect(r.stderr.contains("0 is a UDP flow's number (udp.stream), and follow reassembles TCP streams only"))
    }

    @Test("--direction without --format raw, and a negative stream, are usage errors")
    func usage() throws {
        #expect(try CLI.run(["follow", http, "--stream", "0", "--direction", "server"]).status == 64)
        #expect(try CLI.run(["follow", http, "--stream", "-1"]).status == 64)
        #expect(try CLI.run(["follow", http]).status == 64)
    }

    /// tshark 4.0.17's `-q -z follow,tcp,hex,0` on Captures/http-loopback.pcap, its dump lines only
    /// (wiretale's chunk lines differ: they say direction and frames).
    static let tsharkHex: [String] = [
        "00000000  47 45 54 20 2f 69 6e 64  65 78 2e 68 74 6d 6c 20  GET /ind ex.html",
        "00000010  48 54 54 50 2f 31 2e 31  0d 0a 48 6f 73 74 3a 20  HTTP/1.1 ..Host:",
        "00000020  31 32 37 2e 30 2e 30 2e  31 3a 38 30 38 30 0d 0a  127.0.0. 1:8080..",
        "00000030  55 73 65 72 2d 41 67 65  6e 74 3a 20 63 75 72 6c  User-Age nt: curl",
        "00000040  2f 37 2e 38 38 2e 31 0d  0a 41 63 63 65 70 74 3a  /7.88.1. .Accept:",
        "00000050  20 2a 2f 2a 0d 0a 0d 0a                            */*....",
        "\t00000000  48 54 54 50 2f 31 2e 30  20 32 30 30 20 4f 4b 0d  HTTP/1.0  200 OK.",
        "\t00000010  0a 53 65 72 76 65 72 3a  20 53 69 6d 70 6c 65 48  .Server:  SimpleH",
        "\t00000020  54 54 50 2f 30 2e 36 20  50 79 74 68 6f 6e 2f 33  TTP/0.6  Python/3",
        "\t00000030  2e 31 31 2e 37 0d 0a 44  61 74 65 3a 20 54 68 75  .11.7..D ate: Thu",
        "\t00000040  2c 20 32 36 20 4e 6f 76  20 32 30 32 36 20 31 39  , 26 Nov  2026 19",
        "\t00000050  3a 32 33 3a 32 39 20 47  4d 54 0d 0a 43 6f 6e 74  :23:29 G MT..Cont",
        "\t00000060  65 6e 74 2d 74 79 70 65  3a 20 74 65 78 74 2f 68  ent-type : text/h",
        "\t00000070  74 6d 6c 0d 0a 43 6f 6e  74 65 6e 74 2d 4c 65 6e  tml..Con tent-Len",
        "\t00000080  67 74 68 3a 20 36 38 0d  0a 4c 61 73 74 2d 4d 6f  gth: 68. .Last-Mo",
        "\t00000090  64 69 66 69 65 64 3a 20  54 68 75 2c 20 32 36 20  dified:  Thu, 26",
        "\t000000A0  4e 6f 76 20 32 30 32 36  20 31 39 3a 32 33 3a 32  Nov 2026  19:23:2",
        "\t000000B0  37 20 47 4d 54 0d 0a 0d  0a                       7 GMT... .",
        "\t000000B9  3c 68 74 6d 6c 3e 3c 68  65 61 64 3e 3c 74 69 74  <html><h ead><tit",
        "\t000000C9  6c 65 3e 77 69 72 65 74  61 6c 65 3c 2f 74 69 74  le>wiret ale</tit",
        "\t000000D9  6c 65 3e 3c 2f 68 65 61  64 3e 3c 62 6f 64 79 3e  le></hea d><body>",
        "\t000000E9  68 65 6c 6c 6f 3c 2f 62  6f 64 79 3e 3c 2f 68 74  hello</b ody></ht",
        "\t000000F9  6d 6c 3e 0a                                       ml>.",
    ]
}
