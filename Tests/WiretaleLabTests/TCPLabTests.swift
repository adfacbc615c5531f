import Foundation
import Testing
import WiretaleCore

@testable import WiretaleLab

/// Each TCP lab scenario, asserted from the captured packets (the tracker's steps) and from the
/// kernel's own states (/proc/net/tcp) after each call.
@Suite(.serialized, .timeLimit(.minutes(1))) struct TCPLabTests {
    @Test func withoutCapturingTheCallsAndKernelStatesStillShowTheHandshakeAndTeardown() {
        let run = TCPLab.run(.clientCloses, capture: false)
        #expect(run.frames == nil)
        #expect(run.captureNote != nil)
        #expect(kernel(run, "listener", after: .server, "listen") == .some(.listen))
        #expect(kernel(run, "client", after: .client, "connect") == .some(.established))
        #expect(kernelAfterWait(run, "client") == .finWait2)
        #expect(kernelAfterWait(run, "server") == .closeWait)
        #expect(kernel(run, "client", after: .server, "close()") == .some(.timeWait))
    }

    @Test(.enabled(if: isRoot, rootReason))
    func clientClosesFirstIsTheNotesFourWayTeardownWithTheClientInTimeWait() {
        let run = TCPLab.run(.clientCloses)
        #expect(run.captureNote == nil)
        #expect(steps(run) == [.handshake1, .handshake2, .handshake3, .teardown1, .teardown2, .teardown3, .teardown4])
        // The kernel: LISTEN, ESTABLISHED, FIN-WAIT-1/CLOSE-WAIT, FIN-WAIT-2, TIME-WAIT.
        #expect(kernel(run, "listener", after: .server, "listen") == .some(.listen))
        #expect(kernel(run, "client", after: .client, "connect") == .some(.established))
        #expect(kernel(run, "server", after: .client, "connect") == .some(.established))
        #expect(kernel(run, "client", after: .client, "close()") == .some(.finWait1))
        #expect(kernel(run, "server", after: .client, "close()") == .some(.closeWait))
        #expect(kernelAfterWait(run, "client") == .finWait2)
        #expect(kernel(run, "client", after: .server, "close()") == .some(.timeWait))
        #expect(kernel(run, "server", after: .server, "close()") == .some(nil), "the server's socket is gone: CLOSED")
        // The calls: the ACK of the first FIN came during the lab's wait, the last two segments on the server's close().
        let byStep = run.framesByStep()
        let serverClose = run.stepIndex(.server, "close()")!
        #expect(byStep[serverClose].count == 2)
    }

    @Test(.enabled(if: isRoot, rootReason))
    func serverClosesFirstLeavesTheServerInTimeWait() {
        let run = TCPLab.run(.serverCloses)
        #expect(steps(run) == [.handshake1, .handshake2, .handshake3, .teardown1, .teardown2, .teardown3, .teardown4])
        #expect(kernel(run, "server", after: .server, "close()") == .some(.finWait1))
        #expect(kernel(run, "client", after: .server, "close()") == .some(.closeWait))
        #expect(kernelAfterWait(run, "server") == .finWait2)
        #expect(kernel(run, "server", after: .client, "close()") == .some(.timeWait))
        #expect(kernel(run, "client", after: .client, "close()") == .some(nil))
        var x = FrameExplainer()
        for f in run.frames ?? [] { _ = x.line(for: f) }
        x.finish()
        #expect(x.conversations.values.first?.teardown.firstCloserIsClient == false)
    }

    @Test(.enabled(if: isRoot, rootReason))
    func abortSendsARSTAndLeavesNoTimeWait() {
        let run = TCPLab.run(.abort)
        #expect(steps(run) == [.handshake1, .handshake2, .handshake3, .reset])
        let close = run.stepIndex(.client, "close()")!
        #expect(run.framesByStep()[close].count == 1)
        #expect(run.steps[close].kernel.allSatisfy { $0.role == "listener" }, "both ends gone at once")
        let lastRecv = run.steps.lastIndex { $0.actor == .server && $0.call == "recv()" }!
        #expect(run.steps[lastRecv].result.contains("ECONNRESET"))
        #expect(!run.kernelStates.contains(.timeWait))
    }

    @Test(.enabled(if: isRoot, rootReason))
    func serverAbortSendsTheRSTFromTheServerAndTheClientSeesECONNRESET() {
        let run = TCPLab.run(.serverAborts)
        #expect(steps(run) == [.handshake1, .handshake2, .handshake3, .reset])
        let linger = run.stepIndex(.server, "setsockopt")
        #expect(linger != nil, "the server sets SO_LINGER 0")
        let close = run.stepIndex(.server, "close()")!
        #expect(run.framesByStep()[close].count == 1, "the RST leaves on the server's close()")
        let clientRecv = run.steps.lastIndex { $0.actor == .client && $0.call == "recv()" }!
        #expect(run.steps[clientRecv].result.contains("ECONNRESET"))
        #expect(!run.kernelStates.contains(.timeWait))
        var x = FrameExplainer()
        for f in run.frames ?? [] { _ = x.line(for: f) }
        x.finish()
        #expect(x.conversations.values.first?.teardown.rstFromClient == false, "the RST came from the server")
    }

    @Test(.enabled(if: wiretaleBinary() != nil, "build the wiretale binary first (swift build)"))
    func labTCPCloseServerAbortIsTheServersAbortNotHalfApplied() {
        let r = runProgram([wiretaleBinary()!, "lab", "tcp", "--close", "server", "--abort", "--no-capture"])
        #expect(r.status == 0)
        #expect(r.output.contains("the server aborts with RST"), "\(r.output)")
        #expect(!r.output.contains("the client aborts"))
    }

    @Test(.enabled(if: isRoot, rootReason))
    func halfCloseKeepsDataFlowingAfterTheClientsFin() {
        let run = TCPLab.run(.halfClose)
        let s = steps(run)
        #expect(Array(s.prefix(5)) == [.handshake1, .handshake2, .handshake3, .teardown1, .teardown2])
        #expect(s.contains(.halfCloseData))
        #expect(Array(s.suffix(2)) == [.teardown3, .teardown4])
        #expect(kernel(run, "client", after: .client, "shutdown") == .some(.finWait1))
        #expect(kernelAfterWait(run, "client") == .finWait2)
        #expect(kernelAfterWait(run, "server") == .closeWait)
        let clientRecv = run.steps.lastIndex { $0.actor == .client && $0.call == "recv()" }!
        #expect(run.steps[clientRecv].result.contains("still talking after your FIN"))
        #expect(kernel(run, "client", after: .server, "close()", occurrence: 0) == .some(.timeWait))
    }

    @Test(.enabled(if: isRoot, rootReason))
    func aClosedPortAnswersTheSYNWithRSTAndConnectIsRefused() {
        let run = TCPLab.run(.refused)
        #expect(steps(run) == [.handshake1, .refused])
        let connect = run.stepIndex(.client, "connect")!
        #expect(run.steps[connect].result.contains("ECONNREFUSED"))
        #expect(run.framesByStep()[connect].count == 2)
        #expect(run.kernelStates.isEmpty)
    }
}

/// `lab tcp --format json` for every scenario, read back with Foundation's parser: each sampled
/// kernel state equals the wire's, and the steps hold the frames. In the same serialized suite: one
/// lab at a time on loopback.
extension TCPLabTests {
    static let variants: [(scenario: String, arguments: [String])] = [
        ("client-closes", []), ("server-closes", ["--close", "server"]), ("abort", ["--abort"]),
        ("server-aborts", ["--close", "server", "--abort"]), ("half-close", ["--half-close"]),
        ("refused", ["--refused"]),
    ]

    /// Runs `wiretale lab tcp ARGS --format json` and parses its one object.
    func labJSON(_ arguments: [String]) -> [String: Any]? {
        let r = runProgram([wiretaleBinary()!, "lab", "tcp", "--format", "json"] + arguments)
        guard r.status == 0, let data = r.output.data(using: .utf8) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    @Test(.enabled(if: isRoot && wiretaleBinary() != nil, "needs root and the built binary (swift build)"))
    func everySampledKernelStateIsTheWiresForEveryScenario() throws {
        for v in Self.variants {
            let doc = try #require(labJSON(v.arguments), "\(v.scenario): no JSON object")
            #expect(doc["scenario"] as? String == v.scenario)
            let capture = try #require(doc["capture"] as? [String: Any])
            #expect(capture["captured"] as? Bool == true, "\(v.scenario): \(capture)")
            let steps = try #require(doc["steps"] as? [[String: Any]])
            var frames: [[String: Any]] = []
            var compared = 0
            for step in steps {
                frames += step["frames"] as? [[String: Any]] ?? []
                for s in step["states"] as? [[String: Any]] ?? [] {
                    let kernel = s["kernel"] as? String
                    let wire = s["wire"] as? String
                    #expect(wire != nil, "\(v.scenario) step \(step["step"] ?? "?"): a state without the wire's")
                    #expect(
                        kernel == wire && s["agree"] as? Bool == true,
                        "\(v.scenario) step \(step["step"] ?? "?") \(step["call"] ?? "") \(s["side"] ?? ""): kernel \(kernel ?? "nil"), wire \(wire ?? "nil")"
                    )
                    compared += 1
                }
            }
            #expect(compared > 0, "\(v.scenario): nothing compared")
            #expect(doc["compared"] as? Int == compared)
            #expect(doc["agree"] as? Bool == true, "\(v.scenario): \(doc["disagreements"] ?? "")")
            // Every captured frame is in exactly one step, numbered 1..n in order, with its header.
            #expect(frames.map { $0["frame"] as? Int } == (1...max(1, frames.count)).map { $0 })
            #expect(capture["frame_count"] as? Int == frames.count)
            let first = try #require(frames.first)
            #expect(first["flags"] as? [String] == ["SYN"], "\(v.scenario): \(first)")
            #expect(first["from"] as? String == "client")
            #expect(first["seq"] as? Int == 0)
            #expect(first["notes_step"] as? String == "handshake-1")
            for f in frames {
                #expect(f["len"] is Int && f["client_state"] is String && f["server_state"] is String)
            }
            let flags = frames.compactMap { $0["flags"] as? [String] }
            switch v.scenario {
            case "refused":
                #expect(flags.count == 2 && flags[1].contains("RST"))
            case "abort", "server-aborts":
                #expect(flags.last?.contains("RST") == true)
                #expect(flags.filter { $0.contains("FIN") }.isEmpty)
            default:
                #expect(flags.filter { $0.contains("FIN") }.count == 2, "\(v.scenario): two FINs")
            }
        }
    }

    @Test(.enabled(if: wiretaleBinary() != nil, "build the wiretale binary first (swift build)"))
    func withoutCaptureTheKernelStatesAreThereAndNothingIsCompared() throws {
        let doc = try #require(labJSON(["--no-capture"]))
        #expect((doc["capture"] as? [String: Any])?["captured"] as? Bool == false)
        #expect(doc["compared"] as? Int == 0)
        #expect(doc["agree"] is NSNull)
        let steps = try #require(doc["steps"] as? [[String: Any]])
        let connect = try #require(steps.first { ($0["call"] as? String)?.hasPrefix("connect") == true })
        let states = connect["states"] as? [[String: Any]] ?? []
        #expect(states.map { $0["kernel"] as? String } == ["ESTABLISHED", "ESTABLISHED"])
        #expect(states.allSatisfy { $0["wire"] is NSNull && $0["agree"] is NSNull })
    }

    @Test func inChineseEveryCallIsExplainedInChinese() {
        let run = TCPLab.run(.clientCloses, capture: false, lang: .zh)
        var out = LabOutput(fd: -1, keep: true)
        LabText.render(run, lang: .zh, to: &out)
        for s in run.steps {
            #expect(s.meaning.unicodeScalars.contains { $0.value >= 0x4E00 }, "\(s.meaning)")
        }
        #expect(out.kept.contains("TCP实验"))
        #expect(out.kept.contains("客户端"))
        #expect(out.kept.contains("未抓包"))
        #expect(!out.kept.contains("the kernel"), "\(out.kept)")
        let json = TCPLabJSON.render(run, scenario: .clientCloses, lang: .zh)
        let doc = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any]
        #expect((doc?["title"] as? String)?.contains("TCP实验") == true)
    }
}
