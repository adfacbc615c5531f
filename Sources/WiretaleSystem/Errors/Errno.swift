#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The symbolic name of an errno value ("ECONNREFUSED", "ENOSPC"), nil for one outside the list:
/// the one table of names every module's messages use (socket calls, file writes, the trace's
/// evidence lines).
package func knownErrnoName(_ code: Int32) -> String? {
    switch code {
    case EPERM: "EPERM"
    case ENOENT: "ENOENT"
    case EIO: "EIO"
    case EBADF: "EBADF"
    case EAGAIN: "EAGAIN"
    case EACCES: "EACCES"
    case EEXIST: "EEXIST"
    case ENOTDIR: "ENOTDIR"
    case EISDIR: "EISDIR"
    case EINVAL: "EINVAL"
    case EMFILE: "EMFILE"
    case EFBIG: "EFBIG"
    case ENOSPC: "ENOSPC"
    case EROFS: "EROFS"
    case EPIPE: "EPIPE"
    case ENAMETOOLONG: "ENAMETOOLONG"
    case ELOOP: "ELOOP"
    case EADDRINUSE: "EADDRINUSE"
    case EADDRNOTAVAIL: "EADDRNOTAVAIL"
    case ENETUNREACH: "ENETUNREACH"
    case ECONNRESET: "ECONNRESET"
    case ETIMEDOUT: "ETIMEDOUT"
    case ECONNREFUSED: "ECONNREFUSED"
    case EHOSTUNREACH: "EHOSTUNREACH"
    case EINPROGRESS: "EINPROGRESS"
    case EDQUOT: "EDQUOT"
    default: nil
    }
}

/// The errno value's name, or "errno N" for one outside the list.
package func errnoName(_ code: Int32) -> String {
    knownErrnoName(code) ?? "errno \(code)"
}

/// The C library's text for an errno value ("Connection refused"), "error N" when it has none.
package func errnoText(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "error \(code)" }
    return String(cString: text)
}

/// "no space left on device (ENOSPC)": the C library's text, lower-cased at the start to sit
/// inside a sentence, and the errno name.
package func errnoDescription(_ code: Int32) -> String {
    let text = errnoText(code)
    return "\(text.prefix(1).lowercased() + text.dropFirst()) (\(errnoName(code)))"
}
