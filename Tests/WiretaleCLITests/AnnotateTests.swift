import Foundation
import Testing
import WiretaleCore

/// `read --annotate -w OUT.pcapng`: every packet written as it came, each with wiretale's remarks
/// as its pcapng comment, read back by tshark (when installed) and by wiretale's own reader.
@Suite("wiretale read --annotate: pcapng comments Wireshark shows", .serialized)
struct AnnotateTests {
    let http = CLI.capture("http-loopback.pcap")

    /// `read FILE --annotate -w OUT`, which must succeed; returns OUT.
    func annotate(_ input: String, _ name: String) throws -> String {
        let out = ReadWriteTests.temporary(name)
        let r = try CLI.run(["read", input, "--annotate", "-w", out])
        #expect(r.status == 0, "\(r.stderr)")
        return out
    }

    /// Each Enhanced Packet Block's `opt_comment` (nil when it has none), walked block by block.
    static func comments(_ path: String) throws -> [String?] {
        let d = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        func u32(_ i: Int) -> Int { Int(d[i]) | Int(d[i + 1]) << 8 | Int(d[i + 2]) << 16 | Int(d[i + 3]) << 24 }
        func u16(_ i: Int) -> Int { Int(d[i]) | Int(d[i + 1]) << 8 }
        var result: [String?] = []
        var at = 0
        while at + 12 <= d.count {
            let type = u32(at)
            let length = u32(at + 4)
            guard length >= 12, at + length <= d.count else { break }
            if type == 6 {
                var o = at + 28 + ((u32(at + 20) + 3) & ~3)
                var comment: String? = nil
                while o + 4 <= at + length - 4 {
                    let code = u16(o)
                    let count = u16(o + 2)
                    if code == 0 { break }
                    if code == 1 { comment = String(decoding: d[(o + 4)..<(o + 4 + count)], as: UTF8.self) }
                    o += 4 + ((count + 3) & ~3)
                }
                result.append(comment)
            }
            at += length
        }
        return result
    }

    /// The records as wiretale's reader sees them: time, lengths, link type, interface, bytes.
    static func records(_ path: String) throws -> [String] {
        let reader = try CaptureFileReader(path: path)
        var out: [String] = []
        while let r = try reader.next() {
            out.append(
                "\(r.timestamp.seconds).\(r.timestamp.fraction)/\(r.timestamp.digits) \(r.originalLength) "
                    + "\(r.linkType.rawValue) \(r.interfaceIndex) \(r.snapLength) \(Array(r.bytes).hashValue)")
        }
        return out
    }

    @Test("the packets come back as they went in, the handshake and teardown frames commented")
    func roundTrip() throws {
        let out = try annotate(http, "annotated.pcapng")
        #expect(try Self.records(out) == Self.records(http))
        let comments = try Self.comments(out)
        #expect(comments.count == 12)
        #expect(comments[0]?.hasPrefix("tcp stream 0: first handshake (SYN)") == true, "\(comments)")
        #expect(comments[0]?.contains("client CLOSED → SYN-SENT") == true)
        #expect(comments[1]?.contains("second handshake (SYN+ACK)") == true)
        #expect(comments[2]?.contains("third handshake (ACK)") == true)
        #expect(comments[11]?.contains("teardown 4 (last ACK)") == true)
        #expect(comments[4] == nil)  // a bare ACK of data: nothing to say
        // The section header names wiretale and its version (shb_userappl, option 4).
        let head = [UInt8](try Data(contentsOf: URL(fileURLWithPath: out)).prefix(64))
        #expect(String(decoding: head, as: UTF8.self).contains("wiretale \(WiretaleVersion.string)"))
    }

    @Test("a pcapng input keeps its interfaces and nanosecond times")
    func pcapngInput() throws {
        // A nanosecond pcapng input, made from the pcap by -w; then annotated.
        let plain = ReadWriteTests.temporary("plain.pcapng")
        #expect(try CLI.run(["read", http, "-w", plain]).status == 0)
        let out = try annotate(plain, "annotated2.pcapng")
        #expect(try Self.records(out) == Self.records(plain))
        #expect(try Self.comments(out).compactMap { $0 }.count == 6)
    }

    @Test("tshark reads the same frames, times and interfaces, and prints the comments")
    func tshark() throws {
        guard let tshark = ReadWriteTests.tool("tshark") else { return }
        let out = try annotate(http, "annotated3.pcapng")
        let fields = ["-T", "fields", "-e", "frame.number", "-e", "frame.time_epoch", "-e", "frame.len"]
        let input = try ReadWriteTests.output(of: tshark, ["-r", http] + fields)
        let copy = try ReadWriteTests.output(of: tshark, ["-r", out] + fields)
        #expect(input.status == 0 && copy.status == 0)
        #expect(input.stdout.split(separator: "\n").count == 12)
        #expect(copy.stdout == input.stdout)
        let interfaces = try ReadWriteTests.output(of: tshark, ["-r", out, "-T", "fields", "-e", "frame.interface_id"])
        #expect(Set(interfaces.stdout.split(separator: "\n")) == ["0"])
        let c = try ReadWriteTests.output(
            of: tshark, ["-r", out, "-Y", "frame.comment", "-T", "fields", "-e", "frame.number", "-e", "frame.comment"])
        let lines = c.stdout.split(separator: "\n").map(String.init)
        #expect(
            lines.map { $0.split(separator: "\t").first.map(String.init) ?? "" } == ["1", "2", "3", "10", "11", "12"])
        #expect(lines.first?.contains("first handshake (SYN)") == true, "\(lines)")
    }

    @Test("--annotate without a pcapng output is refused")
    func refused() throws {
        let r = try CLI.run(["read", http, "--annotate", "-w", ReadWriteTests.temporary("x.pcap")])
        #expect(r.status != 0)
        #expect(r.stderr.contains("--annotate needs -w OUT.pcapng"))
        #expect(try CLI.run(["read", http, "--annotate"]).status != 0)
    }

    @Test(
        "capture --annotate -w: the live handshake's frames carry the notes' steps",
        .enabled(if: getuid() == 0, "needs root to capture (CI runs as root)"))
    func capture() throws {
        let out = ReadWriteTests.temporary("live.pcapng")
        let server = try LiveTCPServer()
        let run = try LiveRun([
            "capture", "-i", "lo", "--duration", "3", "--annotate", "-w", out, "tcp port \(server.port)",
        ])
        try run.waitUntilCapturing()
        try LiveTCPExchange.run(server: server)
        let r = try run.finish(timeout: 8)
        #expect(r.status == 0, "\(r.stderr)")
        let comments = try Self.comments(out)
        #expect(comments.count == (try Self.records(out)).count)
        #expect(comments.first??.hasPrefix("tcp stream 0: first handshake (SYN)") == true, "\(comments)")
        #expect(comments.compactMap { $0 }.contains { $0.contains("teardown 1 (FIN)") })
        let head = [UInt8](try Data(contentsOf: URL(fileURLWithPath: out)).prefix(64))
        #expect(String(decoding: head, as: UTF8.self).contains("wiretale \(WiretaleVersion.string)"))
    }
}
