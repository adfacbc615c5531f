import Testing

@Suite("wiretale --version")
struct VersionTests {
    @Test("--version prints wiretale's version and the libpcap it runs with, as tcpdump --version does")
    func versionNamesBothParts() throws {
        let r = try CLI.run(["--version"])
        #expect(r.status == 0)
        #expect(r.lines.count == 2, "\(r.stdout)")
        #expect(r.lines.first?.hasPrefix("wiretale ") == true)
        let number = r.lines.first.map { String($0.dropFirst("wiretale ".count)) } ?? ""
        #expect(number.split(separator: ".").count == 3 && number.split(separator: ".").allSatisfy { Int($0) != nil })
        #expect(r.lines.last?.contains("libpcap") == true, "\(r.stdout)")
    }
}
