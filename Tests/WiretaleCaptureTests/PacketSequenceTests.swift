import Foundation
import Testing
import WiretaleCore

@testable import WiretaleCapture

/// The repository's `Captures/` folder (this file is `Tests/WiretaleCaptureTests/<name>.swift`).
private let capturesDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Captures").path

/// A capture file as a `Sequence` of packets, and a capture as an `AsyncSequence`, over a libpcap
/// offline handle (`pcap_open_offline`): the delivery path of a live capture, with no privileges.
@Suite("Packet sources as Sequence and AsyncSequence")
struct PacketSequenceTests {
    let path = capturesDirectory + "/tour-tcp.pcap"

    /// Every packet's bytes, read with the reader's own `next()` loop.
    func bytesByNext() throws -> [[UInt8]] {
        let reader = try CaptureFileReader(path: path)
        var all: [[UInt8]] = []
        while let r = try reader.next() { all.append(Array(r.bytes)) }
        return all
    }

    @Test("for-in over a reader yields what next() yields, and ends with no error")
    func sequenceMatchesNext() throws {
        let expected = try bytesByNext()
        #expect(expected.count > 5)
        let reader = try CaptureFileReader(path: path)
        var got: [[UInt8]] = []
        for record in reader { got.append(Array(record.bytes)) }
        #expect(got == expected)
        #expect(reader.error == nil)
        #expect(reader.packetCount == expected.count)
    }

    @Test("a cut-off file ends the sequence after its whole packets, and reader.error says why")
    func sequenceEndsWithError() throws {
        let whole = try Data(contentsOf: URL(fileURLWithPath: path))
        let cut = FileManager.default.temporaryDirectory.appendingPathComponent("wiretale-cut-\(getpid()).pcap")
        defer { try? FileManager.default.removeItem(at: cut) }
        try whole.prefix(whole.count - 10).write(to: cut)
        let reader = try CaptureFileReader(path: cut.path)
        let count = reader.reduce(0) { n, _ in n + 1 }
        #expect(count == (try bytesByNext()).count - 1)
        let error = try #require(reader.error)
        #expect(error.code == .cutOff)
        var again = reader.makeIterator()
        #expect(again.next() == nil)
    }

    @Test("packets() yields every packet of an offline handle, copied, then finishes")
    func asyncSequenceYieldsAll() async throws {
        let expected = try bytesByNext()
        let capture = try LiveCapture(offlinePath: path)
        var got: [[UInt8]] = []
        for try await packet in capture.packets(count: expected.count) {
            #expect(packet.linkType == capture.linkType)
            #expect(packet.originalLength >= packet.bytes.count)
            got.append(packet.bytes)
        }
        #expect(got == expected)
    }

    @Test("leaving the loop early ends the stream and stops the capture")
    func asyncSequenceBreak() async throws {
        let expected = try bytesByNext()
        let capture = try LiveCapture(offlinePath: path)
        var got: [[UInt8]] = []
        // No count: without the stop, the loop would wait past the file's end for ever.
        for try await packet in capture.packets() {
            got.append(packet.bytes)
            if got.count == 3 { break }
        }
        #expect(got == Array(expected.prefix(3)))
    }

    @Test("stop() from the consumer ends the sequence, past the file's end too", .timeLimit(.minutes(1)))
    func asyncSequenceStop() async throws {
        let expected = try bytesByNext()
        let capture = try LiveCapture(offlinePath: path)
        var got: [[UInt8]] = []
        // No count: the sequence ends only because of the stop (else this loop never ends).
        for try await packet in capture.packets() {
            got.append(packet.bytes)
            if got.count == 2 { capture.stopper.stop() }
        }
        #expect(got.count >= 2 && got.count <= expected.count)
        #expect(got == Array(expected.prefix(got.count)))
    }
}
