import Testing
import WiretaleCore

@testable import WiretaleCapture

/// Runs `filter` on `frame` as a packet of `linkType`, captured whole.
private func passes(_ filter: PacketFilter, _ linkType: LinkType, _ frame: [UInt8]) throws -> Bool {
    try frame.withUnsafeBytes { bytes throws(FilterError) in
        try filter.matches(linkType: linkType, originalLength: bytes.count, bytes: bytes)
    }
}

/// A network-layer packet under one of three link-layer headers. Raw IP has no EtherType: the
/// version nibble says IPv4 or IPv6.
private func wrap(_ linkType: LinkType, _ etherType: UInt16, _ packet: [UInt8]) -> [UInt8] {
    switch linkType {
    case .ethernet: Frames.ethernet(etherType, packet)
    case .linuxSLL2: Frames.sll2(etherType, packet)
    default: packet
    }
}

private let linkTypes: [LinkType] = [.ethernet, .linuxSLL2, .raw]

@Suite("BPF filters on packets from files")
struct PacketFilterTests {
    @Test("a syntax error quotes libpcap's message and the filter text")
    func syntaxError() throws {
        let filter = PacketFilter(expression: "tcp prot 80")
        let error = try #require(throws: FilterError.self) { try filter.validate() }
        #expect(error.reason == .badExpression)
        #expect(error.description == "bad filter 'tcp prot 80': syntax error (libpcap)")
        #expect(error.libpcapMessage.contains("syntax error"))
        #expect(error.expression == "tcp prot 80")
    }

    @Test("matches reports a syntax error too, for any link type")
    func syntaxErrorFromMatches() throws {
        let filter = PacketFilter(expression: "port port")
        for linkType in linkTypes {
            let error = try #require(throws: FilterError.self) {
                try passes(filter, linkType, wrap(linkType, 0x0800, Frames.tcp80))
            }
            #expect(error.reason == .badExpression, "\(linkType)")
            #expect(error.description.hasPrefix("bad filter 'port port': "))
            #expect(error.description.hasSuffix("(libpcap)"))
        }
    }

    @Test("an unknown host name is a bad filter with libpcap's reason")
    func unknownHost() throws {
        let filter = PacketFilter(expression: "host no-such-host.invalid")
        let error = try #require(throws: FilterError.self) { try filter.validate() }
        #expect(
            error.description == "bad filter 'host no-such-host.invalid': unknown host 'no-such-host.invalid' (libpcap)"
        )
    }

    @Test("a link type libpcap cannot filter is named in the error")
    func unsupportedLinkType() throws {
        let filter = PacketFilter(expression: "tcp")
        let dsa = LinkType(rawValue: 284)
        let error = try #require(throws: FilterError.self) {
            try passes(filter, dsa, Frames.ethernet(0x0800, Frames.tcp80))
        }
        #expect(error.reason == .unsupportedLinkType(dsa))
        #expect(error.description.contains("link type 284"))
        #expect(error.description.contains("Marvell DSA"))
        #expect(error.description.hasPrefix("filter 'tcp' cannot be used on link type 284"))
        // The failure is cached: a file full of such packets compiles once.
        _ = try? passes(filter, dsa, Frames.tcp80)
        #expect(filter.cachedLinkTypeCount == 1)
    }

    @Test("tcp port 80 on Ethernet, SLL2 and raw IP frames", arguments: [LinkType.ethernet, .linuxSLL2, .raw])
    func tcpPort80(linkType: LinkType) throws {
        let filter = PacketFilter(expression: "tcp port 80")
        #expect(try passes(filter, linkType, wrap(linkType, 0x0800, Frames.tcp80)))
        #expect(try passes(filter, linkType, wrap(linkType, 0x86DD, Frames.tcp6)))
        #expect(try !passes(filter, linkType, wrap(linkType, 0x0800, Frames.tcp443)))
        #expect(
            try !passes(
                filter, linkType, wrap(linkType, 0x0800, Frames.ipv4(Frames.a, Frames.b, proto: 17, Frames.udp(80, 80)))
            ))
    }

    @Test("udp, host, ip6 on each link type", arguments: [LinkType.ethernet, .linuxSLL2, .raw])
    func protocolsAndHosts(linkType: LinkType) throws {
        let udp = PacketFilter(expression: "udp")
        #expect(try passes(udp, linkType, wrap(linkType, 0x0800, Frames.udp53)))
        #expect(try !passes(udp, linkType, wrap(linkType, 0x0800, Frames.tcp80)))

        let host = PacketFilter(expression: "host 10.0.0.1")
        #expect(try passes(host, linkType, wrap(linkType, 0x0800, Frames.tcp80)))  // 10.0.0.1 → 10.0.0.2
        #expect(try !passes(host, linkType, wrap(linkType, 0x0800, Frames.udp53)))  // 192.168.1.7 → 10.0.0.2
        let reply = Frames.ipv4(Frames.b, Frames.a, proto: 6, Frames.tcp(80, 51000, flags: 0x12))
        #expect(try passes(host, linkType, wrap(linkType, 0x0800, reply)))

        let ip6 = PacketFilter(expression: "ip6")
        #expect(try passes(ip6, linkType, wrap(linkType, 0x86DD, Frames.tcp6)))
        #expect(try !passes(ip6, linkType, wrap(linkType, 0x0800, Frames.tcp80)))
    }

    @Test("arp matches ARP on Ethernet and SLL2 and rejects everything on raw IP without an error")
    func arp() throws {
        let filter = PacketFilter(expression: "arp")
        #expect(try passes(filter, .ethernet, Frames.ethernet(0x0806, Frames.arpRequest)))
        #expect(try !passes(filter, .ethernet, Frames.ethernet(0x0800, Frames.tcp80)))
        #expect(try passes(filter, .linuxSLL2, Frames.sll2(0x0806, Frames.arpRequest)))
        #expect(try !passes(filter, .linuxSLL2, Frames.sll2(0x0800, Frames.tcp80)))
        // libpcap: "expression rejects all packets" — in a mixed file that just means no match.
        #expect(try !passes(filter, .raw, Frames.tcp80))
        #expect(try filter.disassembly(for: .raw) == ["(000) ret      #0"])
    }

    @Test("one program is compiled per link type and reused")
    func cachePerLinkType() throws {
        let filter = PacketFilter(expression: "tcp port 80")
        #expect(filter.cachedLinkTypeCount == 0)
        for _ in 0..<3 {
            for linkType in linkTypes {
                #expect(try passes(filter, linkType, wrap(linkType, 0x0800, Frames.tcp80)))
            }
        }
        #expect(filter.cachedLinkTypeCount == 3)
        try filter.validate(for: .ethernet)
        #expect(filter.cachedLinkTypeCount == 3)
    }

    @Test("an empty filter matches everything, even where libpcap cannot compile")
    func emptyFilter() throws {
        let filter = PacketFilter(expression: "  ")
        #expect(try passes(filter, LinkType(rawValue: 284), [1, 2, 3]))
        #expect(try passes(filter, .ethernet, []))
        #expect(filter.cachedLinkTypeCount == 0)
        #expect(try filter.disassembly(for: .ethernet).isEmpty)
    }

    @Test("BPF's len is the original length, not the captured one")
    func originalLength() throws {
        let filter = PacketFilter(expression: "greater 1000")
        let frame = Frames.ethernet(0x0800, Frames.tcp80)
        let cut = try frame.withUnsafeBytes { bytes throws(FilterError) in
            try filter.matches(linkType: .ethernet, originalLength: 1514, bytes: bytes)
        }
        #expect(cut)
        #expect(try !passes(filter, .ethernet, frame))
    }

    @Test("a truncated frame never matches and never reads past the bytes")
    func truncatedFrames() throws {
        let filter = PacketFilter(expression: "tcp dst port 80")
        let frame = Frames.ethernet(0x0800, Frames.tcp80)
        for length in 0..<frame.count {
            let prefix = Array(frame[0..<length])
            // The destination port is the last field BPF needs; every shorter prefix fails.
            let ok = try prefix.withUnsafeBytes { bytes throws(FilterError) in
                try filter.matches(linkType: .ethernet, originalLength: frame.count, bytes: bytes)
            }
            #expect(ok == (length >= 14 + 20 + 4), "prefix \(length)")
        }
    }

    @Test("the program disassembles like tcpdump -d")
    func disassembly() throws {
        let lines = try PacketFilter(expression: "udp").disassembly(for: .ethernet)
        #expect(lines.first == "(000) ldh      [12]")
        #expect(lines.contains { $0.contains("ret      #262144") })
    }
}
