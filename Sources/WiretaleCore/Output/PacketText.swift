/// One line per frame, as dense as tcpdump's: frame number, time of day (UTC), addresses, the
/// protocol summary. The caller appends the remark (from the tracker) and the newline. The trace's
/// frame lines are the same summary without the number and time (`summary`).
public enum PacketText {
    /// `application` is the packet's message as `PacketFollower` parsed it (nil: none).
    public static func render(
        _ f: FrameInfo, _ p: DecodedPacket, application: ApplicationLayer?, to o: inout OutputBuffer
    ) {
        var time = PacketTime()
        render(f, p, application: application, time: &time, to: &o)
    }

    /// The same with the time as `time` prints it (tcpdump's `-t` formats).
    /// `verbose`: the IP header's fields after `IP`, as tcpdump's `-v` prints them.
    public static func render(
        _ f: FrameInfo, _ p: DecodedPacket, application: ApplicationLayer?, time: inout PacketTime,
        verbose: Bool = false, to o: inout OutputBuffer
    ) {
        var n = f.number
        var width = 1
        while n >= 10 {
            n /= 10
            width += 1
        }
        while width < 6 {
            o.append(byte: 0x20)
            width += 1
        }
        o.append(f.number)
        o.append(byte: 0x20)
        time.append(f.timestamp, to: &o)
        appendSummary(
            p, application: application, capturedLength: f.capturedLength, originalLength: f.originalLength,
            verbose: verbose, to: &o)
    }

    /// For a packet decoded without a `PacketFollower`: parses its application message here, once.
    /// `bytes` are the bytes its offsets point into.
    public static func render(
        _ f: FrameInfo, _ p: DecodedPacket, bytes b: UnsafeRawBufferPointer, to o: inout OutputBuffer
    ) {
        render(f, p, application: ApplicationRegistry.parse(p, bytes: b), to: &o)
    }

    /// The line without its frame number and time: `IP 192.0.2.1:53 > 192.0.2.2:40000 UDP length 45:
    /// DNS response ...`.
    public static func summary(
        _ p: DecodedPacket, application: ApplicationLayer?, capturedLength: Int, originalLength: Int
    ) -> String {
        var o = OutputBuffer(fd: -1)
        appendSummary(
            p, application: application, capturedLength: capturedLength, originalLength: originalLength, to: &o)
        return String(decoding: o.bytes, as: UTF8.self)
    }

    /// The outermost IP header's fields in parentheses, as tcpdump's `-v` prints them: IPv4
    /// `(tos 0x0, ttl 64, id 46551, offset 0, flags [DF], proto TCP (6), length 60) `, with the ECN
    /// codepoint after the TOS when set; IPv6 `(class 0x10, flowlabel 0x12345, hlim 64, next-header
    /// TCP (6) payload length: 40) `, the class and the flow label only when not 0.
    static func ipHeader(_ ip: IPInfo, _ o: inout OutputBuffer) {
        let total = ip.payloadOffset - ip.offset + ip.payloadLength
        o.append("(")
        if ip.version == 4 {
            o.append("tos 0x")
            appendMinimalHex(UInt64(ip.tos), &o)
            switch ip.ecn {
            case 1: o.append(",ECT(1)")
            case 2: o.append(",ECT(0)")
            case 3: o.append(",CE")
            default: break
            }
            o.append(", ttl ")
            o.append(Int(ip.ttl))
            o.append(", id ")
            o.append(Int(ip.identification))
            o.append(", offset ")
            o.append(ip.fragmentOffset)
            o.append(", flags [")
            switch (ip.dontFragment, ip.moreFragments) {
            case (false, false): o.append("none")
            case (true, false): o.append("DF")
            case (false, true): o.append("+")
            case (true, true): o.append("DF+")
            }
            o.append("], proto ")
            o.append(ip.proto.name)
            o.append(" (")
            o.append(Int(ip.proto.rawValue))
            o.append("), length ")
            o.append(total)
        } else {
            if ip.tos != 0 {
                o.append("class 0x")
                appendMinimalHex(UInt64(ip.tos), &o)
                o.append(", ")
            }
            if ip.flowLabel != 0 {
                o.append("flowlabel 0x")
                appendMinimalHex(UInt64(ip.flowLabel), &o)
                o.append(", ")
            }
            o.append("hlim ")
            o.append(Int(ip.ttl))
            o.append(", next-header ")
            o.append(ip.proto.name)
            o.append(" (")
            o.append(Int(ip.proto.rawValue))
            o.append(") payload length: ")
            o.append(max(total - 40, 0))
        }
        o.append(") ")
    }

    /// `v` in hex with no leading zeros (`0` for 0), as tcpdump's `0x%x`.
    static func appendMinimalHex(_ v: UInt64, _ o: inout OutputBuffer) {
        o.appendHex(v, digits: max(1, (64 - v.leadingZeroBitCount + 3) / 4))
    }

    /// The summary of `summary`, appended.
    public static func appendSummary(
        _ p: DecodedPacket, application: ApplicationLayer?, capturedLength: Int, originalLength: Int,
        verbose: Bool = false, to o: inout OutputBuffer
    ) {
        if p.hasIP {
            o.append(p.ip.version == 4 ? "IP " : "IP6 ")
            if verbose { ipHeader(p.ip, &o) }
            if p.hasTCP {
                endpoint(p.ip.src, p.tcp.srcPort, &o)
                o.append(" > ")
                endpoint(p.ip.dst, p.tcp.dstPort, &o)
                tcp(p, &o)
                application?.appendSummary(to: &o)
            } else if p.hasUDP {
                endpoint(p.ip.src, p.udp.srcPort, &o)
                o.append(" > ")
                endpoint(p.ip.dst, p.udp.dstPort, &o)
                o.append(" UDP length ")
                o.append(max(Int(p.udp.length) - 8, 0))  // a length below 8 is marked malformed
                application?.appendSummary(to: &o)
            } else {
                o.append(p.ip.src)
                o.append(" > ")
                o.append(p.ip.dst)
                if p.hasICMP {
                    icmp(p.icmp, &o)
                } else {
                    o.append(byte: 0x20)
                    o.append(p.ip.proto.name)
                    if p.ip.isFragment {
                        o.append(" fragment offset ")
                        o.append(p.ip.fragmentOffset)
                        if p.ip.moreFragments { o.append(" (more)") }
                    }
                }
                o.append(", length ")
                o.append(p.ip.payloadLength)
            }
        } else if p.hasARP {
            arp(p, &o)
        } else if p.hasSTP {
            stp(p, originalLength: originalLength, &o)
        } else if p.hasLLC {
            llc(p.llc, &o)
            o.append(", length ")
            o.append(originalLength)
        } else if p.hasLink {
            o.append("ethertype 0x")
            o.appendHex(UInt64(p.link.etherType.rawValue), digits: 4)
            o.append(", length ")
            o.append(originalLength)
        } else {
            o.append(p.link.linkType.name)
            if p.linkNotDecoded { o.append(" not decoded") }
            o.append(", length ")
            o.append(originalLength)
        }
        if p.reassembledFirstFrame != 0 {
            o.append(" [reassembled from fragments, first in frame ")
            o.append(p.reassembledFirstFrame)
            o.append(byte: UInt8(ascii: "]"))
        }
        if p.payloadTruncated && p.error == nil {
            o.append(" [payload cut at ")
            o.append(capturedLength)
            o.append(" of ")
            o.append(originalLength)
            o.append(" bytes]")
        }
        if let e = p.error {
            o.append(" [")
            o.append(e.truncated ? "truncated " : "malformed ")
            o.append(e.description)
            o.append(byte: UInt8(ascii: "]"))
        }
    }

    @inline(__always)
    static func endpoint(_ a: IPAddress, _ port: UInt16, _ o: inout OutputBuffer) {
        if a.isIPv6 {
            o.append(byte: UInt8(ascii: "["))
            o.append(a)
            o.append(byte: UInt8(ascii: "]"))
        } else {
            o.append(a)
        }
        o.append(byte: UInt8(ascii: ":"))
        o.append(port)
    }

    /// tcpdump's flag letters: S F R P . (ACK) U E W.
    @inline(__always)
    static func tcp(_ p: DecodedPacket, _ o: inout OutputBuffer) {
        let t = p.tcp
        o.append(" TCP [")
        if t.flags.contains(.syn) { o.append(byte: UInt8(ascii: "S")) }
        if t.flags.contains(.fin) { o.append(byte: UInt8(ascii: "F")) }
        if t.flags.contains(.rst) { o.append(byte: UInt8(ascii: "R")) }
        if t.flags.contains(.psh) { o.append(byte: UInt8(ascii: "P")) }
        if t.flags.contains(.urg) { o.append(byte: UInt8(ascii: "U")) }
        if t.flags.contains(.ece) { o.append(byte: UInt8(ascii: "E")) }
        if t.flags.contains(.cwr) { o.append(byte: UInt8(ascii: "W")) }
        if t.flags.contains(.ack) { o.append(byte: UInt8(ascii: ".")) }
        o.append("] seq ")
        o.append(t.seq)
        if t.flags.contains(.ack) {
            o.append(" ack ")
            o.append(t.ack)
        }
        o.append(" win ")
        o.append(t.window)
        if t.mss >= 0 || t.windowScale >= 0 || t.sackPermitted || t.sackBlockCount > 0 || t.hasTimestamps {
            tcpOptions(t, &o)
        }
        o.append(" length ")
        o.append(t.payloadLength)
    }

    /// ` <mss 1460 wscale 7 sackOK TS val 1 ecr 0 sack 1 {100:200}>`: tcpdump's words, in a fixed
    /// order; SACK edges are absolute, as the line's seq and ack.
    @inline(__always)
    static func tcpOptions(_ t: TCPInfo, _ o: inout OutputBuffer) {
        o.append(" <")
        var sep = false
        if t.mss >= 0 {
            o.append("mss ")
            o.append(Int(t.mss))
            sep = true
        }
        if t.windowScale >= 0 {
            if sep { o.append(byte: 0x20) }
            o.append("wscale ")
            o.append(Int(t.windowScale))
            sep = true
        }
        if t.sackPermitted {
            if sep { o.append(byte: 0x20) }
            o.append("sackOK")
            sep = true
        }
        if t.hasTimestamps {
            if sep { o.append(byte: 0x20) }
            o.append("TS val ")
            o.append(t.tsVal)
            o.append(" ecr ")
            o.append(t.tsEcr)
            sep = true
        }
        if t.sackBlockCount > 0 {
            if sep { o.append(byte: 0x20) }
            o.append("sack ")
            o.append(Int(t.sackBlockCount))
            for i in 0..<Int(t.sackBlockCount) {
                let block = t.sackBlock(i)
                o.append(" {")
                o.append(block.left)
                o.append(byte: UInt8(ascii: ":"))
                o.append(block.right)
                o.append(byte: UInt8(ascii: "}"))
            }
        }
        o.append(byte: UInt8(ascii: ">"))
    }

    /// `ICMP echo request, id 1, seq 2`; a port unreachable as tcpdump names it (`ICMP 10.0.0.2 udp
    /// port 53 unreachable`); another error with what it quotes (`…, for UDP 10.0.0.1:5000 >
    /// 10.0.0.2:53`).
    static func icmp(_ c: ICMPInfo, _ o: inout OutputBuffer) {
        o.append(c.isV6 ? " ICMP6 " : " ICMP ")
        if c.isPortUnreachable && c.hasQuotedPorts {
            o.append(c.quotedDst)
            o.append(byte: 0x20)
            let proto: StaticString = c.quotedProto == .tcp ? "tcp" : c.quotedProto == .udp ? "udp" : "sctp"
            o.append(proto)
            o.append(" port ")
            o.append(c.quotedDstPort)
            o.append(" unreachable")
            return
        }
        o.append(ICMPDecoder.describe(type: c.type, code: c.code, v6: c.isV6))
        if c.hasEchoFields {
            o.append(", id ")
            o.append(c.identifier)
            o.append(", seq ")
            o.append(c.sequence)
        }
        if let t = c.ndTarget {
            o.append(c.type == 135 ? ", who has " : ", tgt is ")
            o.append(t)
        }
        if c.mtu != 0 {
            o.append(", mtu ")
            o.append(c.mtu)
        }
        if c.hasQuoted {
            o.append(", for ")
            o.append(c.quotedProto.name)
            o.append(byte: 0x20)
            if c.hasQuotedPorts {
                endpoint(c.quotedSrc, c.quotedSrcPort, &o)
                o.append(" > ")
                endpoint(c.quotedDst, c.quotedDstPort, &o)
            } else {
                o.append(c.quotedSrc)
                o.append(" > ")
                o.append(c.quotedDst)
            }
        }
    }

    /// `LLC dsap 0xe0 ssap 0xe0 ctrl 0x03`, `LLC SNAP oui 0x00000c type 0x2000`.
    static func llc(_ l: LLCInfo, _ o: inout OutputBuffer) {
        if l.isSNAP {
            o.append("LLC SNAP oui 0x")
            o.appendHex(UInt64(l.oui), digits: 6)
            o.append(" type 0x")
            o.appendHex(UInt64(l.snapType), digits: 4)
            return
        }
        o.append("LLC dsap 0x")
        o.appendHex(UInt64(l.dsap), digits: 2)
        o.append(" ssap 0x")
        o.appendHex(UInt64(l.ssap), digits: 2)
        o.append(" ctrl 0x")
        o.appendHex(UInt64(l.control), digits: l.control > 0xFF ? 4 : 2)
    }

    /// tcpdump's `stp` words: `STP 802.1w, Rapid STP, root-id 82d0.00:13:7f:be:8c:c0, root-pathcost 0,
    /// bridge-id 82d0.00:13:7f:be:8c:c0.8193, length 36` (the bridge id's last part is the port id).
    static func stp(_ p: DecodedPacket, originalLength: Int, _ o: inout OutputBuffer) {
        let s = p.stp
        o.append("STP ")
        switch s.protocolVersion {
        case 0: o.append("802.1d")
        case 2: o.append("802.1w")
        case 3: o.append("802.1s")
        default:
            o.append("version ")
            o.append(Int(s.protocolVersion))
        }
        o.append(", ")
        o.append(STPNames.bpduType(s.bpduType, version: s.protocolVersion))
        if s.isConfiguration {
            o.append(", root-id ")
            bridgeID(s.rootPriority, s.rootMAC, &o)
            o.append(", root-pathcost ")
            o.append(s.rootCost)
            o.append(", bridge-id ")
            bridgeID(s.bridgePriority, s.bridgeMAC, &o)
            o.append(byte: UInt8(ascii: "."))
            o.appendHex(UInt64(s.portID), digits: 4)
        }
        o.append(", length ")
        // The BPDU's length: the 802.3 length less the 3 LLC bytes, as tcpdump prints it.
        o.append(p.llc.length >= 3 ? Int(p.llc.length) - 3 : originalLength)
    }

    /// `82d0.00:13:7f:be:8c:c0`: the priority in hex, then the MAC.
    static func bridgeID(_ priority: UInt16, _ mac: UInt64, _ o: inout OutputBuffer) {
        o.appendHex(UInt64(priority), digits: 4)
        o.append(byte: UInt8(ascii: "."))
        o.appendMAC(mac)
    }

    static func arp(_ p: DecodedPacket, _ o: inout OutputBuffer) {
        let a = p.arp
        if a.isReverse && a.isEthernetIPv4 && (a.operation == 3 || a.operation == 4) {
            // RFC 903, as tcpdump words it.
            if a.operation == 3 {
                o.append("RARP reverse request who-is ")
                o.appendMAC(a.targetMAC)
                o.append(" tell ")
                o.appendMAC(a.senderMAC)
            } else {
                o.append("RARP reverse reply ")
                o.appendMAC(a.targetMAC)
                o.append(" at ")
                o.append(a.targetIP)
            }
            return
        }
        guard a.isEthernetIPv4 else {
            o.append("ARP ")
            o.append(ARPDecoder.operationName(a.operation))
            return
        }
        switch a.operation {
        case 1:
            if a.senderIP == a.targetIP {
                o.append("ARP announcement (gratuitous) for ")
                o.append(a.senderIP)
            } else {
                o.append("ARP who-has ")
                o.append(a.targetIP)
                o.append(" tell ")
                o.append(a.senderIP)
            }
        case 2:
            o.append("ARP reply ")
            o.append(a.senderIP)
            o.append(" is-at ")
            o.appendMAC(a.senderMAC)
        default:
            o.append("ARP ")
            o.append(ARPDecoder.operationName(a.operation))
            o.append(byte: 0x20)
            o.append(a.senderIP)
            o.append(" > ")
            o.append(a.targetIP)
        }
    }
}
