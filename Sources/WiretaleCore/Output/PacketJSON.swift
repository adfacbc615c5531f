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
    /// the packet had none of its own.
    public static func render(
        _ f: FrameInfo, _ p: DecodedPacket, application: ApplicationLayer?, to o: inout OutputBuffer
    ) {
        o.append("{\"frame\":")
        o.append(f.number)
        o.append(byte: UInt8(ascii: ","))
        o.appendJSONTime("time", f.timestamp)
        o.append(",\"len\":")
        o.append(f.originalLength)
        o.append(",\"caplen\":")
        o.append(f.capturedLength)
        o.append(",\"interface\":")
        o.append(f.interfaceIndex)
        o.append(",\"link\":\"")
        o.append(p.link.linkType.name)
        o.append(byte: UInt8(ascii: "\""))
        if p.hasLink && p.link.hasMACs {
            o.append(",\"eth\":{\"src\":\"")
            o.appendMAC(p.link.src)
            o.append("\",\"dst\":\"")
            o.appendMAC(p.link.dst)
            o.append("\",\"type\":")
            o.append(p.link.etherType.rawValue)
            if p.link.vlanCount > 0 {
                o.append(",\"vlan\":[")
                o.append(p.link.vlan0)
                if p.link.vlanCount > 1 {
                    o.append(byte: UInt8(ascii: ","))
                    o.append(p.link.vlan1)
                }
                o.append(byte: UInt8(ascii: "]"))
            }
            o.append(byte: UInt8(ascii: "}"))
        }
        if p.hasARP {
            o.append(",\"arp\":{\"op\":\"")
            o.append(ARPDecoder.operationName(p.arp.operation))
            o.append(byte: UInt8(ascii: "\""))
            if p.arp.isEthernetIPv4 {
                o.append(",\"sender_mac\":\"")
                o.appendMAC(p.arp.senderMAC)
                o.append("\",\"sender_ip\":\"")
                o.append(p.arp.senderIP)
                o.append("\",\"target_mac\":\"")
                o.appendMAC(p.arp.targetMAC)
                o.append("\",\"target_ip\":\"")
                o.append(p.arp.targetIP)
                o.append(byte: UInt8(ascii: "\""))
            }
            o.append(byte: UInt8(ascii: "}"))
        }
        if p.hasIP {
            o.append(",\"ip\":{\"version\":")
            o.append(p.ip.version)
            o.append(",\"src\":\"")
            o.append(p.ip.src)
            o.append("\",\"dst\":\"")
            o.append(p.ip.dst)
            o.append("\",\"ttl\":")
            o.append(p.ip.ttl)
            o.append(",\"proto\":")
            o.append(p.ip.proto.rawValue)
            if p.ip.isFragment {
                o.append(",\"fragment\":{\"offset\":")
                o.append(p.ip.fragmentOffset)
                o.append(",\"more\":")
                o.append(p.ip.moreFragments ? "true" : "false")
                o.append(",\"id\":")
                o.append(p.ip.identification)
                if p.reassembledFirstFrame != 0 {
                    o.append(",\"reassembled_from\":")
                    o.append(p.reassembledFirstFrame)
                }
                o.append(byte: UInt8(ascii: "}"))
            }
            o.append(byte: UInt8(ascii: "}"))
        }
        if p.hasTCP {
            let t = p.tcp
            o.append(",\"tcp\":{\"srcport\":")
            o.append(t.srcPort)
            o.append(",\"dstport\":")
            o.append(t.dstPort)
            o.append(",\"seq\":")
            o.append(t.seq)
            o.append(",\"ack\":")
            o.append(t.ack)
            o.append(",\"flags\":[")
            var first = true
            for (flag, name) in TCPFlags.named where t.flags.contains(flag) {
                if !first { o.append(byte: UInt8(ascii: ",")) }
                first = false
                o.append(byte: UInt8(ascii: "\""))
                o.append(name)
                o.append(byte: UInt8(ascii: "\""))
            }
            o.append("],\"len\":")
            o.append(t.payloadLength)
            o.append(",\"window\":")
            o.append(t.window)
            if f.stream >= 0 {
                o.append(",\"stream\":")
                o.append(f.stream)
            }
            if t.mss >= 0 || t.windowScale >= 0 || t.sackPermitted || t.sackBlockCount > 0 || t.hasTimestamps {
                o.append(",\"options\":{")
                var sep = false
                func comma(_ o: inout OutputBuffer) {
                    if sep { o.append(byte: UInt8(ascii: ",")) }
                    sep = true
                }
                if t.mss >= 0 {
                    comma(&o)
                    o.append("\"mss\":")
                    o.append(Int(t.mss))
                }
                if t.windowScale >= 0 {
                    comma(&o)
                    o.append("\"wscale\":")
                    o.append(Int(t.windowScale))
                }
                if t.sackPermitted {
                    comma(&o)
                    o.append("\"sack_permitted\":true")
                }
                if t.sackBlockCount > 0 {
                    comma(&o)
                    o.append("\"sack\":[")
                    for i in 0..<Int(t.sackBlockCount) {
                        if i > 0 { o.append(byte: UInt8(ascii: ",")) }
                        let blk = t.sackBlock(i)
                        o.append(byte: UInt8(ascii: "["))
                        o.append(blk.left)
                        o.append(byte: UInt8(ascii: ","))
                        o.append(blk.right)
                        o.append(byte: UInt8(ascii: "]"))
                    }
                    o.append(byte: UInt8(ascii: "]"))
                }
                if t.hasTimestamps {
                    comma(&o)
                    o.append("\"tsval\":")
                    o.append(t.tsVal)
                    o.append(",\"tsecr\":")
                    o.append(t.tsEcr)
                }
                o.append(byte: UInt8(ascii: "}"))
            }
            o.append(byte: UInt8(ascii: "}"))
        }
        if p.hasUDP {
            o.append(",\"udp\":{\"srcport\":")
            o.append(p.udp.srcPort)
            o.append(",\"dstport\":")
            o.append(p.udp.dstPort)
            o.append(",\"length\":")
            o.append(p.udp.length)
            o.append(byte: UInt8(ascii: "}"))
        }
        if p.hasICMP {
            o.append(p.icmp.isV6 ? ",\"icmpv6\":{\"type\":" : ",\"icmp\":{\"type\":")
            o.append(p.icmp.type)
            o.append(",\"code\":")
            o.append(p.icmp.code)
            o.append(",\"name\":")
            o.appendJSONString(ICMPDecoder.describe(type: p.icmp.type, code: p.icmp.code, v6: p.icmp.isV6))
            if let target = p.icmp.ndTarget {
                o.append(",\"target\":\"")
                o.append(target)
                o.append(byte: UInt8(ascii: "\""))
            }
            o.append(byte: UInt8(ascii: "}"))
        }
        if let a = application {
            o.append(",\"")
            o.append(a.message.kind.name)
            o.append("\":")
            a.message.appendJSON(to: &o)
        }
        if p.payloadTruncated { o.append(",\"truncated\":true") }
        if let e = p.error ?? application?.error {
            o.append(",\"error\":{\"layer\":\"")
            o.append(e.layer.description)
            o.append("\",\"offset\":")
            o.append(e.offset)
            o.append(",\"truncated\":")
            o.append(e.truncated ? "true" : "false")
            o.append(",\"reason\":")
            o.appendJSONString(e.reason.description)
            o.append(",\"text\":")
            o.appendJSONString(e.description)
            o.append(byte: UInt8(ascii: "}"))
        }
        o.append("}\n")
    }
}
