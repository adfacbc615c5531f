import FuzzSupport
import WiretaleCore

/// `http-response`: the input is what a server sent on the trace's connection. The first byte
/// chooses how the rest arrives (in pieces of 1 to 256 bytes), the core's response parser is fed it
/// piece by piece and then told the connection closed; the same bytes go to the core's `HTTPParser`
/// as a stream of requests, and to the chunked decoder on their own, as a body.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPResponse(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = Fuzz.bytes(data, count)
    guard count > 0 else { return 0 }
    let piece = Int(input[0]) + 1
    let rest = UnsafeRawBufferPointer(rebasing: input[1...])
    var parser = HTTPResponseParser()
    var start = 0
    do {
        while start < rest.count {
            let end = min(start + piece, rest.count)
            try parser.feed(UnsafeRawBufferPointer(rebasing: rest[start..<end]))
            start = end
        }
        _ = parser.connectionClosed()
        _ = parser.isPersistent
        if let head = parser.head {
            _ = head.header("Content-Length")
            precondition((100..<1000).contains(head.status), "a status code has three digits")
        }
        if case .contentLength(let n)? = parser.framing {
            precondition(parser.body.count <= n, "a Content-Length body cannot outgrow its length")
        }
        precondition(parser.body.count <= parser.wireBodyBytes, "the body comes from the bytes after the head")
    } catch {
        _ = error.description
    }
    requests(rest, piece: piece)
    var chunked = HTTPChunkedDecoder()
    var body: [UInt8] = []
    do {
        try chunked.feed(rest, into: &body)
        precondition(body.count <= rest.count, "a decoded body is shorter than its chunks")
    } catch {
        _ = error.reason
    }
    return 0
}

/// The bytes as one direction of a connection carrying requests, in pieces: every body range
/// lies in the piece given and moves forward, and messages end one at a time.
func requests(_ rest: UnsafeRawBufferPointer, piece: Int) {
    var parser = HTTPParser(.request)
    var start = 0
    var ends = 0
    do {
        while start < rest.count {
            let end = min(start + piece, rest.count)
            let chunk = UnsafeRawBufferPointer(rebasing: rest[start..<end])
            var offset = 0
            while let event = try parser.next(chunk, at: &offset) {
                precondition(offset <= chunk.count, "the parser reads within the bytes given")
                switch event {
                case .head(let h): _ = h.headers.count
                case .body(let r):
                    precondition(r.lowerBound >= 0 && r.upperBound <= offset, "body bytes lie in the piece read")
                case .end: ends += 1
                }
            }
            precondition(offset == chunk.count, "a parser that wants more has read every byte")
            start = end
        }
        _ = parser.finish()
        precondition(ends == parser.messages, "each message ends once")
    } catch {
        _ = error.description
    }
}
