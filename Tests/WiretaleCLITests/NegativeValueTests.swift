import Testing

@Suite("Negative counts and durations are refused by name")
struct NegativeValueTests {
    @Test(
        "a negative count, duration or timeout says what is wrong (exit 64), not 'Missing value'",
        arguments: [
            (["capture", "-c", "-5"], "--count must be zero or more"),
            (["capture", "--duration", "-1"], "--duration must be a number of seconds above 0"),
            (["read", "-c", "-2", "x.pcap"], "--count must be zero or more"),
            (["lab", "compare", "-c", "-3"], "--count must be from 1 to 100000"),
            (["lab", "servers", "--requests", "-1"], "--requests must be from 1 to 1000000"),
            (
                ["send", "tcp", "127.0.0.1", "7", "--timeout", "-10"],
                "--timeout must be from 1 to 3600000 milliseconds"
            ),
            (["trace", "--timeout", "-1", "http://localhost/"], "timeout"),
        ] as [([String], String)])
    func negativeValues(arguments: [String], message: String) throws {
        let r = try CLI.run(arguments)
        #expect(r.status == 64, "\(r.stderr)")
        #expect(r.stderr.contains(message), "\(r.stderr)")
        #expect(!r.stderr.contains("Missing value"), "\(r.stderr)")
    }
}
