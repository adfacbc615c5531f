import FuzzSupport
import WiretaleCore

/// `capture-file`: the input is a capture file. The streaming reader reads every record to the
/// end or to its error, twice: with a large buffer, each record decoded and printed as `read
/// --format json` does (link types, snapshot lengths and time resolutions come from the file),
/// and with a buffer of 64 to 160 bytes, so that records and blocks straddle refills.
let file = InputFile()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCaptureFile(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = Fuzz.bytes(data, count)
    file.write(input)
    var printer = PacketPrinter(format: .json, fd: Fuzz.devNull)
    readAll(bufferSize: 1 << 16) { record, frame in
        _ = printer.handle(
            bytes: record.bytes, linkType: record.linkType, frame: frame, timestamp: record.timestamp,
            originalLength: record.originalLength, interfaceIndex: record.interfaceIndex)
    }
    printer.finish()
    var text = Fuzz.output()
    readAll(bufferSize: 64 + count % 97) { record, _ in
        text.appendRFC3339(record.timestamp)
        text.appendPrintable(record.bytes, limit: 64)
        text.flushIfNeeded()
    }
    text.flush()
    return 0
}

/// Reads the file from its first byte: every record, until the end or the first error (which
/// every later call must repeat), and the reader's summary of what it read.
func readAll(bufferSize: Int, _ body: (PacketRecord, Int) -> Void) {
    file.rewind()
    guard let reader = try? CaptureFileReader(fileDescriptor: file.fd, name: "fuzz", bufferSize: bufferSize) else {
        return
    }
    var frame = 0
    do {
        while let record = try reader.next() {
            frame += 1
            precondition(record.bytes.count <= CaptureFileReader.maximumRecordLength)
            body(record, frame)
        }
        if try reader.next() != nil { preconditionFailure("a reader at its end must stay there") }
    } catch {
        _ = error.description
        do {
            _ = try reader.next()
            preconditionFailure("a reader that threw must throw again")
        } catch let again {
            precondition(again == error, "a reader must repeat its error")
        }
    }
    precondition(reader.packetCount == frame, "packetCount must count the records returned")
    _ = reader.interfaces.count
    _ = reader.byteOffset
}
