import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("wiretale interfaces", .serialized)
struct InterfacesCommandTests {
    @Test("The table lists loopback with its flags and addresses, and the any device")
    func table() throws {
        let r = try CLI.run(["interfaces"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.lines
        #expect(lines.first?.hasPrefix("INTERFACE") == true)
        let lo = try #require(lines.first { $0.hasPrefix("lo ") }, "\(lines)")
        #expect(lo.contains("up") && lo.contains("loopback"))
        #expect(r.stdout.contains("127.0.0.1/8"))
        let any = try #require(lines.first { $0.hasPrefix("any ") }, "\(lines)")
        #expect(any.contains("linux-sll2"))
        if getuid() == 0 {
            #expect(lo.contains("ether"), "opening lo tells its link type: \(lo)")
        }
    }

    @Test("JSON: one object per interface with flags, prefixed addresses and the link type")
    func json() throws {
        let objects = try CLI.json(try CLI.run(["interfaces", "--format", "json"]))
        let names = objects.compactMap { $0["name"] as? String }
        #expect(names.contains("lo") && names.contains("any"))
        let lo = try #require(objects.first { $0["name"] as? String == "lo" })
        #expect((lo["flags"] as? [String])?.contains("loopback") == true)
        #expect(lo["default"] as? Bool == false, "loopback is never the default")
        let addresses = try #require(lo["addresses"] as? [[String: Any]])
        #expect(addresses.contains { $0["address"] as? String == "127.0.0.1" && $0["prefix"] as? Int == 8 })
        let any = try #require(objects.first { $0["name"] as? String == "any" })
        #expect(any["link_type"] as? String == "linux-sll2" && any["dlt"] as? Int == 276)
        if getuid() == 0 {
            #expect(lo["link_type"] as? String == "ether")
        } else {
            #expect(lo["link_type"] is NSNull && (lo["link_type_note"] as? String)?.contains("privileges") == true)
        }
        #expect(objects.filter { $0["default"] as? Bool == true }.count <= 1)
    }
}
