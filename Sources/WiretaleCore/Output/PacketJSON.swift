/// What a renderer knows about a frame besides its decoded layers.
public struct FrameInfo {
    /// 1-based, in file order.
    public var number: Int
    public var timestamp: Timestamp
    public var originalLength: Int
    public var capturedLength: Int
    public var interfaceIndex: Int
    /// The TCP conversation index (`tcp.stream`), or -1.
    public var stream: Int
    /// With several input files, the 0-based index of this frame's (JSON `file`); -1 for one file.
    public var file = -1

    public init(
        number: Int, timestamp: Timestamp, originalLength: Int, capturedLength: Int, interfaceIndex: Int = 0,
        stream: Int = -1
    ) {
        self.number = number
        self.timestamp = timestamp
        self.originalLength = originalLength
        self.capturedLength = capturedLength
        self.interfaceIndex = interfaceIndex
        self.stream = stream
    }
}

/// One JSON object per frame (NDJSON). The keys are a public interface documented in README.md.
public enum PacketJSON {
    /// For a packet decoded without a `PacketFollower`: parses its application message here, once.
    /// `bytes` are the bytes its offsets point into.
    public static func render(
        _ f: FrameInfo, _ p: DecodedPacket, bytes b: UnsafeRawBufferPointer, to o: inout OutputBuffer
    ) {
        render(f, p, application: ApplicationRegistry.parse(p, bytes: b), to: &o)
    }

    /// `application` is the packet's message as `PacketFollower` parsed it (nil: none); it is the
    /// member named after its protocol (`"dns"`, `"http"`), and its parse's problem is `error` when
    /// the packet had none of its own. Written with the JSON writer, which keeps the commas.
    public static func render(
        _ f: FrameInfo, _ p: DecodedPacket, application: ApplicationLayer?, to o: inout OutputBuffer
    ) {
        o.beginObject()
        o.field("frame", f.number)
        if f.file >= 0 { o.field("file", f.file) }
        o.field("time", f.timestamp)
        o.field("len", f.originalLength)
        o.field("caplen", f.capturedLength)
        o.field("interface", f.interfaceIndex)
        o.field("link", p.link.linkType.name)
        if p.hasLink && p.link.hasMACs {
            o.beginObject("eth")
            o.macField("src", p.link.src)
            o.macField("dst", p.link.dst)
            o.field("type", Int(p.link.etherType.rawValue))
            if p.link.vlanCount > 0 {
                o.beginArray("vlan")
                o.value(Int(p.link.vlan0))
                if p.link.vlanCount > 1 { o.value(Int(p.link.vlan1)) }
                o.endArray()
            }
            o.endObject()
        }
        if p.hasARP {
            o.beginObject("arp")
            o.field("op", ARPDecoder.operationName(p.arp.operation))
            if p.arp.isEthernetIPv4 {
                o.macField("sender_mac", p.arp.senderMAC)
                o.field("sender_ip", p.arp.senderIP)
                o.macField("target_mac", p.arp.targetMAC)
                o.field("target_ip", p.arp.targetIP)
            }
            o.endObject()
        }
        if p.hasIP {
            o.beginObject("ip")
            o.field("version", Int(p.ip.version))
            o.field("src", p.ip.src)
            o.field("dst", p.ip.dst)
            o.field("ttl", Int(p.ip.ttl))
            o.field("proto", Int(p.ip.proto.rawValue))
            if p.ip.isFragment {
                o.beginObject("fragment")
                o.field("offset", p.ip.fragmentOffset)
                o.field("more", p.ip.moreFragments)
                o.field("id", UInt64(p.ip.identification))
                if p.reassembledFirstFrame != 0 { o.field("reassembled_from", p.reassembledFirstFrame) }
                o.endObject()
            }
            o.endObject()
        }
        if p.hasTCP { tcp(p.tcp, stream: f.stream, to: &o) }
        if p.hasUDP {
            o.beginObject("udp")
            o.field("srcport", Int(p.udp.srcPort))
            o.field("dstport", Int(p.udp.dstPort))
            o.field("length", Int(p.udp.length))
            o.endObject()
        }
        if p.hasICMP {
            o.beginObject(p.icmp.isV6 ? "icmpv6" : "icmp")
            o.field("type", Int(p.icmp.type))
            o.field("code", Int(p.icmp.code))
            o.field("name", ICMPDecoder.describe(type: p.icmp.type, code: p.icmp.code, v6: p.icmp.isV6))
            if let target = p.icmp.ndTarget { o.field("target", target) }
            o.endObject()
        }
        if let a = application {
            o.key(a.message.kind.name)
            a.message.appendJSON(to: &o)
        }
        if p.payloadTruncated { o.field("truncated", true) }
        if let e = p.error ?? application?.error {
            o.beginObject("error")
            o.field("layer", e.layer.description)
            o.field("offset", e.offset)
            o.field("truncated", e.truncated)
            o.field("reason", e.reason.description)
            o.field("text", e.description)
            o.endObject()
        }
        o.endObject()
        o.endRecord()
    }

    static func tcp(_ t: TCPInfo, stream: Int, to o: inout OutputBuffer) {
        o.beginObject("tcp")
        o.field("srcport", Int(t.srcPort))
        o.field("dstport", Int(t.dstPort))
        o.field("seq", UInt64(t.seq))
        o.field("ack", UInt64(t.ack))
        o.beginArray("flags")
        for (flag, name) in TCPFlags.named where t.flags.contains(flag) { o.value(name) }
        o.endArray()
        o.field("len", t.payloadLength)
        o.field("window", Int(t.window))
        if stream >= 0 { o.field("stream", stream) }
        if t.mss >= 0 || t.windowScale >= 0 || t.sackPermitted || t.sackBlockCount > 0 || t.hasTimestamps {
            o.beginObject("options")
            if t.mss >= 0 { o.field("mss", Int(t.mss)) }
            if t.windowScale >= 0 { o.field("wscale", Int(t.windowScale)) }
            if t.sackPermitted { o.field("sack_permitted", true) }
            if t.sackBlockCount > 0 {
                o.beginArray("sack")
                for i in 0..<Int(t.sackBlockCount) {
                    let block = t.sackBlock(i)
                    o.beginArray()
                    o.value(UInt64(block.left))
                    o.value(UInt64(block.right))
                    o.endArray()
                }
                o.endArray()
            }
            if t.hasTimestamps {
                o.field("tsval", UInt64(t.tsVal))
                o.field("tsecr", UInt64(t.tsEcr))
            }
            o.endObject()
        }
        o.endObject()
    }
}

extension OutputBuffer {
    /// `"key":"02:00:00:00:00:0a"`.
    @inline(__always) mutating func macField(_ k: StaticString, _ mac: UInt64) {
        key(k)
        jsonSeparate()
        append(byte: UInt8(ascii: "\""))
        appendMAC(mac)
        append(byte: UInt8(ascii: "\""))
    }
}
