import Testing
import WiretaleCore

@testable import WiretaleLab

#if canImport(Glibc)
    import Glibc
#endif

@Suite(.serialized, .timeLimit(.minutes(1))) struct UDPLabTests {
    @Test(.enabled(if: isRoot, rootReason))
    func udpSendsOneDatagramEachWayWithNoHandshakeOrTeardown() {
        let run = UDPLab.run()
        #expect(run.frames?.count == 2)
        #expect(steps(run).isEmpty)
        let send = run.stepIndex(.client, "sendto")!
        #expect(run.framesByStep()[send].count == 1)
        #expect(run.steps.allSatisfy { $0.kernel.allSatisfy { $0.socket.state == .closed } }, "no connection state")
    }

    @Test(.enabled(if: isRoot, rootReason))
    func oneBroadcastDatagramReachesBothReceiversInTheLabsNamespaces() {
        let r = BroadcastLab.run()
        #expect(r.ran, "\(r.skipped ?? "")")
        #expect(r.receivers.count == 2)
        for rc in r.receivers {
            #expect(rc.received == "hello, everyone")
            #expect(rc.from?.hasPrefix("10.77.0.1:") == true)
            #expect(rc.frames?.count == 1)
            var x = FrameExplainer()
            if let f = rc.frames?.first { #expect(x.line(for: f).note.broadcast) }
        }
        // The namespaces are gone afterwards.
        let prefix = "wtlab\(getpid() % 100_000)"
        #expect(access("/run/netns/\(prefix)hub", F_OK) != 0)
    }

    @Test(.enabled(if: wiretaleBinary() != nil, "build the wiretale binary first (swift build)"))
    func labUDPBroadcastsOnlyWhenAskedWithDashDashBroadcast() {
        let plain = runProgram([wiretaleBinary()!, "lab", "udp", "--no-capture"])
        #expect(plain.status == 0)
        #expect(plain.output.contains("sendto"))
        #expect(!plain.output.contains("UDP broadcast"), "no namespaces, no bridge by default")
        guard isRoot else { return }
        let asked = runProgram([wiretaleBinary()!, "lab", "udp", "--no-capture", "--broadcast"])
        #expect(asked.status == 0)
        #expect(asked.output.contains("UDP broadcast (可以广播)"), "\(asked.output)")
    }

    @Test(.enabled(if: isRoot, rootReason))
    func compareCountsMatchTheCaptureItWrites() throws {
        let run = CompareLab.run(count: 20, size: 32)
        let path = "/tmp/wiretale-compare-\(getpid()).pcap"
        defer { unlink(path) }
        #expect(CompareLab.write(run, to: path).english.contains("wrote"))
        let reader = try CaptureFileReader(path: path)
        var packets = 0
        var bytes = 0
        while let r = try reader.next() {
            packets += 1
            bytes += r.originalLength
        }
        #expect(packets == run.rows.reduce(0) { $0 + ($1.packets ?? 0) })
        #expect(bytes == run.rows.reduce(0) { $0 + ($1.bytes ?? 0) })
        #expect(run.rows.allSatisfy { $0.dropped == 0 && $0.completed == 20 })
        #expect(run.rows[0].packets == 40, "UDP: a request and a reply per exchange")
        #expect(run.rows[0].roundTrips == 1)
        #expect(run.rows[1].roundTrips == 2, "TCP: the handshake, then the request")
        #expect((run.rows[1].packets ?? 0) >= 20 * 9)
    }
}
