/// TCP header and options (RFC 9293 section 3.1; MSS RFC 9293 3.2, window scale and timestamps
/// RFC 7323, SACK RFC 2018). `end` is where the IP payload ends in the captured bytes.
enum TCPDecoder {
    @inline(__always)
    static func decode(_ b: UnsafeRawBufferPointer, at o: Int, end: Int, declared: Int, _ p: inout DecodedPacket) {
        guard end - o >= 20 else {
            p.error = .truncated(.tcp, at: o)
            return
        }
        p.hasTCP = true
        p.tcp.srcPort = b.u16be(o)
        p.tcp.dstPort = b.u16be(o + 2)
        p.tcp.seq = b.u32be(o + 4)
        p.tcp.ack = b.u32be(o + 8)
        let offFlags = b.u16be(o + 12)
        p.tcp.flags = TCPFlags(rawValue: offFlags & 0x01FF)
        p.tcp.window = b.u16be(o + 14)
        p.tcp.urgentPointer = b.u16be(o + 18)
        let hlen = Int(offFlags >> 12) * 4
        p.tcp.headerLength = hlen
        p.tcp.mss = -1
        p.tcp.windowScale = -1
        p.tcp.sackPermitted = false
        p.tcp.sackBlockCount = 0
        p.tcp.hasTimestamps = false
        p.tcp.payloadLength = 0
        p.tcp.payloadOffset = min(o + max(hlen, 20), end)
        p.tcp.capturedPayload = 0
        guard hlen >= 20 else {
            p.error = DecodeError(.tcp, at: o + 12, "data offset below 5 words")
            return
        }
        let payloadLength = declared - hlen
        guard payloadLength >= 0 else {
            p.error = DecodeError(.tcp, at: o + 12, "header longer than the IP payload")
            return
        }
        p.tcp.payloadLength = payloadLength
        guard end - o >= hlen else {
            p.error = .truncated(.tcp, at: o + 20, "options truncated")
            return
        }
        if hlen > 20 {
            options(b, from: o + 20, to: o + hlen, &p)
        }
        p.tcp.payloadOffset = o + hlen
        p.tcp.capturedPayload = min(payloadLength, end - (o + hlen))
    }

    /// Options: kind, length, value; NOP and EOL are one byte. A bad length stops option parsing
    /// and marks the packet, but the header fields and payload stay decoded.
    @inline(__always)
    static func options(_ b: UnsafeRawBufferPointer, from start: Int, to end: Int, _ p: inout DecodedPacket) {
        var i = start
        while let (kind, len) = IPDecoder.nextOption(b, at: i, end: end, layer: .tcp, &p) {
            switch kind {
            case 2 where len == 4:
                p.tcp.mss = Int32(b.u16be(i + 2))
            case 3 where len == 3:
                p.tcp.windowScale = Int8(truncatingIfNeeded: min(b.u8(i + 2), 14))
            case 4 where len == 2:
                p.tcp.sackPermitted = true
            case 5 where len >= 10 && (len - 2) % 8 == 0:
                let n = min((len - 2) / 8, 4)
                withUnsafeMutableBytes(of: &p.tcp.sackBlocks) { raw in
                    let q = raw.bindMemory(to: UInt32.self)
                    for k in 0..<n {
                        q[2 * k] = b.u32be(i + 2 + 8 * k)
                        q[2 * k + 1] = b.u32be(i + 6 + 8 * k)
                    }
                }
                p.tcp.sackBlockCount = UInt8(n)
            case 8 where len == 10:
                p.tcp.hasTimestamps = true
                p.tcp.tsVal = b.u32be(i + 2)
                p.tcp.tsEcr = b.u32be(i + 6)
            default:
                break
            }
            i += len
        }
    }
}

/// UDP (RFC 768).
enum UDPDecoder {
    @inline(__always)
    static func decode(_ b: UnsafeRawBufferPointer, at o: Int, end: Int, _ p: inout DecodedPacket) {
        guard end - o >= 8 else {
            p.error = .truncated(.udp, at: o)
            return
        }
        p.hasUDP = true
        p.udp.srcPort = b.u16be(o)
        p.udp.dstPort = b.u16be(o + 2)
        p.udp.length = b.u16be(o + 4)
        p.udp.payloadOffset = o + 8
        let length = Int(p.udp.length)
        guard length >= 8 else {
            p.udp.capturedPayload = max(0, end - o - 8)
            if length == 0 && p.ip.version == 6 { return }  // jumbogram (RFC 2675)
            p.error = DecodeError(.udp, at: o + 4, "length below 8")
            return
        }
        p.udp.capturedPayload = min(length - 8, end - o - 8)
    }
}
