import CPcap
import Foundation
import Testing
import WiretaleCore

@testable import WiretaleCapture

/// Live captures on `lo`, with traffic this process sends to itself on 127.0.0.1. Every loop is
/// bounded by a count and a deadline of a few seconds. Needs root or CAP_NET_RAW (CI runs as root).
@Suite("Live capture on loopback", .enabled(if: captureAllowed(), "needs root or CAP_NET_RAW"))
struct LiveCaptureTests {
    static let deadline: Duration = .seconds(5)

    private func openLoopback(filter: String, readTimeout: Duration = .milliseconds(100)) throws -> LiveCapture {
        try LiveCapture(LiveCapture.Options(device: "lo", readTimeout: readTimeout, filter: filter))
    }

    private static func payload(_ i: Int) -> [UInt8] { Array("wiretale-\(i)".utf8) }

    @Test("every UDP datagram sent to a loopback port is captured, in order, with its bytes")
    func capturesAllDatagrams() throws {
        let receiver = try Loopback.UDPReceiver()
        let capture = try openLoopback(filter: "udp dst port \(receiver.port)")
        #expect(capture.linkType == .ethernet)
        #expect(capture.timestampDigits == 9)
        #expect(capture.snapshotLength == 262_144)

        let n = 200
        // Sent while the loop runs, in paced bursts: on `lo` (MTU 65536) a ring slot is ~64 KiB,
        // so the ring holds a few hundred packets, not thousands.
        let port = receiver.port
        Thread.detachNewThread {
            usleep(50_000)
            for burst in 0..<(n / 25) {
                try? Loopback.sendUDP(count: 25, to: port) { Self.payload(burst * 25 + $0) }
                usleep(2_000)
            }
        }
        var seen: [String] = []
        var previous: Timestamp?
        let reason = try capture.run(count: n, duration: Self.deadline) { packet in
            #expect(packet.linkType == .ethernet)
            #expect(packet.originalLength == packet.bytes.count)
            #expect(packet.timestamp.digits == 9)
            if let previous { #expect(previous <= packet.timestamp) }
            previous = packet.timestamp
            // Ethernet (14) + IPv4 (20) + UDP (8), then our payload.
            seen.append(String(decoding: packet.bytes[42...], as: UTF8.self))
        }
        #expect(reason == .count)
        #expect(seen == (0..<n).map { String(decoding: Self.payload($0), as: UTF8.self) })

        let stats = try capture.stats()
        #expect(stats.delivered == UInt64(n))
        #expect(stats.received >= UInt64(n))
        #expect(stats.droppedByKernel == 0)
    }

    @Test("count stops after exactly that many packets; the rest wait for the next run")
    func countStop() throws {
        let receiver = try Loopback.UDPReceiver()
        let capture = try openLoopback(filter: "udp dst port \(receiver.port)")
        try Loopback.sendUDP(count: 20, to: receiver.port, payload: Self.payload)

        var first = 0
        #expect(try capture.run(count: 5, duration: Self.deadline) { _ in first += 1 } == .count)
        #expect(first == 5)
        var rest: [UInt8] = []
        #expect(try capture.run(count: 15, duration: Self.deadline) { rest.append($0.bytes[51]) } == .count)
        #expect(rest.count == 15)
        // "wiretale-5" is the sixth datagram: byte 9 of the payload is the digit.
        #expect(rest.first == UInt8(ascii: "5"))
        #expect(try capture.stats().delivered == 20)
    }

    @Test("a duration stop ends an idle capture on time")
    func durationStop() throws {
        let receiver = try Loopback.UDPReceiver()
        let capture = try openLoopback(filter: "udp dst port \(receiver.port)")
        let start = ContinuousClock.now
        var got = 0
        let reason = try capture.run(count: 10, duration: .milliseconds(300)) { _ in got += 1 }
        let elapsed = ContinuousClock.now - start
        #expect(reason == .duration)
        #expect(got == 0)
        #expect(elapsed >= .milliseconds(300))
        #expect(elapsed < .seconds(2))
    }

    @Test("stop() from another thread ends a blocked loop promptly, without waiting for the read timeout")
    func stopFromAnotherThread() throws {
        let receiver = try Loopback.UDPReceiver()
        // A 30 s read timeout: only pcap_breakloop's wakeup can end the poll early.
        let capture = try openLoopback(filter: "udp dst port \(receiver.port)", readTimeout: .seconds(30))
        let stopper = capture.stopper
        Thread.detachNewThread {
            usleep(200_000)
            stopper.stop()
        }
        let start = ContinuousClock.now
        let reason = try capture.run(count: 1, duration: .seconds(10)) { _ in }
        let elapsed = ContinuousClock.now - start
        #expect(reason == .stopped)
        #expect(elapsed >= .milliseconds(150))
        #expect(elapsed < .seconds(3))
    }

    @Test("stop() before run makes the next run return at once; the one after that runs normally")
    func stopBeforeRun() throws {
        let receiver = try Loopback.UDPReceiver()
        let capture = try openLoopback(filter: "udp dst port \(receiver.port)")
        capture.stop()
        let start = ContinuousClock.now
        #expect(try capture.run(count: 1, duration: .seconds(5)) { _ in } == .stopped)
        #expect(ContinuousClock.now - start < .seconds(2))
        try Loopback.sendUDP(count: 1, to: receiver.port, payload: Self.payload)
        #expect(try capture.run(count: 1, duration: Self.deadline) { _ in } == .count)
    }

    @Test("stop() inside the callback ends the loop after that packet")
    func stopFromCallback() throws {
        let receiver = try Loopback.UDPReceiver()
        let capture = try openLoopback(filter: "udp dst port \(receiver.port)")
        try Loopback.sendUDP(count: 10, to: receiver.port, payload: Self.payload)
        var got = 0
        let reason = try capture.run(count: 10, duration: Self.deadline) { _ in
            got += 1
            if got == 3 { capture.stop() }
        }
        #expect(reason == .stopped)
        #expect(got == 3)
    }

    @Test("an error thrown by the callback ends the loop and is rethrown")
    func callbackError() throws {
        struct Boom: Error {}
        let receiver = try Loopback.UDPReceiver()
        let capture = try openLoopback(filter: "udp dst port \(receiver.port)")
        try Loopback.sendUDP(count: 5, to: receiver.port, payload: Self.payload)
        var got = 0
        #expect(throws: Boom.self) {
            try capture.run(count: 5, duration: Self.deadline) { _ in
                got += 1
                if got == 2 { throw Boom() }
            }
        }
        #expect(got == 2)
        // The capture is still usable: the other three are there.
        var more = 0
        #expect(try capture.run(count: 3, duration: Self.deadline) { _ in more += 1 } == .count)
        #expect(more == 3)
    }

    @Test("a TCP connect on loopback shows SYN, SYN-ACK, ACK")
    func tcpHandshake() throws {
        let handshake = try Loopback.TCPHandshake()
        let capture = try openLoopback(filter: "tcp port \(handshake.port)")
        try handshake.connect()
        var flags: [UInt8] = []
        var ports: [(UInt16, UInt16)] = []
        let reason = try capture.run(count: 3, duration: Self.deadline) { packet in
            let b = packet.bytes
            #expect(b[12] == 0x08 && b[13] == 0x00)  // EtherType IPv4
            let ihl = Int(b[14] & 0x0F) * 4
            let tcp = 14 + ihl
            ports.append((UInt16(b[tcp]) << 8 | UInt16(b[tcp + 1]), UInt16(b[tcp + 2]) << 8 | UInt16(b[tcp + 3])))
            flags.append(b[tcp + 13])
        }
        #expect(reason == .count)
        #expect(flags == [0x02, 0x12, 0x10])  // SYN, SYN+ACK, ACK
        #expect(ports.count == 3)
        #expect(ports.first?.1 == handshake.port)
        #expect(ports.dropFirst().first?.0 == handshake.port)
    }

    @Test("the any device gives LINUX_SLL2 frames")
    func anyDeviceIsSLL2() throws {
        let receiver = try Loopback.UDPReceiver()
        let capture = try LiveCapture(
            LiveCapture.Options(device: "any", promiscuous: false, filter: "udp dst port \(receiver.port)"))
        #expect(capture.linkType == .linuxSLL2)
        try Loopback.sendUDP(count: 3, to: receiver.port, payload: Self.payload)
        var protocols: [UInt16] = []
        let reason = try capture.run(count: 3, duration: Self.deadline) { packet in
            #expect(packet.linkType == .linuxSLL2)
            protocols.append(UInt16(packet.bytes[0]) << 8 | UInt16(packet.bytes[1]))
        }
        #expect(reason == .count)
        #expect(protocols == [0x0800, 0x0800, 0x0800])
    }

    @Test("a small snapshot length cuts packets and keeps their original length")
    func snapshotLength() throws {
        let receiver = try Loopback.UDPReceiver()
        let capture = try LiveCapture(
            LiveCapture.Options(device: "lo", snapshotLength: 50, filter: "udp dst port \(receiver.port)"))
        try Loopback.sendUDP(count: 1, to: receiver.port) { _ in [UInt8](repeating: 0x41, count: 500) }
        var lengths: [(Int, Int)] = []
        _ = try capture.run(count: 1, duration: Self.deadline) { lengths.append(($0.bytes.count, $0.originalLength)) }
        #expect(lengths.count == 1)
        #expect(lengths.first?.0 == 50)
        #expect(lengths.first?.1 == 14 + 20 + 8 + 500)
    }

    @Test("a bad filter on a live capture quotes libpcap and the filter text")
    func badFilter() throws {
        let error = try #require(throws: CaptureError.self) { try openLoopback(filter: "tcp prot 80") }
        guard case .badFilter(let filterError) = error.kind else {
            Issue.record("expected .badFilter, got \(error.kind)")
            return
        }
        #expect(filterError.reason == .badExpression)
        #expect(error.description == "bad filter 'tcp prot 80': syntax error (libpcap)")
    }

    @Test("an unknown interface is named, with the list of interfaces")
    func unknownInterface() throws {
        let error = try #require(throws: CaptureError.self) {
            try LiveCapture(LiveCapture.Options(device: "nosuch0"))
        }
        guard case .noSuchDevice(let available) = error.kind else {
            Issue.record("expected .noSuchDevice, got \(error.kind)")
            return
        }
        #expect(available.contains("lo"))
        #expect(available.contains("any"))
        #expect(error.description.hasPrefix("no interface named 'nosuch0'; interfaces: "))
        #expect(error.description.contains("lo"))
    }

    @Test(
        "a capture and a file writer together: tcpdump reads what was captured",
        .enabled(if: Tools.tcpdump != nil, "tcpdump not installed"))
    func captureToFile() throws {
        let receiver = try Loopback.UDPReceiver()
        let capture = try openLoopback(filter: "udp dst port \(receiver.port)")
        let path = Tools.temporaryPath("live.pcap")
        defer { unlink(path) }
        let writer = try CaptureWriter(
            path: path, linkType: capture.linkType, snapshotLength: capture.snapshotLength,
            precision: .init(digits: capture.timestampDigits))
        try Loopback.sendUDP(count: 7, to: receiver.port, payload: Self.payload)
        #expect(try capture.run(count: 7, duration: Self.deadline) { try writer.write($0) } == .count)
        try writer.close()
        let lines = try Tools.run(Tools.tcpdump!, ["-nn", "-r", path]).lines
        #expect(lines.count == 7)
        #expect(lines.allSatisfy { $0.contains("127.0.0.1") && $0.contains(".\(receiver.port): UDP") })
    }
}

@Suite("Capture errors that need no interface")
struct CaptureErrorTests {
    @Test("PCAP_ERROR_PERM_DENIED says exactly what to run, and keeps libpcap's words as detail")
    func permissionDenied() {
        let message =
            "eth0: You don't have permission to perform this capture on that device (socket: Operation not permitted)"
        let error = CaptureError.fromActivation(
            status: PCAP_ERROR_PERM_DENIED, device: "eth0", libpcapMessage: message, invocation: nil, available: { [] })
        #expect(error.kind == .permissionDenied)
        let text = error.description
        #expect(text.contains("sudo wiretale capture -i eth0 …"))
        #expect(text.contains("sudo setcap cap_net_raw,cap_net_admin+eip $(command -v wiretale)"))
        #expect(text.contains(message))
        #expect(text.hasPrefix("capturing on 'eth0' needs privileges"))
    }

    @Test("the permission hint repeats the user's own command when the CLI passes it")
    func permissionDeniedWithInvocation() {
        let error = CaptureError.permissionDenied(device: "eth0", invocation: "wiretale capture -i eth0 -w out.pcap")
        #expect(error.description.contains("run it as root:             sudo wiretale capture -i eth0 -w out.pcap\n"))
        #expect(!error.description.contains("libpcap"))
    }

    @Test("a generic libpcap error that is really EPERM gets the same advice")
    func genericEPERM() {
        let error = CaptureError.fromActivation(
            status: PCAP_ERROR, device: "lo", libpcapMessage: "socket: Operation not permitted", invocation: nil,
            available: { [] })
        #expect(error.kind == .permissionDenied)
    }

    @Test("other activation failures map to their own advice")
    func otherStatuses() {
        func kind(_ status: Int32) -> CaptureError.Kind {
            CaptureError.fromActivation(
                status: status, device: "eth1", libpcapMessage: "x", invocation: nil, available: { ["lo", "eth0"] }
            ).kind
        }
        #expect(kind(PCAP_ERROR_NO_SUCH_DEVICE) == .noSuchDevice(available: ["lo", "eth0"]))
        #expect(kind(PCAP_ERROR_PROMISC_PERM_DENIED) == .promiscuousPermissionDenied)
        #expect(kind(PCAP_ERROR_IFACE_NOT_UP) == .interfaceNotUp)
        #expect(kind(PCAP_ERROR_RFMON_NOTSUP) == .openFailed)
        let promisc = CaptureError(kind: .promiscuousPermissionDenied, device: "eth1")
        #expect(promisc.description.contains("--no-promisc"))
        let down = CaptureError(kind: .interfaceNotUp, device: "eth1")
        #expect(down.description.contains("sudo ip link set eth1 up"))
    }

    @Test("read timeouts convert to whole milliseconds, at least 1")
    func milliseconds() {
        #expect(LiveCapture.milliseconds(.milliseconds(100)) == 100)
        #expect(LiveCapture.milliseconds(.seconds(2)) == 2000)
        #expect(LiveCapture.milliseconds(.microseconds(10)) == 1)
        #expect(LiveCapture.milliseconds(.zero) == 1)
        #expect(LiveCapture.milliseconds(.seconds(Int64.max / 2)) == Int32.max)
    }
}

@Suite("Stopping a capture with a signal", .enabled(if: captureAllowed(), "needs root or CAP_NET_RAW"))
struct SignalStopTests {
    @Test("a signal turns into a clean stop through a Dispatch source")
    func signalStops() throws {
        let receiver = try Loopback.UDPReceiver()
        let capture = try LiveCapture(LiveCapture.Options(device: "lo", filter: "udp dst port \(receiver.port)"))
        let seen = SignalLog()
        // SIGUSR2 rather than SIGINT: the test runner must survive if anything goes wrong.
        let signals = SignalStop(signals: [SIGUSR2], stopper: capture.stopper) { seen.record($0) }
        defer { signals.cancel() }
        Thread.detachNewThread {
            usleep(200_000)
            kill(getpid(), SIGUSR2)
        }
        let start = ContinuousClock.now
        let reason = try capture.run(duration: .seconds(5)) { _ in }
        #expect(reason == .stopped)
        #expect(ContinuousClock.now - start < .seconds(3))
        // onSignal runs right after the stop request, on the signal queue.
        let deadline = ContinuousClock.now + .seconds(2)
        while seen.signals.isEmpty && ContinuousClock.now < deadline { usleep(10_000) }
        #expect(seen.signals == [SIGUSR2])
    }
}

/// The signals `SignalStop` reported, written on its queue and read by the test.
private final class SignalLog: @unchecked Sendable {
    private let lock = NSLock()
    private var received: [Int32] = []
    func record(_ signal: Int32) { lock.withLock { received.append(signal) } }
    var signals: [Int32] { lock.withLock { received } }
}
