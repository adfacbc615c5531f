import WiretaleCore
import WiretaleSystem

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes packets to a classic pcap file (tcpdump.org/manpages/pcap-savefile.5.html), which
/// tcpdump, tshark and wiretale itself read.
///
/// Layout: a 24-byte file header (magic `0xa1b23c4d` for nanosecond timestamps or `0xa1b2c3d4`
/// for microseconds, version 2.4, snapshot length, link type) and per packet a 16-byte record
/// header (seconds, fraction, captured length, original length) followed by the bytes. Written
/// little-endian (readers detect the order from the magic).
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
    }

    /// The path given, or the name given for a file descriptor (`-` for standard output).
    public let path: String
    public let linkType: LinkType
    public let precision: Precision
    public let snapshotLength: Int
    /// Packets accepted by `write` (some may still be in the buffer).
    public private(set) var packetsWritten: UInt64 = 0

    private var fd: Int32
    private let ownsDescriptor: Bool
    private let buffer: UnsafeMutableRawPointer
    private let capacity: Int
    private var used = 0
    private var failure: CaptureWriteError?
    private var closed = false

    /// Creates (or truncates) the file at `path`, mode 0644 before the umask, and writes the file
    /// header.
    ///
    /// - Parameters:
    ///   - linkType: every packet's link type (classic pcap has one per file).
    ///   - snapshotLength: recorded in the header; longer packets are cut to it.
    ///   - precision: `.nanoseconds` (the default, matching `LiveCapture`) or `.microseconds`.
    ///   - bufferSize: bytes buffered before a write system call.
    /// - Throws: `CaptureWriteError` naming `path` (`permission denied (EACCES)`,
    ///   `read-only file system (EROFS)`, `no space left on device (ENOSPC)`).
    public convenience init(
        path: String, linkType: LinkType, snapshotLength: Int = 262_144, precision: Precision = .nanoseconds,
        bufferSize: Int = 1 << 20
    ) throws(CaptureWriteError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 {
            throw CaptureWriteError(path: path, operation: .create, code: errno)
        }
        try self.init(
            fileDescriptor: fd, name: path, closeWhenDone: true, linkType: linkType, snapshotLength: snapshotLength,
            precision: precision, bufferSize: bufferSize)
    }

    /// Writes to an open file descriptor (standard output is `1`, named `-`), starting with the
    /// file header. With `closeWhenDone` the writer closes `fd` in `close()` or when released.
    public init(
        fileDescriptor fd: Int32, name: String, closeWhenDone: Bool = false, linkType: LinkType,
        snapshotLength: Int = 262_144, precision: Precision = .nanoseconds, bufferSize: Int = 1 << 20
    ) throws(CaptureWriteError) {
        self.path = name
        self.fd = fd
        self.ownsDescriptor = closeWhenDone
        self.linkType = linkType
        self.precision = precision
        self.snapshotLength = max(1, min(snapshotLength, Int(Int32.max)))
        self.capacity = max(bufferSize, 64)
        self.buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)

        put32(precision == .nanoseconds ? 0xa1b2_3c4d : 0xa1b2_c3d4)
        put16(2)  // version 2.4
        put16(4)
        put32(0)  // thiszone
        put32(0)  // sigfigs
        put32(UInt32(self.snapshotLength))
        put32(linkType.rawValue)
        try flush()
    }

    deinit {
        if !closed {
            if failure == nil { try? flush() }
            if ownsDescriptor { _ = systemClose(fd) }
        }
        buffer.deallocate()
    }

    /// Appends a captured packet. Its link type must be the file's.
    public func write(_ packet: CapturedPacket) throws(CaptureWriteError) {
        if packet.linkType != linkType {
            throw CaptureWriteError(path: path, operation: .linkTypeMismatch(file: linkType, packet: packet.linkType))
        }
        try write(timestamp: packet.timestamp, originalLength: packet.originalLength, bytes: packet.bytes)
    }

    /// Appends one record: the timestamp at the file's precision, the bytes (cut to the snapshot
    /// length), and the original length.
    public func write(timestamp: Timestamp, originalLength: Int, bytes: UnsafeRawBufferPointer)
        throws(CaptureWriteError)
    {
        if let failure { throw failure }
        if closed { throw CaptureWriteError(path: path, operation: .writeAfterClose) }
        let captured = min(bytes.count, snapshotLength)
        let fraction = precision == .nanoseconds ? timestamp.nanoseconds : timestamp.nanoseconds / 1000
        if used + 16 > capacity { try flush() }
        put32(UInt32(truncatingIfNeeded: timestamp.seconds))
        put32(UInt32(truncatingIfNeeded: fraction))
        put32(UInt32(captured))
        put32(UInt32(clamping: max(originalLength, captured)))
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
        packetsWritten += 1
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
                + "(a pcap file holds one link type)"
        }
    }
}
