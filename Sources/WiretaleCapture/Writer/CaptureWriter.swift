import WiretaleCore
import WiretaleSystem

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes packets to a classic pcap file (tcpdump.org/manpages/pcap-savefile.5.html) or a pcapng
/// file (draft-ietf-opsawg-pcapng), which tcpdump, tshark and wiretale itself read.
///
/// pcap layout: a 24-byte file header (magic `0xa1b23c4d` for nanosecond timestamps or `0xa1b2c3d4`
/// for microseconds, version 2.4, snapshot length, link type) and per packet a 16-byte record
/// header (seconds, fraction, captured length, original length) followed by the bytes. pcapng: a
/// Section Header Block, an Interface Description Block for each (link type, snapshot length,
/// timestamp digits) the packets bring (`if_tsresol` 10^-digits), and an Enhanced Packet Block per
/// packet. Written little-endian (readers detect the order from the magic).
///
/// The file header is written at once (so a bad path or a full disk is reported before capturing);
/// records go through a buffer (1 MiB by default). Call `flush()` to push buffered packets out
/// (after each packet for `-U`-style output, or from a periodic timer) and `close()` at the end:
/// after a Ctrl-C handled by `SignalStop`, the loop returns and `close()` leaves a complete file.
/// Errors name the path and the reason (`no space left on device (ENOSPC)`); after one, every
/// further call throws the same error.
///
/// Not thread-safe: use from the capture's thread.
public final class CaptureWriter {
    /// The timestamp resolution the file declares in its magic number.
    public enum Precision: Sendable, Hashable {
        case microseconds
        case nanoseconds

        /// The matching precision for timestamps with `digits` decimal places.
        public init(digits: UInt8) {
            self = digits > 6 ? .nanoseconds : .microseconds
        }

        /// The fraction digits of its timestamps: 9 or 6.
        public var digits: UInt8 { self == .nanoseconds ? 9 : 6 }
    }

    /// The container written: classic pcap (one link type) or pcapng (any number of interfaces).
    public enum Container: Sendable, Hashable {
        case pcap
        case pcapng

        /// pcapng when `path` ends in `.pcapng` (any case), else pcap: as tshark and editcap choose.
        public init(forPath path: String) {
            self = path.lowercased().hasSuffix(".pcapng") ? .pcapng : .pcap
        }
    }

    /// The path given, or the name given for a file descriptor (`-` for standard output).
    public let path: String
    public let container: Container
    /// The file's link type (pcap), or its first interface's (pcapng).
    public private(set) var linkType: LinkType
    public private(set) var precision: Precision
    public private(set) var snapshotLength: Int
    /// Packets accepted by `write` (some may still be in the buffer).
    public private(set) var packetsWritten: UInt64 = 0

    private var fd: Int32
    private let ownsDescriptor: Bool
    private let buffer: UnsafeMutableRawPointer
    private let capacity: Int
    private var used = 0
    private var failure: CaptureWriteError?
    private var closed = false
    /// pcap: the file header is out. A copying writer (`init(copyingTo:)`) writes it with the first
    /// packet, whose link type, snapshot length and precision it takes.
    private var headerWritten = false
    /// Packets are cut to this many bytes: the snapshot length, or no limit for a copying writer.
    private var cutLength: Int
    /// pcapng: the interfaces described so far, as (link type, snapshot length, digits), and the
    /// last one used (most packets share their predecessor's).
    private var interfaces: [(linkType: LinkType, snapLength: Int, digits: UInt8)] = []
    private var lastInterface = -1

    /// Creates (or truncates) the file at `path`, mode 0644 before the umask, and writes the file
    /// header.
    ///
    /// - Parameters:
    ///   - linkType: every packet's link type (classic pcap has one per file).
    ///   - snapshotLength: recorded in the header; longer packets are cut to it.
    ///   - precision: `.nanoseconds` (the default, matching `LiveCapture`) or `.microseconds`.
    ///   - container: pcap (the default) or pcapng (`Container(forPath:)` chooses by the name).
    ///   - bufferSize: bytes buffered before a write system call.
    /// - Throws: `CaptureWriteError` naming `path` (`permission denied (EACCES)`,
    ///   `read-only file system (EROFS)`, `no space left on device (ENOSPC)`).
    public convenience init(
        path: String, linkType: LinkType, snapshotLength: Int = 262_144, precision: Precision = .nanoseconds,
        container: Container = .pcap, application: String? = nil, bufferSize: Int = 1 << 20
    ) throws(CaptureWriteError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 {
            throw CaptureWriteError(path: path, operation: .create, code: errno)
        }
        try self.init(
            fileDescriptor: fd, name: path, closeWhenDone: true, linkType: linkType, snapshotLength: snapshotLength,
            precision: precision, container: container, application: application, bufferSize: bufferSize)
    }

    /// Writes to an open file descriptor (standard output is `1`, named `-`), starting with the
    /// file header. With `closeWhenDone` the writer closes `fd` in `close()` or when released.
    public init(
        fileDescriptor fd: Int32, name: String, closeWhenDone: Bool = false, linkType: LinkType,
        snapshotLength: Int = 262_144, precision: Precision = .nanoseconds, container: Container = .pcap,
        application: String? = nil, bufferSize: Int = 1 << 20
    ) throws(CaptureWriteError) {
        self.path = name
        self.fd = fd
        self.ownsDescriptor = closeWhenDone
        self.container = container
        self.linkType = linkType
        self.precision = precision
        self.snapshotLength = max(1, min(snapshotLength, Int(Int32.max)))
        self.cutLength = self.snapshotLength
        self.capacity = max(bufferSize, 64)
        self.buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
        switch container {
        case .pcap: putPcapHeader()
        case .pcapng:
            putSectionHeader(application: application)
            lastInterface = putInterface(linkType, snapLength: self.snapshotLength, digits: precision.digits)
        }
        try flush()
    }

    /// A writer that copies records from capture files as they are (`read -w`): it creates (or
    /// truncates) `path` at once, so an unwritable path fails before anything is read, and takes
    /// the link type, snapshot length (0, no limit, included) and timestamp precision from the
    /// packets: pcap from the first one (a later packet of another link type is an error), pcapng
    /// an interface for each kind it meets. Packets are never cut.
    /// `-` writes to standard output.
    /// `application` names the program in the pcapng section header (`shb_userappl`).
    public init(
        copyingTo path: String, container: Container, application: String? = nil, bufferSize: Int = 1 << 20
    ) throws(CaptureWriteError) {
        let fd = path == "-" ? 1 : open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 { throw CaptureWriteError(path: path, operation: .create, code: errno) }
        self.path = path
        self.fd = fd
        self.ownsDescriptor = path != "-"
        self.container = container
        self.linkType = .ethernet
        self.precision = .microseconds
        self.snapshotLength = 262_144
        self.cutLength = Int.max
        self.capacity = max(bufferSize, 64)
        self.buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
        if container == .pcapng {
            putSectionHeader(application: application)
            try flush()
        }
    }

    /// A copying writer's file header when no packet came: pcap's with this link type (the input's).
    public func setEmptyFileLinkType(_ type: LinkType, snapshotLength: Int) {
        guard !headerWritten, container == .pcap else { return }
        linkType = type
        self.snapshotLength = snapshotLength
    }

    deinit {
        if !closed {
            if failure == nil { try? flush() }
            if ownsDescriptor { _ = systemClose(fd) }
        }
        buffer.deallocate()
    }

    /// Appends a captured packet (pcapng: with `comment` as its `opt_comment`). Its link type must
    /// be the file's.
    public func write(_ packet: CapturedPacket, comment: String? = nil) throws(CaptureWriteError) {
        if packet.linkType != linkType {
            throw CaptureWriteError(path: path, operation: .linkTypeMismatch(file: linkType, packet: packet.linkType))
        }
        try write(
            timestamp: packet.timestamp, originalLength: packet.originalLength, bytes: packet.bytes, comment: comment)
    }

    /// Appends one record of a capture file as it is (a copying writer's way, `read -w`): its link
    /// type and snapshot length choose the pcapng interface (or, for pcap, must be the file's, set
    /// by the first record), its timestamp keeps its digits in pcapng.
    public func write(
        timestamp: Timestamp, originalLength: Int, bytes: UnsafeRawBufferPointer, linkType type: LinkType,
        snapLength: Int, comment: String? = nil
    ) throws(CaptureWriteError) {
        // A packet that records no time (a pcapng Simple Packet Block) is written at time 0, in the
        // units already in use, so it neither opens an interface of its own nor sets the file's.
        let timestamp =
            timestamp.isMissing
            ? Timestamp(
                seconds: 0, fraction: 0,
                digits: container == .pcapng
                    ? (lastInterface < 0 ? 6 : interfaces[lastInterface].digits)
                    : (headerWritten ? precision.digits : 6))
            : timestamp
        switch container {
        case .pcap:
            if !headerWritten {
                linkType = type
                snapshotLength = snapLength
                precision = Precision(digits: timestamp.digits)
            } else if type != linkType {
                throw CaptureWriteError(path: path, operation: .linkTypeMismatch(file: linkType, packet: type))
            }
            try write(timestamp: timestamp, originalLength: originalLength, bytes: bytes)
        case .pcapng:
            let digits = min(timestamp.digits, 9)
            var i = lastInterface
            if i < 0 || interfaces[i].linkType != type || interfaces[i].snapLength != snapLength
                || interfaces[i].digits != digits
            {
                if let known = interfaces.firstIndex(where: {
                    $0.linkType == type && $0.snapLength == snapLength && $0.digits == digits
                }) {
                    i = known
                } else {
                    if used + 32 > capacity { try flush() }
                    i = putInterface(type, snapLength: snapLength, digits: digits)
                }
                lastInterface = i
            }
            try write(timestamp: timestamp, originalLength: originalLength, bytes: bytes, comment: comment)
        }
    }

    /// Appends one record: the timestamp at the file's precision (pcapng: the current interface's),
    /// the bytes (cut to the snapshot length), and the original length. pcapng keeps `comment` as
    /// the packet's `opt_comment` (pcap has no place for it).
    public func write(
        timestamp: Timestamp, originalLength: Int, bytes: UnsafeRawBufferPointer, comment: String? = nil
    ) throws(CaptureWriteError) {
        if let failure { throw failure }
        if closed { throw CaptureWriteError(path: path, operation: .writeAfterClose) }
        let captured = min(bytes.count, cutLength)
        if container == .pcapng {
            return try writeEnhancedPacket(timestamp, originalLength, bytes, captured, comment: comment)
        }
        if !headerWritten { putPcapHeader() }
        let fraction = precision == .nanoseconds ? timestamp.nanoseconds : timestamp.nanoseconds / 1000
        if used + 16 > capacity { try flush() }
        put32(UInt32(truncatingIfNeeded: timestamp.seconds))
        put32(UInt32(truncatingIfNeeded: fraction))
        put32(UInt32(captured))
        put32(UInt32(clamping: max(originalLength, captured)))
        try putBytes(bytes, captured)
        packetsWritten += 1
    }

    /// An Enhanced Packet Block (pcapng §4.3) on the current interface, its time in that
    /// interface's units (10^-digits s since the epoch).
    private func writeEnhancedPacket(
        _ timestamp: Timestamp, _ originalLength: Int, _ bytes: UnsafeRawBufferPointer, _ captured: Int,
        comment: String? = nil
    ) throws(CaptureWriteError) {
        if lastInterface < 0 {
            if used + 32 > capacity { try flush() }
            lastInterface = putInterface(linkType, snapLength: snapshotLength, digits: 6)
        }
        let digits = interfaces[lastInterface].digits
        var scale: UInt64 = 1
        for _ in 0..<digits { scale &*= 10 }
        var fraction = timestamp.fraction
        if timestamp.digits > digits {
            for _ in 0..<(timestamp.digits - digits) { fraction /= 10 }
        } else {
            for _ in 0..<(digits - timestamp.digits) { fraction &*= 10 }
        }
        let units = UInt64(bitPattern: timestamp.seconds) &* scale &+ fraction
        let padded = (captured + 3) & ~3
        var note = Array((comment ?? "").utf8.prefix(Self.maxCommentBytes))
        let noteBytes = note.isEmpty ? 0 : 4 + ((note.count + 3) & ~3) + 4  // opt_comment, opt_endofopt
        let total = 32 + padded + noteBytes
        if used + 28 > capacity { try flush() }
        put32(6)
        put32(UInt32(total))
        put32(UInt32(lastInterface))
        put32(UInt32(truncatingIfNeeded: units >> 32))
        put32(UInt32(truncatingIfNeeded: units))
        put32(UInt32(captured))
        put32(UInt32(clamping: max(originalLength, captured)))
        try putBytes(bytes, captured)
        if used + 8 > capacity { try flush() }
        for _ in captured..<padded {
            buffer.storeBytes(of: UInt8(0), toByteOffset: used, as: UInt8.self)
            used += 1
        }
        if noteBytes > 0 {
            let count = note.count
            note.append(contentsOf: repeatElement(0, count: ((count + 3) & ~3) - count))
            note.append(contentsOf: [0, 0, 0, 0])  // opt_endofopt
            if used + 4 > capacity { try flush() }
            put16(1)  // opt_comment
            put16(UInt16(count))
            var failed: CaptureWriteError? = nil
            note.withUnsafeBytes { b in
                do throws(CaptureWriteError) { try putBytes(b, b.count) } catch { failed = error }
            }
            if let failed { throw failed }
            if used + 4 > capacity { try flush() }
        }
        put32(UInt32(total))
        packetsWritten += 1
    }

    private func putBytes(_ bytes: UnsafeRawBufferPointer, _ captured: Int) throws(CaptureWriteError) {
        if captured > 0, let base = bytes.baseAddress {
            if used + captured <= capacity {
                (buffer + used).copyMemory(from: base, byteCount: captured)
                used += captured
            } else {
                try flush()
                if captured <= capacity {
                    buffer.copyMemory(from: base, byteCount: captured)
                    used = captured
                } else {
                    try writeAll(base, captured)
                }
            }
        }
    }

    /// pcap's 24-byte file header.
    private func putPcapHeader() {
        headerWritten = true
        put32(precision == .nanoseconds ? 0xa1b2_3c4d : 0xa1b2_c3d4)
        put16(2)  // version 2.4
        put16(4)
        put32(0)  // thiszone
        put32(0)  // sigfigs
        put32(UInt32(clamping: snapshotLength))
        put32(linkType.rawValue)
    }

    /// The longest packet comment kept, in UTF-8 bytes (an option's length is 16 bits); longer is cut.
    public static let maxCommentBytes = 4096

    /// A Section Header Block (pcapng §4.1), version 1.0, section length unknown; `shb_userappl`
    /// (option 4) when `application` is given (cut to fit the buffer).
    private func putSectionHeader(application: String? = nil) {
        headerWritten = true
        let name = Array((application ?? "").utf8.prefix(capacity - 40))
        let padded = (name.count + 3) & ~3
        let total = 28 + (name.isEmpty ? 0 : 4 + padded + 4)
        put32(0x0A0D_0D0A)
        put32(UInt32(total))
        put32(0x1A2B_3C4D)
        put16(1)
        put16(0)
        put32(0xFFFF_FFFF)  // section length -1: not given
        put32(0xFFFF_FFFF)
        if !name.isEmpty {
            put16(4)  // shb_userappl
            put16(UInt16(name.count))
            for b in name { putByte(b) }
            for _ in name.count..<padded { putByte(0) }
            put32(0)  // opt_endofopt
        }
        put32(UInt32(total))
    }

    private func putByte(_ b: UInt8) {
        buffer.storeBytes(of: b, toByteOffset: used, as: UInt8.self)
        used += 1
    }

    /// An Interface Description Block (pcapng §4.2) with `if_tsresol` = 10^-digits; returns its index.
    private func putInterface(_ type: LinkType, snapLength: Int, digits: UInt8) -> Int {
        put32(1)
        put32(32)
        put16(UInt16(truncatingIfNeeded: type.rawValue))
        put16(0)
        put32(UInt32(clamping: snapLength))
        put16(9)  // if_tsresol
        put16(1)
        put32(UInt32(digits))  // the value byte, then three bytes of padding
        put32(0)  // opt_endofopt
        put32(32)
        interfaces.append((type, snapLength, digits))
        if interfaces.count == 1 {
            linkType = type
            snapshotLength = snapLength
        }
        return interfaces.count - 1
    }

    /// Writes out everything buffered.
    public func flush() throws(CaptureWriteError) {
        if let failure { throw failure }
        if used == 0 { return }
        let count = used
        used = 0
        try writeAll(UnsafeRawPointer(buffer), count)
    }

    /// Flushes and closes the file; the file is complete afterwards. Calling it again does nothing.
    public func close() throws(CaptureWriteError) {
        if closed { return }
        defer { closed = true }
        var firstError: CaptureWriteError?
        if !headerWritten && failure == nil { putPcapHeader() }
        do {
            try flush()
        } catch {
            firstError = error
        }
        if ownsDescriptor, systemClose(fd) != 0, firstError == nil, errno != EINTR {
            firstError = CaptureWriteError(path: path, operation: .close, code: errno)
        }
        fd = -1
        if let firstError { throw firstError }
    }

    private func writeAll(_ start: UnsafeRawPointer, _ count: Int) throws(CaptureWriteError) {
        var offset = 0
        while offset < count {
            let n = systemWrite(fd, start + offset, count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                let error = CaptureWriteError(path: path, operation: .write, code: errno)
                failure = error
                throw error
            }
            if n == 0 {
                let error = CaptureWriteError(path: path, operation: .write, code: ENOSPC)
                failure = error
                throw error
            }
            offset += n
        }
    }

    private func put16(_ value: UInt16) {
        buffer.storeBytes(of: value.littleEndian, toByteOffset: used, as: UInt16.self)
        used += 2
    }

    private func put32(_ value: UInt32) {
        buffer.storeBytes(of: value.littleEndian, toByteOffset: used, as: UInt32.self)
        used += 4
    }
}

// The methods named `write` and `close` shadow the C functions inside the class.
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, buffer, count)
}

private func systemClose(_ fd: Int32) -> Int32 {
    close(fd)
}

/// A capture file that could not be created or written, naming the path and the reason.
///
/// `cannot write '/dev/full': no space left on device (ENOSPC); the capture file is incomplete`
public struct CaptureWriteError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What the writer was doing.
    public enum Operation: Sendable, Hashable {
        case create
        case write
        case close
        case writeAfterClose
        /// A packet whose link type differs from the file's (classic pcap holds one link type).
        case linkTypeMismatch(file: LinkType, packet: LinkType)
    }

    public var path: String
    public var operation: Operation
    /// `errno` for create/write/close; 0 otherwise.
    public var code: Int32

    public init(path: String, operation: Operation, code: Int32 = 0) {
        self.path = path
        self.operation = operation
        self.code = code
    }

    public var description: String {
        let name = quotedForErrors(path)
        switch operation {
        case .create:
            var hint = ""
            if code == EACCES || code == EPERM {
                hint = "; choose a directory you can write to"
            } else if code == EROFS {
                hint = "; choose a path on a writable file system"
            } else if code == ENOENT {
                hint = "; the directory does not exist"
            }
            return "cannot create \(name): \(errnoDescription(code))\(hint)"
        case .write:
            return "cannot write \(name): \(errnoDescription(code)); the capture file is incomplete"
        case .close:
            return "cannot finish \(name): \(errnoDescription(code)); the capture file may be incomplete"
        case .writeAfterClose:
            return "cannot write \(name): the file was already closed"
        case .linkTypeMismatch(let file, let packet):
            return "cannot write a \(packet) packet to \(name), whose link type is \(file) "
                + "(a pcap file holds one link type; a .pcapng file holds several)"
        }
    }
}
