#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An IPv4 or IPv6 address and port, as the socket calls take them (`sockaddr_in`, `sockaddr_in6`):
/// the labs' sockets and the trace's connects, lookups and routes all build and read it here.
package struct SocketAddress: Sendable, CustomStringConvertible {
    package var storage = sockaddr_storage()
    package var family: Int32 { Int32(storage.ss_family) }

    package init(storage: sockaddr_storage) { self.storage = storage }

    /// A numeric address ("127.0.0.1", "::1") and a port; nil when the text is not one.
    package init?(ip: String, port: UInt16) {
        var a4 = in_addr()
        var a6 = in6_addr()
        if inet_pton(AF_INET, ip, &a4) == 1 {
            self.init(ipv4: UInt32(bigEndian: a4.s_addr), port: port)
        } else if inet_pton(AF_INET6, ip, &a6) == 1 {
            self.init(storage: sockaddr_storage())
            setIPv6(a6, port: port)
        } else {
            return nil
        }
    }

    /// An IPv4 address given as a number (192.0.2.1 is 0xC000_0201) and a port.
    package init(ipv4 address: UInt32, port: UInt16) {
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = port.bigEndian
        sin.sin_addr.s_addr = address.bigEndian
        withUnsafeMutableBytes(of: &storage) { dst in withUnsafeBytes(of: &sin) { dst.copyMemory(from: $0) } }
    }

    /// An IPv6 address given as its two 64-bit halves (high first, as written) and a port.
    package init(ipv6High high: UInt64, low: UInt64, port: UInt16) {
        var a6 = in6_addr()
        withUnsafeMutableBytes(of: &a6) { dst in
            dst.storeBytes(of: high.bigEndian, toByteOffset: 0, as: UInt64.self)
            dst.storeBytes(of: low.bigEndian, toByteOffset: 8, as: UInt64.self)
        }
        setIPv6(a6, port: port)
    }

    private mutating func setIPv6(_ a6: in6_addr, port: UInt16) {
        var sin6 = sockaddr_in6()
        sin6.sin6_family = sa_family_t(AF_INET6)
        sin6.sin6_port = port.bigEndian
        sin6.sin6_addr = a6
        withUnsafeMutableBytes(of: &storage) { dst in withUnsafeBytes(of: &sin6) { dst.copyMemory(from: $0) } }
    }

    /// The address a `sockaddr` holds (getifaddrs' entries), nil for families other than IPv4/IPv6.
    package init?(_ sa: UnsafePointer<sockaddr>) {
        let size: Int
        switch Int32(sa.pointee.sa_family) {
        case AF_INET: size = MemoryLayout<sockaddr_in>.size
        case AF_INET6: size = MemoryLayout<sockaddr_in6>.size
        default: return nil
        }
        var s = sockaddr_storage()
        withUnsafeMutableBytes(of: &s) { $0.copyMemory(from: UnsafeRawBufferPointer(start: sa, count: size)) }
        self.init(storage: s)
    }

    /// Fills a `sockaddr_storage` with a call (getsockname, accept, recvfrom): the call's result and
    /// the address it wrote.
    package static func filled<R>(by call: (UnsafeMutablePointer<sockaddr>, UnsafeMutablePointer<socklen_t>) -> R)
        -> (result: R, address: SocketAddress)
    {
        var s = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutableBytes(of: &s) { raw in
            call(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), &len)
        }
        return (rc, SocketAddress(storage: s))
    }

    package var isIPv4: Bool { family == AF_INET }
    package var isIPv6: Bool { family == AF_INET6 }

    package var port: UInt16 {
        withUnsafeBytes(of: storage) { raw in
            family == AF_INET6
                ? UInt16(bigEndian: raw.load(as: sockaddr_in6.self).sin6_port)
                : UInt16(bigEndian: raw.load(as: sockaddr_in.self).sin_port)
        }
    }

    /// The IPv4 address as a number, nil for another family.
    package var ipv4: UInt32? {
        guard isIPv4 else { return nil }
        return withUnsafeBytes(of: storage) { UInt32(bigEndian: $0.load(as: sockaddr_in.self).sin_addr.s_addr) }
    }

    /// The IPv6 address's two 64-bit halves, nil for another family.
    package var ipv6: (high: UInt64, low: UInt64)? {
        guard isIPv6 else { return nil }
        return withUnsafeBytes(of: storage) { raw in
            let offset = MemoryLayout<sockaddr_in6>.offset(of: \.sin6_addr)!
            return (
                UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)),
                UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self))
            )
        }
    }

    /// The address as text, as inet_ntop writes it ("127.0.0.1", "::1").
    package var ip: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        withUnsafeBytes(of: storage) { raw in
            if family == AF_INET6 {
                var a = raw.load(as: sockaddr_in6.self).sin6_addr
                _ = inet_ntop(AF_INET6, &a, &buffer, socklen_t(buffer.count))
            } else {
                var a = raw.load(as: sockaddr_in.self).sin_addr
                _ = inet_ntop(AF_INET, &a, &buffer, socklen_t(buffer.count))
            }
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    package var length: socklen_t {
        socklen_t(family == AF_INET6 ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size)
    }

    package var description: String { family == AF_INET6 ? "[\(ip)]:\(port)" : "\(ip):\(port)" }

    package func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        withUnsafeBytes(of: storage) { raw in
            body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), length)
        }
    }
}
