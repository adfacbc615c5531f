import WiretaleCapture
import WiretaleCore

#if canImport(Glibc)
    import Glibc
#endif

/// The TCP lab's variants: who closes first, or how the connection ends otherwise.
public enum TCPLabScenario: String, Sendable, CaseIterable {
    /// The client closes first: the notes' four-way teardown with the client as A.
    case clientCloses = "client-closes"
    /// The server closes first: A is the server, and the server is left in TIME-WAIT.
    case serverCloses = "server-closes"
    /// The client aborts: SO_LINGER 0, then close() sends a RST instead of a FIN.
    case abort
    /// The server aborts: SO_LINGER 0 on the accepted socket, then close() sends a RST.
    case serverAborts = "server-aborts"
    /// The client shuts down its sending half (shutdown SHUT_WR); the server still sends after the FIN.
    case halfClose = "half-close"
    /// The client connects to a port where nothing listens.
    case refused

    public var title: String { title(.en) }

    public func title(_ lang: NotesLanguage) -> String {
        let label: TCPLabLabel =
            switch self {
            case .clientCloses: .titleClientCloses
            case .serverCloses: .titleServerCloses
            case .abort: .titleAbort
            case .serverAborts: .titleServerAborts
            case .halfClose: .titleHalfClose
            case .refused: .titleRefused
            }
        return label.filled(lang)
    }
}

/// `wiretale lab tcp`: the notes' TCP client and server on loopback, each call recorded with the
/// packets it caused and the kernel's state of each socket after it.
public enum TCPLab {
    static let host = "127.0.0.1"

    /// Runs one scenario. `capture`: capture packets when allowed (else the run says why not);
    /// `lang`: the language of the meanings, results and findings it records.
    public static func run(
        _ scenario: TCPLabScenario, capture: Bool = true, message: String = "hello", lang: NotesLanguage = .en
    ) -> LabRun {
        func say(_ label: TCPLabLabel, _ values: String...) -> String { label.filled(lang, values) }
        func name(_ actor: LabActor) -> String { LabText.role(actor.rawValue, lang) }
        var port: UInt16 = 0
        var clientPort: UInt16 = 0
        var listener: Socket?
        var bound: SocketAddress?
        var recorder = StepRecorder(
            run: LabRun(title: scenario.title(lang), port: 0),
            kernelTable: { KernelSockets.tcp(port: port) },
            roles: { k in
                if k.localPort == port && k.remotePort == 0 { return "listener" }
                if k.localPort == port && k.remotePort == clientPort { return "server" }
                if k.localPort == clientPort && k.remotePort == port { return "client" }
                return nil
            })

        if scenario == .refused {
            // Find a free port, then let it go: nothing listens there.
            if let probe = try? Socket.tcp(), (try? probe.bind(SocketAddress(ip: host, port: 0)!)) != nil,
                let a = try? probe.localAddress()
            {
                port = a.port
                probe.close()
            }
            recorder.note(say(.portClosed, "\(port)"), meaning: say(.portClosedMeaning))
        } else {
            listener = recorder.step(
                .server, "socket(AF_INET, SOCK_STREAM)", meaning: say(.serverSocket),
                { () throws(SocketError) in try Socket.tcp() }, result: { "fd \($0.fd)" })
            guard let listener else { return recorder.run }
            try? listener.reuseAddress()
            bound = recorder.step(
                .server, "bind(\(host):0)", meaning: say(.bind),
                { () throws(SocketError) in
                    try listener.bind(SocketAddress(ip: host, port: 0)!)
                    return try listener.localAddress()
                }, result: { say(.bindResult, "\($0.port)") })
            guard let bound else { return recorder.run }
            port = bound.port
        }
        recorder.run.port = port

        // Open the capture before any packet can flow.
        let labCapture = LabCapture.open(filter: "tcp port \(port)", wanted: capture, for: &recorder.run)

        if let listener {
            recorder.step(
                .server, "listen(backlog 16)", meaning: say(.listen),
                { () throws(SocketError) in try listener.listen() }, result: { "0" })
        }

        let client = recorder.step(
            .client, "socket(AF_INET, SOCK_STREAM)", meaning: say(.clientSocket),
            { () throws(SocketError) in try Socket.tcp() }, result: { "fd \($0.fd)" })
        guard let client else { return finish(recorder.run, labCapture) }
        try? client.receiveTimeout(milliseconds: 2000)
        let target = SocketAddress(ip: host, port: port)!
        let connected = recorder.step(
            .client, "connect(\(target))",
            meaning: say(scenario == .refused ? .connectRefused : .connect),
            { () throws(SocketError) in
                try client.connect(target)
                clientPort = try client.localAddress().port
                return clientPort
            }, result: { (p: UInt16) in say(.connectResult, "\(p)") })
        if connected == nil || scenario == .refused {
            if connected == nil {
                recorder.run.findings.append(say(.refusedFinding))
            }
            client.close()
            return finish(recorder.run, labCapture)
        }
        // Its kernel snapshot ran before clientPort was known to the role filter; take it again.
        let connectIndex = recorder.run.steps.count - 1
        recorder.run.steps[connectIndex].sampled = wallClockNanoseconds()
        recorder.run.steps[connectIndex].kernel = recorder.kernelTable().compactMap { k in
            recorder.roles(k).map { (role: $0, socket: k) }
        }

        guard let listener,
            let (server, _) = recorder.step(
                .server, "accept()", meaning: say(.accept),
                { () throws(SocketError) in try listener.accept() },
                result: { say(.acceptResult, "\($0.0.fd)", "\($0.1)") })
        else { return finish(recorder.run, labCapture) }
        try? server.receiveTimeout(milliseconds: 2000)
        let bytes = Array(message.utf8)

        func send(_ actor: LabActor, _ s: Socket, _ data: [UInt8], meaning: String? = nil) {
            recorder.step(
                actor, "send(\"\(String(decoding: data, as: UTF8.self))\")", meaning: meaning ?? say(.send),
                { () throws(SocketError) in try s.send(data) }, result: { say(.sendResult, "\($0)") })
        }
        func recv(_ actor: LabActor, _ s: Socket, meaning: String) {
            recorder.step(
                actor, "recv()", meaning: meaning, { () throws(SocketError) in try s.receive() },
                result: {
                    $0.isEmpty
                        ? say(.recvEnd) : say(.recvData, "\($0.count)", String(decoding: $0, as: UTF8.self))
                })
        }

        send(.client, client, bytes)
        recv(.server, server, meaning: say(.recvArrived))

        switch scenario {
        case .clientCloses, .serverCloses:
            send(.server, server, bytes, meaning: say(.echo))
            recv(.client, client, meaning: say(.recvEcho))
            let (a, b, aName, bName): (Socket, Socket, LabActor, LabActor) =
                scenario == .clientCloses ? (client, server, .client, .server) : (server, client, .server, .client)
            recorder.step(
                aName, "close()", meaning: say(.closeA, name(aName), name(bName)),
                { () throws(SocketError) in a.close() }, result: { "0" })
            recorder.wait(200, meaning: say(.waitDelayedACK))
            recv(bName, b, meaning: say(.recvEndB, name(bName)))
            recorder.step(
                bName, "close()", meaning: say(.closeB, name(aName)),
                { () throws(SocketError) in b.close() }, result: { "0" })
        case .halfClose:
            recorder.step(
                .client, "shutdown(SHUT_WR)", meaning: say(.shutdown),
                { () throws(SocketError) in try client.shutdownWrite() }, result: { "0" })
            recorder.wait(200, meaning: say(.waitHalfClose))
            recv(.server, server, meaning: say(.recvEndServer))
            send(.server, server, Array("still talking after your FIN".utf8), meaning: say(.sendAfterFIN))
            recv(.client, client, meaning: say(.recvAfterFIN))
            recorder.step(
                .server, "close()", meaning: say(.closeServerHalf),
                { () throws(SocketError) in server.close() }, result: { "0" })
            recorder.step(
                .client, "close()", meaning: say(.closeClientHalf),
                { () throws(SocketError) in client.close() }, result: { "0" })
        case .abort, .serverAborts:
            let (a, b, aName, bName): (Socket, Socket, LabActor, LabActor) =
                scenario == .abort ? (client, server, .client, .server) : (server, client, .server, .client)
            recorder.step(
                aName, "setsockopt(SO_LINGER, {on, 0 s})", meaning: say(.linger),
                { () throws(SocketError) in try a.lingerZero() }, result: { (_: Void) in "0" })
            recorder.step(
                aName, "close()", meaning: say(.abortClose, name(aName)),
                { () throws(SocketError) in a.close() }, result: { "0" })
            recv(bName, b, meaning: say(.recvReset, name(bName)))
            recorder.step(
                bName, "close()", meaning: say(.closeAfterReset),
                { () throws(SocketError) in b.close() }, result: { "0" })
        case .refused:
            break
        }
        recorder.step(
            .server, say(.closeListener), meaning: say(.closeListenerMeaning),
            { () throws(SocketError) in listener.close() }, result: { "0" })
        return finish(recorder.run, labCapture)
    }

    static func finish(_ run: LabRun, _ capture: LabCapture?) -> LabRun {
        var run = run
        if let capture { run.frames = capture.finish() }
        return run
    }
}
