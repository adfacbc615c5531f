/// HTTP/1.x (RFC 9112) as an application decoder: claimed from its first bytes (a method and a space,
/// or `HTTP/1.`) on any TCP port, as Zeek's DPD signature does; the value is the start line
/// (`HTTPMessage.parseStartLine`).
public enum HTTPDecoder: ApplicationDecoder {
    public typealias Message = HTTPStartLine

    public static let name: StaticString = "http"

    @inline(__always)
    public static func claim(_ payload: ApplicationPayload) -> ApplicationClaim {
        guard payload.transport == .tcp, payload.count >= 5, HTTPMessage.looksLikeHTTP(payload.data) else {
            return .pass
        }
        return .claim(offset: payload.offset, length: payload.count)
    }

    /// The start line, when it ends within the segment; nil otherwise (nothing is shown).
    public static func parse(_ message: UnsafeRawBufferPointer, base: Int) -> (HTTPStartLine, DecodeError?)? {
        HTTPMessage.parseStartLine(message).map { ($0, nil) }
    }
}
