/// How `read` shows an HTTP/1.x start line: after the segment's summary, and as the `http` member in JSON.
extension HTTPDecoder {
    /// `: HTTP GET /index.html HTTP/1.1` or `: HTTP HTTP/1.1 200 OK`.
    public static func appendSummary(_ line: HTTPStartLine, to o: inout OutputBuffer) {
        o.append(": HTTP ")
        switch line {
        case .request(let method, let target, let version):
            o.append(method)
            o.append(byte: 0x20)
            o.append(target)
            o.append(byte: 0x20)
            o.append(version)
        case .response(let version, let status, let reason):
            o.append(version)
            o.append(byte: 0x20)
            o.append(status)
            o.append(byte: 0x20)
            o.append(reason)
        }
    }

    /// `{"request":{"method","target","version"}}` or `{"response":{"version","status","reason"}}`.
    public static func appendJSON(_ line: HTTPStartLine, to o: inout OutputBuffer) {
        o.beginObject()
        switch line {
        case .request(let method, let target, let version):
            o.beginObject("request")
            o.field("method", method)
            o.field("target", target)
            o.field("version", version)
        case .response(let version, let status, let reason):
            o.beginObject("response")
            o.field("version", version)
            o.field("status", status)
            o.field("reason", reason)
        }
        o.endObject()
        o.endObject()
    }
}
