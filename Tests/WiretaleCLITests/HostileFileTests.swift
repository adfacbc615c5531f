import Foundation
import Testing

/// Files built the ways issue 9's hostile captures were: cut, damaged, with extreme clocks and
/// oversized fragments. Each file command reports what it read, then the error; none crashes.
@Suite("File commands on damaged and hostile captures", .serialized)
struct HostileFileTests {
    let http = CLI.capture("http-loopback.pcap")

    // MARK: building files

    static func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
    static func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * UInt32($0))) } }
    static func le64(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) } }

    static func block(_ type: UInt32, _ body: [UInt8]) -> [UInt8] {
        var b = body
        while b.count % 4 != 0 { b.append(0) }
        let length = UInt32(12 + b.count)
        return le32(type) + le32(length) + b + le32(length)
    }

    /// A little-endian microsecond pcap's records re-written as pcapng: one interface with `tsoffset`.
    static func pcapng(fromPcap data: Data, tsoffset: Int64) -> [UInt8] {
        let bytes = [UInt8](data)
        func u32(_ at: Int) -> UInt32 {
            UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
        }
        var out = block(0x0A0D_0D0A, le32(0x1A2B_3C4D) + le16(1) + le16(0) + le64(.max))
        let option = le16(14) + le16(8) + le64(UInt64(bitPattern: tsoffset)) + le32(0)
        out += block(1, le16(Int(u32(20) & 0xFFFF)) + le16(0) + le32(0) + option)
        var o = 24
        while o + 16 <= bytes.count {
            let units = UInt64(u32(o)) * 1_000_000 + UInt64(u32(o + 4))
            let caplen = Int(u32(o + 8))
            let body =
                le32(0) + le32(UInt32(units >> 32)) + le32(UInt32(units & 0xFFFF_FFFF)) + le32(UInt32(caplen))
                + le32(u32(o + 12)) + Array(bytes[(o + 16)..<(o + 16 + caplen)])
            out += block(6, body)
            o += 16 + caplen
        }
        return out
    }

    /// A classic little-endian pcap (Ethernet, microseconds) holding `frames`.
    static func pcap(_ frames: [[UInt8]], snapLength: UInt32 = 262_144) -> [UInt8] {
        var out = le32(0xA1B2_C3D4) + le16(2) + le16(4) + le32(0) + le32(0) + le32(snapLength) + le32(1)
        for (i, f) in frames.enumerated() {
            out += le32(1_700_000_000) + le32(UInt32(i)) + le32(UInt32(f.count)) + le32(UInt32(f.count)) + f
        }
        return out
    }

    static func ipv4(proto: UInt8, fragment: Int, id: Int = 0x1234, _ payload: [UInt8]) -> [UInt8] {
        let total = 20 + payload.count
        let header: [UInt8] = [
            0x45, 0, UInt8(total >> 8), UInt8(total & 0xFF), UInt8(id >> 8), UInt8(id & 0xFF),
            UInt8(fragment >> 8), UInt8(fragment & 0xFF), 64, proto, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
        ]
        let ethernet: [UInt8] = [2, 0, 0, 0, 0, 0xB, 2, 0, 0, 0, 0, 0xA, 0x08, 0x00]
        return ethernet + header + payload
    }

    // MARK: 4. output lost at a damaged end

    @Test("conversations and explain report what a cut-off file held, then the error, exit 1")
    func cutOff() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: http))
        let cut = data.prefix(data.count - 10)
        let text = try CLI.run(["conversations", "-"], stdin: cut)
        #expect(text.status == 1)
        #expect(text.stdout.contains("127.0.0.1:51566"), "the connection read so far is listed")
        #expect(text.stderr.contains("cut off") && text.stderr.split(separator: "\n").count == 1)
        let json = try CLI.run(["conversations", "-", "--format", "json"], stdin: cut)
        #expect(json.status == 1 && json.stderr.contains("cut off"))
        // The connection, and the HTTP transaction read so far (its response cut, reported at the end).
        let kinds = try CLI.json(json).compactMap { $0["kind"] as? String }
        #expect(kinds.sorted() == ["http", "tcp"])
        let ladder = try CLI.run(["explain", "-", "--stream", "0"], stdin: cut)
        #expect(ladder.status == 1 && ladder.stderr.contains("cut off"))
        #expect(ladder.stdout.contains("SYN"), "the ladder of what was read is drawn")
        let missing = try CLI.run(["explain", "-", "--stream", "7"], stdin: cut)
        #expect(missing.status == 1 && missing.stderr.contains("cut off"))
    }

    @Test("conversations reports a file whose record exceeds the snapshot length, then the error, exit 1")
    func snapLength() throws {
        var data = try Data(contentsOf: URL(fileURLWithPath: http))
        data.replaceSubrange(16..<20, with: [60, 0, 0, 0])
        let r = try CLI.run(["conversations", "-", "--format", "json"], stdin: data)
        #expect(r.status == 1 && r.stderr.contains("snapshot length"))
        let tcp = try CLI.json(r).filter { $0["kind"] as? String == "tcp" }
        #expect(tcp.count == 1 && tcp.first?["packets_client_to_server"] as? Int == 6)
    }

    @Test("conversations reports the packets before a damaged pcapng block, then the error, exit 1")
    func damagedBlock() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: http))
        var ng = Self.pcapng(fromPcap: data, tsoffset: 0)
        ng[ng.count - 1] ^= 0x40  // the last block's trailing length no longer matches
        let r = try CLI.run(["conversations", "-", "--format", "json"], stdin: Data(ng))
        #expect(r.status == 1 && !r.stderr.isEmpty && r.stderr.split(separator: "\n").count == 1)
        let tcp = try CLI.json(r).filter { $0["kind"] as? String == "tcp" }
        #expect(tcp.count == 1)
        let read = try CLI.run(["read", "-"], stdin: Data(ng))
        #expect(read.status == 1 && read.lines.count == 11)
    }

    // MARK: 3. extreme clocks

    @Test(
        "An if_tsoffset near -2^63 gives times out of range, in text and JSON, and no crash",
        arguments: [
            Int64.min, Int64.min + 1_700_000_000, Int64.max, -1_800_000_000,
            // The file's 1,795,721,009 s plus this wrapped to 100 s past -2^63: a trap in OutputBuffer before.
            Int64.max - 1_795_721_009 + 101,
        ])
    func extremeOffset(offset: Int64) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: http))
        let ng = Data(Self.pcapng(fromPcap: data, tsoffset: offset))
        let text = try CLI.run(["read", "-"], stdin: ng)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.lines.count == 12 && text.lines.allSatisfy { $0.contains("time out of range") })
        let json = try CLI.json(try CLI.run(["read", "-", "--format", "json"], stdin: ng))
        #expect(json.count == 12)
        #expect(json.allSatisfy { $0["time"] is NSNull && $0["time_out_of_range"] as? Bool == true })
        let conversations = try CLI.run(["conversations", "-", "--format", "json"], stdin: ng)
        #expect(conversations.status == 0, "\(conversations.stderr)")
        let tcp = try #require(try CLI.json(conversations).first { $0["kind"] as? String == "tcp" })
        #expect(tcp["start"] is NSNull && tcp["start_out_of_range"] as? Bool == true && tcp["duration"] is NSNull)
        let table = try CLI.run(["conversations", "-"], stdin: ng)
        #expect(table.status == 0 && table.stdout.contains("127.0.0.1:51566"))
        let ladder = try CLI.run(["explain", "-", "--stream", "0"], stdin: ng)
        #expect(ladder.status == 0 && ladder.stdout.contains("SYN"))
    }

    @Test("An ordinary if_tsoffset still gives ordinary times")
    func ordinaryOffset() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: http))
        let ng = Data(Self.pcapng(fromPcap: data, tsoffset: 3600))
        let json = try CLI.json(try CLI.run(["read", "-", "--format", "json"], stdin: ng))
        #expect(json.first?["time"] as? String == "2026-11-26T20:23:29.666823Z")
        #expect(json.first?["time_out_of_range"] == nil)
    }

    // MARK: 1. fragments past 65,535 bytes

    @Test("Fragments reassembling past 65,535 bytes: marked malformed, every other packet decoded, exit 0")
    func oversizedFragments() throws {
        let udp: [UInt8] = [0x9C, 0x40, 0, 53, 0xFF, 0xFF, 0, 0] + Array(repeating: 0x41, count: 65_504)
        let frames = [
            Self.ipv4(proto: 17, fragment: 0x2000, udp),
            Self.ipv4(proto: 17, fragment: 65_512 / 8, Array(repeating: 0x42, count: 23)),
            Self.ipv4(proto: 17, fragment: 0x4000, id: 7, [0x9C, 0x40, 0, 9, 0, 12, 0, 0, 1, 2, 3, 4]),
        ]
        let file = Data(Self.pcap(frames))
        let r = try CLI.run(["read", "-", "--format", "json"], stdin: file)
        #expect(r.status == 0, "\(r.stderr)")
        let objects = try CLI.json(r)
        #expect(objects.count == 3)
        let error = try #require(objects[1]["error"] as? [String: Any])
        #expect(error["layer"] as? String == "ipv4" && error["truncated"] as? Bool == false)
        #expect((objects[2]["udp"] as? [String: Any])?["dstport"] as? Int == 9)
        let text = try CLI.run(["read", "-"], stdin: file)
        #expect(text.status == 0 && text.lines.count == 3 && text.lines[1].contains("malformed"))
        let conversations = try CLI.run(["conversations", "-"], stdin: file)
        #expect(conversations.status == 0, "\(conversations.stderr)")
    }

    // MARK: 5. caps

    /// `n` SYNs from distinct source ports to 10.0.0.2:80, none answered.
    static func synFlood(_ n: Int) -> Data {
        let frames = (0..<n).map { i -> [UInt8] in
            let port = 20_000 + i
            let tcp: [UInt8] =
                [UInt8(port >> 8), UInt8(port & 0xFF), 0, 80] + le32(UInt32(i)).reversed() + [0, 0, 0, 0, 0x50, 0x02]
                + [0xFA, 0xF0, 0, 0, 0, 0]
            return ipv4(proto: 6, fragment: 0x4000, id: i, tcp)
        }
        return Data(pcap(frames))
    }

    @Test("--max-flows caps what is held: evictions counted in the text totals, a JSON summary and read's note")
    func maxFlows() throws {
        let flood = Self.synFlood(100)
        let json = try CLI.run(["conversations", "-", "--format", "json", "--max-flows", "10"], stdin: flood)
        #expect(json.status == 0, "\(json.stderr)")
        let objects = try CLI.json(json)
        #expect(objects.filter { $0["kind"] as? String == "tcp" }.count == 100, "every connection is still reported")
        #expect(objects.filter { $0["end"] as? String == "evicted" }.count == 90)
        let summary = try #require(objects.last)
        #expect(summary["kind"] as? String == "summary" && summary["evicted_tcp"] as? Int == 90)
        #expect(summary["max_flows"] as? Int == 10 && summary["evicted_udp"] as? Int == 0)
        let text = try CLI.run(["conversations", "-", "--max-flows", "10"], stdin: flood)
        #expect(
            text.stdout.contains("evicted at the cap (--max-flows 10)") && text.stdout.contains("TCP connections 90"))
        let read = try CLI.run(["read", "-", "--max-flows", "10", "--format", "none"], stdin: flood)
        #expect(read.status == 0 && read.stderr.contains("90 TCP connection(s)"))
        // The default cap changes nothing here.
        let plain = try CLI.json(try CLI.run(["conversations", "-", "--format", "json"], stdin: flood))
        #expect(
            plain.count == 100
                && plain.allSatisfy { $0["kind"] as? String == "tcp" && $0["end"] as? String != "evicted" })
        #expect(try CLI.run(["conversations", "-", "--max-flows", "0"], stdin: flood).status != 0)
    }

    @Test("--max-interfaces: a pcapng section defining more is a clear error after what was read, exit 1")
    func maxInterfaces() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: http))
        var ng = Self.pcapng(fromPcap: data, tsoffset: 0)
        let idb = Self.block(1, Self.le16(1) + Self.le16(0) + Self.le32(0))
        ng += idb + idb
        let r = try CLI.run(["conversations", "-", "--format", "json", "--max-interfaces", "2"], stdin: Data(ng))
        #expect(r.status == 1 && r.stderr.contains("cap of 2 interfaces") && r.stderr.split(separator: "\n").count == 1)
        #expect(try CLI.json(r).filter { $0["kind"] as? String == "tcp" }.count == 1)
        #expect(try CLI.run(["conversations", "-", "--max-interfaces", "3"], stdin: Data(ng)).status == 0)
    }

    @Test(
        "--max-rows bounds conversations' text tables and --max-segments explain's ladder; both say what they left out")
    func textTableCaps() throws {
        let flood = Self.synFlood(100)
        let table = try CLI.run(["conversations", "-", "--max-rows", "7"], stdin: flood)
        #expect(table.status == 0, "\(table.stderr)")
        let lines = table.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("TCP conversations: 100 ") == true)
        #expect(lines.filter { $0.contains("SYN unanswered") && $0.contains("S0") }.count == 7)
        #expect(lines.contains { $0.hasPrefix("     6  ") } && !lines.contains { $0.hasPrefix("     7  ") })
        #expect(table.stdout.contains("… and 93 more not listed (the table keeps its first 7 rows"))
        #expect(table.stdout.contains("totals: TCP conversations 100 "))
        #expect(try CLI.run(["conversations", "-", "--max-rows", "-1"], stdin: flood).status != 0)

        let ladder = try CLI.run(["explain", http, "--stream", "0", "--max-segments", "3"])
        #expect(ladder.status == 0, "\(ladder.stderr)")
        #expect(ladder.stdout.contains("… and 9 more segments not drawn (the ladder holds its first 3"))
        let whole = try CLI.run(["explain", http, "--stream", "0"])
        #expect(!whole.stdout.contains("not drawn"))
        // The summary below the ladder is the whole connection's either way.
        #expect(ladder.stdout.contains("conn_state SF") && whole.stdout.contains("conn_state SF"))
    }
}
