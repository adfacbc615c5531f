#if canImport(Glibc)
    import Glibc
#endif

/// The notes' "UDP and TCP client/server code" (udp/tcp概念 客户端/服务端代码实现): an echo server and
/// a client, written as the textbook writes them, one system call per line. `wiretale serve` and
/// `wiretale send` run these; the labs make the same calls step by step.
public enum Echo {
    /// What a server or client reports as it goes, one line each.
    public typealias Log = (String) -> Void

    /// TCP echo server: socket, bind, listen, then for each client accept, recv/send until EOF, close.
    /// Serves one client at a time, `limit` clients (nil: forever).
    package static func serveTCP(bind address: SocketAddress, limit: Int? = nil, log: Log) throws(SocketError) {
        let listener = try Socket.tcp(family: address.family)
        try listener.reuseAddress()
        try listener.bind(address)
        try listener.listen()
        log("listening on \(try listener.localAddress()) (TCP; the kernel: LISTEN)")
        var served = 0
        while limit.map({ served < $0 }) ?? true {
            let (connection, peer) = try listener.accept()
            log("accept(): \(peer) connected (handshake done; ESTABLISHED)")
            while true {
                let data: [UInt8]
                do {
                    data = try connection.receive()
                } catch {
                    log("recv(): \(error)")
                    break
                }
                if data.isEmpty {
                    log("recv(): 0 bytes, \(peer) sent its FIN (we are CLOSE-WAIT); close()")
                    break
                }
                log("recv(): \(data.count) bytes from \(peer): \(printable(data)); echoing")
                do { try connection.send(data) } catch {
                    log("send(): \(error)")
                    break
                }
            }
            connection.close()
            served += 1
        }
        listener.close()
    }

    /// UDP echo server: socket, bind, then recvfrom/sendto for each datagram; no connection at all.
    package static func serveUDP(bind address: SocketAddress, limit: Int? = nil, log: Log) throws(SocketError) {
        let socket = try Socket.udp(family: address.family)
        try socket.reuseAddress()
        try socket.bind(address)
        log("waiting for datagrams on \(try socket.localAddress()) (UDP: no listen, no accept, no connection)")
        var served = 0
        while limit.map({ served < $0 }) ?? true {
            let (data, peer) = try socket.receiveFrom()
            log("recvfrom(): \(data.count) bytes from \(peer): \(printable(data)); echoing")
            try socket.send(data, to: peer)
            served += 1
        }
        socket.close()
    }

    /// TCP client: socket, connect (the handshake), send, shutdown(SHUT_WR) (our FIN), recv until
    /// EOF (the server's FIN), close. Returns the reply.
    @discardableResult
    package static func sendTCP(
        to address: SocketAddress, message: [UInt8], timeoutMilliseconds: Int = 5000,
        log: Log
    ) throws(SocketError) -> [UInt8] {
        let socket = try Socket.tcp(family: address.family)
        try socket.receiveTimeout(milliseconds: timeoutMilliseconds)
        try socket.connect(address)
        log("connect(\(address)): handshake done, ESTABLISHED (local \(try socket.localAddress()))")
        let n = try socket.send(message)
        log("send(): \(n) bytes")
        try socket.shutdownWrite()
        log("shutdown(SHUT_WR): our FIN is sent (FIN-WAIT-1, then FIN-WAIT-2); still reading")
        var reply: [UInt8] = []
        while true {
            let data = try socket.receive()
            if data.isEmpty { break }
            reply += data
        }
        log("recv(): \(reply.count) bytes back: \(printable(reply)); then 0 bytes, the server's FIN")
        socket.close()
        log("close(): we closed first, so our side waits in TIME-WAIT (2MSL) before CLOSED")
        return reply
    }

    /// UDP client: socket, sendto, recvfrom (with a timeout: a datagram may be lost and nobody resends it).
    @discardableResult
    package static func sendUDP(
        to address: SocketAddress, message: [UInt8], timeoutMilliseconds: Int = 2000,
        log: Log
    ) throws(SocketError) -> [UInt8]? {
        let socket = try Socket.udp(family: address.family)
        try socket.receiveTimeout(milliseconds: timeoutMilliseconds)
        let n = try socket.send(message, to: address)
        log("sendto(\(address)): \(n) bytes in one datagram, no handshake (local \(try socket.localAddress()))")
        do {
            let (data, peer) = try socket.receiveFrom()
            log("recvfrom(): \(data.count) bytes from \(peer): \(printable(data))")
            socket.close()
            return data
        } catch  where error.code == EAGAIN || error.code == EWOULDBLOCK {
            log(
                "no reply within \(timeoutMilliseconds) ms: UDP does not resend; the datagram or its reply "
                    + "was lost, or nothing listens (then the kernel sent ICMP port unreachable)")
            socket.close()
            return nil
        } catch {
            log("recvfrom(): \(error)")
            socket.close()
            return nil
        }
    }

    /// Bytes as text when they are printable ASCII, else as hex.
    public static func printable(_ b: [UInt8]) -> String {
        if b.allSatisfy({ ($0 >= 0x20 && $0 < 0x7F) || $0 == 0x0A }) {
            return "\"" + String(decoding: b, as: UTF8.self).replacingNewlines() + "\""
        }
        return b.prefix(32).map {
            String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16)
        }
        .joined(separator: " ") + (b.count > 32 ? " …" : "")
    }
}

extension String {
    func replacingNewlines() -> String {
        var s = ""
        for c in self { s += c == "\n" ? "\\n" : String(c) }
        return s
    }
}
