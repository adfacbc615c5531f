/// IPv4 (RFC 791 section 3.2) and IPv6 (RFC 8200 section 4.5) fragment reassembly, bounded.
///
/// Fragments are held until the datagram is whole; then its transport layer is decoded from the
/// reassembled bytes and reported on the frame that completed it, as Wireshark does. Memory is
/// bounded: at most `maxDatagrams` in flight (the oldest is dropped) and 65,535 bytes each.
/// A datagram that would reassemble past what its length field can hold (IPv4: header plus
/// payload over 65,535 bytes; IPv6: payload over 65,535) is marked malformed on the fragment that
/// shows it, as tshark does, and forgotten. Only fragments allocate; unfragmented packets never
/// touch this type.
public final class FragmentReassembler {
    struct Key: Hashable {
        var src: IPAddress
        var dst: IPAddress
        var id: UInt32
        var proto: UInt8
    }

    struct Pending {
        var header: [UInt8] = []  // the first fragment's IP header (IPv4) or a rebuilt IPv6 header
        var payload: [UInt8] = []
        var holes: [(Int, Int)] = []  // received [start, end) ranges, merged
        var total = -1  // known once the last fragment arrives
        var firstFrame = 0
        var age = 0
    }

    public let maxDatagrams: Int
    private var pending: [Key: Pending] = [:]
    private var clock = 0
    /// The last reassembled datagram, as raw IP; `DecodedPacket` offsets point into it when
    /// `reassembledFragments > 0`.
    public private(set) var datagram: [UInt8] = []

    public init(maxDatagrams: Int = 256) {
        self.maxDatagrams = maxDatagrams
    }

    /// Feeds a fragment that `PacketDecoder` marked (`ip.isFragment`, no transport decoded). When it
    /// completes a datagram, decodes the datagram's transport layer into `p` and returns true.
    public func add(_ b: UnsafeRawBufferPointer, frame: Int, _ p: inout DecodedPacket) -> Bool {
        guard p.hasIP, p.ip.isFragment, p.error == nil, p.ipLayerCount == 1 else { return false }
        let start = p.ip.fragmentOffset
        let dataOffset = p.ip.payloadOffset
        let declared = p.ip.payloadLength
        guard declared >= 0, dataOffset + declared <= b.count else { return false }  // cut by the snapshot
        let end = start + declared
        if !p.ip.moreFragments && start == 0 { return false }  // an atomic fragment was decoded already
        let key = Key(src: p.ip.src, dst: p.ip.dst, id: p.ip.identification, proto: p.ip.proto.rawValue)
        // The smallest header the rebuilt datagram carries counts toward IPv4's total length.
        guard end + (p.ip.version == 4 ? 20 : 0) <= 65_535 else {
            markOversized(&p)
            pending.removeValue(forKey: key)
            return false
        }
        clock &+= 1
        var d = pending.removeValue(forKey: key) ?? Pending()
        if d.firstFrame == 0 { d.firstFrame = frame }
        d.age = clock
        if d.payload.count < end { d.payload.append(contentsOf: repeatElement(0, count: end - d.payload.count)) }
        d.payload.withUnsafeMutableBytes { dst in
            dst.baseAddress!.advanced(by: start).copyMemory(
                from: b.baseAddress!.advanced(by: dataOffset), byteCount: declared)
        }
        d.holes.append((start, end))
        d.holes.sort { $0.0 < $1.0 }
        var merged: [(Int, Int)] = []
        for r in d.holes {
            if let last = merged.last, r.0 <= last.1 {
                merged[merged.count - 1].1 = max(last.1, r.1)
            } else {
                merged.append(r)
            }
        }
        d.holes = merged
        if !p.ip.moreFragments { d.total = end }
        if start == 0 {
            if p.ip.version == 4 {
                d.header = Array(UnsafeRawBufferPointer(rebasing: b[p.ip.offset..<dataOffset]))
            } else {
                d.header = Array(UnsafeRawBufferPointer(rebasing: b[p.ip.offset..<(p.ip.offset + 40)]))
            }
        }
        let complete =
            d.total >= 0 && !d.header.isEmpty && merged.count == 1 && merged[0].0 == 0 && merged[0].1 >= d.total
        guard complete else {
            pending[key] = d
            if pending.count > maxDatagrams, let oldest = pending.min(by: { $0.value.age < $1.value.age }) {
                pending.removeValue(forKey: oldest.key)
            }
            return false
        }
        // Rebuild one unfragmented datagram and decode its transport layer.
        var out = d.header
        let payloadLength = d.total
        guard (p.ip.version == 4 ? out.count : 0) + payloadLength <= 65_535 else {
            markOversized(&p)
            return false
        }
        if p.ip.version == 4 {
            let totalLength = out.count + payloadLength
            out[2] = UInt8(totalLength >> 8)
            out[3] = UInt8(totalLength & 0xFF)
            out[6] = 0
            out[7] = 0
        } else {
            out[4] = UInt8(payloadLength >> 8)
            out[5] = UInt8(payloadLength & 0xFF)
            out[6] = p.ip.proto.rawValue
        }
        out.append(contentsOf: d.payload[0..<payloadLength])
        datagram = out
        var inner = DecodedPacket()
        datagram.withUnsafeBytes { raw in
            PacketDecoder.decode(raw, linkType: p.ip.version == 4 ? .ipv4 : .ipv6, into: &inner)
        }
        p.hasTCP = inner.hasTCP
        p.tcp = inner.tcp
        p.hasUDP = inner.hasUDP
        p.udp = inner.udp
        p.hasICMP = inner.hasICMP
        p.icmp = inner.icmp
        p.application = inner.application
        p.applicationOffset = inner.applicationOffset
        p.applicationLength = inner.applicationLength
        p.error = inner.error
        p.reassembledFirstFrame = d.firstFrame
        return true
    }

    /// The datagram cannot exist: its length field could not hold it.
    private func markOversized(_ p: inout DecodedPacket) {
        p.error =
            p.ip.version == 4
            ? DecodeError(.ipv4, at: p.ip.offset + 6, "reassembled datagram longer than 65,535 bytes")
            : DecodeError(.ipv6Extension, at: p.ip.payloadOffset - 8, "reassembled payload longer than 65,535 bytes")
    }
}

extension PacketDecoder {
    /// Decodes a frame and, when it is an IP fragment, feeds the reassembler: the frame that
    /// completes a datagram gets the datagram's transport and application layers.
    @inlinable public static func decode(
        _ b: UnsafeRawBufferPointer, linkType: LinkType, frame: Int,
        reassembler: FragmentReassembler, into p: inout DecodedPacket
    ) {
        decode(b, linkType: linkType, into: &p)
        if p.ip.isFragment && p.hasIP && !p.hasTCP && !p.hasUDP && !p.hasICMP {
            _ = reassembler.add(b, frame: frame, &p)
        }
    }

    /// The bytes that `p`'s transport and application offsets point into: the frame's own, or
    /// the reassembled datagram's.
    @inlinable public static func withPayloadBytes<R>(
        _ frame: UnsafeRawBufferPointer, _ p: DecodedPacket,
        _ reassembler: FragmentReassembler,
        _ body: (UnsafeRawBufferPointer) -> R
    ) -> R {
        if p.reassembledFirstFrame == 0 { return body(frame) }
        return reassembler.datagram.withUnsafeBytes(body)
    }
}
