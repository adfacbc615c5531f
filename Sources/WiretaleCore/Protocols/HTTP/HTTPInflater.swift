import CZlib

/// A streaming zlib inflate for one HTTP body sent with `Content-Encoding: gzip`, `x-gzip` or
/// `deflate` (RFC 9110 section 8.4.1: gzip is RFC 1952; deflate is the zlib format of RFC 1950,
/// which some servers send raw, RFC 1951, so its first two bytes decide). It counts what the body
/// inflates to and keeps none of it: the output goes to a 16 KiB scratch area on the stack.
///
/// Bounded: the output counted stops at `limit` bytes (a decompression bomb costs time up to
/// there, never memory); zlib's own state (about 40 KiB) lives from the first byte until the
/// stream ends, fails, or the inflater is released. `HTTPBudget.maxInflaters` caps how many live.
/// A final class so that `deinit` can end the zlib stream (`inflateEnd`) however it is dropped.
public final class HTTPInflater {
    /// The content coding (RFC 9110 section 8.4.1).
    public enum Format: Sendable, Hashable {
        /// gzip or x-gzip (RFC 1952); a zlib wrapper is recognised too.
        case gzip
        /// deflate: the zlib format (RFC 1950), or raw DEFLATE (RFC 1951) as some servers send it.
        case deflate

        /// The format for a Content-Encoding value: a single coding of gzip, x-gzip or deflate.
        public init?(contentEncoding value: String) {
            switch HTTPBytes.trimmed(value).lowercased() {
            case "gzip", "x-gzip": self = .gzip
            case "deflate": self = .deflate
            default: return nil
            }
        }
    }

    /// How the coded data has gone so far.
    public enum State: Sendable, Hashable {
        /// More coded data is expected.
        case running
        /// The coded stream ended (its trailer checked); further bytes are ignored.
        case complete
        /// The output passed `limit`: inflating stopped there.
        case tooLarge
        /// zlib rejected the data (the text is zlib's message).
        case corrupt(String)
    }

    /// The most a body is inflated to by default: 64 MiB.
    public static let defaultLimit = 64 << 20

    public let format: Format
    public let limit: Int
    /// Bytes the body inflated to so far (at most `limit`).
    public private(set) var output = 0
    public private(set) var state = State.running

    private let stream: UnsafeMutablePointer<z_stream>
    private var live = false
    /// deflate: the first byte, held until the second says zlib or raw.
    private var firstByte: UInt8?

    public init(_ format: Format, limit: Int = HTTPInflater.defaultLimit) {
        self.format = format
        self.limit = max(0, limit)
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
    }

    deinit {
        if live { inflateEnd(stream) }
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// The output length when the coded stream ended whole; nil otherwise.
    public var completeLength: Int? { state == .complete ? output : nil }

    /// Inflates the next bytes of the body, counting the output.
    public func feed(_ bytes: UnsafeRawBufferPointer) {
        guard state == .running, !bytes.isEmpty else { return }
        var input = bytes
        if !live {
            let windowBits: Int32
            switch format {
            case .gzip:
                windowBits = 15 + 32
            case .deflate:
                guard let b0 = firstByte ?? input.first else { return }
                let rest = firstByte == nil ? UnsafeRawBufferPointer(rebasing: input[1...]) : input
                guard let b1 = rest.first else {
                    firstByte = b0
                    return
                }
                // RFC 1950 section 2.2: CM 8, CINFO at most 7, the 16-bit header a multiple of 31.
                let zlib = b0 & 0x0F == 8 && b0 >> 4 <= 7 && (UInt16(b0) << 8 | UInt16(b1)) % 31 == 0
                windowBits = zlib ? 15 : -15
            }
            guard wiretale_inflateInit2(stream, windowBits) == Z_OK else {
                state = .corrupt("zlib could not start inflating (out of memory?)")
                return
            }
            live = true
            if let b0 = firstByte {
                firstByte = nil
                withUnsafeBytes(of: b0) { run($0) }
                guard state == .running else { return }
            }
        }
        while !input.isEmpty && state == .running {
            let n = min(input.count, Int(Int32.max))
            run(UnsafeRawBufferPointer(rebasing: input[..<n]))
            input = UnsafeRawBufferPointer(rebasing: input[n...])
        }
    }

    /// Releases zlib's state now (the count stays).
    public func end() {
        if live { inflateEnd(stream) }
        live = false
    }

    private func run(_ input: UnsafeRawBufferPointer) {
        guard let base = input.baseAddress else { return }
        let z = stream
        z.pointee.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: Bytef.self))
        z.pointee.avail_in = uInt(input.count)
        withUnsafeTemporaryAllocation(of: Bytef.self, capacity: 16384) { out in
            while state == .running {
                z.pointee.next_out = out.baseAddress
                z.pointee.avail_out = uInt(out.count)
                let status = inflate(z, Z_NO_FLUSH)
                output += out.count - Int(z.pointee.avail_out)
                if output > limit {
                    output = limit
                    state = .tooLarge
                    end()
                    return
                }
                switch status {
                case Z_OK:
                    if z.pointee.avail_in == 0 && z.pointee.avail_out != 0 { return }
                case Z_BUF_ERROR:
                    return  // no progress without more input
                case Z_STREAM_END:
                    // gzip allows members one after another (RFC 1952 section 2.2).
                    if format == .gzip, z.pointee.avail_in > 0, z.pointee.next_in.pointee == 0x1F {
                        inflateReset(z)
                        continue
                    }
                    state = .complete
                    end()
                    return
                case Z_NEED_DICT:
                    state = .corrupt("the data needs a preset dictionary")
                    end()
                    return
                default:
                    state = .corrupt(z.pointee.msg.map { String(cString: $0) } ?? "zlib status \(status)")
                    end()
                    return
                }
            }
        }
    }
}
