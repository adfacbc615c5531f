import WiretaleCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// handshakes FILE: each TCP connection's three-way handshake (the notes' section 1) in a capture
// file, with the arithmetic the notes check: the SYN-ACK acknowledges x+1, the last ACK y+1.

func fail(_ message: String, status: Int32) -> Never {
    var line = "handshakes: " + message + "\n"
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    exit(status)
}

/// "(holds)" when the tracker found the acknowledgment the notes expect, else what it expected.
func verdict(_ note: PacketNote) -> String {
    switch note.ackCheck {
    case .held: "(holds)"
    case .failed: "(does not hold: expected \(note.expectedAck))"
    case .none: ""
    }
}

let arguments = CommandLine.arguments
guard arguments.count == 2 else { fail("usage: handshakes FILE.pcap", status: 2) }
let reader: CaptureFileReader
do {
    reader = try CaptureFileReader(path: arguments[1])
} catch {
    fail("\(error)", status: 1)
}

// The follower decodes each frame (PacketDecoder) and follows it in the connection tracker.
var follower = PacketFollower()
var initialSequence: [Int32: UInt32] = [:]  // x, by stream, for the third segment's seq = x+1
var frame = 0
for record in reader {
    frame += 1
    let note = follower.follow(
        record.bytes, linkType: record.linkType, frame: frame, time: record.timestamp,
        wireLength: record.originalLength)
    guard note.kind == .tcp else { continue }
    let ip = follower.packet.ip
    let tcp = follower.packet.tcp
    switch note.step {
    case .handshake1:
        initialSequence[note.stream] = tcp.seq
        print("stream \(note.stream): \(ip.src):\(tcp.srcPort) -> \(ip.dst):\(tcp.dstPort) (frame \(frame))")
        print("  1. SYN      seq = x = \(tcp.seq)")
    case .handshake2:
        print("  2. SYN-ACK  seq = y = \(tcp.seq), ack = \(tcp.ack) = x+1 \(verdict(note))")
    case .handshake3:
        let x = initialSequence[note.stream].map { $0 &+ 1 == tcp.seq ? " = x+1" : "" } ?? ""
        print("  3. ACK      seq = \(tcp.seq)\(x), ack = \(tcp.ack) = y+1 \(verdict(note))")
    default:
        continue
    }
}
// The sequence ends at a damaged or cut-off record; the reader keeps the error.
if let error = reader.error { fail("\(error)", status: 1) }
