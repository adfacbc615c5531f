import Foundation
import Testing

@Suite("wiretale read", .serialized)
struct ReadCommandTests {
    let http = CLI.capture("http-loopback.pcap")

    @Test("Text output has one line per packet, in frame order, with the HTTP lines named")
    func textLines() throws {
        let r = try CLI.run(["read", http])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.lines.count == 12)
        #expect(r.lines[0].contains("127.0.0.1:51566 > 127.0.0.1:8080 TCP [S] seq 1544040795"))
        // Each message on the frame that completes it (tshark's reassembly): the request in one
        // segment, the response's head in frame 6 and its 68-byte body in frame 8.
        #expect(r.lines[3].hasSuffix("length 88: HTTP GET /index.html (host 127.0.0.1:8080)"), "\(r.lines[3])")
        #expect(r.lines[5].hasSuffix("length 185"), "\(r.lines[5])")
        #expect(r.lines[7].contains("length 68: HTTP 200 OK text/html 68 bytes"), "\(r.lines[7])")
        #expect(
            r.lines.enumerated().allSatisfy { i, l in l.trimmingCharacters(in: .whitespaces).hasPrefix("\(i + 1) ") })
    }

    @Test("JSON output is one object per frame with the documented keys and absolute numbers")
    func jsonKeys() throws {
        let objects = try CLI.json(try CLI.run(["read", http, "--format", "json"]))
        #expect(objects.count == 12)
        let first = objects[0]
        #expect(first["frame"] as? Int == 1)
        #expect(first["time"] as? String == "2026-11-26T19:23:29.666823Z")
        #expect(first["len"] as? Int == 74 && first["caplen"] as? Int == 74 && first["link"] as? String == "ether")
        let ip = try #require(first["ip"] as? [String: Any])
        #expect(ip["version"] as? Int == 4 && ip["src"] as? String == "127.0.0.1" && ip["ttl"] as? Int == 64)
        let tcp = try #require(first["tcp"] as? [String: Any])
        #expect(tcp["seq"] as? Int == 1_544_040_795 && tcp["flags"] as? [String] == ["SYN"] && tcp["len"] as? Int == 0)
        let synack = try #require(objects[1]["tcp"] as? [String: Any])
        #expect(synack["ack"] as? Int == 1_544_040_796 && synack["flags"] as? [String] == ["SYN", "ACK"])
        let get = try #require(objects[3]["http"] as? [String: Any])
        #expect(get["kind"] as? String == "request" && get["method"] as? String == "GET")
        #expect(get["uri"] as? String == "/index.html" && get["first_frame"] as? Int == 4)
        let ok = try #require(objects[7]["http"] as? [String: Any], "the response completes with its body in frame 8")
        #expect(ok["status"] as? Int == 200 && ok["body_len"] as? Int == 68 && ok["first_frame"] as? Int == 6)
    }

    @Test("A BPF filter selects packets and frame numbers stay the file's")
    func filter() throws {
        let r = try CLI.run(["read", http, "--format", "json", "tcp[tcpflags] & tcp-fin != 0"])
        #expect(r.status == 0, "\(r.stderr)")
        let frames = try CLI.json(r).compactMap { $0["frame"] as? Int }
        #expect(frames == [10, 11])
        let words = try CLI.run(["read", http, "src", "port", "8080"])
        #expect(words.lines.count == 6)
    }

    @Test("A bad filter is a one-line error quoting the filter, exit 1")
    func badFilter() throws {
        let r = try CLI.run(["read", http, "tcp prot 80"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("tcp prot 80"))
        #expect(r.stdout.isEmpty)
    }

    @Test("--count stops after N packets; - reads standard input")
    func countAndStdin() throws {
        #expect(try CLI.run(["read", http, "-c", "3"]).lines.count == 3)
        let data = try Data(contentsOf: URL(fileURLWithPath: http))
        let r = try CLI.run(["read", "-", "--count", "5"], stdin: data)
        #expect(r.status == 0 && r.lines.count == 5)
    }

    @Test("--format none decodes everything and prints counts")
    func formatNone() throws {
        let r = try CLI.run(["read", http, "--format", "none"])
        #expect(r.stdout.contains("packets 12,") && r.stdout.contains("tcp 12,") && r.stdout.contains("http 2"))
    }

    @Test("A missing file and a file that is not a capture: one line on stderr, exit 1")
    func badFiles() throws {
        let missing = try CLI.run(["read", "/nonexistent/x.pcap"])
        #expect(missing.status == 1 && missing.stdout.isEmpty)
        #expect(missing.stderr.contains("x.pcap") && missing.stderr.split(separator: "\n").count == 1)
        let notCapture = try CLI.run(["read", CLI.packageRoot.appendingPathComponent("Package.swift").path])
        #expect(notCapture.status == 1 && notCapture.stderr.contains("not a capture file"))
    }

    @Test("A file cut off mid-record prints every whole packet, then the error, exit 1")
    func cutOff() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: http))
        let r = try CLI.run(["read", "-"], stdin: data.prefix(data.count - 10))
        #expect(r.status == 1)
        #expect(r.lines.count == 11)
        #expect(r.stderr.contains("cut off"))
    }

    @Test("A record longer than the snapshot length is decoded, then reported, exit 1")
    func snapLengthViolation() throws {
        var data = try Data(contentsOf: URL(fileURLWithPath: http))
        data.replaceSubrange(16..<20, with: [60, 0, 0, 0])  // snaplen 60, little-endian file
        let r = try CLI.run(["read", "-"], stdin: data)
        #expect(r.status == 1)
        #expect(r.lines.count == 12)
        #expect(r.stderr.contains("snapshot length"))
    }

    @Test("Every prefix of a capture: never a crash, every whole packet printed")
    func everyFilePrefix() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: http))
        for n in stride(from: 0, to: data.count, by: 37) {
            let r = try CLI.run(["read", "-", "--format", "json"], stdin: data.prefix(n))
            #expect(r.status == 0 || r.status == 1, "prefix \(n): a clean exit, not a crash")
            if r.status == 1 { #expect(!r.stderr.isEmpty && r.stderr.split(separator: "\n").count == 1) }
        }
    }
}
