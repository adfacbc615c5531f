import Foundation
import Testing

/// `conversations` and `explain` at a terminal's width: no line wider than `--width`.
@Suite("conversations and explain fit --width", .serialized)
struct WidthTests {
    /// Terminal columns, East Asian wide characters counting two (as the notes' Chinese labels need).
    static func columns(_ line: Substring) -> Int {
        line.unicodeScalars.reduce(0) { w, u in
            let v = u.value
            let wide =
                v >= 0x1100
                && (v <= 0x115F || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
                    || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v)
                    || (0xFF00...0xFF60).contains(v) || (0xFFE0...0xFFE6).contains(v))
            return w + (wide ? 2 : 1)
        }
    }

    static let captures: [String] = {
        let dir = CLI.packageRoot.appendingPathComponent("Captures")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix(".pcap") }.sorted()
    }()

    @Test("every line of conversations and explain is at most N columns, N = 80 and 120, en and zh")
    func everyLineFits() throws {
        #expect(Self.captures.count >= 10)
        for name in Self.captures {
            let path = CLI.capture(name)
            for width in [80, 120] {
                for lang in ["en", "zh"] {
                    let w = "\(width)"
                    var runs = [try CLI.run(["conversations", path, "--width", w, "--lang", lang])]
                    let streams = try CLI.json(try CLI.run(["conversations", path, "--format", "json"]))
                        .filter { $0["kind"] as? String == "tcp" }.compactMap { $0["stream"] as? Int }
                    for s in streams.prefix(3) {
                        runs.append(try CLI.run(["explain", path, "--stream", "\(s)", "--width", w, "--lang", lang]))
                    }
                    for r in runs {
                        #expect(r.status == 0, "\(name): \(r.stderr)")
                        for line in r.stdout.split(separator: "\n") {
                            #expect(Self.columns(line) <= width, "\(name) --width \(width) --lang \(lang): \(line)")
                        }
                    }
                }
            }
        }
    }

    @Test("without --width and a terminal the tables keep their layout; no two columns run together")
    func defaultLayoutAndColumns() throws {
        let r = try CLI.run(["conversations", CLI.capture("tcp-refused.pcap")])
        #expect(r.status == 0)
        let header = try #require(r.lines.first { $0.hasPrefix("stream  client") })
        #expect(header.contains("handshake") && header.contains("anomalies"))
        // Every cell ends with at least two spaces before the next column's text.
        for line in r.lines where line.contains("never acknowledged") || line.contains("refused") {
            #expect(!line.contains("acknowledgednot") && !line.contains("refusednot"), "\(line)")
        }
        let narrow = try CLI.run(["conversations", CLI.capture("tcp-refused.pcap"), "--width", "80"])
        #expect(narrow.lines.contains { $0.hasPrefix("#0  ") })
        #expect(
            try CLI.run(["explain", CLI.capture("tcp-refused.pcap"), "--stream", "0", "--width", "20"]).status == 64)
    }
}
