import WiretaleCore

#if canImport(Glibc)
    import Glibc
#endif

/// What every fuzz target shares: somewhere to write output that is thrown away, a file holding
/// the input (the capture reader reads file descriptors), and the input as bytes.
public enum Fuzz {
    /// `/dev/null`, opened once: every renderer writes its bytes there, so the fuzzer runs the
    /// output code paths (number and time formatting, escaping) at full speed.
    public static let devNull: Int32 = open("/dev/null", O_WRONLY | O_CLOEXEC)

    /// The input as a buffer (`LLVMFuzzerTestOneInput` may pass a null pointer for an empty input).
    public static func bytes(_ data: UnsafePointer<UInt8>?, _ count: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: count > 0 ? data : nil, count: count)
    }

    /// An output buffer on `/dev/null`.
    public static func output() -> OutputBuffer {
        OutputBuffer(fd: devNull)
    }
}

/// An unlinked temporary file rewritten with each input and rewound, so the reader sees a
/// regular file of exactly the input's bytes.
public final class InputFile: @unchecked Sendable {
    public let fd: Int32

    public init() {
        var template = Array("/tmp/wiretale-fuzz-XXXXXX".utf8CString)
        fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        precondition(fd >= 0, "cannot create a temporary file")
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
    }

    /// Replaces the file's contents with `bytes` and rewinds it.
    public func write(_ bytes: UnsafeRawBufferPointer) {
        _ = ftruncate(fd, 0)
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(done))
            precondition(n > 0, "cannot write the temporary file")
            done += n
        }
        rewind()
    }

    /// Back to the first byte, for another reader.
    public func rewind() {
        _ = lseek(fd, 0, SEEK_SET)
    }
}
