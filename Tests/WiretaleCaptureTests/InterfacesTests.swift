import Foundation
import Testing
import WiretaleCore

@testable import WiretaleCapture

@Suite("Listing interfaces")
struct InterfacesTests {
    @Test("lo is listed with 127.0.0.1/8, as loopback and up")
    func loopback() throws {
        let interfaces = try Interfaces.list()
        let lo = try #require(interfaces.first { $0.name == "lo" })
        #expect(lo.flags.contains(.loopback))
        #expect(lo.flags.contains(.up))
        #expect(!lo.flags.contains(.wireless))
        let v4 = try #require(lo.addresses.first { !$0.address.isIPv6 })
        #expect(v4.address == IPAddress("127.0.0.1"))
        #expect(v4.netmask == IPAddress("255.0.0.0"))
        #expect(v4.prefixLength == 8)
        #expect(v4.description == "127.0.0.1/8")
        if let v6 = lo.addresses.first(where: { $0.address.isIPv6 }) {
            #expect(v6.description == "::1/128")
        }
    }

    @Test("link types: lo is Ethernet when we may open it, any is always LINUX_SLL2")
    func linkTypes() throws {
        let interfaces = try Interfaces.list()
        let lo = try #require(interfaces.first { $0.name == "lo" })
        if captureAllowed() {
            #expect(lo.linkType == .known(.ethernet))
        } else {
            #expect(lo.linkType == .needsPrivileges)
            #expect(lo.linkType.description == "unknown (needs privileges)")
        }
        let any = try #require(interfaces.first { $0.name == "any" })
        #expect(any.linkType == .known(.linuxSLL2))
        #expect(any.linkType.description == "linux-sll2")
        #expect(any.descriptionText?.isEmpty == false)
        // Without probing nothing is opened.
        let quick = try Interfaces.list(probeLinkTypes: false)
        #expect(quick.first { $0.name == "lo" }?.linkType == .notProbed("not probed"))
    }

    @Test("the order is libpcap's, the same as tcpdump -D", .enabled(if: Tools.tcpdump != nil, "tcpdump not installed"))
    func sameOrderAsTcpdump() throws {
        let output = try Tools.run(Tools.tcpdump!, ["-D"])
        // "1.eth0 [Up, Running, Connected]" / "2.any (Pseudo-device ...) [Up, Running]"
        let names = output.lines.compactMap { line -> String? in
            guard let dot = line.firstIndex(of: ".") else { return nil }
            return line[line.index(after: dot)...].split(separator: " ").first.map(String.init)
        }
        #expect(!names.isEmpty)
        #expect(Interfaces.names() == names)
    }

    @Test("netmasks become prefix lengths only when contiguous")
    func prefixLengths() throws {
        func prefix(_ text: String) throws -> Int? {
            InterfaceAddress.prefixLength(of: try #require(IPAddress(text)))
        }
        #expect(try prefix("255.255.255.0") == 24)
        #expect(try prefix("255.255.255.255") == 32)
        #expect(try prefix("0.0.0.0") == 0)
        #expect(try prefix("255.0.255.0") == nil)
        #expect(try prefix("ffff:ffff:ffff:ffff::") == 64)
        #expect(try prefix("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff") == 128)
        #expect(try prefix("ffff:ffff:ffff:ffff:8000::") == 65)
        #expect(try prefix("ffff:fffe::") == 31)
        #expect(try prefix("::") == 0)
        #expect(try prefix("ffff::ffff") == nil)
    }
}
