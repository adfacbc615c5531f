#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads a small text file whole (procfs, sysfs, /etc), nil when it cannot be opened. The kernel's
/// files report no size, so it reads until end of file; `limit` bounds what is kept. A directory
/// opens but reads as empty text.
package func readTextFile(_ path: String, limit: Int = 16 << 20) -> String? {
    guard let f = fopen(path, "re") else { return nil }
    defer { fclose(f) }
    var text: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 16_384)
    while text.count < limit {
        let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, f) }
        if n <= 0 { break }
        text.append(contentsOf: chunk.prefix(n))
    }
    return String(decoding: text, as: UTF8.self)
}
