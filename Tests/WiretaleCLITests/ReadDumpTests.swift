import Foundation
import Testing

/// `read -A` / `-X` against tcpdump 4.99.3's own output: the expected texts below were made by
/// running `tcpdump -n -r FILE -X` (or `-XX`, `-A`, `-AA`) on the repository's captures and
/// keeping what tcpdump prints after each packet's line (wiretale's line itself differs).
@Suite("wiretale read -A and -X, as tcpdump", .serialized)
struct ReadDumpTests {
    /// The dump lines of a text output (those after each packet's line start with a tab).
    static func dumpLines(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { $0.hasPrefix("\t") }
    }

    @Test("-X: every frame after its link header as tcpdump -X prints it (Ethernet)")
    func hexEthernet() throws {
        let r = try CLI.run(["read", CLI.capture("http-loopback.pcap"), "-X", "-q"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(Self.dumpLines(r.stdout) == Self.httpX)
        #expect(r.stdout.split(separator: "\n").count == 12 + Self.httpX.count)
    }

    @Test("-X: Linux cooked v2 frames lose their 20-byte header, as in tcpdump")
    func hexCooked() throws {
        let r = try CLI.run(["read", CLI.capture("tcp-close-client.pcap"), "-X"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(Self.dumpLines(r.stdout) == Self.closeClientX)
    }

    @Test("-XX: the link header too, as tcpdump -XX")
    func hexWithLink() throws {
        let r = try CLI.run(["read", CLI.capture("http-loopback.pcap"), "-XX", "-c", "1"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(Self.dumpLines(r.stdout) == Self.httpXXFirst)
        #expect(try CLI.run(["read", CLI.capture("http-loopback.pcap"), "-X", "-X", "-c", "1"]).stdout == r.stdout)
    }

    @Test("-A and -AA: the bytes as ASCII after the line, exactly as tcpdump prints them")
    func ascii() throws {
        let http = CLI.capture("http-loopback.pcap")
        func afterLine(_ args: [String]) throws -> String {
            let r = try CLI.run(["read", http, "-q"] + args)
            #expect(r.status == 0, "\(r.stderr)")
            return String(r.stdout.drop { $0 != "\n" }.dropFirst())
        }
        #expect(try afterLine(["-A", "-c", "1", "tcp[13] & 8 != 0"]) == Self.httpAGet)
        #expect(try afterLine(["-A", "-c", "1"]) == Self.httpASyn)
        #expect(try afterLine(["-AA", "-c", "1"]) == Self.httpAASyn)
    }

    @Test("Without -A or -X nothing follows the line; with JSON they are a usage error")
    func offAndJSON() throws {
        let http = CLI.capture("http-loopback.pcap")
        let plain = try CLI.run(["read", http, "-q"])
        #expect(plain.lines.count == 12 && Self.dumpLines(plain.stdout).isEmpty)
        let json = try CLI.run(["read", http, "-X", "--format", "json"])
        #expect(json.status == 64)
        #expect(
            json.stderr.contains("-X prints the packet's bytes after its text line; --format json has no such line"))
        #expect(try CLI.run(["read", http, "-A", "--format", "none"]).status == 64)
    }

    static let httpX: [String] = [
        "\t0x0000:  4500 003c 7d6c 4000 4006 bf4d 7f00 0001  E..<}l@.@..M....",
        "\t0x0010:  7f00 0001 c96e 1f90 5c08 315b 0000 0000  .....n..\\.1[....",
        "\t0x0020:  a002 ffd7 fe30 0000 0204 ffd7 0402 080a  .....0..........",
        "\t0x0030:  a2ff 5211 0000 0000 0103 030a            ..R.........",
        "\t0x0000:  4500 003c 0000 4000 4006 3cba 7f00 0001  E..<..@.@.<.....",
        "\t0x0010:  7f00 0001 1f90 c96e 1c48 3bd8 5c08 315c  .......n.H;.\\.1\\",
        "\t0x0020:  a012 ffcb fe30 0000 0204 ffd7 0402 080a  .....0..........",
        "\t0x0030:  b7ab f49f a2ff 5211 0103 030a            ......R.....",
        "\t0x0000:  4500 0034 7d6d 4000 4006 bf54 7f00 0001  E..4}m@.@..T....",
        "\t0x0010:  7f00 0001 c96e 1f90 5c08 315c 1c48 3bd9  .....n..\\.1\\.H;.",
        "\t0x0020:  8010 0040 fe28 0000 0101 080a a2ff 5211  ...@.(........R.",
        "\t0x0030:  b7ab f49f                                ....",
        "\t0x0000:  4500 008c 7d6e 4000 4006 befb 7f00 0001  E...}n@.@.......",
        "\t0x0010:  7f00 0001 c96e 1f90 5c08 315c 1c48 3bd9  .....n..\\.1\\.H;.",
        "\t0x0020:  8018 0040 fe80 0000 0101 080a a2ff 5213  ...@..........R.",
        "\t0x0030:  b7ab f49f 4745 5420 2f69 6e64 6578 2e68  ....GET./index.h",
        "\t0x0040:  746d 6c20 4854 5450 2f31 2e31 0d0a 486f  tml.HTTP/1.1..Ho",
        "\t0x0050:  7374 3a20 3132 372e 302e 302e 313a 3830  st:.127.0.0.1:80",
        "\t0x0060:  3830 0d0a 5573 6572 2d41 6765 6e74 3a20  80..User-Agent:.",
        "\t0x0070:  6375 726c 2f37 2e38 382e 310d 0a41 6363  curl/7.88.1..Acc",
        "\t0x0080:  6570 743a 202a 2f2a 0d0a 0d0a            ept:.*/*....",
        "\t0x0000:  4500 0034 35ee 4000 4006 06d4 7f00 0001  E..45.@.@.......",
        "\t0x0010:  7f00 0001 1f90 c96e 1c48 3bd9 5c08 31b4  .......n.H;.\\.1.",
        "\t0x0020:  8010 0040 fe28 0000 0101 080a b7ab f4a1  ...@.(..........",
        "\t0x0030:  a2ff 5213                                ..R.",
        "\t0x0000:  4500 00ed 35ef 4000 4006 061a 7f00 0001  E...5.@.@.......",
        "\t0x0010:  7f00 0001 1f90 c96e 1c48 3bd9 5c08 31b4  .......n.H;.\\.1.",
        "\t0x0020:  8018 0040 fee1 0000 0101 080a b7ab f4a5  ...@............",
        "\t0x0030:  a2ff 5213 4854 5450 2f31 2e30 2032 3030  ..R.HTTP/1.0.200",
        "\t0x0040:  204f 4b0d 0a53 6572 7665 723a 2053 696d  .OK..Server:.Sim",
        "\t0x0050:  706c 6548 5454 502f 302e 3620 5079 7468  pleHTTP/0.6.Pyth",
        "\t0x0060:  6f6e 2f33 2e31 312e 370d 0a44 6174 653a  on/3.11.7..Date:",
        "\t0x0070:  2054 6875 2c20 3236 204e 6f76 2032 3032  .Thu,.26.Nov.202",
        "\t0x0080:  3620 3139 3a32 333a 3239 2047 4d54 0d0a  6.19:23:29.GMT..",
        "\t0x0090:  436f 6e74 656e 742d 7479 7065 3a20 7465  Content-type:.te",
        "\t0x00a0:  7874 2f68 746d 6c0d 0a43 6f6e 7465 6e74  xt/html..Content",
        "\t0x00b0:  2d4c 656e 6774 683a 2036 380d 0a4c 6173  -Length:.68..Las",
        "\t0x00c0:  742d 4d6f 6469 6669 6564 3a20 5468 752c  t-Modified:.Thu,",
        "\t0x00d0:  2032 3620 4e6f 7620 3230 3236 2031 393a  .26.Nov.2026.19:",
        "\t0x00e0:  3233 3a32 3720 474d 540d 0a0d 0a         23:27.GMT....",
        "\t0x0000:  4500 0034 7d6f 4000 4006 bf52 7f00 0001  E..4}o@.@..R....",
        "\t0x0010:  7f00 0001 c96e 1f90 5c08 31b4 1c48 3c92  .....n..\\.1..H<.",
        "\t0x0020:  8010 0040 fe28 0000 0101 080a a2ff 5217  ...@.(........R.",
        "\t0x0030:  b7ab f4a5                                ....",
        "\t0x0000:  4500 0078 35f0 4000 4006 068e 7f00 0001  E..x5.@.@.......",
        "\t0x0010:  7f00 0001 1f90 c96e 1c48 3c92 5c08 31b4  .......n.H<.\\.1.",
        "\t0x0020:  8018 0040 fe6c 0000 0101 080a b7ab f4a5  ...@.l..........",
        "\t0x0030:  a2ff 5217 3c68 746d 6c3e 3c68 6561 643e  ..R.<html><head>",
        "\t0x0040:  3c74 6974 6c65 3e77 6972 6574 616c 653c  <title>wiretale<",
        "\t0x0050:  2f74 6974 6c65 3e3c 2f68 6561 643e 3c62  /title></head><b",
        "\t0x0060:  6f64 793e 6865 6c6c 6f3c 2f62 6f64 793e  ody>hello</body>",
        "\t0x0070:  3c2f 6874 6d6c 3e0a                      </html>.",
        "\t0x0000:  4500 0034 7d70 4000 4006 bf51 7f00 0001  E..4}p@.@..Q....",
        "\t0x0010:  7f00 0001 c96e 1f90 5c08 31b4 1c48 3cd6  .....n..\\.1..H<.",
        "\t0x0020:  8010 0040 fe28 0000 0101 080a a2ff 5217  ...@.(........R.",
        "\t0x0030:  b7ab f4a5                                ....",
        "\t0x0000:  4500 0034 35f1 4000 4006 06d1 7f00 0001  E..45.@.@.......",
        "\t0x0010:  7f00 0001 1f90 c96e 1c48 3cd6 5c08 31b4  .......n.H<.\\.1.",
        "\t0x0020:  8011 0040 fe28 0000 0101 080a b7ab f4a5  ...@.(..........",
        "\t0x0030:  a2ff 5217                                ..R.",
        "\t0x0000:  4500 0034 7d71 4000 4006 bf50 7f00 0001  E..4}q@.@..P....",
        "\t0x0010:  7f00 0001 c96e 1f90 5c08 31b4 1c48 3cd7  .....n..\\.1..H<.",
        "\t0x0020:  8011 0040 fe28 0000 0101 080a a2ff 5217  ...@.(........R.",
        "\t0x0030:  b7ab f4a5                                ....",
        "\t0x0000:  4500 0034 35f2 4000 4006 06d0 7f00 0001  E..45.@.@.......",
        "\t0x0010:  7f00 0001 1f90 c96e 1c48 3cd7 5c08 31b5  .......n.H<.\\.1.",
        "\t0x0020:  8010 0040 fe28 0000 0101 080a b7ab f4a5  ...@.(..........",
        "\t0x0030:  a2ff 5217                                ..R.",
    ]
    static let closeClientX: [String] = [
        "\t0x0000:  4500 003c f16a 4000 4006 4b4f 7f00 0001  E..<.j@.@.KO....",
        "\t0x0010:  7f00 0001 b10e b799 38e0 08be 0000 0000  ........8.......",
        "\t0x0020:  a002 ffd7 fe30 0000 0204 ffd7 0402 080a  .....0..........",
        "\t0x0030:  c833 d457 0000 0000 0103 030a            .3.W........",
        "\t0x0000:  4500 003c 0000 4000 4006 3cba 7f00 0001  E..<..@.@.<.....",
        "\t0x0010:  7f00 0001 b799 b10e c41b 8ecd 38e0 08bf  ............8...",
        "\t0x0020:  a012 ffcb fe30 0000 0204 ffd7 0402 080a  .....0..........",
        "\t0x0030:  c661 8a3d c833 d457 0103 030a            .a.=.3.W....",
        "\t0x0000:  4500 0034 f16b 4000 4006 4b56 7f00 0001  E..4.k@.@.KV....",
        "\t0x0010:  7f00 0001 b10e b799 38e0 08bf c41b 8ece  ........8.......",
        "\t0x0020:  8010 0040 fe28 0000 0101 080a c833 d457  ...@.(.......3.W",
        "\t0x0030:  c661 8a3d                                .a.=",
        "\t0x0000:  4500 0039 f16c 4000 4006 4b50 7f00 0001  E..9.l@.@.KP....",
        "\t0x0010:  7f00 0001 b10e b799 38e0 08bf c41b 8ece  ........8.......",
        "\t0x0020:  8018 0040 fe2d 0000 0101 080a c833 d457  ...@.-.......3.W",
        "\t0x0030:  c661 8a3d 6e6f 7465 73                   .a.=notes",
        "\t0x0000:  4500 0034 db75 4000 4006 614c 7f00 0001  E..4.u@.@.aL....",
        "\t0x0010:  7f00 0001 b799 b10e c41b 8ece 38e0 08c4  ............8...",
        "\t0x0020:  8010 0040 fe28 0000 0101 080a c661 8a3d  ...@.(.......a.=",
        "\t0x0030:  c833 d457                                .3.W",
        "\t0x0000:  4500 003f db76 4000 4006 6140 7f00 0001  E..?.v@.@.a@....",
        "\t0x0010:  7f00 0001 b799 b10e c41b 8ece 38e0 08c4  ............8...",
        "\t0x0020:  8018 0040 fe33 0000 0101 080a c661 8a3d  ...@.3.......a.=",
        "\t0x0030:  c833 d457 4845 4c4c 4f20 6e6f 7465 73    .3.WHELLO.notes",
        "\t0x0000:  4500 0034 f16d 4000 4006 4b54 7f00 0001  E..4.m@.@.KT....",
        "\t0x0010:  7f00 0001 b10e b799 38e0 08c4 c41b 8ed9  ........8.......",
        "\t0x0020:  8010 0040 fe28 0000 0101 080a c833 d457  ...@.(.......3.W",
        "\t0x0030:  c661 8a3d                                .a.=",
        "\t0x0000:  4500 0034 f16e 4000 4006 4b53 7f00 0001  E..4.n@.@.KS....",
        "\t0x0010:  7f00 0001 b10e b799 38e0 08c4 c41b 8ed9  ........8.......",
        "\t0x0020:  8011 0040 fe28 0000 0101 080a c833 d48a  ...@.(.......3..",
        "\t0x0030:  c661 8a3d                                .a.=",
        "\t0x0000:  4500 0034 db77 4000 4006 614a 7f00 0001  E..4.w@.@.aJ....",
        "\t0x0010:  7f00 0001 b799 b10e c41b 8ed9 38e0 08c5  ............8...",
        "\t0x0020:  8010 0040 fe28 0000 0101 080a c661 8a9a  ...@.(.......a..",
        "\t0x0030:  c833 d48a                                .3..",
        "\t0x0000:  4500 0034 db78 4000 4006 6149 7f00 0001  E..4.x@.@.aI....",
        "\t0x0010:  7f00 0001 b799 b10e c41b 8ed9 38e0 08c5  ............8...",
        "\t0x0020:  8011 0040 fe28 0000 0101 080a c661 8aa2  ...@.(.......a..",
        "\t0x0030:  c833 d48a                                .3..",
        "\t0x0000:  4500 0034 0000 4000 4006 3cc2 7f00 0001  E..4..@.@.<.....",
        "\t0x0010:  7f00 0001 b10e b799 38e0 08c5 c41b 8eda  ........8.......",
        "\t0x0020:  8010 0040 8d42 0000 0101 080a c833 d4bc  ...@.B.......3..",
        "\t0x0030:  c661 8aa2                                .a..",
    ]
    static let httpXXFirst: [String] = [
        "\t0x0000:  0000 0000 0000 0000 0000 0000 0800 4500  ..............E.",
        "\t0x0010:  003c 7d6c 4000 4006 bf4d 7f00 0001 7f00  .<}l@.@..M......",
        "\t0x0020:  0001 c96e 1f90 5c08 315b 0000 0000 a002  ...n..\\.1[......",
        "\t0x0030:  ffd7 fe30 0000 0204 ffd7 0402 080a a2ff  ...0............",
        "\t0x0040:  5211 0000 0000 0103 030a                 R.........",
    ]
    static let httpAGet =
        "E...}n@.@............n..\\.1\\.H;....@.......\n..R.....GET /index.html HTTP/1.1\nHost: 127.0.0.1:8080\nUser-Agent: curl/7.88.1\nAccept: */*\n\n\n"
    static let httpASyn = "E..<}l@.@..M.........n..\\.1[.........0.........\n..R........\n\n"
    static let httpAASyn = "..............E..<}l@.@..M.........n..\\.1[.........0.........\n..R........\n\n"
}
