import Foundation
import Testing

/// The commands that print only text or JSON take the shared `OutputFormat`, say in `validate()`
/// why `none` is not theirs, and still list only text and json where they did.
@Suite("--format on commands that print text or json")
struct FormatOptionTests {
    @Test(
        "--format none is refused with the command's formats, exit 64",
        arguments: [
            ["conversations", CLI.capture("tour-tcp.pcap")], ["interfaces"], ["lab", "servers"],
            ["trace", "http://127.0.0.1:9/"],
        ])
    func noneRefused(_ command: [String]) throws {
        let r = try CLI.run(command + ["--format", "none"])
        #expect(r.status == 64)
        let name = command[0] == "lab" ? "lab servers" : command[0]
        #expect(r.stderr.contains("--format none: \(name) prints text or json"))
        #expect(r.stdout.isEmpty)
    }

    @Test("a value no command knows is ArgumentParser's error, listing text and json")
    func unknownValue() throws {
        let r = try CLI.run(["conversations", CLI.capture("tour-tcp.pcap"), "--format", "xml"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("The value 'xml' is invalid for '--format <format>'"))
        #expect(r.stderr.contains("Please provide one of 'text' and 'json'"))
    }

    @Test("--help lists the values where it always did, and not for trace")
    func helpListsValues() throws {
        let conversations = try CLI.run(["conversations", "--help"]).stdout.replacingOccurrences(of: "\n", with: " ")
        #expect(conversations.contains("(values: text, json; default:"))
        let trace = try CLI.run(["trace", "--help"]).stdout
        #expect(trace.contains("Output format: text or json. (default: text)"))
    }

    @Test("--format json still reaches the library: one object per conversation")
    func jsonStillWorks() throws {
        let r = try CLI.run(["conversations", CLI.capture("tour-tcp.pcap"), "--format", "json"])
        #expect(r.status == 0)
        #expect(r.lines.first?.hasPrefix("{\"kind\":\"tcp\"") == true)
    }
}
