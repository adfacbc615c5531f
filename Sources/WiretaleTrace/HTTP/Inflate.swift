import CZlib

/// `Content-Encoding: gzip` (RFC 9110 section 8.4.1.3; the gzip format is RFC 1952, DEFLATE RFC
/// 1951), decoded by zlib. `inflateInit2` with window bits 15 + 32 detects a gzip or a zlib
/// wrapper and checks its trailer (CRC-32 or Adler-32); output stops at `limit` bytes, so a
/// decompression bomb is an error rather than a full memory.
public enum Inflate {
    public struct Failure: Error, Equatable, Sendable, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }

    /// The most a body may inflate to by default: 64 MiB.
    public static let defaultLimit = 64 << 20

    /// Decodes one gzip (or zlib) stream, checking its trailer. Truncated, corrupt or oversized
    /// input is a `Failure` saying which.
    public static func gunzip(_ data: [UInt8], limit: Int = defaultLimit) throws(Failure) -> [UInt8] {
        let r = try run(data, limit: limit)
        if r.tooLarge { throw Failure(reason: "the body inflates to more than \(limit) bytes: not decoded") }
        if r.status == Z_BUF_ERROR {
            throw Failure(reason: "the gzip data is truncated (it ended after \(data.count) bytes)")
        }
        return r.out
    }

    /// Decodes the start of a gzip stream: at most `limit` bytes of output, and input that may stop
    /// before the stream's end (a body kept only in part). `complete` is false when the output was
    /// cut at `limit` or the input ended first; corrupt data is still a `Failure`.
    public static func gunzipPrefix(_ data: [UInt8], limit: Int) throws(Failure) -> (bytes: [UInt8], complete: Bool) {
        let r = try run(data, limit: limit)
        return (r.out, !r.tooLarge && r.status == Z_STREAM_END)
    }

    private static func run(_ data: [UInt8], limit: Int) throws(Failure) -> (
        out: [UInt8], status: Int32, tooLarge: Bool
    ) {
        var stream = z_stream()
        guard wiretale_inflateInit2(&stream, 15 + 32) == Z_OK else {
            throw Failure(reason: "zlib could not start inflating (out of memory?)")
        }
        defer { inflateEnd(&stream) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        var status = Z_OK
        var tooLarge = false
        data.withUnsafeBufferPointer { input in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.avail_in = uInt(input.count)
            while status == Z_OK {
                let produced = chunk.withUnsafeMutableBufferPointer { c in
                    stream.next_out = c.baseAddress
                    stream.avail_out = uInt(c.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    return c.count - Int(stream.avail_out)
                }
                if out.count + produced > limit {
                    out.append(contentsOf: chunk[0..<max(0, limit - out.count)])
                    tooLarge = true
                    return
                }
                out.append(contentsOf: chunk[0..<produced])
            }
        }
        if tooLarge { return (out, status, true) }
        switch status {
        case Z_STREAM_END, Z_BUF_ERROR:
            return (out, status, false)
        case Z_DATA_ERROR:
            let why = stream.msg.map { String(cString: $0) } ?? "invalid data"
            throw Failure(reason: "the gzip data is corrupt: \(why)")
        case Z_MEM_ERROR:
            throw Failure(reason: "zlib ran out of memory")
        default:
            throw Failure(reason: "zlib failed (status \(status))")
        }
    }
}
