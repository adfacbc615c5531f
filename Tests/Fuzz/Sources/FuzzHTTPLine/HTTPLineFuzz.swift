import FuzzSupport
import WiretaleCore

/// `http-line`: the input is the payload of one TCP segment. The core's HTTP/1.x start-line and
/// header-block parsers read it as `read` does, behind the cheap first look.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPLine(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = Fuzz.bytes(data, count)
    _ = HTTPMessage.looksLikeHTTP(input)
    let line = HTTPMessage.parseStartLine(input)
    if let head = HTTPMessage.parseHead(input) {
        precondition(head.startLine == line, "parseHead and parseStartLine must read the same line")
        for field in head.headers.fields { _ = head.headers.values(field.name) }
        _ = head.startLine.description
    } else {
        precondition(line == nil, "parseHead must find the start line parseStartLine finds")
    }
    // The header block alone, from every offset a start line might end at.
    var from = 0
    while from <= count {
        let headers = HTTPHeaders.parse(input, from: from)
        _ = headers.fields.count
        from += 1 + from / 2
    }
    return 0
}
