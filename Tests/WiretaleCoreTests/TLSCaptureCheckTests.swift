import Foundation
import Testing

@testable import WiretaleCore

/// A check against tshark on real captures, run by hand: `TLS_CHECK_DIR` names a folder of
/// `*.txt` files, each one TCP stream as `C <hex>` / `S <hex>` lines (tshark's `follow,tcp,raw`);
/// the decoder's handshakes are written to `results.tsv` beside them (file, index, SNI, version,
/// cipher, ALPN, JA4, certificate CN, problems). Skipped when the variable is unset.
@Suite("TLS against captures (TLS_CHECK_DIR)")
struct TLSCaptureCheckTests {
    @Test("Decodes every stream of TLS_CHECK_DIR and writes results.tsv")
    func decodeStreams() throws {
        guard let dir = ProcessInfo.processInfo.environment["TLS_CHECK_DIR"] else { return }
        var out = ""
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".txt") }.sorted()
        for name in names {
            let text = try String(contentsOfFile: dir + "/" + name, encoding: .utf8)
            var steps: [TLSStep] = []
            for line in text.split(separator: "\n") where line.count > 2 {
                steps.append(TLSStep(fromClient: line.hasPrefix("C"), bytes: hexBytes(String(line.dropFirst(2)))))
            }
            let run = TLSRun.feed(steps)
            let whole = run.lines
            let bytewise = TLSRun.feed(steps) { [Int](repeating: 7, count: $0 / 7) + [$0 % 7] }.lines
            #expect(whole == bytewise, "\(name): segmentation changed the result")
            for h in run.handshakes {
                let fields: [String] = [
                    name, "\(h.index)", h.clientHello?.sni ?? "", h.version.map(TLSNames.hex16) ?? "",
                    h.serverHello.map { TLSNames.hex16($0.cipher) } ?? "", h.serverHello?.alpn ?? "",
                    h.clientHello?.ja4 ?? "", h.certificates.first?.subjectCN ?? "",
                    "\(h.certificates.count)", h.isHelloRetryRequest ? "hrr" : "",
                    h.problems.joined(separator: "; "),
                ]
                out += fields.joined(separator: "\t") + "\n"
            }
            if run.handshakes.isEmpty {
                out += "\(name)\t-\tnone\t\(run.conversation.isTLS.map { "\($0)" } ?? "nil")\n"
            }
            for l in run.lines { out += "#\t\(name)\t\(l)\n" }
        }
        try out.write(toFile: dir + "/results.tsv", atomically: true, encoding: .utf8)
    }
}

/// A throughput probe, run by hand: `TLS_BENCH=1` times the decoder over 64 MiB of
/// application-data records (16 KiB each) fed in 1,448-byte segments, and prints MiB/s.
@Suite("TLS decoder speed (TLS_BENCH)")
struct TLSSpeedTests {
    @Test("Application data at segment size")
    func applicationData() {
        guard ProcessInfo.processInfo.environment["TLS_BENCH"] != nil else { return }
        var stream = tlsRecord(22, tlsHandshake(1, clientHelloBody(ciphers: [0x1301], extensions: [])))
        let record = tlsRecord(23, [UInt8](repeating: 0x5a, count: 16384))
        for _ in 0..<64 { stream += record }  // 1 MiB, fed 64 times
        var conversation = TLSConversation()
        var messages = 0
        let clock = ContinuousClock()
        let start = clock.now
        var frame = 0
        for round in 0..<64 {
            var at = round == 0 ? 0 : stream.count - 64 * record.count
            while at < stream.count {
                let n = min(1448, stream.count - at)
                frame += 1
                stream[at..<at + n].withUnsafeBytes { p in
                    conversation.receive(
                        .data(p, firstFrame: frame, lastFrame: frame), fromClient: true, frame: frame, time: .missing
                    ) { _ in messages += 1 }
                }
                at += n
            }
        }
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("TLS_BENCH: 64 MiB in \(seconds) s, \(64 / seconds) MiB/s, \(frame) segments, \(messages) messages")
        #expect(conversation.counters.applicationDataRecords == 64 * 64)
    }
}
