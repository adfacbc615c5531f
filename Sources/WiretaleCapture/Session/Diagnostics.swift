#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// What the command runners write to standard error, in one `write(2)` each (unbuffered, so a
/// line is never held back behind standard output).
public enum Diagnostics {
    /// Writes `wiretale: message` and a newline: an error or a note about the run.
    public static func error(_ message: String) {
        write("wiretale: " + message + "\n")
    }

    /// Writes `message` and a newline, with no prefix (as tcpdump's "listening on ...").
    public static func note(_ message: String) {
        write(message + "\n")
    }

    static func write(_ text: String) {
        var line = text
        line.withUTF8 { _ = systemWrite(2, $0.baseAddress, $0.count) }
    }
}

private func systemWrite(_ fd: Int32, _ bytes: UnsafePointer<UInt8>?, _ count: Int) -> Int {
    write(fd, bytes, count)
}

/// A command runner's way to end the process with a status once it has said why on standard
/// error: the command-line layer turns it into its exit code.
public struct CommandExit: Error, Sendable, Equatable {
    /// The process's exit status (1 for every failure the runners report).
    public var code: Int32

    public init(_ code: Int32) {
        self.code = code
    }

    /// Exit status 1.
    public static let failure = CommandExit(1)
}
