#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The terminal behind a file descriptor.
package enum Terminal {
    /// The columns of the terminal `fd` is (ioctl TIOCGWINSZ), or nil when it is not a terminal
    /// (a pipe, a file) or the terminal does not say.
    package static func columns(of fd: Int32 = 1) -> Int? {
        guard isatty(fd) != 0 else { return nil }
        var size = winsize()
        guard ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }
}
