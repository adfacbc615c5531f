import Testing

@testable import WiretaleCore

@Suite("Packet dumps as tcpdump's -A and -X")
struct PacketDumpTests {
    static func dump(_ bytes: [UInt8], _ body: (UnsafeRawBufferPointer, inout OutputBuffer) -> Void) -> String {
        var o = OutputBuffer(fd: -1)
        bytes.withUnsafeBytes { body($0, &o) }
        return String(decoding: o.bytes, as: UTF8.self)
    }

    @Test("-X wins over -A, and either given twice includes the link header")
    func choice() {
        #expect(PacketDump(ascii: 0, hex: 0) == .none)
        #expect(PacketDump(ascii: 1, hex: 0) == .ascii && PacketDump(ascii: 2, hex: 0) == .asciiWithLink)
        #expect(PacketDump(ascii: 1, hex: 1) == .hex && PacketDump(ascii: 0, hex: 3) == .hexWithLink)
    }

    @Test("hex: groups of four digits padded to 40 columns, an odd last byte alone, space as a dot")
    func hexLayout() {
        // As tcpdump -X prints the last line of http-loopback.pcap's first frame and a 3-byte tail.
        let text = Self.dump([0xA2, 0xFF, 0x52, 0x11, 0, 0, 0, 0, 0x01, 0x03, 0x03, 0x0A]) {
            PacketDump.appendHexAndASCII($0, indent: "\n\t", to: &$1)
        }
        #expect(text == "\n\t0x0000:  a2ff 5211 0000 0000 0103 030a            ..R.........")
        let odd = Self.dump([0x41, 0x20, 0x42]) { PacketDump.appendHexAndASCII($0, indent: "\n\t", to: &$1) }
        #expect(odd == "\n\t0x0000:  4120 42                                  A.B")
    }

    @Test("ascii: tab, space and newline kept, CR dropped before LF and near the end, others as dots")
    func asciiRules() {
        let text = Self.dump(Array("a\tb c\r\nd\re\u{01}f\r\n".utf8)) { PacketDump.appendASCII($0, to: &$1) }
        #expect(text == "\na\tb c\nd.e.f\n")
        // tcpdump drops a CR that is one of the last two bytes even with no LF after it.
        #expect(Self.dump(Array("x\ry".utf8)) { PacketDump.appendASCII($0, to: &$1) } == "\nxy")
    }

    @Test("The link header tcpdump leaves out: Ethernet and its VLAN tags, SLL2, loopback, raw IP")
    func linkHeader() {
        let ip = FrameBuilder.ipv4(proto: 17, FrameBuilder.udp([1, 2, 3]))
        let tagged = FrameBuilder.decode(FrameBuilder.ethernet(type: 0x0800, vlans: [10, 20], ip))
        #expect(PacketDump.linkHeaderLength(tagged, linkType: .ethernet) == 22)
        let plain = FrameBuilder.decode(FrameBuilder.ethernet(type: 0x0800, ip))
        #expect(PacketDump.linkHeaderLength(plain, linkType: .ethernet) == 14)
        #expect(PacketDump.linkHeaderLength(plain, linkType: .linuxSLL2) == 20)
        #expect(PacketDump.linkHeaderLength(plain, linkType: .null) == 4)
        #expect(PacketDump.linkHeaderLength(plain, linkType: .raw) == 0)
    }

    @Test("Nothing is dumped when the frame holds nothing past its link header")
    func nothingPastTheHeader() {
        let frame = Array(FrameBuilder.ethernet(type: 0x0800, []))
        let p = FrameBuilder.decode(frame)
        let text = Self.dump(frame) { PacketDump.append(.hex, frame: $0, packet: p, linkType: .ethernet, to: &$1) }
        #expect(text.isEmpty)
        let whole = Self.dump(frame) {
            PacketDump.append(.hexWithLink, frame: $0, packet: p, linkType: .ethernet, to: &$1)
        }
        #expect(whole == "\n\t0x0000:  0200 0000 000b 0200 0000 000a 0800       ..............")
    }
}
