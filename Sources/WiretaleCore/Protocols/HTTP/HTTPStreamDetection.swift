/// HTTP/1.x found by content on any port (Zeek's `dpd_http_client` / `dpd_http_server`
/// signatures): a method and a space at the start of the client's stream (after stray empty
/// lines, RFC 9112 section 2.2), or `HTTP/1.` at the start of the server's.
extension HTTPDecoder {
    public static func claimStream(_ s: StreamStart) -> StreamClaim {
        var c = s.client
        var skipped = 0
        while skipped < c.count, c[skipped] == 0x0D || c[skipped] == 0x0A { skipped += 1 }
        c = UnsafeRawBufferPointer(rebasing: c[skipped...])
        if c.count >= 4 {
            if HTTPMessage.looksLikeHTTP(c) { return .yes }
        }
        let server = StreamDetectors.starts(s.server, "HTTP/1.", full: s.serverFull)
        if server == .yes { return .yes }
        // A client that has said too little for the method test, or a server that may still say it.
        let clientOpen = c.count < 8 && !s.clientFull && (c.isEmpty || HTTPMessage.isTokenChar(c[0]))
        return clientOpen || server == .needMore ? .needMore : .no
    }
}
