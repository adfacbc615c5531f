import Foundation
import Testing
import WiretaleCore

@testable import WiretaleCapture

@Suite("Writing classic pcap files")
struct CaptureWriterTests {
    /// Ten hand-built Ethernet frames: TCP to port 80, UDP to 53, alternating.
    static let frames: [[UInt8]] = (0..<10).map(frame)

    static func frame(_ i: Int) -> [UInt8] {
        let port = UInt16(50_000 + i)
        if i % 2 == 0 {
            let tcp: [UInt8] = Frames.tcp(port, 80)
            return Frames.ethernet(0x0800, Frames.ipv4(Frames.a, Frames.b, proto: 6, tcp))
        }
        let udp: [UInt8] = Frames.udp(port, 53)
        return Frames.ethernet(0x0800, Frames.ipv4(Frames.c, Frames.b, proto: 17, udp))
    }

    static func write(
        _ frames: [[UInt8]], to writer: CaptureWriter,
        start: Timestamp = Timestamp(seconds: 1_700_000_000, fraction: 123_456_789, digits: 9)
    ) throws {
        for (i, frame) in frames.enumerated() {
            var ts = start
            ts.seconds += Int64(i)
            try frame.withUnsafeBytes { bytes in
                try writer.write(timestamp: ts, originalLength: bytes.count, bytes: bytes)
            }
        }
    }

    @Test("the file header and a record are laid out as pcap-savefile(5) says")
    func layout() throws {
        let path = Tools.temporaryPath("layout.pcap")
        defer { unlink(path) }
        let writer = try CaptureWriter(path: path, linkType: .ethernet, snapshotLength: 65_535)
        try Self.write([Self.frames[0]], to: writer)
        try writer.close()
        let data = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        // magic a1b23c4d (ns) little-endian, version 2.4, zone 0, sigfigs 0, snaplen 65535, linktype 1
        #expect(
            Array(data[0..<24]) == [
                0x4d, 0x3c, 0xb2, 0xa1, 0x02, 0x00, 0x04, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
                0xff, 0xff, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
            ])
        // seconds 1700000000 = 0x6553f100, fraction 123456789 = 0x075bcd15, caplen = len = 54
        #expect(
            Array(data[24..<40]) == [
                0x00, 0xf1, 0x53, 0x65, 0x15, 0xcd, 0x5b, 0x07, 54, 0, 0, 0, 54, 0, 0, 0,
            ])
        #expect(Array(data[40...]) == Self.frames[0])
    }

    @Test(
        "tcpdump reads back every packet with nanosecond timestamps",
        .enabled(if: Tools.tcpdump != nil, "tcpdump not installed"))
    func tcpdumpReadsNanoseconds() throws {
        let path = Tools.temporaryPath("ns.pcap")
        defer { unlink(path) }
        let writer = try CaptureWriter(path: path, linkType: .ethernet)
        try Self.write(Self.frames, to: writer)
        #expect(writer.packetsWritten == 10)
        try writer.close()
        let output = try Tools.run(Tools.tcpdump!, ["-nn", "--nano", "-tt", "-r", path])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.lines.count == 10)
        #expect(
            output.lines.first?.hasPrefix("1700000000.123456789 IP 10.0.0.1.50000 > 10.0.0.2.80: Flags [S]") == true)
        #expect(output.lines.last?.hasPrefix("1700000009.123456789 IP 192.168.1.7.50009 > 10.0.0.2.53") == true)
    }

    @Test(
        "a microsecond file has the usec magic and tcpdump reads it",
        .enabled(if: Tools.tcpdump != nil, "tcpdump not installed"))
    func microseconds() throws {
        let path = Tools.temporaryPath("us.pcap")
        defer { unlink(path) }
        let writer = try CaptureWriter(path: path, linkType: .ethernet, precision: .microseconds)
        try Self.write(Self.frames, to: writer)
        try writer.close()
        let data = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(Array(data[0..<4]) == [0xd4, 0xc3, 0xb2, 0xa1])
        let output = try Tools.run(Tools.tcpdump!, ["-nn", "-tt", "-r", path])
        #expect(output.lines.count == 10)
        #expect(output.lines.first?.hasPrefix("1700000000.123456 IP") == true)
    }

    @Test("tshark reads the file too", .enabled(if: Tools.tshark != nil, "tshark not installed"))
    func tsharkReads() throws {
        let path = Tools.temporaryPath("tshark.pcap")
        defer { unlink(path) }
        let writer = try CaptureWriter(path: path, linkType: .ethernet)
        try Self.write(Self.frames, to: writer)
        try writer.close()
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = NSTemporaryDirectory()
        let output = try Tools.run(
            Tools.tshark!,
            ["-n", "-r", path, "-T", "fields", "-e", "frame.time_epoch", "-e", "tcp.dstport", "-e", "udp.dstport"],
            environment: environment)
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.lines.count == 10)
        #expect(output.lines.first?.hasPrefix("1700000000.123456789") == true)
    }

    @Test(
        "packets larger than the buffer and the snapshot length are written correctly",
        .enabled(if: Tools.tcpdump != nil, "tcpdump not installed"))
    func largePacketsAndSnapshot() throws {
        let path = Tools.temporaryPath("big.pcap")
        defer { unlink(path) }
        // A 64-byte buffer forces the direct-write path; the snapshot cuts at 100 bytes.
        let writer = try CaptureWriter(path: path, linkType: .ethernet, snapshotLength: 100, bufferSize: 64)
        let payload = [UInt8](repeating: 0x41, count: 1000)
        let big = Frames.ethernet(0x0800, Frames.ipv4(Frames.a, Frames.b, proto: 17, Frames.udp(1, 2, payload)))
        try Self.write([big, Self.frames[0], big], to: writer)
        try writer.close()
        let output = try Tools.run(Tools.tcpdump!, ["-nn", "-r", path])
        #expect(output.lines.count == 3, "\(output.stderr)")
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int
        #expect(size == 24 + 3 * 16 + 100 + 54 + 100)
    }

    @Test("/dev/full gives a clear 'no space left' error naming the path")
    func deviceFull() throws {
        let error = try #require(throws: CaptureWriteError.self) {
            try CaptureWriter(path: "/dev/full", linkType: .ethernet)
        }
        #expect(error.code == ENOSPC)
        #expect(
            error.description
                == "cannot write '/dev/full': no space left on device (ENOSPC); the capture file is incomplete")
    }

    @Test("a disk that fills in the middle of a capture is reported, and again on every later call")
    func fullLater() throws {
        let path = Tools.temporaryPath("filling.pcap")
        defer { unlink(path) }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        try #require(fd >= 0)
        defer { close(fd) }
        let writer = try CaptureWriter(fileDescriptor: fd, name: path, linkType: .ethernet, bufferSize: 1024)
        try Self.write(Self.frames, to: writer)  // the first frames fit in the file
        // The disk "fills up": the same descriptor now refers to /dev/full.
        let full = open("/dev/full", O_WRONLY)
        try #require(full >= 0)
        try #require(dup2(full, fd) == fd)
        close(full)
        let error = try #require(throws: CaptureWriteError.self) {
            for _ in 0..<100 { try Self.write(Self.frames, to: writer) }
            try writer.flush()
        }
        #expect(
            error.description
                == "cannot write '\(path)': no space left on device (ENOSPC); the capture file is incomplete")
        // Sticky: the same error again, not a confusing second one.
        #expect(performing: { try writer.flush() }, throws: { ($0 as? CaptureWriteError) == error })
        #expect(performing: { try writer.close() }, throws: { ($0 as? CaptureWriteError) == error })
    }

    @Test("a directory that does not exist is named, with the reason")
    func missingDirectory() throws {
        let path = "/nonexistent-wiretale-dir/out.pcap"
        let error = try #require(throws: CaptureWriteError.self) { try CaptureWriter(path: path, linkType: .ethernet) }
        #expect(error.operation == .create)
        #expect(error.code == ENOENT)
        #expect(
            error.description
                == "cannot create '\(path)': no such file or directory (ENOENT); the directory does not exist")
    }

    @Test("an unwritable place is named, with the reason (sysfs refuses new files even to root)")
    func unwritable() throws {
        let error = try #require(throws: CaptureWriteError.self) {
            try CaptureWriter(path: "/sys/wiretale-test.pcap", linkType: .ethernet)
        }
        #expect(error.code == EACCES || error.code == EROFS || error.code == EPERM)
        #expect(error.description.hasPrefix("cannot create '/sys/wiretale-test.pcap': "))
        #expect(
            error.description.contains("(EACCES)") || error.description.contains("(EROFS)")
                || error.description.contains("(EPERM)"))
    }

    @Test("EACCES and EROFS read as the user expects")
    func errnoDescriptions() {
        let denied = CaptureWriteError(path: "/root/x.pcap", operation: .create, code: EACCES)
        #expect(
            denied.description
                == "cannot create '/root/x.pcap': permission denied (EACCES); choose a directory you can write to")
        let readOnly = CaptureWriteError(path: "/mnt/x.pcap", operation: .create, code: EROFS)
        #expect(
            readOnly.description
                == "cannot create '/mnt/x.pcap': read-only file system (EROFS); choose a path on a writable file system"
        )
    }

    @Test("a packet of another link type is refused; writing after close is refused; close twice is fine")
    func misuse() throws {
        let path = Tools.temporaryPath("misuse.pcap")
        defer { unlink(path) }
        let writer = try CaptureWriter(path: path, linkType: .ethernet)
        let frame = Self.frames[0]
        let mismatch = try #require(throws: CaptureWriteError.self) {
            try frame.withUnsafeBytes { bytes in
                try writer.write(
                    CapturedPacket(
                        timestamp: Timestamp(seconds: 0, fraction: 0, digits: 9), originalLength: bytes.count,
                        bytes: bytes, linkType: .linuxSLL2))
            }
        }
        #expect(mismatch.description.contains("a pcap file holds one link type"))
        try writer.close()
        try writer.close()
        #expect(throws: CaptureWriteError.self) { try Self.write([frame], to: writer) }
    }
}
