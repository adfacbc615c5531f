import WiretaleCapture
import WiretaleCore

#if canImport(Glibc)
    import Glibc
#endif

/// `wiretale lab udp`: the notes' UDP client and server on loopback. No listen, no accept, no
/// connect: one datagram each way, and the kernel lists each socket with no connection state.
public enum UDPLab {
    public static func run(capture: Bool = true, message: String = "hello") -> LabRun {
        var port: UInt16 = 0
        var clientPort: UInt16 = 0
        var recorder = StepRecorder(
            run: LabRun(heading: Bilingual(LabSay.udpTitle), port: 0),
            kernelTable: {
                KernelSockets.udp(port: port) + (clientPort == 0 ? [] : KernelSockets.udp(port: clientPort))
            },
            roles: { k in
                if k.localPort == port { return "server" }
                if k.localPort == clientPort && clientPort != 0 { return "client" }
                return nil
            })
        let host = "127.0.0.1"
        recorder.run.isTCP = false
        guard
            let server = recorder.step(
                .server, "socket(AF_INET, SOCK_DGRAM)", meaning: Bilingual(LabSay.udpSocket),
                { () throws(SocketError) in try Socket.udp() }, result: { Bilingual(verbatim: "fd \($0.fd)") }),
            let bound = recorder.step(
                .server, "bind(\(host):0)", meaning: Bilingual(LabSay.udpBind),
                { () throws(SocketError) in
                    try server.bind(SocketAddress(ip: host, port: 0)!)
                    return try server.localAddress()
                }, result: { Bilingual(LabSay.boundPort, "\($0.port)") })
        else { return recorder.run }
        port = bound.port
        recorder.run.port = port
        try? server.receiveTimeout(milliseconds: 2000)
        let labCapture = LabCapture.open(filter: "udp port \(port)", wanted: capture, for: &recorder.run)
        // Kernel snapshots so far were taken before the port was known.
        for i in recorder.run.steps.indices {
            recorder.run.steps[i].kernel =
                recorder.run.steps[i].call.hasPrefix("bind")
                ? KernelSockets.udp(port: port).map { (role: "server", socket: $0) } : []
        }
        guard
            let client = recorder.step(
                .client, "socket(AF_INET, SOCK_DGRAM)",
                meaning: Bilingual(LabSay.udpClientSocket),
                { () throws(SocketError) in try Socket.udp() }, result: { Bilingual(verbatim: "fd \($0.fd)") })
        else { return finish(recorder.run, labCapture) }
        try? client.receiveTimeout(milliseconds: 2000)
        let bytes = Array(message.utf8)
        let target = SocketAddress(ip: host, port: port)!
        recorder.step(
            .client, "sendto(\"\(message)\", \(target))",
            meaning: Bilingual(LabSay.udpSendto, NotesQuote.udpConnectionless.chinese.description),
            { () throws(SocketError) in
                let n = try client.send(bytes, to: target)
                clientPort = try client.localAddress().port
                return n
            }, result: { Bilingual(LabSay.bytes, "\($0)") })
        let last = recorder.run.steps.count - 1
        recorder.run.steps[last].kernel = recorder.kernelTable().compactMap { k in
            recorder.roles(k).map { (role: $0, socket: k) }
        }
        let got = recorder.step(
            .server, "recvfrom()", meaning: Bilingual(LabSay.udpRecvfrom),
            { () throws(SocketError) in try server.receiveFrom() },
            result: { Bilingual(LabSay.bytesFrom, "\($0.0.count)", Echo.printable($0.0), "\($0.1)") })
        if let (data, peer) = got {
            recorder.step(
                .server, "sendto(\(Echo.printable(data)), \(peer))", meaning: Bilingual(LabSay.udpReply),
                { () throws(SocketError) in try server.send(data, to: peer) },
                result: { Bilingual(LabSay.bytes, "\($0)") })
        }
        recorder.step(
            .client, "recvfrom()", meaning: Bilingual(LabSay.udpReplyRecv),
            { () throws(SocketError) in try client.receiveFrom() },
            result: { Bilingual(LabSay.bytesData, "\($0.0.count)", Echo.printable($0.0)) })
        recorder.step(
            .client, "close()", meaning: Bilingual(LabSay.udpClose),
            { () throws(SocketError) in client.close() }, result: { Bilingual(verbatim: "0") })
        recorder.step(
            .server, "close()", meaning: Bilingual(LabSay.udpServerClose),
            { () throws(SocketError) in server.close() }, result: { Bilingual(verbatim: "0") })
        recorder.run.findingLines.append(Bilingual(LabSay.udpFinding))
        return finish(recorder.run, labCapture)
    }

    static func finish(_ run: LabRun, _ capture: LabCapture?) -> LabRun {
        var run = run
        if let capture { run.frames = capture.finish() }
        return run
    }
}
