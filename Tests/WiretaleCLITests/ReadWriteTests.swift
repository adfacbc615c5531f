import Foundation
import Testing

/// `read -w`, several `-r` files, `-q` and tcpdump's `-t` formats: the habits of tcpdump users.
@Suite("wiretale read: -w, -r, -q and -t as tcpdump users expect", .serialized)
struct ReadWriteTests {
    let http = CLI.capture("http-loopback.pcap")
    let dns = CLI.capture("udp-dns.pcap")

    static func temporary(_ name: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wiretale-rw-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent(name).path
    }

    /// `tool` on PATH, or nil.
    static func tool(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/usr/sbin").split(separator: ":") {
            let path = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    static func output(of tool: String, _ arguments: [String]) throws -> (status: Int32, stdout: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = arguments
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test(
        "-w writes the frames the filter passes, pcap or pcapng by name, and prints none of them",
        arguments: ["pcap", "pcapng"])
    func writeFiltered(ext: String) throws {
        let out = Self.temporary("filtered.\(ext)")
        let r = try CLI.run(["read", http, "src", "port", "8080", "-w", out])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.isEmpty)
        let magic = try FileHandle(forReadingFrom: URL(fileURLWithPath: out)).read(upToCount: 4) ?? Data()
        #expect(
            magic == Data(ext == "pcapng" ? [0x0A, 0x0D, 0x0D, 0x0A] : [0x4D, 0x3C, 0xB2, 0xA1])
                || magic == Data([0xD4, 0xC3, 0xB2, 0xA1]))
        // Read back by wiretale: the same packets, bytes, lengths and times as the filtered read.
        let original = try CLI.json(try CLI.run(["read", http, "src", "port", "8080", "--format", "json"]))
        let copy = try CLI.json(try CLI.run(["read", out, "--format", "json"]))
        #expect(copy.count == 6 && original.count == 6)
        for (a, b) in zip(original, copy) {
            for key in ["time", "len", "caplen", "link"] {
                #expect("\(a[key] ?? "")" == "\(b[key] ?? "")", "\(key)")
            }
            #expect(
                "\(a["tcp"] ?? "")" == "\(b["tcp"] ?? "")"
                    || (a["tcp"] as? [String: Any])?["seq"] as? Int == (b["tcp"] as? [String: Any])?["seq"] as? Int)
        }
        // And by tcpdump, when it is installed: every byte and timestamp equal.
        if let tcpdump = Self.tool("tcpdump") {
            let mine = try Self.output(of: tcpdump, ["-nn", "-tt", "-xx", "-r", out])
            let theirs = try Self.output(of: tcpdump, ["-nn", "-tt", "-xx", "-r", http, "src", "port", "8080"])
            #expect(mine.status == 0)
            #expect(mine.stdout == theirs.stdout)
            #expect(mine.stdout.split(separator: "\n").filter { !$0.hasPrefix("\t") }.count == 6)
        }
        if let tshark = Self.tool("tshark"), ext == "pcapng" {
            let fields = ["-T", "fields", "-e", "frame.time_epoch", "-e", "frame.len", "-e", "frame.cap_len"]
            let mine = try Self.output(of: tshark, ["-r", out] + fields)
            let theirs = try Self.output(of: tshark, ["-r", http, "-Y", "tcp.srcport == 8080"] + fields)
            #expect(mine.stdout == theirs.stdout && !mine.stdout.isEmpty)
        }
    }

    @Test("-w with -c writes that many; --print also prints them; nanosecond times survive pcapng")
    func writeCountAndPrint() throws {
        let out = Self.temporary("count.pcapng")
        let r = try CLI.run(["read", dns, "-c", "2", "-w", out, "--print"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.lines.count == 2)
        let copy = try CLI.run(["read", out])
        #expect(copy.lines == r.lines)
    }

    @Test("Two link types: pcapng keeps both as two interfaces; pcap refuses the second, naming .pcapng")
    func twoLinkTypes() throws {
        let ng = Self.temporary("two-links.pcapng")
        let r = try CLI.run(["read", "-r", http, "-r", dns, "-w", ng])
        #expect(r.status == 0, "\(r.stderr)")
        let copy = try CLI.json(try CLI.run(["read", ng, "--format", "json"]))
        let original = try CLI.json(try CLI.run(["read", "-r", http, "-r", dns, "--format", "json"]))
        #expect(copy.count == original.count)
        #expect(copy.map { $0["interface"] as? Int ?? -1 } == original.map { $0["file"] as? Int ?? -1 })
        #expect(
            copy.map { "\($0["link"] ?? "")\($0["time"] ?? "")" }
                == original.map { "\($0["link"] ?? "")\($0["time"] ?? "")" })
        let pcap = try CLI.run(["read", "-r", http, "-r", dns, "-w", Self.temporary("two-links.pcap")])
        #expect(pcap.status == 1)
        #expect(pcap.stderr.contains(".pcapng"), "\(pcap.stderr)")
    }

    @Test("-w onto its own input is refused and the input kept")
    func writeOntoInput() throws {
        let copy = Self.temporary("self.pcap")
        #expect(try CLI.run(["read", http, "-w", copy]).status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: copy))
        let r = try CLI.run(["read", copy, "tcp", "-w", copy])
        #expect(r.status == 1 && r.stderr.contains("erase"), "\(r.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: copy)) == before)
    }

    @Test("An unwritable -w path is a clear error before anything is read, exit 1")
    func unwritable() throws {
        let r = try CLI.run(["read", "/nonexistent/input.pcap", "-w", "/nonexistent-dir/out.pcap"])
        #expect(r.status == 1)
        #expect(r.stdout.isEmpty)
        #expect(
            r.stderr.contains("cannot create '/nonexistent-dir/out.pcap'")
                || r.stderr.contains("/nonexistent-dir/out.pcap"))
        #expect(!r.stderr.contains("input.pcap"), "the output is checked first: \(r.stderr)")
    }

    @Test("Several -r files are read in order: frames numbered on, each file's start marked, JSON names the file")
    func severalFiles() throws {
        let one = try CLI.run(["read", http])
        let r = try CLI.run(["read", "-r", http, "-r", dns])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.lines.first == "-- file 1 of 2: \(http), from frame 1 --")
        #expect(r.lines.contains("-- file 2 of 2: \(dns), from frame 13 --"))
        #expect(r.lines.filter { !$0.hasPrefix("-- file ") }.count == 12 + (try CLI.run(["read", dns])).lines.count)
        #expect(Array(r.lines[1...12]) == one.lines)
        let json = try CLI.json(try CLI.run(["read", "-r", http, "-r", dns, "--format", "json"]))
        #expect(json.first?["file"] as? Int == 0 && json.last?["file"] as? Int == 1)
        #expect(json.map { $0["frame"] as? Int ?? 0 } == Array(1...json.count))
        // With -r every positional word is the filter's.
        let filtered = try CLI.run(["read", "-r", http, "-r", dns, "udp"])
        #expect(filtered.status == 0, "\(filtered.stderr)")
        #expect(filtered.lines.filter { !$0.hasPrefix("-- file ") }.allSatisfy { $0.contains(" UDP ") })
        let conversations = try CLI.json(try CLI.run(["conversations", "-r", http, "-r", dns, "--format", "json"]))
        #expect(
            conversations.contains { $0["kind"] as? String == "tcp" }
                && conversations.contains { $0["kind"] as? String == "dns" })
    }

    @Test("A missing second file is an error before any output")
    func missingSecondFile() throws {
        let r = try CLI.run(["read", "-r", http, "-r", "/nonexistent/second.pcap"])
        #expect(r.status == 1)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("/nonexistent/second.pcap"))
    }

    @Test("-q prints only the tcpdump-like line")
    func quiet() throws {
        let loud = try CLI.run(["read", http])
        let quiet = try CLI.run(["read", http, "-q"])
        #expect(loud.lines.contains { $0.contains("  -- ") })
        #expect(quiet.lines.count == loud.lines.count)
        #expect(!quiet.lines.contains { $0.contains("  -- ") })
        #expect(zip(loud.lines, quiet.lines).allSatisfy { $0.hasPrefix($1) })
    }

    @Test(
        "-t … -ttttt and --time-format print times as tcpdump does",
        arguments: [
            (["-t"], "none", "     1 IP 127.0.0.1:51566", "     2 IP "),
            (["-tt"], "epoch", "     1 1795721009.666823 IP", "     2 1795721009.666853 IP"),
            (["-ttt"], "delta", "     1 00:00:00.000000 IP", "     3 00:00:00.000021 IP"),
            (["-tttt"], "date", "     1 2026-11-26 19:23:29.666823 IP", "     2 2026-11-26 19:23:29.666853 IP"),
            (["-ttttt"], "relative", "     1 00:00:00.000000 IP", "     3 00:00:00.000051 IP"),
            (["-t", "-t"], "epoch", "     1 1795721009.666823 IP", "     2 1795721009.666853 IP"),
        ] as [([String], String, String, String)])
    func timeFormats(flags: [String], name: String, first: String, later: String) throws {
        let r = try CLI.run(["read", http] + flags)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.lines[0].hasPrefix(first), "\(r.lines[0])")
        #expect(r.lines.contains { $0.hasPrefix(later) }, "\(r.lines.prefix(3))")
        let long = try CLI.run(["read", http, "--time-format", name])
        #expect(long.stdout == r.stdout)
    }

    @Test("-t and --time-format together, or -t six times, are refused (exit 64)")
    func timeFormatConflicts() throws {
        #expect(try CLI.run(["read", http, "-tt", "--time-format", "date"]).status == 64)
        #expect(try CLI.run(["read", http, "-tttttt"]).status == 64)
        let bad = try CLI.run(["read", http, "--time-format", "week"])
        #expect(bad.status == 64 && bad.stderr.contains("relative"), "\(bad.stderr)")
    }
}

/// A connection cut in two files is one connection when both are read with `-r`.
@Suite("Several -r files follow connections across them")
struct SplitFileTests {
    /// The classic pcap at `path` as two files: its first `n` records, and the rest, each with the header.
    static func split(_ path: String, after n: Int) throws -> (String, String) {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let header = data.prefix(24)
        var offset = 24
        var records = 0
        while records < n {
            let caplen = data[(offset + 8)..<(offset + 12)].enumerated().reduce(0) { $0 | Int($1.1) << (8 * $1.0) }
            offset += 16 + caplen
            records += 1
        }
        let first = ReadWriteTests.temporary("first-\(n).pcap")
        let second = ReadWriteTests.temporary("second-\(n).pcap")
        try (header + data[24..<offset]).write(to: URL(fileURLWithPath: first))
        try (header + data[offset...]).write(to: URL(fileURLWithPath: second))
        return (first, second)
    }

    @Test("the handshake in one file and the teardown in the next: one conversation, the same as the whole file")
    func acrossFiles() throws {
        let whole = CLI.capture("http-loopback.pcap")
        let (a, b) = try Self.split(whole, after: 6)
        #expect(try CLI.run(["read", a]).lines.count == 6)
        let splitAll = try CLI.json(try CLI.run(["conversations", "-r", a, "-r", b, "--format", "json"]))
        let oneAll = try CLI.json(try CLI.run(["conversations", whole, "--format", "json"]))
        let split = splitAll.filter { $0["kind"] as? String == "tcp" }
        let one = oneAll.filter { $0["kind"] as? String == "tcp" }
        #expect(split.count == 1 && one.count == 1)
        // The stream is reassembled across the files: the same HTTP transaction, at the same frames.
        let transaction = { (all: [[String: Any]]) in
            all.filter { $0["kind"] as? String == "http" }.map {
                "\($0["method"] ?? "-") \($0["uri"] ?? "-") \($0["status"] ?? "-") \($0["request_frame"] ?? "-") "
                    + "\($0["response_frame"] ?? "-") \($0["response_body_len"] ?? "-")"
            }
        }
        #expect(transaction(splitAll).count == 1 && transaction(splitAll) == transaction(oneAll))
        for key in ["stream", "handshake", "teardown", "client_state", "server_state", "history", "last_frame"] {
            #expect("\(split.first?[key] ?? "-")" == "\(one.first?[key] ?? "-")", "\(key)")
        }
        // read: the same remarks on every frame as in the whole file, after the boundary line.
        let lines = try CLI.run(["read", "-r", a, "-r", b]).lines.filter { !$0.hasPrefix("-- file ") }
        #expect(lines == (try CLI.run(["read", whole])).lines)
        let ladder = try CLI.run(["explain", "-r", a, "-r", b, "--stream", "0"])
        #expect(ladder.stdout == (try CLI.run(["explain", whole, "--stream", "0"])).stdout)
    }
}
