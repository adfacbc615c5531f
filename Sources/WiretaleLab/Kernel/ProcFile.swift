#if canImport(Glibc)
    import Glibc
#endif

/// Reads a file of the kernel's (`/proc`, `/sys`) whole, nil when it cannot be opened. Such files
/// report no size, so it reads until end of file; `limit` bounds what is kept.
func readProcFile(_ path: String, limit: Int = 16 << 20) -> String? {
    guard let f = fopen(path, "r") else { return nil }
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
