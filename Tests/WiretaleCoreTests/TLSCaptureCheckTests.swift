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
