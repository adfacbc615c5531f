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
    /// `note` is what the tracker said of the packet: the TCP `analysis`, `rel_seq`, `rel_ack` and
    /// the frame's `notes` come from it (a default note, as without a tracker, adds none of them).
    public static func render(
        _ f: FrameInfo, _ p: DecodedPacket, application: ApplicationLayer?, note: PacketNote = PacketNote(),
        streamMessages: [StreamMessage] = [], to o: inout OutputBuffer
    ) {
        o.beginObject()
        o.field("frame", f.number)
        if f.file >= 0 { o.field("file", f.file) }
        o.field("time", f.timestamp)
        o.field("len", f.originalLength)
        o.field("caplen", f.capturedLength)
        o.field("interface", f.interfaceIndex)
        o.field("link", p.link.linkType.name)
        if p.linkNotDecoded { o.field("link_not_decoded", true) }
        link(p, to: &o)
        if p.hasARP {
            o.beginObject("arp")
            o.field("op", ARPDecoder.operationName(p.arp.operation))
            if p.arp.isReverse { o.field("rarp", true) }
            if p.arp.isEthernetIPv4 {
                o.macField("sender_mac", p.arp.senderMAC)
                o.field("sender_ip", p.arp.senderIP)
                o.macField("target_mac", p.arp.targetMAC)
                o.field("target_ip", p.arp.targetIP)
            }
            o.endObject()
        }
        if p.hasIP { ip(p, to: &o) }
        if p.hasTCP { tcp(p.tcp, stream: f.stream, note: note, to: &o) }
        if note.kind == .tcp { notes(note, to: &o) }
        if p.hasUDP {
            o.beginObject("udp")
            o.field("srcport", Int(p.udp.srcPort))
            o.field("dstport", Int(p.udp.dstPort))
            o.field("length", Int(p.udp.length))
            o.endObject()
        }
        if p.hasICMP { icmp(p.icmp, to: &o) }
        if let a = application {
            o.key(a.message.kind.name)
            a.message.appendJSON(to: &o)
        }
        if !streamMessages.isEmpty { StreamMessage.appendJSON(streamMessages, to: &o) }
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

    /// `eth` (with `llc` and `stp` for 802.3 length frames).
    static func link(_ p: DecodedPacket, to o: inout OutputBuffer) {
        if p.hasLink && p.link.hasMACs {
            o.beginObject("eth")
            o.macField("src", p.link.src)
            o.macField("dst", p.link.dst)
            // An 802.3 frame has a length where Ethernet II has a type.
            if p.hasLLC {
                o.field("length", Int(p.llc.length))
            } else {
                o.field("type", Int(p.link.etherType.rawValue))
            }
            if p.link.vlanCount > 0 {
                o.beginArray("vlan")
                o.value(Int(p.link.vlan0))
                if p.link.vlanCount > 1 { o.value(Int(p.link.vlan1)) }
                o.endArray()
            }
            o.endObject()
        }
        if p.hasLLC {
            o.beginObject("llc")
            o.field("dsap", Int(p.llc.dsap))
            o.field("ssap", Int(p.llc.ssap))
            o.field("control", Int(p.llc.control))
            if p.llc.isSNAP {
                o.field("oui", Int(p.llc.oui))
                o.field("type", Int(p.llc.snapType))
            }
            o.endObject()
        }
        if p.hasSTP {
            let s = p.stp
            o.beginObject("stp")
            o.field("version", Int(s.protocolVersion))
            o.field("bpdu_type", Int(s.bpduType))
            o.field("name", STPNames.bpduType(s.bpduType, version: s.protocolVersion))
            if s.isConfiguration {
                o.field("flags", Int(s.flags))
                o.field("root_priority", Int(s.rootPriority))
                o.macField("root_mac", s.rootMAC)
                o.field("root_cost", UInt64(s.rootCost))
                o.field("bridge_priority", Int(s.bridgePriority))
                o.macField("bridge_mac", s.bridgeMAC)
                o.field("port", Int(s.portID))
            }
            o.endObject()
        }
    }

    /// `ip`: IPv4's id, DF and MF always; DSCP and ECN from the TOS / traffic class byte; IPv6's
    /// flow label; `fragment` for a fragment.
    static func ip(_ p: DecodedPacket, to o: inout OutputBuffer) {
        let ip = p.ip
        o.beginObject("ip")
        o.field("version", Int(ip.version))
        o.field("src", ip.src)
        o.field("dst", ip.dst)
        o.field("ttl", Int(ip.ttl))
        o.field("proto", Int(ip.proto.rawValue))
        if ip.version == 4 {
            o.field("id", UInt64(ip.identification))
            o.field("df", ip.dontFragment)
            o.field("mf", ip.moreFragments)
        }
        o.field("dscp", Int(ip.dscp))
        o.field("ecn", Int(ip.ecn))
        if ip.version == 6 { o.field("flow_label", UInt64(ip.flowLabel)) }
        if ip.isFragment {
            o.beginObject("fragment")
            o.field("offset", ip.fragmentOffset)
            o.field("more", ip.moreFragments)
            o.field("id", UInt64(ip.identification))
            if p.reassembledFirstFrame != 0 { o.field("reassembled_from", p.reassembledFirstFrame) }
            o.endObject()
        }
        o.endObject()
    }

    /// `icmp` / `icmpv6`: echo's `id` and `seq`, the MTU of "fragmentation needed" / "packet too
    /// big", and the header an error quotes (`quoted`).
    static func icmp(_ c: ICMPInfo, to o: inout OutputBuffer) {
        o.beginObject(c.isV6 ? "icmpv6" : "icmp")
        o.field("type", Int(c.type))
        o.field("code", Int(c.code))
        o.field("name", ICMPDecoder.describe(type: c.type, code: c.code, v6: c.isV6))
        if c.hasEchoFields {
            o.field("id", Int(c.identifier))
            o.field("seq", Int(c.sequence))
        }
        if let target = c.ndTarget { o.field("target", target) }
        if c.mtu != 0 { o.field("mtu", UInt64(c.mtu)) }
        if c.hasQuoted {
            o.beginObject("quoted")
            o.field("src", c.quotedSrc)
            o.field("dst", c.quotedDst)
            o.field("proto", Int(c.quotedProto.rawValue))
            if c.hasQuotedPorts {
                o.field("srcport", Int(c.quotedSrcPort))
                o.field("dstport", Int(c.quotedDstPort))
            }
            o.endObject()
        }
        o.endObject()
    }

    static func tcp(_ t: TCPInfo, stream: Int, note: PacketNote, to o: inout OutputBuffer) {
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
        if note.kind == .tcp { tcpAnalysis(note, ack: t.flags.contains(.ack), to: &o) }
        o.endObject()
    }

    /// The tcp object's members from the tracker: Wireshark's relative numbers (`tcp.seq`,
    /// `tcp.ack`: from each direction's ISN, or its first sequence number seen when the SYN was
    /// not captured) and its sequence analysis flags, named as tshark's `tcp.analysis.*` fields.
    static func tcpAnalysis(_ n: PacketNote, ack: Bool, to o: inout OutputBuffer) {
        o.field("rel_seq", UInt64(n.relativeSeq))
        if ack { o.field("rel_ack", UInt64(n.relativeAck)) }
        o.beginArray("analysis")
        // tshark sets tcp.analysis.retransmission on fast and spurious retransmissions too.
        if n.anomalies.isRetransmission { o.value("retransmission" as StaticString) }
        n.anomalies.forEachIndex { i in
            if i > 0 { o.value(TCPAnomalies.tsharkFields[i]) }
        }
        o.endArray()
    }

    /// The frame's `notes`: the notes' step, the state changes (corrections marked) and the
    /// corrections' reasons; only when the tracker has one of them to say.
    static func notes(_ n: PacketNote, to o: inout OutputBuffer) {
        guard n.step != .none || !n.transitions.isEmpty || !n.corrections.isEmpty else { return }
        o.beginObject("notes")
        o.field("step", n.step.code)
        o.beginArray("transitions")
        for i in 0..<n.transitions.count {
            let t = n.transitions[i]
            o.beginObject()
            o.field("side", t.client ? "client" as StaticString : "server")
            o.field("from", t.from.name)
            o.field("to", t.to.name)
            if t.correction { o.field("correction", true) }
            o.endObject()
        }
        o.endArray()
        o.beginArray("remarks")
        n.corrections.forEachIndex { o.value(StateCorrections.code(index: $0)) }
        o.endArray()
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
