/// A capture file is a sequence of packets, as the notes' iterator: `for record in reader { … }`
/// calls `next()` until the file ends.
///
/// How errors surface: `Sequence.next()` cannot throw, so the iteration simply ends at the first
/// damaged or cut-off record, after every whole packet before it, and `reader.error` then holds
/// the `CaptureFileError` (nil after a clean end of file). Check it after the loop:
///
///     let reader = try CaptureFileReader(path: "tour-tcp.pcap")
///     for record in reader {
///         let packet = PacketDecoder.decode(record.bytes, linkType: record.linkType)
///         …
///     }
///     if let error = reader.error { print("stopped early: \(error)") }
///
/// Each record's `bytes` point into the reader's buffer and stay valid only until the iteration
/// moves on (as with `next()`): copy what must outlive the loop body. The iterator is the reader
/// itself, so iterating twice continues where the first loop stopped (a capture file, like a
/// pipe, is read once); the loop costs what a `while let record = try reader.next()` loop costs.
extension CaptureFileReader: Sequence {
    public func makeIterator() -> Packets {
        Packets(reader: self)
    }

    /// The error that ended the packets: a damaged or cut-off file (`CaptureFileError`), or nil
    /// when every record so far was whole. Once set, `next()` throws it again and the sequence
    /// yields nothing more.
    public var error: CaptureFileError? {
        failure
    }

    /// The iterator over a capture file's packets: `next()` is the reader's, with its error
    /// left in `reader.error` instead of thrown.
    public struct Packets: IteratorProtocol {
        public let reader: CaptureFileReader

        @inlinable
        public mutating func next() -> PacketRecord? {
            try? reader.next()
        }
    }
}
