#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Minimal BSD-socket helpers for traffic on 127.0.0.1 only. Every socket is bound to loopback
/// with port 0, so the kernel picks a free port and parallel tests never collide.
enum Loopback {
    struct SocketError: Error, CustomStringConvertible {
        var call: String
        var code: Int32
        var description: String { "\(call): \(String(cString: strerror(code)))" }
    }

    static func address(port: UInt16) -> sockaddr_in {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return addr
    }

    static func bind(_ fd: Int32) throws -> UInt16 {
        var addr = address(port: 0)
        let status = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if status != 0 { throw SocketError(call: "bind", code: errno) }
        var bound = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return UInt16(bigEndian: bound.sin_port)
    }

    /// A UDP socket bound to 127.0.0.1:<free port>, so datagrams sent to it are not answered with
    /// ICMP port-unreachable.
    final class UDPReceiver {
        let fd: Int32
        let port: UInt16

        init() throws {
            fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            if fd < 0 { throw SocketError(call: "socket", code: errno) }
            var size: Int32 = 4 << 20
            _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
            do {
                port = try Loopback.bind(fd)
            } catch {
                close(fd)
                throw error
            }
        }

        deinit { close(fd) }
    }

    /// Sends `count` datagrams `payload(i)` from a fresh socket to 127.0.0.1:`port`.
    static func sendUDP(count: Int, to port: UInt16, payload: (Int) -> [UInt8]) throws {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        if fd < 0 { throw SocketError(call: "socket", code: errno) }
        defer { close(fd) }
        var addr = address(port: port)
        for i in 0..<count {
            let bytes = payload(i)
            let sent = bytes.withUnsafeBytes { buffer in
                withUnsafePointer(to: &addr) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(fd, buffer.baseAddress, buffer.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
            }
            if sent != bytes.count { throw SocketError(call: "sendto", code: errno) }
        }
    }

    /// A TCP handshake on loopback: a listener on a free port, a client that connects (the kernel
    /// completes SYN, SYN-ACK, ACK during `connect`), and the accepted socket. All closed on deinit
    /// (after the test has read the handshake).
    final class TCPHandshake {
        let listener: Int32
        let port: UInt16
        private(set) var client: Int32 = -1
        private(set) var accepted: Int32 = -1

        init() throws {
            listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            if listener < 0 { throw SocketError(call: "socket", code: errno) }
            port = try Loopback.bind(listener)
            if listen(listener, 4) != 0 { throw SocketError(call: "listen", code: errno) }
        }

        func connect() throws {
            client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            if client < 0 { throw SocketError(call: "socket", code: errno) }
            var addr = Loopback.address(port: port)
            let status = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            if status != 0 { throw SocketError(call: "connect", code: errno) }
            accepted = accept(listener, nil, nil)
            if accepted < 0 { throw SocketError(call: "accept", code: errno) }
        }

        deinit {
            for fd in [client, accepted, listener] where fd >= 0 { close(fd) }
        }
    }
}
