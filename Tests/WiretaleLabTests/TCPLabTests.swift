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
