import FuzzSupport

/// `http-response`: the input is what a server sent on the trace's connection. The first byte
/// chooses how the rest arrives (in pieces of 1 to 256 bytes), the response parser is fed it piece
/// by piece and then told the connection closed; the chunked decoder also reads the same bytes
/// on its own, as a body.
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
    var chunked = ChunkedDecoder()
    var body: [UInt8] = []
    do {
        try chunked.feed(rest, into: &body)
        precondition(body.count <= rest.count, "a decoded body is shorter than its chunks")
    } catch {
        _ = error.reason
    }
    return 0
}

extension String {
    /// The trace's own helper (in Sources/WiretaleTrace/URL/TraceURL.swift, not compiled here),
    /// which the parser calls: spaces, tabs, CRs and LFs off both ends, Character by Character.
    func trimmingASCIIWhitespace() -> String {
        let blank: Set<Character> = [" ", "\t", "\r", "\n"]
        return String(drop { blank.contains($0) }.reversed().drop { blank.contains($0) }.reversed())
    }
}
