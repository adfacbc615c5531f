import Foundation
import Testing

@Suite("read under a filter keeps the file's stream numbers")
struct FilterStreamTests {
    @Test("a BPF filter chooses what read shows, not how streams are numbered (tshark's tcp.stream under -Y)")
    func streamNumbersSurviveTheFilter() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("wiretale-filter-streams.pcap")
        try HostileFileTests.synFlood(3).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let all = try CLI.json(try CLI.run(["read", file.path, "--format", "json"]))
        #expect(all.compactMap { ($0["tcp"] as? [String: Any])?["stream"] as? Int } == [0, 1, 2])
        let third = try CLI.json(try CLI.run(["read", file.path, "--format", "json", "tcp src port 20002"]))
        #expect(third.count == 1)
        #expect(third.first?["frame"] as? Int == 3)
        #expect((third.first?["tcp"] as? [String: Any])?["stream"] as? Int == 2)
        let text = try CLI.run(["read", file.path, "-c", "1", "tcp src port 20001"])
        #expect(text.lines.count == 1 && text.lines[0].hasPrefix("     2 "), "\(text.stdout)")
    }
}
