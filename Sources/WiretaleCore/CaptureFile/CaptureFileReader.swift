import WiretaleSystem

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// One packet of a capture file: a classic pcap record (pcap file format, draft-ietf-opsawg-pcap §5)
/// or a pcapng Enhanced / Simple / obsolete Packet Block (draft-ietf-opsawg-pcapng §4.3, §4.4, Appendix A).
///
/// `bytes` points into the reader's buffer, so a record is valid only until the next call to
/// `CaptureFileReader.next()`: copy what must outlive it.
public struct PacketRecord {
    /// The capture time with the file's precision: 6 fraction digits for microsecond pcap, 9 for
    /// nanosecond pcap; for pcapng the `if_tsresol` digits when it is 10^-n with n <= 9, otherwise
    /// nanoseconds (9 digits), with `if_tsoffset` added. A Simple Packet Block has no time: `Timestamp.missing`.
    public var timestamp: Timestamp
    /// The packet's length on the wire, which may exceed `bytes.count` when the capture cut it short.
    public var originalLength: Int
    /// The captured bytes, where they lie in the reader's buffer (no copy).
    public var bytes: UnsafeRawBufferPointer
    /// The link-layer header type (pcap: the header's field masked with 0x03FFFFFF; the upper bits
    /// describe the FCS).
    public var linkType: LinkType
    /// 0 for classic pcap; for pcapng the interface's index within the current section.
    public var interfaceIndex: Int
    /// The file's or the interface's snapshot length; 0 means no limit.
    public var snapLength: Int
    /// The record holds more bytes than the snapshot length allows. They are all kept; the reader
    /// remembers the first such record in `firstSnapLengthViolation`.
    public var exceedsSnapLength: Bool

    public init(
        timestamp: Timestamp, originalLength: Int, bytes: UnsafeRawBufferPointer, linkType: LinkType,
        interfaceIndex: Int, snapLength: Int, exceedsSnapLength: Bool
    ) {
        self.timestamp = timestamp
        self.originalLength = originalLength
        self.bytes = bytes
        self.linkType = linkType
        self.interfaceIndex = interfaceIndex
        self.snapLength = snapLength
        self.exceedsSnapLength = exceedsSnapLength
    }
}

/// The reader's position and counts (`CaptureFileReader.cursor`).
struct ReaderCursor {
    /// Bytes `start ..< end` of the buffer are the file's unread bytes.
    var start = 0
    var end = 0
    var packetCount = 0
    var blockCount = 0
}

/// A streaming reader of classic pcap (draft-ietf-opsawg-pcap, with the nanosecond and the
/// modified/Kuznetzov variants) and pcapng (draft-ietf-opsawg-pcapng) files, in pure Swift.
///
/// It reads the file with `read(2)` into one reusable buffer and hands out records that point into
/// it: no seeking (pipes and standard input work), no per-packet allocation, and never the whole
/// file in memory. A file cut off in the middle of a record, or damaged, ends with a
/// `CaptureFileError` after every whole packet before the damage was returned.
public final class CaptureFileReader {
    /// The container format, told by the file's first four bytes.
    public enum Format: Hashable, Sendable {
        /// Classic libpcap format (draft-ietf-opsawg-pcap).
        case pcap
        /// PCAP Next Generation (draft-ietf-opsawg-pcapng).
        case pcapng
    }

    /// The largest record (pcap caplen) or block (pcapng total length) accepted: anything larger
    /// means the length field is damaged.
    public static let maximumRecordLength = 256 << 20

    /// The name used in errors: the path, or "standard input".
    public let fileName: String
    public internal(set) var format: Format = .pcap
    /// Classic pcap with the nanosecond magic (0xa1b23c4d).
    public internal(set) var nanosecondFile = false
    /// Classic pcap with the modified (Kuznetzov) magic 0xa1b2cd34 and its 24-byte record headers.
    public internal(set) var modifiedPcap = false
    /// The byte order of the file (pcap) or of the current section (pcapng).
    public internal(set) var bigEndian = false
    /// pcap: the file header's version; pcapng: the current Section Header Block's.
    public internal(set) var version: (major: Int, minor: Int) = (0, 0)
    /// pcapng: how many Section Header Blocks were read so far (1 after opening); pcap: 1.
    public internal(set) var sectionCount = 0
    /// pcap: the one interface the file header describes. pcapng: the Interface Description Blocks of
    /// the current section read so far (a new section starts an empty list); a packet's
    /// `interfaceIndex` indexes this list.
    public internal(set) var interfaces: [CaptureInterface] = []
    /// pcapng: at most this many Interface Description Blocks in one section (memory stays bounded
    /// whatever the file says); one more is an error. Real files hold a handful.
    public var maxInterfaces = CaptureFileReader.defaultMaxInterfaces
    public static let defaultMaxInterfaces = 65_536
    /// How many packets `next()` has returned.
    public internal(set) var packetCount: Int {
        get { cursor.pointee.packetCount }
        set { cursor.pointee.packetCount = newValue }
    }
    /// The first record whose captured length exceeded its snapshot length, if any: `record` counts
    /// packets from 1 (as `packetCount` does).
    public internal(set) var firstSnapLengthViolation: (record: Int, caplen: Int, snapLength: Int)?

    /// The offset in the file of the next byte `next()` will look at.
    public var byteOffset: Int { bufferFileOffset + start }

    // The buffer: bytes `start ..< end` of `buffer` are the file's bytes from `byteOffset` on.
    let fileDescriptor: Int32
    let ownsFileDescriptor: Bool
    var buffer: UnsafeMutableRawPointer
    var capacity: Int
    /// What `next()` moves on every packet, kept behind a pointer: a stored property of a class
    /// is checked for exclusive access at run time on every change (`swift_beginAccess`, about 80
    /// instructions), and two such changes per packet cost as much as reading the record.
    let cursor: UnsafeMutablePointer<ReaderCursor>
    var start: Int {
        @inline(__always) get { cursor.pointee.start }
        @inline(__always) set { cursor.pointee.start = newValue }
    }
    var end: Int {
        @inline(__always) get { cursor.pointee.end }
        @inline(__always) set { cursor.pointee.end = newValue }
    }
    /// The file offset of `buffer[0]`.
    var bufferFileOffset = 0
    var reachedEndOfFile = false

    enum Mode { case pcap, pcapng, failed }
    var mode = Mode.failed
    var failure: CaptureFileError?

    // Classic pcap.
    var recordHeaderLength = 16
    var lengthsSwapped = PcapLengthsSwapped.no
    var pcapInterface = CaptureFileInterfaceState(CaptureInterface(linkType: .ethernet, snapLength: 0))
    var pcapFractionLimit: UInt32 = 1_000_000

    // pcapng.
    var interfaceStates = ContiguousArray<CaptureFileInterfaceState>()
    /// Blocks read so far, so the current one is `blockCount + 1`.
    var blockCount: Int {
        @inline(__always) get { cursor.pointee.blockCount }
        @inline(__always) set { cursor.pointee.blockCount = newValue }
    }
    /// The current section's Section Header Block options (pcapng §4.1).
    public internal(set) var sectionHardware: String?
    public internal(set) var sectionOperatingSystem: String?
    public internal(set) var sectionApplication: String?

    /// Opens `path` ("-" for standard input) and reads the file header (pcap) or first Section Header
    /// Block (pcapng).
    ///
    /// - Throws: `CaptureFileError` with the path and the system's reason when the file cannot be
    ///   opened or is a directory, and as `init(fileDescriptor:name:)` does.
    public convenience init(path: String, bufferSize: Int = 1 << 20) throws(CaptureFileError) {
        if path == "-" {
            try self.init(fileDescriptor: 0, name: "standard input", bufferSize: bufferSize, owning: false)
            return
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let code = errno
            throw CaptureFileError(
                code: .cannotOpen, fileName: path,
                reason: "cannot open: \(errnoText(code)) — check the path and its permissions")
        }
        var status = stat()
        if fstat(fd, &status) == 0 {
            if status.st_mode & S_IFMT == S_IFDIR {
                close(fd)
                throw CaptureFileError(
                    code: .cannotOpen, fileName: path,
                    reason: "is a directory, not a capture file — give the path of a .pcap or .pcapng file")
            }
            if status.st_mode & S_IFMT == S_IFREG {
                #if os(Linux)
                    _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_SEQUENTIAL))
                #endif
            }
        }
        try self.init(fileDescriptor: fd, name: path, bufferSize: bufferSize, owning: true)
    }

    /// Reads from an open file descriptor (a file, a pipe, a socket), which stays open and the
    /// caller's; `name` is used in errors. Reads the file header (pcap) or first Section Header Block
    /// (pcapng).
    ///
    /// - Throws: `CaptureFileError` when the file is empty or too short, when its magic number is none
    ///   of pcap's or pcapng's (naming the magic found and the formats supported), for an unsupported
    ///   version, and when the first block is damaged.
    public convenience init(fileDescriptor: Int32, name: String, bufferSize: Int = 1 << 20) throws(CaptureFileError) {
        try self.init(fileDescriptor: fileDescriptor, name: name, bufferSize: bufferSize, owning: false)
    }

    init(fileDescriptor: Int32, name: String, bufferSize: Int, owning: Bool) throws(CaptureFileError) {
        self.fileDescriptor = fileDescriptor
        self.ownsFileDescriptor = owning
        self.fileName = name
        capacity = Swift.max(bufferSize, 64)
        buffer = .allocate(byteCount: capacity, alignment: 64)
        cursor = .allocate(capacity: 1)
        cursor.initialize(to: ReaderCursor())
        try readFileHeader()
    }

    deinit {
        buffer.deallocate()
        cursor.deallocate()
        if ownsFileDescriptor { close(fileDescriptor) }
    }

    /// The next packet, or `nil` at a clean end of file (after the last whole record or block).
    ///
    /// Blocks that carry no packet (pcapng interface, name resolution, statistics, decryption secrets,
    /// custom and unknown blocks) are read or skipped on the way. The record's `bytes` are valid until
    /// the next call.
    ///
    /// - Throws: `CaptureFileError` when the file is cut off in the middle of a record or block, or a
    ///   length or field is damaged — only after every whole packet before it was returned. Once it
    ///   has thrown, every later call throws the same error.
    public func next() throws(CaptureFileError) -> PacketRecord? {
        // The common case inline, with no error paths: a whole record or packet block already in the
        // buffer, its lengths plausible. Everything else (refills, other blocks, errors) goes the
        // general way, which checks it all again.
        let available = end &- start
        let here = buffer + start
        switch mode {
        case .pcap:
            let headerLength = recordHeaderLength
            guard available >= headerLength, lengthsSwapped == .no else { break }
            let header = UnsafeRawBufferPointer(start: here, count: available)
            let caplen = Int(header.u32(8, bigEndian: bigEndian))
            guard caplen <= available &- headerLength, caplen <= Self.maximumRecordLength else { break }
            let interface = pcapInterface
            var seconds = Int64(header.u32(0, bigEndian: bigEndian))
            var fraction = header.u32(4, bigEndian: bigEndian)
            if fraction >= pcapFractionLimit {
                seconds &+= Int64(fraction / pcapFractionLimit)
                fraction %= pcapFractionLimit
            }
            start &+= headerLength &+ caplen
            packetCount &+= 1
            let exceeds = caplen > interface.snapLimit
            if exceeds { noteSnapLengthViolation(caplen: caplen, snapLength: interface.snapLength) }
            return PacketRecord(
                timestamp: Timestamp(seconds: seconds, fraction: UInt64(fraction), digits: interface.clock.digits),
                originalLength: Int(header.u32(12, bigEndian: bigEndian)),
                bytes: UnsafeRawBufferPointer(start: here + headerLength, count: caplen),
                linkType: interface.linkType, interfaceIndex: 0, snapLength: interface.snapLength,
                exceedsSnapLength: exceeds)
        case .pcapng:
            guard available >= PcapngLayout.enhancedPacketMinimum else { break }
            let block = UnsafeRawBufferPointer(start: here, count: available)
            let bigEndian = self.bigEndian
            guard block.u32(0, bigEndian: bigEndian) == PcapngBlockType.enhancedPacket.rawValue else { break }
            let length = Int(block.u32(4, bigEndian: bigEndian))
            guard length >= PcapngLayout.enhancedPacketMinimum, length <= available, length & 3 == 0,
                length <= Self.maximumRecordLength,
                block.u32(length &- 4, bigEndian: bigEndian) == UInt32(truncatingIfNeeded: length)
            else { break }
            let interfaceIndex = Int(block.u32(8, bigEndian: bigEndian))
            let caplen = Int(block.u32(20, bigEndian: bigEndian))
            guard interfaceIndex < interfaceStates.count, caplen <= length &- PcapngLayout.enhancedPacketMinimum
            else { break }
            let units = UInt64(block.u32(12, bigEndian: bigEndian)) << 32 | UInt64(block.u32(16, bigEndian: bigEndian))
            return pcapngPacket(
                block, length: length, interfaceIndex: interfaceIndex, units: units, caplen: caplen,
                originalLength: Int(block.u32(24, bigEndian: bigEndian)), dataOffset: PcapngLayout.enhancedPacketData)
        case .failed:
            break
        }
        return try nextInGeneral()
    }

    /// Remembers the first record over its snapshot length (the one just counted).
    @inline(never)
    func noteSnapLengthViolation(caplen: Int, snapLength: Int) {
        if firstSnapLengthViolation == nil { firstSnapLengthViolation = (packetCount, caplen, snapLength) }
    }

    /// `next()` for everything: refills, blocks without packets, damage and the end of the file.
    @inline(never)
    func nextInGeneral() throws(CaptureFileError) -> PacketRecord? {
        do throws(CaptureFileError) {
            switch mode {
            case .pcap: return try nextPcapRecord()
            case .pcapng: return try nextPcapngPacket()
            case .failed: throw failure!
            }
        } catch {
            mode = .failed
            failure = error
            throw error
        }
    }

    /// The unread bytes in the buffer.
    @inline(__always)
    var window: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: buffer + start, count: end - start)
    }

    /// Makes at least `count` unread bytes available in the buffer, reading as needed (and waiting for
    /// them on a pipe, but no longer than for those). Returns false when the file ends first; then
    /// all its remaining bytes are in the buffer.
    @inline(never)
    func fill(_ count: Int) throws(CaptureFileError) -> Bool {
        if end - start >= count { return true }
        if reachedEndOfFile { return false }
        if start > 0 {
            let tail = end - start
            if tail > 0 { memmove(buffer, buffer + start, tail) }
            bufferFileOffset += start
            start = 0
            end = tail
        }
        while end < count {
            if end == capacity {
                // Doubling as the bytes arrive, up to `count`: a length field alone (a 40-byte file
                // claiming a 200 MB record) does not allocate what the file does not hold.
                let newCapacity = Swift.min(count, capacity * 2)
                let newBuffer = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 64)
                newBuffer.copyMemory(from: buffer, byteCount: end)
                buffer.deallocate()
                buffer = newBuffer
                capacity = newCapacity
            }
            let got = read(fileDescriptor, buffer + end, capacity - end)
            if got > 0 {
                end += got
            } else if got == 0 {
                reachedEndOfFile = true
                return false
            } else {
                let code = errno
                if code == EINTR { continue }
                if code == EAGAIN || code == EWOULDBLOCK {
                    var waitFor = pollfd(fd: fileDescriptor, events: Int16(POLLIN), revents: 0)
                    _ = poll(&waitFor, 1, -1)
                    continue
                }
                throw CaptureFileError(
                    code: .readFailed, fileName: fileName,
                    reason: "cannot read at byte \(bufferFileOffset + end): \(errnoText(code))",
                    byteOffset: bufferFileOffset + end)
            }
        }
        return true
    }

    /// Reads the first four bytes and, by them, the pcap file header or the first pcapng block.
    func readFileHeader() throws(CaptureFileError) {
        _ = try fill(4)
        let available = end - start
        if available == 0 {
            throw CaptureFileError(
                code: .empty, fileName: fileName,
                reason: "is empty (0 bytes), not a capture file — was the capture written to it at all?",
                byteOffset: 0)
        }
        if available < 4 {
            throw CaptureFileError(
                code: .tooShort, fileName: fileName,
                reason: "is too short to be a capture file (\(available) bytes; a pcap file header is 24 bytes"
                    + ", a pcapng Section Header Block at least 28)",
                byteOffset: 0)
        }
        let magic = window.u32be(0)
        switch magic {
        case 0xA1B2_C3D4, 0xD4C3_B2A1, 0xA1B2_3C4D, 0x4D3C_B2A1, 0xA1B2_CD34, 0x34CD_B2A1:
            try readPcapFileHeader(magic: magic)
            mode = .pcap
        case PcapngBlockType.sectionHeader.rawValue:
            format = .pcapng
            try readFirstPcapngSection()
            mode = .pcapng
        default:
            throw CaptureFileError(
                code: .notACaptureFile, fileName: fileName,
                reason: "is not a capture file: it starts with \(magic.captureFileHex)\(Self.guessFormat(window))"
                    + " — wiretale reads pcap (magic 0xa1b2c3d4, 0xa1b23c4d or 0xa1b2cd34, either byte order)"
                    + " and pcapng (0x0a0d0d0a) files",
                byteOffset: 0)
        }
    }

    /// A hint at what a non-capture file is, by its first bytes (" (a gzip file: …)"), or "".
    static func guessFormat(_ head: UnsafeRawBufferPointer) -> String {
        let magic = head.u32be(0)
        if magic >> 16 == 0x1F8B { return " (a gzip-compressed file: decompress it first)" }
        if magic == 0x28B5_2FFD { return " (a zstd-compressed file: decompress it first)" }
        if magic == 0xFD37_7A58 { return " (an xz-compressed file: decompress it first)" }
        if magic >> 8 == 0x425A68 { return " (a bzip2-compressed file: decompress it first)" }
        if magic == 0x504B_0304 { return " (a zip archive: extract the capture first)" }
        if magic == 0x736E_6F6F { return " (a snoop capture: convert it with `editcap -F pcap`)" }
        if magic == 0x474D_4255 || magic == 0x5254_5353 {
            return " (a Microsoft Network Monitor capture: convert it with `editcap -F pcap`)"
        }
        if magic == 0x7F45_4C46 { return " (an ELF executable)" }
        var printable = true
        for index in 0..<4 {
            let byte = head.u8(index)
            if !(byte >= 0x20 && byte < 0x7F) && byte != 0x09 && byte != 0x0A && byte != 0x0D { printable = false }
        }
        if printable { return " (it looks like text)" }
        return ""
    }
}
