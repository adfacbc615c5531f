import WiretaleCore

#if canImport(Glibc)
    import Glibc
#endif

/// A capture compiled into the binary (see `scripts/embed-captures.py`), read through the
/// project's one capture-file reader.
struct ShippedCapture: Sendable {
    let name: String
    let hex: String

    var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(hex.utf8.count / 2)
        var high: UInt8?
        for c in hex.utf8 {
            let v: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): v = c - UInt8(ascii: "a") + 10
            default: continue
            }
            if let h = high {
                out.append(h << 4 | v)
                high = nil
            } else {
                high = v
            }
        }
        return out
    }

    /// The packets, read with `CaptureFileReader` from a pipe holding the file's bytes.
    func frames() -> [LabFrame] {
        let data = bytes
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return [] }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        // Every shipped capture is far smaller than a pipe's buffer (64 KiB): write it all, then read.
        _ = data.withUnsafeBytes { write(fds[1], $0.baseAddress, $0.count) }
        close(fds[1])
        defer { close(fds[0]) }
        var out: [LabFrame] = []
        do {
            let reader = try CaptureFileReader(fileDescriptor: fds[0], name: name)
            while let r = try reader.next() {
                out.append(
                    LabFrame(
                        timestamp: r.timestamp, originalLength: r.originalLength, bytes: Array(r.bytes),
                        linkType: r.linkType))
            }
        } catch {
            return out
        }
        return out
    }
}
