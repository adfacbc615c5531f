import Testing

@testable import WiretaleCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

// MARK: - Building capture files byte by byte

/// Appends fixed-size fields in a chosen byte order.
private struct FileBytes {
    var bytes: [UInt8] = []
    var bigEndian: Bool

    init(bigEndian: Bool) { self.bigEndian = bigEndian }

    mutating func u8(_ value: UInt8) { bytes.append(value) }
    mutating func u16(_ value: UInt16) {
        let ordered = bigEndian ? value.bigEndian : value.littleEndian
        withUnsafeBytes(of: ordered) { bytes.append(contentsOf: $0) }
    }
    mutating func u32(_ value: UInt32) {
        let ordered = bigEndian ? value.bigEndian : value.littleEndian
        withUnsafeBytes(of: ordered) { bytes.append(contentsOf: $0) }
    }
    mutating func u64(_ value: UInt64) {
        let ordered = bigEndian ? value.bigEndian : value.littleEndian
        withUnsafeBytes(of: ordered) { bytes.append(contentsOf: $0) }
    }
    mutating func raw(_ data: [UInt8]) { bytes.append(contentsOf: data) }
    mutating func padTo4() { while bytes.count % 4 != 0 { bytes.append(0) } }
}

/// A classic pcap record to write: time, captured bytes, original length.
private struct TestRecord {
    var seconds: UInt32
    var fraction: UInt32
    var data: [UInt8]
    var originalLength: UInt32? = nil
    /// Overrides the caplen field (for damaged files).
    var caplenField: UInt32? = nil
}

/// Deterministic packet bytes: `count` bytes starting at `seed`.
private func payload(_ count: Int, seed: UInt8) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: Int(seed) &+ $0 &* 7) }
}

/// A classic pcap file and the offsets where each record ends (the whole-record boundaries).
private func pcapFile(
    bigEndian: Bool, magic: UInt32 = 0xA1B2_C3D4, major: UInt16 = 2, minor: UInt16 = 4, snapLength: UInt32 = 65535,
    linkType: UInt32 = 1, records: [TestRecord], swapLengthFields: Bool = false
) -> (bytes: [UInt8], boundaries: [Int]) {
    var file = FileBytes(bigEndian: bigEndian)
    file.u32(magic)
    file.u16(major)
    file.u16(minor)
    file.u32(0)
    file.u32(0)
    file.u32(snapLength)
    file.u32(linkType)
    var boundaries = [file.bytes.count]
    for record in records {
        file.u32(record.seconds)
        file.u32(record.fraction)
        let caplen = record.caplenField ?? UInt32(record.data.count)
        let original = record.originalLength ?? UInt32(record.data.count)
        if swapLengthFields {
            file.u32(original)
            file.u32(caplen)
        } else {
            file.u32(caplen)
            file.u32(original)
        }
        if magic == 0xA1B2_CD34 {
            file.u32(7)  // ifindex
            file.u16(0x0800)  // protocol
            file.u8(4)  // packet type
            file.u8(0)  // padding
        }
        file.raw(record.data)
        boundaries.append(file.bytes.count)
    }
    return (file.bytes, boundaries)
}

/// pcapng (draft-ietf-opsawg-pcapng) blocks in one section's byte order.
private struct Pcapng {
    var bigEndian: Bool

    func block(_ type: UInt32, _ body: [UInt8], leadingLength: UInt32? = nil, trailingLength: UInt32? = nil)
        -> [UInt8]
    {
        var padded = body
        while padded.count % 4 != 0 { padded.append(0) }
        var out = FileBytes(bigEndian: bigEndian)
        let length = UInt32(12 + padded.count)
        out.u32(type)
        out.u32(leadingLength ?? length)
        out.raw(padded)
        out.u32(trailingLength ?? length)
        return out.bytes
    }

    func options(_ list: [(UInt16, [UInt8])], end: Bool = true) -> [UInt8] {
        var out = FileBytes(bigEndian: bigEndian)
        for (code, value) in list {
            out.u16(code)
            out.u16(UInt16(value.count))
            out.raw(value)
            out.padTo4()
        }
        if end && !list.isEmpty { out.u32(0) }
        return out.bytes
    }

    func sectionHeader(major: UInt16 = 1, minor: UInt16 = 0, options list: [(UInt16, [UInt8])] = []) -> [UInt8] {
        var body = FileBytes(bigEndian: bigEndian)
        body.u32(0x1A2B_3C4D)
        body.u16(major)
        body.u16(minor)
        body.u64(UInt64.max)  // section length unknown
        body.raw(options(list))
        return block(0x0A0D_0D0A, body.bytes)
    }

    func interface(
        linkType: UInt16, snapLength: UInt32 = 0, name: String? = nil, tsresol: UInt8? = nil, tsoffset: Int64? = nil
    ) -> [UInt8] {
        var body = FileBytes(bigEndian: bigEndian)
        body.u16(linkType)
        body.u16(0)
        body.u32(snapLength)
        var list: [(UInt16, [UInt8])] = []
        if let name { list.append((2, Array(name.utf8))) }
        if let tsresol { list.append((9, [tsresol])) }
        if let tsoffset {
            var value = FileBytes(bigEndian: bigEndian)
            value.u64(UInt64(bitPattern: tsoffset))
            list.append((14, value.bytes))
        }
        body.raw(options(list))
        return block(1, body.bytes)
    }

    func enhancedPacket(
        interface: UInt32, units: UInt64, data: [UInt8], originalLength: UInt32? = nil, caplenField: UInt32? = nil,
        options list: [(UInt16, [UInt8])] = []
    ) -> [UInt8] {
        var body = FileBytes(bigEndian: bigEndian)
        body.u32(interface)
        body.u32(UInt32(units >> 32))
        body.u32(UInt32(units & 0xFFFF_FFFF))
        body.u32(caplenField ?? UInt32(data.count))
        body.u32(originalLength ?? UInt32(data.count))
        body.raw(data)
        body.padTo4()
        body.raw(options(list))
        return block(6, body.bytes)
    }

    func simplePacket(originalLength: UInt32, data: [UInt8]) -> [UInt8] {
        var body = FileBytes(bigEndian: bigEndian)
        body.u32(originalLength)
        body.raw(data)
        return block(3, body.bytes)
    }

    func obsoletePacket(interface: UInt16, units: UInt64, data: [UInt8], originalLength: UInt32? = nil) -> [UInt8] {
        var body = FileBytes(bigEndian: bigEndian)
        body.u16(interface)
        body.u16(0)  // drops count
        body.u32(UInt32(units >> 32))
        body.u32(UInt32(units & 0xFFFF_FFFF))
        body.u32(UInt32(data.count))
        body.u32(originalLength ?? UInt32(data.count))
        body.raw(data)
        return block(2, body.bytes)
    }
}

// MARK: - Reading them back

/// A copy of a `PacketRecord` that outlives the next `next()`.
private struct ReadPacket: Equatable {
    var timestamp: Timestamp
    var originalLength: Int
    var data: [UInt8]
    var linkType: LinkType
    var interfaceIndex: Int
    var snapLength: Int
    var exceedsSnapLength: Bool

    init(_ record: PacketRecord) {
        timestamp = record.timestamp
        originalLength = record.originalLength
        data = Array(record.bytes)
        linkType = record.linkType
        interfaceIndex = record.interfaceIndex
        snapLength = record.snapLength
        exceedsSnapLength = record.exceedsSnapLength
    }
}

private struct ReadResult {
    var packets: [ReadPacket] = []
    var error: CaptureFileError?
    var reader: CaptureFileReader?
}

/// Writes `bytes` to a fresh temporary file, runs `body` with its path, and removes it.
private func withTemporaryFile<T>(_ bytes: [UInt8], _ body: (String) throws -> T) rethrows -> T {
    var template = Array("/tmp/wiretale-capfile-test-XXXXXX".utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    precondition(fd >= 0, "mkstemp failed")
    let path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    writeAll(fd, bytes)
    close(fd)
    defer { unlink(path) }
    return try body(path)
}

private func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
    bytes.withUnsafeBytes { raw in
        var offset = 0
        while offset < raw.count {
            let written = write(fd, raw.baseAddress! + offset, raw.count - offset)
            precondition(written > 0, "write failed")
            offset += written
        }
    }
}

/// Reads every packet of `path` until the end or the first error.
private func readAll(path: String, bufferSize: Int = 1 << 20) -> ReadResult {
    var result = ReadResult()
    do {
        let reader = try CaptureFileReader(path: path, bufferSize: bufferSize)
        result.reader = reader
        while let record = try reader.next() { result.packets.append(ReadPacket(record)) }
    } catch {
        result.error = error
    }
    return result
}

private func readAll(_ bytes: [UInt8], bufferSize: Int = 1 << 20) -> ReadResult {
    withTemporaryFile(bytes) { readAll(path: $0, bufferSize: bufferSize) }
}

/// Writes `bytes` into a pipe from another thread, in `chunk`-byte writes.
private final class PipeWriter {
    let fd: Int32
    let bytes: [UInt8]
    let chunk: Int
    var thread = pthread_t()

    init(fd: Int32, bytes: [UInt8], chunk: Int) {
        self.fd = fd
        self.bytes = bytes
        self.chunk = chunk
    }

    func run() {
        var offset = 0
        while offset < bytes.count {
            let piece = Array(bytes[offset..<min(offset + chunk, bytes.count)])
            writeAll(fd, piece)
            offset += piece.count
        }
        close(fd)
    }

    func start() {
        let context = Unmanaged.passRetained(self).toOpaque()
        let status = pthread_create(
            &thread, nil,
            { context in
                let writer = Unmanaged<PipeWriter>.fromOpaque(context!).takeRetainedValue()
                writer.run()
                return nil
            }, context)
        precondition(status == 0, "pthread_create failed")
    }

    func join() { pthread_join(thread, nil) }
}

private func readThroughPipe(_ bytes: [UInt8], chunk: Int, bufferSize: Int, nonBlocking: Bool = false) -> ReadResult {
    var fds: [Int32] = [0, 0]
    precondition(pipe(&fds) == 0)
    if nonBlocking { precondition(fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK) == 0) }
    let writer = PipeWriter(fd: fds[1], bytes: bytes, chunk: chunk)
    writer.start()
    var result = ReadResult()
    do {
        let reader = try CaptureFileReader(fileDescriptor: fds[0], name: "pipe", bufferSize: bufferSize)
        result.reader = reader
        while let record = try reader.next() { result.packets.append(ReadPacket(record)) }
    } catch {
        result.error = error
    }
    writer.join()
    close(fds[0])
    return result
}

/// A small deterministic pseudo-random generator (SplitMix64), for the damage test and the
/// reassembler's segmentations: the same sequence every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

private let sampleRecords = [
    TestRecord(seconds: 1_700_000_000, fraction: 123_456, data: payload(60, seed: 1)),
    TestRecord(seconds: 1_700_000_001, fraction: 999_999, data: payload(1, seed: 2), originalLength: 1514),
    TestRecord(seconds: 1_700_000_002, fraction: 0, data: []),
    TestRecord(seconds: 1_700_000_003, fraction: 42, data: payload(77, seed: 3)),
]

/// A small pcapng file: two sections of different byte order, several interfaces, every packet block
/// type and blocks to skip. Returns the bytes, the block boundaries and the packet count.
private func samplePcapng() -> (bytes: [UInt8], boundaries: [Int], packets: Int) {
    let le = Pcapng(bigEndian: false)
    let be = Pcapng(bigEndian: true)
    let blocks: [[UInt8]] = [
        le.sectionHeader(options: [(4, Array("test".utf8))]),
        le.interface(linkType: 1, snapLength: 0, name: "eth0"),
        le.enhancedPacket(interface: 0, units: 1_700_000_000_000_001, data: payload(42, seed: 9)),
        le.block(0x0BAD, [0, 0, 0x7F, 0xFF, 1, 2, 3, 4]),
        le.interface(linkType: 101, snapLength: 96, tsresol: 9),
        le.enhancedPacket(interface: 1, units: 1_700_000_000_000_000_001, data: payload(13, seed: 10)),
        le.simplePacket(originalLength: 5, data: payload(5, seed: 11)),
        be.sectionHeader(),
        be.block(4, [0, 0, 0, 0]),
        be.interface(linkType: 113, snapLength: 0, tsresol: 3),
        be.obsoletePacket(interface: 0, units: 1_700_000_000_123, data: payload(20, seed: 12)),
        be.enhancedPacket(interface: 0, units: 1_700_000_000_124, data: payload(3, seed: 13)),
    ]
    var bytes: [UInt8] = []
    var boundaries: [Int] = []
    for block in blocks {
        bytes += block
        boundaries.append(bytes.count)
    }
    return (bytes, boundaries, 5)
}

/// The shared captures, when this checkout sits beside them; the project does not need them.
/// `../shared/captures` beside the repository (as `scripts/bench.py` finds `../shared/bench`), else
/// `/work/shared/captures`.
private let sharedCaptures: String = {
    var root = #filePath.split(separator: "/", omittingEmptySubsequences: false).dropLast(3).joined(separator: "/")
    if root.isEmpty { root = "." }
    let candidates = [root + "/../shared/captures", "/work/shared/captures"]
    return candidates.first { access($0 + "/MANIFEST.tsv", R_OK) == 0 } ?? candidates[1]
}()

private func readTextFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY)
    if fd < 0 { return nil }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
        if count <= 0 { break }
        bytes += chunk[0..<count]
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// A section with one interface and one packet, then `damaged`: the reader must return the packet
/// and then fail at `damaged`, naming it.
private func expectDamage(
    _ damaged: [UInt8], bigEndian: Bool = false, code: CaptureFileError.Code = .damaged, mentions: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let ng = Pcapng(bigEndian: bigEndian)
    var bytes = ng.sectionHeader()
    bytes += ng.interface(linkType: 1)
    bytes += ng.enhancedPacket(interface: 0, units: 1, data: [1, 2, 3])
    let offset = bytes.count
    bytes += damaged
    bytes += ng.enhancedPacket(interface: 0, units: 2, data: [4])
    withTemporaryFile(bytes) { path in
        let result = readAll(path: path)
        #expect(result.packets.count == 1, sourceLocation: sourceLocation)
        #expect(result.error?.code == code, sourceLocation: sourceLocation)
        #expect(result.error?.byteOffset == offset, sourceLocation: sourceLocation)
        #expect(result.error?.recordNumber == 4, sourceLocation: sourceLocation)
        let text = result.error?.description ?? ""
        #expect(text.hasPrefix("\(path): "), sourceLocation: sourceLocation)
        #expect(text.contains(mentions), "\(text)", sourceLocation: sourceLocation)
        #expect(!text.contains("\n"), sourceLocation: sourceLocation)
    }
}

/// The capture-file reader: classic pcap, pcapng, damaged and foreign files, pipes, and real captures.
@Suite("Capture file reader")
struct CaptureFileReaderTests {
    // MARK: - Classic pcap

    @Test(
        "A classic pcap file is read in either byte order, with microsecond or nanosecond times",
        arguments: [(false, false), (true, false), (false, true), (true, true)])
    func classicPcapVariants(bigEndian: Bool, nanoseconds: Bool) {
        let (bytes, _) = pcapFile(
            bigEndian: bigEndian, magic: nanoseconds ? 0xA1B2_3C4D : 0xA1B2_C3D4, snapLength: 1600, linkType: 113,
            records: sampleRecords)
        let result = readAll(bytes)
        #expect(result.error == nil)
        #expect(result.packets.count == 4)
        let reader = result.reader!
        #expect(reader.format == .pcap)
        #expect(reader.nanosecondFile == nanoseconds)
        #expect(reader.bigEndian == bigEndian)
        #expect(reader.version == (2, 4))
        #expect(
            reader.interfaces == [
                CaptureInterface(
                    linkType: .linuxSLL, snapLength: 1600, timestampResolution: .decimal(exponent: nanoseconds ? 9 : 6))
            ])
        #expect(reader.firstSnapLengthViolation == nil)
        for (packet, record) in zip(result.packets, sampleRecords) {
            #expect(
                packet.timestamp
                    == Timestamp(
                        seconds: Int64(record.seconds), fraction: UInt64(record.fraction), digits: nanoseconds ? 9 : 6))
            #expect(packet.data == record.data)
            #expect(packet.originalLength == Int(record.originalLength ?? UInt32(record.data.count)))
            #expect(packet.linkType == .linuxSLL)
            #expect(packet.interfaceIndex == 0)
            #expect(packet.snapLength == 1600)
            #expect(!packet.exceedsSnapLength)
        }
        #expect(reader.packetCount == 4)
    }

    @Test(
        "The modified (Kuznetzov) pcap variant's 24-byte record headers are read in either byte order",
        arguments: [false, true])
    func kuznetzovPcap(bigEndian: Bool) {
        let (bytes, _) = pcapFile(bigEndian: bigEndian, magic: 0xA1B2_CD34, records: sampleRecords)
        let result = readAll(bytes)
        #expect(result.error == nil)
        #expect(result.reader?.modifiedPcap == true)
        #expect(result.packets.map(\.data) == sampleRecords.map(\.data))
        #expect(result.packets[1].originalLength == 1514)
        #expect(result.packets[3].timestamp == Timestamp(seconds: 1_700_000_003, fraction: 42, digits: 6))
    }

    @Test("The FCS bits above the link type are masked off")
    func linkTypeFCSBitsMasked() {
        let (bytes, _) = pcapFile(bigEndian: false, linkType: 0x1400_0001, records: [sampleRecords[0]])
        let result = readAll(bytes)
        #expect(result.packets.first?.linkType == .ethernet)
        #expect(result.reader?.interfaces.first?.linkType == .ethernet)
    }

    @Test("A record with more bytes than the snapshot length keeps them all and is remembered")
    func caplenOverSnapLength() {
        var records = sampleRecords
        records.append(TestRecord(seconds: 9, fraction: 0, data: payload(70, seed: 4)))
        let (bytes, _) = pcapFile(bigEndian: false, snapLength: 59, records: records)
        let result = readAll(bytes)
        #expect(result.error == nil)
        #expect(result.packets.map(\.exceedsSnapLength) == [true, false, false, true, true])
        #expect(result.packets[0].data == records[0].data)
        let violation = result.reader!.firstSnapLengthViolation
        #expect(violation?.record == 1)
        #expect(violation?.caplen == 60)
        #expect(violation?.snapLength == 59)

        // A header snaplen of 0 is no limit; a snaplen of 1 with 8 bytes captured keeps the 8 bytes.
        let unlimited = readAll(pcapFile(bigEndian: false, snapLength: 0, records: records).bytes)
        #expect(unlimited.packets.allSatisfy { !$0.exceedsSnapLength })
        #expect(unlimited.reader?.firstSnapLengthViolation == nil)
        let tiny = readAll(
            pcapFile(
                bigEndian: false, snapLength: 1,
                records: [TestRecord(seconds: 1, fraction: 2, data: payload(8, seed: 0))]
            )
            .bytes)
        #expect(tiny.packets.first?.data.count == 8)
        #expect(tiny.reader?.firstSnapLengthViolation?.caplen == 8)
    }

    @Test("Versions 2.0 to 2.3 are accepted with libpcap's swapped-lengths rule; 1.4 is refused")
    func pcapVersions() {
        let record = TestRecord(seconds: 1, fraction: 0, data: payload(4, seed: 5), originalLength: 60)
        let old = readAll(pcapFile(bigEndian: false, minor: 2, records: [record], swapLengthFields: true).bytes)
        #expect(old.error == nil)
        #expect(old.packets.first?.data == record.data)
        #expect(old.packets.first?.originalLength == 60)
        #expect(old.reader.map { $0.version == (2, 2) } == true)

        let maybe = readAll(
            pcapFile(bigEndian: true, minor: 3, records: [record, record], swapLengthFields: true).bytes)
        #expect(maybe.packets.map(\.data.count) == [4, 4])
        let notSwapped = readAll(pcapFile(bigEndian: true, minor: 3, records: [record]).bytes)
        #expect(notSwapped.packets.first?.originalLength == 60)

        let newer = readAll(pcapFile(bigEndian: false, minor: 7, records: [record]).bytes)
        #expect(newer.packets.count == 1)

        let (bytes, _) = pcapFile(bigEndian: false, major: 1, minor: 4, records: [record])
        withTemporaryFile(bytes) { path in
            let result = readAll(path: path)
            #expect(result.error?.code == .unsupportedVersion)
            #expect(result.error?.description.hasPrefix("\(path): pcap version 1.4 is not supported (2.x is)") == true)
        }
    }

    @Test("A microsecond field of a million or more carries into the seconds")
    func fractionCarries() {
        let (bytes, _) = pcapFile(
            bigEndian: false, records: [TestRecord(seconds: 10, fraction: 2_500_000, data: [1])])
        #expect(readAll(bytes).packets.first?.timestamp == Timestamp(seconds: 12, fraction: 500_000, digits: 6))
        let (nano, _) = pcapFile(
            bigEndian: true, magic: 0xA1B2_3C4D, records: [TestRecord(seconds: 10, fraction: 1_000_000_001, data: [1])])
        #expect(readAll(nano).packets.first?.timestamp == Timestamp(seconds: 11, fraction: 1, digits: 9))
    }

    @Test("An absurd caplen is a clear error after the packets before it")
    func absurdCaplen() {
        var records = sampleRecords
        records.insert(TestRecord(seconds: 1, fraction: 1, data: [], caplenField: 0xFFFF_FFF0), at: 2)
        let (bytes, boundaries) = pcapFile(bigEndian: false, records: records)
        let result = readAll(bytes)
        #expect(result.packets.count == 2)
        let error = result.error
        #expect(error?.code == .damaged)
        #expect(error?.recordNumber == 3)
        #expect(error?.byteOffset == boundaries[2])
        #expect(error?.reason.contains("record 3 at byte \(boundaries[2]) claims caplen 4294967280") == true)
        #expect(error?.reason.contains("the 2 whole packets before it were read") == true)
        // The error is kept: asking again gives it again.
        let reader = result.reader!
        #expect(throws: CaptureFileError.self) { try reader.next() }
    }

    @Test("A pcap cut off in a record says where, how much was promised, and how much was there")
    func pcapCutOffMessage() {
        let (bytes, boundaries) = pcapFile(bigEndian: false, records: sampleRecords)
        withTemporaryFile(Array(bytes[0..<(boundaries[3] + 16 + 20)])) { path in
            let result = readAll(path: path)
            #expect(result.packets.count == 3)
            #expect(
                result.error?.description
                    == "\(path): cut off in the middle of record 4 at byte \(boundaries[3])"
                    + " (header says 77 bytes, 20 remain): every whole packet before it was read")
        }
        let header = readAll(Array(bytes[0..<(boundaries[1] + 5)]))
        #expect(
            header.error?.reason
                == "cut off in the middle of record 2's header at byte \(boundaries[1]) (16 bytes needed, 5 remain): every"
                + " whole packet before it was read")
    }

    @Test(
        "Every prefix of a pcap file yields exactly its whole records, then an error unless it ends between records",
        arguments: [(false, 0xA1B2_C3D4 as UInt32), (true, 0xA1B2_3C4D), (false, 0xA1B2_CD34)])
    func pcapEveryPrefix(bigEndian: Bool, magic: UInt32) {
        let (bytes, boundaries) = pcapFile(bigEndian: bigEndian, magic: magic, records: sampleRecords)
        for length in 0...bytes.count {
            for bufferSize in [64, 1 << 20] {
                let result = readAll(Array(bytes[0..<length]), bufferSize: bufferSize)
                let whole = boundaries.filter { $0 <= length }.count - 1
                #expect(result.packets.count == max(whole, 0), "prefix \(length)")
                #expect(result.packets.map(\.data) == sampleRecords.prefix(max(whole, 0)).map(\.data))
                if length == 0 {
                    #expect(result.error?.code == .empty)
                } else if length < 24 {
                    #expect(result.error?.code == .tooShort, "prefix \(length)")
                } else if boundaries.contains(length) {
                    #expect(result.error == nil, "prefix \(length)")
                } else {
                    #expect(result.error?.code == .cutOff, "prefix \(length)")
                    #expect(result.error?.recordNumber == whole + 1)
                    #expect(result.error?.byteOffset == boundaries[whole])
                }
                if let error = result.error { #expect(!error.description.contains("\n")) }
            }
        }
    }

    @Test("A record larger than the buffer grows it")
    func bufferGrows() {
        let big = TestRecord(seconds: 5, fraction: 6, data: payload(70_000, seed: 8))
        let (bytes, _) = pcapFile(bigEndian: false, records: [sampleRecords[0], big, sampleRecords[3]])
        let result = readAll(bytes, bufferSize: 64)
        #expect(result.error == nil)
        #expect(result.packets.map(\.data) == [sampleRecords[0].data, big.data, sampleRecords[3].data])
    }

    /// Found by `scripts/fuzz capture-file` as its slowest inputs: a record header's caplen alone made
    /// the reader allocate that many bytes (up to 256 MiB) before reading any of them.
    @Test("A caplen the file does not hold grows the buffer only as far as the bytes that are there")
    func claimedCaplenAllocatesNothing() {
        let claim = TestRecord(seconds: 1, fraction: 0, data: Array(repeating: 0x78, count: 10), caplenField: 200 << 20)
        let (bytes, boundaries) = pcapFile(bigEndian: false, records: [sampleRecords[0], claim])
        for bufferSize in [64, 1 << 16] {
            let result = readAll(bytes, bufferSize: bufferSize)
            #expect(result.packets.map(\.data) == [sampleRecords[0].data])
            #expect(result.error?.code == .cutOff)
            #expect(result.error?.byteOffset == boundaries[1])
            #expect((result.reader?.capacity ?? .max) <= max(bufferSize, 2 * bytes.count))
        }
    }

    // MARK: - pcapng

    @Test("pcapng with two sections of different byte order resets the interfaces and reads every packet block")
    func pcapngSections() {
        let (bytes, _, packetCount) = samplePcapng()
        let result = readAll(bytes)
        #expect(result.error == nil)
        let packets = result.packets
        #expect(packets.count == packetCount)
        let reader = result.reader!
        #expect(reader.format == .pcapng)
        #expect(reader.sectionCount == 2)
        #expect(reader.bigEndian)
        #expect(
            reader.interfaces == [
                CaptureInterface(linkType: .linuxSLL, snapLength: 0, timestampResolution: .decimal(exponent: 3))
            ])
        #expect(reader.sectionApplication == nil)

        #expect(packets[0].timestamp == Timestamp(seconds: 1_700_000_000, fraction: 1, digits: 6))
        #expect(packets[0].data == payload(42, seed: 9))
        #expect(packets[0].linkType == .ethernet)
        #expect(packets[0].interfaceIndex == 0)

        #expect(packets[1].timestamp == Timestamp(seconds: 1_700_000_000, fraction: 1, digits: 9))
        #expect(packets[1].linkType == .raw)
        #expect(packets[1].interfaceIndex == 1)
        #expect(packets[1].snapLength == 96)

        // The Simple Packet Block: interface 0, no time.
        #expect(packets[2].data == payload(5, seed: 11))
        #expect(packets[2].interfaceIndex == 0)
        #expect(packets[2].linkType == .ethernet)
        #expect(packets[2].timestamp.isMissing && !packets[2].timestamp.isInRange)

        // The big-endian section: an obsolete Packet Block and an Enhanced Packet Block, milliseconds.
        #expect(packets[3].timestamp == Timestamp(seconds: 1_700_000_000, fraction: 123, digits: 3))
        #expect(packets[3].data == payload(20, seed: 12))
        #expect(packets[3].linkType == .linuxSLL)
        #expect(packets[4].timestamp == Timestamp(seconds: 1_700_000_000, fraction: 124, digits: 3))
        #expect(packets[4].data == payload(3, seed: 13))
    }

    @Test("Each interface's if_tsresol and if_tsoffset give the timestamp", arguments: [false, true])
    func pcapngResolutions(bigEndian: Bool) {
        let ng = Pcapng(bigEndian: bigEndian)
        var bytes = ng.sectionHeader(options: [
            (2, Array("hw".utf8)), (3, Array("os\0\0".utf8)), (4, Array("app".utf8)),
        ])
        bytes += ng.interface(linkType: 1, name: "usec")  // 10^-6 by default
        bytes += ng.interface(linkType: 0, tsresol: 9)
        bytes += ng.interface(linkType: 108, tsresol: 3, tsoffset: 3600)
        bytes += ng.interface(linkType: 228, tsresol: 0x80 | 20)  // 2^-20
        bytes += ng.interface(linkType: 229, tsresol: 12, tsoffset: -100)  // 10^-12
        bytes += ng.enhancedPacket(interface: 0, units: 1_700_000_000_654_321, data: [1])
        bytes += ng.enhancedPacket(interface: 1, units: 1_700_000_000_987_654_321, data: [2])
        bytes += ng.enhancedPacket(interface: 2, units: 1_700_000_000_999, data: [3])
        bytes += ng.enhancedPacket(interface: 3, units: (1_700_000_000 << 20) | (1 << 19) | 1, data: [4])
        bytes += ng.enhancedPacket(interface: 4, units: 1_000_000 * 1_000_000_000_000 + 123_456_789_012, data: [5])
        let result = readAll(bytes)
        #expect(result.error == nil)
        #expect(
            result.packets.map(\.timestamp) == [
                Timestamp(seconds: 1_700_000_000, fraction: 654_321, digits: 6),
                Timestamp(seconds: 1_700_000_000, fraction: 987_654_321, digits: 9),
                Timestamp(seconds: 1_700_003_600, fraction: 999, digits: 3),
                Timestamp(seconds: 1_700_000_000, fraction: 500_000_953, digits: 9),
                Timestamp(seconds: 999_900, fraction: 123_456_789, digits: 9),
            ])
        #expect(result.packets.map(\.linkType.rawValue) == [1, 0, 108, 228, 229])
        #expect(result.packets.map(\.interfaceIndex) == [0, 1, 2, 3, 4])
        let reader = result.reader!
        #expect(
            reader.interfaces.map(\.timestampResolution) == [
                .decimal(exponent: 6), .decimal(exponent: 9), .decimal(exponent: 3), .binary(exponent: 20),
                .decimal(exponent: 12),
            ])
        #expect(reader.interfaces.map(\.timestampOffset) == [0, 0, 3600, 0, -100])
        #expect(reader.interfaces[0].name == "usec")
        #expect(reader.sectionHardware == "hw")
        #expect(reader.sectionOperatingSystem == "os")
        #expect(reader.sectionApplication == "app")
    }

    @Test("Timestamp units beyond nanoseconds and a UInt64 of seconds convert without overflow")
    func clockEdges() {
        let huge = CaptureFileClock(.decimal(exponent: 20), offset: 0)
        #expect(huge.timestamp(12_345_678_901_234) == Timestamp(seconds: 0, fraction: 123, digits: 9))
        let tooFine = CaptureFileClock(.decimal(exponent: 40), offset: 0)
        #expect(tooFine.timestamp(.max) == Timestamp(seconds: 0, fraction: 0, digits: 9))
        let binary64 = CaptureFileClock(.binary(exponent: 64), offset: 0)
        #expect(binary64.timestamp(1 << 63) == Timestamp(seconds: 0, fraction: 500_000_000, digits: 9))
        let binary127 = CaptureFileClock(.binary(exponent: 127), offset: 0)
        #expect(binary127.timestamp(.max) == Timestamp(seconds: 0, fraction: 0, digits: 9))
        let binary0 = CaptureFileClock(.binary(exponent: 0), offset: 5)
        #expect(binary0.timestamp(10) == Timestamp(seconds: 15, fraction: 0, digits: 9))
        let seconds = CaptureFileClock(.decimal(exponent: 0), offset: 0)
        #expect(seconds.timestamp(77) == Timestamp(seconds: 77, fraction: 0, digits: 0))
        let binary63 = CaptureFileClock(.binary(exponent: 63), offset: 0)
        #expect(binary63.timestamp(.max) == Timestamp(seconds: 1, fraction: 999_999_999, digits: 9))
    }

    @Test("An if_tsoffset near ±2^63 saturates to a time out of range instead of wrapping")
    func clockOffsetOverflow() {
        let low = CaptureFileClock(.decimal(exponent: 6), offset: .min)
        #expect(low.timestamp(1_700_000_000_000_000).seconds < 0 && !low.timestamp(1_700_000_000_000_000).isInRange)
        #expect(low.timestamp(0).seconds == .min)
        let high = CaptureFileClock(.decimal(exponent: 6), offset: .max)
        #expect(high.timestamp(1_700_000_000_000_000).seconds == .max)
        let seconds = CaptureFileClock(.decimal(exponent: 0), offset: -10)
        #expect(seconds.timestamp(.max).seconds == .max - 10, "units past Int64.max saturate before the offset")
        #expect(seconds.timestamp(.max).isInRange == false)
        let ordinary = CaptureFileClock(.decimal(exponent: 6), offset: -100)
        #expect(ordinary.timestamp(1_700_000_000_000_001) == Timestamp(seconds: 1_699_999_900, fraction: 1, digits: 6))
    }

    @Test("Interface Description Blocks past the cap are a clear error after the packets before them")
    func pcapngInterfaceCap() {
        #expect(CaptureFileReader.defaultMaxInterfaces == 65_536)
        let ng = Pcapng(bigEndian: false)
        var bytes = ng.sectionHeader()
        for _ in 0..<3 { bytes += ng.interface(linkType: 1) }
        bytes += ng.enhancedPacket(interface: 2, units: 1, data: [1])
        bytes += ng.interface(linkType: 1)
        bytes += ng.enhancedPacket(interface: 0, units: 2, data: [2])
        // A new section starts a new count.
        bytes += ng.sectionHeader() + ng.interface(linkType: 1) + ng.enhancedPacket(interface: 0, units: 3, data: [3])
        let capped: (packets: Int, error: CaptureFileError?, interfaces: Int) = withTemporaryFile(bytes) { path in
            var packets = 0
            var interfaces = 0
            do {
                let reader = try CaptureFileReader(path: path)
                reader.maxInterfaces = 3
                defer { interfaces = reader.interfaces.count }
                while try reader.next() != nil { packets += 1 }
            } catch {
                return (packets, error as? CaptureFileError, interfaces)
            }
            return (packets, nil, interfaces)
        }
        #expect(capped.packets == 1 && capped.interfaces == 3)
        #expect(capped.error?.code == .damaged && "\(capped.error!)".contains("cap of 3 interfaces"))
        #expect(readAll(bytes).error == nil && readAll(bytes).packets.count == 3, "the default cap reads it all")
    }

    @Test("A Simple Packet Block holds the least of its room, the original length and the snapshot length")
    func simplePacketLength() {
        let ng = Pcapng(bigEndian: false)
        var bytes = ng.sectionHeader()
        bytes += ng.interface(linkType: 1, snapLength: 64)
        bytes += ng.simplePacket(originalLength: 100, data: payload(100, seed: 1))
        bytes += ng.simplePacket(originalLength: 10, data: payload(10, seed: 2))  // padded to 12
        bytes += ng.simplePacket(originalLength: 1500, data: payload(40, seed: 3))  // cut by the capture
        let result = readAll(bytes)
        #expect(result.error == nil)
        #expect(result.packets.map(\.data) == [payload(64, seed: 1), payload(10, seed: 2), payload(40, seed: 3)])
        #expect(result.packets.map(\.originalLength) == [100, 10, 1500])
        #expect(result.packets.allSatisfy { !$0.exceedsSnapLength })

        var unlimited = ng.sectionHeader()
        unlimited += ng.interface(linkType: 1, snapLength: 0)
        unlimited += ng.simplePacket(originalLength: 100, data: payload(100, seed: 1))
        #expect(readAll(unlimited).packets.first?.data.count == 100)
    }

    @Test("Name resolution, statistics, decryption secrets, custom and unknown blocks are skipped")
    func pcapngSkipsBlocks() {
        let ng = Pcapng(bigEndian: true)
        var bytes = ng.sectionHeader()
        bytes += ng.block(0x4000_0BAD, [0, 0, 0x7F, 0xFF])
        bytes += ng.interface(linkType: 1)
        for type: UInt32 in [4, 5, 0x0A, 0x0BAD, 0x4000_0BAD, 0x1234_5678, 0x8000_0001, 9] {
            bytes += ng.block(type, payload(17, seed: UInt8(truncatingIfNeeded: type)))
            bytes += ng.enhancedPacket(
                interface: 0, units: UInt64(type), data: [UInt8(truncatingIfNeeded: type)],
                options: [(1, Array("comment".utf8)), (2, [0, 0, 0, 1])])
        }
        bytes += ng.block(0x0BAD, [])
        let result = readAll(bytes)
        #expect(result.error == nil)
        #expect(result.packets.count == 8)
        #expect(result.packets.map(\.data) == [[4], [5], [10], [0xAD], [0xAD], [0x78], [1], [9]])
    }

    @Test("An Enhanced Packet Block over the snapshot length is flagged and kept")
    func pcapngSnapLength() {
        let ng = Pcapng(bigEndian: false)
        var bytes = ng.sectionHeader()
        bytes += ng.interface(linkType: 1, snapLength: 0)
        bytes += ng.interface(linkType: 1, snapLength: 10)
        bytes += ng.enhancedPacket(interface: 0, units: 1, data: payload(30, seed: 0))
        bytes += ng.enhancedPacket(interface: 1, units: 2, data: payload(30, seed: 0))
        let result = readAll(bytes)
        #expect(result.packets.map(\.exceedsSnapLength) == [false, true])
        #expect(result.packets[1].data.count == 30)
        #expect(result.reader?.firstSnapLengthViolation?.record == 2)
        #expect(result.reader?.firstSnapLengthViolation?.snapLength == 10)
    }

    @Test("Damaged pcapng blocks are clear errors naming the block, after the packets before them")
    func pcapngDamage() {
        let le = Pcapng(bigEndian: false)
        let be = Pcapng(bigEndian: true)
        expectDamage(
            le.block(6, payload(20, seed: 0), leadingLength: 30, trailingLength: 30), mentions: "not a multiple of 4")
        expectDamage(
            le.block(6, payload(20, seed: 0), leadingLength: 8, trailingLength: 8), mentions: "less than the 12 bytes")
        expectDamage(
            le.block(6, payload(20, seed: 0), leadingLength: 0x4000_0000),
            mentions: "claims a length of 1073741824 bytes")
        expectDamage(
            le.block(6, payload(20, seed: 0), trailingLength: 36),
            mentions: "32 bytes long at its start but 36 at its end")
        expectDamage(
            le.enhancedPacket(interface: 0, units: 1, data: [1, 2, 3, 4], caplenField: 9),
            mentions: "(Enhanced Packet Block) at byte 84 says it captured 9 bytes but has room for only 4")
        expectDamage(
            le.enhancedPacket(interface: 3, units: 1, data: []),
            mentions: "refers to interface 3, but section 1 has only 1 Interface Description Block before it")
        expectDamage(le.block(6, payload(16, seed: 0)), mentions: "is 28 bytes long, shorter than the 32 bytes")
        expectDamage(le.block(2, payload(8, seed: 0)), mentions: "(Packet Block) at byte 84 is 20 bytes long")
        expectDamage(le.block(3, []), mentions: "(Simple Packet Block) at byte 84 is 12 bytes long")
        expectDamage(le.block(1, [1, 0, 0, 0]), mentions: "(Interface Description Block) at byte 84 is 16 bytes long")
        expectDamage(
            le.block(1, [1, 0, 0, 0, 0, 0, 0, 0] + [2, 0, 0x30, 0x30, 0x41, 0x41, 0x41, 0x41]),
            mentions:
                "has an option (code 2) at byte 100 whose length 12336 runs past the end of the block (4 bytes left)")
        expectDamage(
            le.interface(linkType: 1, tsresol: 6).enumerated().map { $0.offset == 18 ? 2 : $0.element },
            mentions: "if_tsresol option of 2 bytes (1 expected)")
        expectDamage(
            le.block(0x0A0D_0D0A, [0x4D, 0x3C, 0x2B, 0x1B, 1, 0, 0, 0] + [UInt8](repeating: 0, count: 8)),
            mentions: "is a Section Header Block whose byte-order magic is 0x4d3c2b1b, not 0x1a2b3c4d")
        expectDamage(
            be.sectionHeader(major: 2, minor: 0), code: .unsupportedVersion,
            mentions: "pcapng version 2.0 is not supported (1.x is)")
        expectDamage(
            le.block(
                0x0A0D_0D0A,
                [0x4D, 0x3C, 0x2B, 0x1A, 1, 0, 0, 0] + [UInt8](repeating: 0xFF, count: 8) + [1, 0, 0x30, 0x30]),
            mentions:
                "(Section Header Block) at byte 84 has an option (code 1) at byte 108 whose length 12336 runs past")
        expectDamage(
            le.block(0x0A0D_0D0A, [0x4D, 0x3C, 0x2B, 0x1A, 1, 0, 0, 0]),
            mentions: "is 20 bytes long, shorter than the 28")
    }

    @Test("A packet before any interface is an error, and a new section forgets the old interfaces")
    func pcapngInterfacesPerSection() {
        let le = Pcapng(bigEndian: false)
        let be = Pcapng(bigEndian: true)
        var bytes = le.sectionHeader() + le.interface(linkType: 1) + le.interface(linkType: 101)
        bytes += le.enhancedPacket(interface: 1, units: 1, data: [1])
        bytes += be.sectionHeader() + be.interface(linkType: 113)
        bytes += be.enhancedPacket(interface: 0, units: 1, data: [2])
        bytes += be.enhancedPacket(interface: 1, units: 1, data: [3])
        let result = readAll(bytes)
        #expect(result.packets.map(\.linkType) == [.raw, .linuxSLL])
        #expect(
            result.error?.reason.contains("refers to interface 1, but section 2 has only 1 Interface Description Block")
                == true)

        let noInterface = readAll(le.sectionHeader() + le.simplePacket(originalLength: 1, data: [1]))
        #expect(
            noInterface.error?.reason.contains(
                "refers to interface 0, but section 1 has no Interface Description Blocks")
                == true)
    }

    @Test(
        "Every prefix of a pcapng file yields exactly its whole packet blocks, then an error unless it ends between blocks"
    )
    func pcapngEveryPrefix() {
        let (bytes, boundaries, _) = samplePcapng()
        let full = readAll(bytes).packets
        let packetBlockEnds = [boundaries[2], boundaries[5], boundaries[6], boundaries[10], boundaries[11]]
        for length in 0...bytes.count {
            for bufferSize in [64, 1 << 20] {
                let result = readAll(Array(bytes[0..<length]), bufferSize: bufferSize)
                let whole = packetBlockEnds.filter { $0 <= length }.count
                #expect(result.packets == Array(full.prefix(whole)), "prefix \(length)")
                if length == 0 {
                    #expect(result.error?.code == .empty)
                } else if length < 12 {
                    #expect(result.error?.code == .tooShort, "prefix \(length)")
                } else if boundaries.contains(length) {
                    #expect(result.error == nil, "prefix \(length)")
                } else {
                    #expect(result.error?.code == .cutOff, "prefix \(length)")
                    let blocksBefore = boundaries.filter { $0 <= length }
                    #expect(result.error?.recordNumber == blocksBefore.count + 1, "prefix \(length)")
                    #expect(result.error?.byteOffset == (blocksBefore.last ?? 0), "prefix \(length)")
                }
                if let error = result.error { #expect(!error.description.contains("\n")) }
            }
        }
    }

    @Test("Random damage to a capture file gives packets and at most a CaptureFileError, never a crash")
    func randomDamage() {
        var random = SplitMix64(state: 7)
        let pcap = pcapFile(bigEndian: false, records: sampleRecords).bytes
        let (pcapng, _, _) = samplePcapng()
        for original in [pcap, pcapng] {
            for _ in 0..<300 {
                var bytes = original
                for _ in 0..<(1 + Int(random.next() % 4)) {
                    let index = Int(random.next() % UInt64(bytes.count))
                    bytes[index] = UInt8(truncatingIfNeeded: random.next())
                }
                let result = readAll(bytes, bufferSize: 64)
                #expect(result.packets.count <= 5)
                if let error = result.error { #expect(!error.description.contains("\n")) }
            }
        }
    }

    // MARK: - Files that are not captures, or cannot be opened

    @Test("An empty, a too short or a foreign file is refused with what was found and what is supported")
    func notCaptureFiles() {
        withTemporaryFile([]) { path in
            let result = readAll(path: path)
            #expect(result.error?.code == .empty)
            #expect(result.error?.description.hasPrefix("\(path): is empty (0 bytes), not a capture file") == true)
        }
        #expect(readAll([0xD4, 0xC3]).error?.code == .tooShort)
        let short = readAll([0xD4, 0xC3, 0xB2, 0xA1, 2, 0, 4, 0, 0, 0])
        #expect(short.error?.code == .tooShort)
        #expect(short.error?.reason.contains("10 bytes; a pcap file header is 24 bytes") == true)
        #expect(readAll([0x0A, 0x0D, 0x0D, 0x0A, 0, 0]).error?.code == .tooShort)

        let text = readAll(Array("GET / HTTP/1.1\r\n".utf8))
        #expect(text.error?.code == .notACaptureFile)
        #expect(text.error?.reason.contains("it starts with 0x47455420 (it looks like text)") == true)
        #expect(
            text.error?.reason.contains("pcap (magic 0xa1b2c3d4, 0xa1b23c4d or 0xa1b2cd34, either byte order)") == true)
        #expect(text.error?.reason.contains("pcapng (0x0a0d0d0a)") == true)
        let gzip = readAll([0x1F, 0x8B, 0x08, 0x00] + [UInt8](repeating: 0, count: 30))
        #expect(gzip.error?.reason.contains("0x1f8b0800 (a gzip-compressed file: decompress it first)") == true)
        let binary = readAll([0xDE, 0xAD, 0xBE, 0xEF] + [UInt8](repeating: 0, count: 30))
        #expect(binary.error?.reason.hasPrefix("is not a capture file: it starts with 0xdeadbeef — ") == true)
    }

    @Test("A missing file, a directory and an unreadable file name the path and the reason")
    func openErrors() {
        let missing = readAll(path: "/nonexistent/wiretale/capture.pcap")
        #expect(missing.error?.code == .cannotOpen)
        #expect(
            missing.error?.description
                == "/nonexistent/wiretale/capture.pcap: cannot open: No such file or directory — check the path and its"
                + " permissions")
        let directory = readAll(path: "/tmp")
        #expect(directory.error?.code == .cannotOpen)
        #expect(directory.error?.description.hasPrefix("/tmp: is a directory, not a capture file") == true)
    }

    @Test("A file without read permission names the system's reason", .enabled(if: geteuid() != 0))
    func permissionDenied() {
        withTemporaryFile(pcapFile(bigEndian: false, records: []).bytes) { path in
            chmod(path, 0)
            let result = readAll(path: path)
            #expect(result.error?.code == .cannotOpen)
            #expect(result.error?.description.contains("Permission denied") == true)
        }
    }

    @Test("A header-only pcap and an SHB-and-IDB-only pcapng are empty captures, not errors")
    func emptyCaptures() {
        let pcap = readAll(pcapFile(bigEndian: true, records: []).bytes)
        #expect(pcap.error == nil)
        #expect(pcap.packets.isEmpty)
        let ng = Pcapng(bigEndian: false)
        let pcapng = readAll(ng.sectionHeader() + ng.interface(linkType: 1, snapLength: 262144))
        #expect(pcapng.error == nil)
        #expect(pcapng.packets.isEmpty)
        #expect(pcapng.reader?.interfaces.count == 1)
    }

    // MARK: - Pipes

    @Test("A capture written into a pipe in small pieces is read whole, with no seeking")
    func readsFromPipe() {
        var records: [TestRecord] = []
        for index in 0..<3000 {
            records.append(
                TestRecord(
                    seconds: UInt32(index), fraction: UInt32(index * 3),
                    data: payload(index % 200, seed: UInt8(truncatingIfNeeded: index))))
        }
        let (bytes, _) = pcapFile(bigEndian: false, records: records)
        #expect(bytes.count > 65536 * 4)
        let result = readThroughPipe(bytes, chunk: 997, bufferSize: 4096)
        #expect(result.error == nil)
        #expect(result.packets.count == 3000)
        #expect(result.packets.map(\.data) == records.map(\.data))
        #expect(result.packets.last?.timestamp == Timestamp(seconds: 2999, fraction: 8997, digits: 6))

        let (pcapng, _, count) = samplePcapng()
        let piped = readThroughPipe(pcapng, chunk: 5, bufferSize: 64)
        #expect(piped.error == nil)
        #expect(piped.packets == readAll(pcapng).packets)
        #expect(piped.packets.count == count)

        // A non-blocking descriptor that has nothing to read yet is waited on, not taken for an error.
        let nonBlocking = readThroughPipe(bytes, chunk: 333, bufferSize: 1 << 20, nonBlocking: true)
        #expect(nonBlocking.error == nil)
        #expect(nonBlocking.packets.count == 3000)

        let cut = readThroughPipe(Array(bytes.dropLast(3)), chunk: 4096, bufferSize: 1 << 20)
        #expect(cut.packets.count == 2999)
        #expect(cut.error?.code == .cutOff)
        #expect(cut.error?.description.hasPrefix("pipe: cut off in the middle of record 3000") == true)
    }

    @Test("\"-\" reads standard input, named so in errors")
    func standardInput() {
        let (bytes, _) = pcapFile(bigEndian: false, records: sampleRecords)
        var fds: [Int32] = [0, 0]
        precondition(pipe(&fds) == 0)
        let savedInput = dup(0)
        dup2(fds[0], 0)
        close(fds[0])
        let writer = PipeWriter(fd: fds[1], bytes: Array(bytes.dropLast(1)), chunk: 50)
        writer.start()
        let result = readAll(path: "-")
        writer.join()
        dup2(savedInput, 0)
        close(savedInput)
        #expect(result.packets.count == 3)
        #expect(result.error?.description.hasPrefix("standard input: cut off in the middle of record 4") == true)
    }

    @Test("A descriptor that cannot be read gives the system's reason and the byte offset")
    func readFailure() {
        withTemporaryFile(pcapFile(bigEndian: false, records: sampleRecords).bytes) { path in
            let fd = open(path, O_WRONLY)
            defer { close(fd) }
            do throws(CaptureFileError) {
                _ = try CaptureFileReader(fileDescriptor: fd, name: "w.pcap")
                Issue.record("a write-only descriptor was read")
            } catch {
                #expect(error.code == .readFailed)
                #expect(error.description == "w.pcap: cannot read at byte 0: Bad file descriptor")
            }
        }
    }

    @Test(
        "Other well-known formats get a hint at what to do",
        arguments: [
            ([0x28, 0xB5, 0x2F, 0xFD], "zstd-compressed"), ([0xFD, 0x37, 0x7A, 0x58], "xz-compressed"),
            ([0x42, 0x5A, 0x68, 0x39], "bzip2-compressed"), ([0x50, 0x4B, 0x03, 0x04], "zip archive"),
            (Array("snoop".utf8), "editcap -F pcap"), (Array("GMBU".utf8), "Network Monitor"),
            ([0x7F, 0x45, 0x4C, 0x46], "ELF"),
        ] as [([UInt8], String)])
    func formatHints(head: [UInt8], hint: String) {
        let result = readAll(head + [UInt8](repeating: 0, count: 40))
        #expect(result.error?.code == .notACaptureFile)
        #expect(result.error?.reason.contains(hint) == true)
    }

    @Test("An error's file name cannot break its one line")
    func errorNameEscaped() {
        let error = CaptureFileError(code: .empty, fileName: "a\nb\u{7F}", reason: "is empty")
        #expect(error.description == "a\\nb\\u{7F}: is empty")
    }

    // MARK: - Real captures

    @Test(
        "The shared real captures read with the packet counts tshark found, and the broken ones fail cleanly",
        .enabled(if: access("\(sharedCaptures)/MANIFEST.tsv", R_OK) == 0))
    func realCaptures() throws {
        let manifest = try #require(readTextFile("\(sharedCaptures)/MANIFEST.tsv"))
        var checked = 0
        for line in manifest.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count > 5, fields[0].contains(".pcap") else { continue }
            let name = fields[0]
            let result = readAll(path: "\(sharedCaptures)/\(name)")
            if let packets = Int(fields[5]) {
                #expect(result.error == nil, "\(name): \(String(describing: result.error))")
                #expect(result.packets.count == packets, "\(name)")
                checked += 1
            }
        }
        #expect(checked >= 45)

        let dsa = readAll(path: "\(sharedCaptures)/dsa.pcap")
        #expect(dsa.error == nil)
        #expect(dsa.packets.count == 8)
        #expect(dsa.packets.allSatisfy { $0.linkType.rawValue == 284 })

        let version = readAll(path: "\(sharedCaptures)/pcap-invalid-version-1.pcap")
        #expect(version.error?.code == .unsupportedVersion)
        #expect(version.error?.reason.hasPrefix("pcap version 1.4 is not supported (2.x is)") == true)

        let option = readAll(path: "\(sharedCaptures)/shb-option-too-long.pcapng")
        #expect(option.error?.code == .damaged)
        #expect(option.error?.recordNumber == 1)

        let trunc = readAll(path: "\(sharedCaptures)/trunc-hdr.pcap")
        #expect(trunc.packets.first?.data.count == 8)
        #expect(trunc.reader?.firstSnapLengthViolation?.snapLength == 1)

        let mptcp = readAll(path: "\(sharedCaptures)/mptcp-dss-oobr.pcap")
        #expect(mptcp.reader?.firstSnapLengthViolation?.caplen == 74)
        #expect(mptcp.reader?.firstSnapLengthViolation?.snapLength == 73)

        let nano = readAll(path: "\(sharedCaptures)/tcp-handshake-nano.pcap")
        #expect(nano.reader?.nanosecondFile == true)
        #expect(nano.packets.first?.timestamp == Timestamp(seconds: 1_418_145_369, fraction: 924_505_488, digits: 9))

        let sections = readAll(path: "\(sharedCaptures)/test202.pcapng")
        #expect((sections.reader?.sectionCount ?? 0) >= 2)
    }
}
