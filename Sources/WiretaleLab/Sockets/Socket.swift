import WiretaleCore
import WiretaleSystem

#if canImport(Glibc)
    import Glibc
#endif

/// A socket call that failed: which call, on what, and errno — said the way a learner reads it.
public struct SocketError: Error, Sendable, CustomStringConvertible {
    /// The call's name as the notes' code would write it: `connect`, `bind`, ...
    public var call: String
    /// What it was called on ("127.0.0.1:40123").
    public var target: String
    public var code: Int32

    public init(call: String, target: String = "", code: Int32 = errno) {
        self.call = call
        self.target = target
        self.code = code
    }

    /// `ECONNREFUSED`, `EADDRINUSE`, ... for the common cases, else "errno N".
    public var codeName: String { errnoName(code) }

    public var description: String { bilingual.english }

    /// What the call was on, after its name (" 127.0.0.1:40123"), or nothing.
    private var on: String { target.isEmpty ? "" : " \(target)" }

    /// What to do about the common errors.
    private var hint: ServersLabel? {
        switch code {
        case ECONNREFUSED: .refusedHint
        case EADDRINUSE: .portInUseHint
        case EACCES: .lowPortHint
        default: nil
        }
    }

    /// In English the call, its target, the C library's text and the errno name; in Chinese the
    /// call, its target and the errno name (strerror speaks English only); each with the hint.
    public var bilingual: Bilingual {
        let hint = hint.map { Bilingual(verbatim: ": ") + Bilingual($0) } ?? Bilingual(verbatim: "")
        return Bilingual(
            english: "\(call)\(on): \(errnoText(code)) (\(codeName))",
            chinese: ServersLabel.callFailed.filled(.zh, [call + on, codeName])) + hint
    }
}

/// The socket calls' address (WiretaleSystem's, one for the whole package), by the name the
/// labs and the CLI use.
package typealias SocketAddress = WiretaleSystem.SocketAddress

extension SocketAddress {
    /// Resolves a host name or numeric address (getaddrinfo), first answer of the wanted type.
    package static func resolve(_ host: String, port: UInt16, udp: Bool) throws(SocketError) -> SocketAddress {
        if let a = SocketAddress(ip: host, port: port) { return a }
        var hints = addrinfo()
        hints.ai_socktype = Int32(udp ? SOCK_DGRAM.rawValue : SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let first = list else {
            throw SocketError(call: "getaddrinfo", target: host, code: rc == EAI_SYSTEM ? errno : EHOSTUNREACH)
        }
        defer { freeaddrinfo(list) }
        guard let address = first.pointee.ai_addr.flatMap({ SocketAddress(UnsafePointer($0)) }) else {
            throw SocketError(call: "getaddrinfo", target: host, code: EAFNOSUPPORT)
        }
        return address
    }
}

/// One socket: the calls the notes' client/server code makes (socket, bind, listen, connect,
/// accept, send, recv, shutdown, close), each a thin method over the system call of the same name
/// that throws `SocketError` with errno. Closed when released, if `close()` was not called.
public final class Socket {
    public private(set) var fd: Int32
    public let type: Int32

    /// `socket(family, type, 0)`: SOCK_STREAM for TCP, SOCK_DGRAM for UDP.
    public init(family: Int32 = AF_INET, type: Int32) throws(SocketError) {
        self.type = type
        // Close-on-exec: a program this process starts (a tool, a test's child) must not keep the
        // socket open, or close() would not send the FIN until that program ends.
        fd = Glibc.socket(family, type | Int32(SOCK_CLOEXEC.rawValue), 0)
        if fd < 0 { throw SocketError(call: "socket") }
    }

    /// `socket(AF_INET, SOCK_STREAM, 0)`: a TCP socket.
    public static func tcp(family: Int32 = AF_INET) throws(SocketError) -> Socket {
        try Socket(family: family, type: Int32(SOCK_STREAM.rawValue))
    }

    /// `socket(AF_INET, SOCK_DGRAM, 0)`: a UDP socket.
    public static func udp(family: Int32 = AF_INET) throws(SocketError) -> Socket {
        try Socket(family: family, type: Int32(SOCK_DGRAM.rawValue))
    }

    init(fd: Int32, type: Int32) {
        self.fd = fd
        self.type = type
    }

    deinit { if fd >= 0 { Glibc.close(fd) } }

    /// SO_REUSEADDR: a server can bind its port again while old connections sit in TIME-WAIT.
    public func reuseAddress() throws(SocketError) { try setOption(SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR") }

    /// SO_BROADCAST: needed before sending to a broadcast address.
    public func allowBroadcast() throws(SocketError) { try setOption(SOL_SOCKET, SO_BROADCAST, 1, "SO_BROADCAST") }

    /// SO_LINGER {on, 0 s}: `close()` then aborts the connection with a RST instead of a FIN.
    public func lingerZero() throws(SocketError) {
        var l = linger(l_onoff: 1, l_linger: 0)
        if setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, socklen_t(MemoryLayout<linger>.size)) != 0 {
            throw SocketError(call: "setsockopt", target: "SO_LINGER")
        }
    }

    /// SO_RCVTIMEO: a `recv` that waits longer fails with EAGAIN.
    public func receiveTimeout(milliseconds ms: Int) throws(SocketError) {
        var t = timeval(tv_sec: ms / 1000, tv_usec: (ms % 1000) * 1000)
        if setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &t, socklen_t(MemoryLayout<timeval>.size)) != 0 {
            throw SocketError(call: "setsockopt", target: "SO_RCVTIMEO")
        }
    }

    func setOption(_ level: Int32, _ name: Int32, _ value: Int32, _ label: String) throws(SocketError) {
        var v = value
        if setsockopt(fd, level, name, &v, socklen_t(MemoryLayout<Int32>.size)) != 0 {
            throw SocketError(call: "setsockopt", target: label)
        }
    }

    /// `bind(addr)`: give the socket its local address and port (port 0: the kernel picks one).
    package func bind(_ address: SocketAddress) throws(SocketError) {
        let rc = address.withSockaddr { Glibc.bind(fd, $0, $1) }
        if rc != 0 { throw SocketError(call: "bind", target: address.description) }
    }

    /// `listen(backlog)`: a TCP socket starts accepting connections (the kernel: LISTEN).
    public func listen(backlog: Int32 = 16) throws(SocketError) {
        if Glibc.listen(fd, backlog) != 0 { throw SocketError(call: "listen") }
    }

    /// `connect(addr)`: for TCP, the three-way handshake; for UDP, only fixes the peer (no packet).
    package func connect(_ address: SocketAddress) throws(SocketError) {
        let rc = address.withSockaddr { Glibc.connect(fd, $0, $1) }
        if rc != 0 { throw SocketError(call: "connect", target: address.description) }
    }

    /// `accept()`: the next connection whose handshake finished, as a new socket.
    package func accept() throws(SocketError) -> (Socket, SocketAddress) {
        let (c, peer) = SocketAddress.filled { Glibc.accept(fd, $0, $1) }
        if c < 0 { throw SocketError(call: "accept") }
        _ = fcntl(c, F_SETFD, FD_CLOEXEC)
        return (Socket(fd: c, type: type), peer)
    }

    /// `send(bytes)`: the number of bytes the kernel took (for TCP, into the send buffer).
    @discardableResult
    public func send(_ bytes: [UInt8]) throws(SocketError) -> Int {
        let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if n < 0 { throw SocketError(call: "send") }
        return n
    }

    /// `sendto(bytes, addr)`: one UDP datagram to `address`.
    @discardableResult
    package func send(_ bytes: [UInt8], to address: SocketAddress) throws(SocketError) -> Int {
        let n = bytes.withUnsafeBytes { b in
            address.withSockaddr { Glibc.sendto(fd, b.baseAddress, b.count, 0, $0, $1) }
        }
        if n < 0 { throw SocketError(call: "sendto", target: address.description) }
        return n
    }

    /// `recv(max)`: what arrived, up to `max` bytes; empty means end of stream (the peer's FIN) for TCP.
    public func receive(max: Int = 65_536) throws(SocketError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: max)
        let n = buffer.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress, $0.count, 0) }
        if n < 0 { throw SocketError(call: "recv") }
        return Array(buffer.prefix(n))
    }

    /// `recvfrom(max)`: one datagram and who sent it.
    package func receiveFrom(max: Int = 65_536) throws(SocketError) -> ([UInt8], SocketAddress) {
        var buffer = [UInt8](repeating: 0, count: max)
        let (n, sender) = buffer.withUnsafeMutableBytes { b in
            SocketAddress.filled { Glibc.recvfrom(fd, b.baseAddress, b.count, 0, $0, $1) }
        }
        if n < 0 { throw SocketError(call: "recvfrom") }
        return (Array(buffer.prefix(n)), sender)
    }

    /// `shutdown(SHUT_WR)`: send a FIN but keep receiving (a half-close).
    public func shutdownWrite() throws(SocketError) {
        if Glibc.shutdown(fd, Int32(SHUT_WR)) != 0 { throw SocketError(call: "shutdown") }
    }

    /// `close()`: for TCP, a FIN (or a RST with `lingerZero`, or when unread data is left).
    public func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    /// `getsockname()`: the address the kernel gave this socket.
    package func localAddress() throws(SocketError) -> SocketAddress {
        let (rc, local) = SocketAddress.filled { getsockname(fd, $0, $1) }
        if rc != 0 { throw SocketError(call: "getsockname") }
        return local
    }

    /// Waits until the socket has something to read (or EOF), for at most `ms`; false on timeout.
    public func waitReadable(milliseconds ms: Int32) -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&p, 1, ms) > 0
    }
}
