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

    public var title: String {
        switch self {
        case .clientCloses: "TCP lab: the client closes first (the notes' four-way teardown)"
        case .serverCloses: "TCP lab: the server closes first"
        case .abort: "TCP lab: the client aborts with RST (SO_LINGER 0)"
        case .serverAborts: "TCP lab: the server aborts with RST (SO_LINGER 0)"
        case .halfClose: "TCP lab: half-close (shutdown SHUT_WR, data after the FIN)"
        case .refused: "TCP lab: connect to a closed port (refused)"
        }
    }
}

/// `wiretale lab tcp`: the notes' TCP client and server on loopback, each call recorded with the
/// packets it caused and the kernel's state of each socket after it.
public enum TCPLab {
    static let host = "127.0.0.1"

    /// Runs one scenario. `capture`: capture packets when allowed (else the run says why not).
    public static func run(_ scenario: TCPLabScenario, capture: Bool = true, message: String = "hello")
        -> LabRun
    {
        var port: UInt16 = 0
        var clientPort: UInt16 = 0
        var listener: Socket?
        var bound: SocketAddress?
        var recorder = StepRecorder(
            run: LabRun(title: scenario.title, port: 0),
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
            recorder.note(
                "port \(port) is closed", meaning: "the lab took a free port and let it go: nothing listens on it")
        } else {
            listener = recorder.step(
                .server, "socket(AF_INET, SOCK_STREAM)",
                meaning: "a TCP socket; no packet, the kernel has no connection yet (CLOSED)",
                { () throws(SocketError) in try Socket.tcp() }, result: { "fd \($0.fd)" })
            guard let listener else { return recorder.run }
            try? listener.reuseAddress()
            bound = recorder.step(
                .server, "bind(\(host):0)",
                meaning: "gives the socket its address; port 0 lets the kernel choose",
                { () throws(SocketError) in
                    try listener.bind(SocketAddress(ip: host, port: 0)!)
                    return try listener.localAddress()
                }, result: { "0, port \($0.port)" })
            guard let bound else { return recorder.run }
            port = bound.port
        }
        recorder.run.port = port

        // Open the capture before any packet can flow.
        let labCapture = LabCapture.open(filter: "tcp port \(port)", wanted: capture, for: &recorder.run)

        if let listener {
            recorder.step(
                .server, "listen(backlog 16)",
                meaning:
                    "the server waits for connections: the kernel puts it in LISTEN (the notes start it at CLOSED)",
                { () throws(SocketError) in try listener.listen() }, result: { "0" })
        }

        let client = recorder.step(
            .client, "socket(AF_INET, SOCK_STREAM)", meaning: "the client's TCP socket (CLOSED)",
            { () throws(SocketError) in try Socket.tcp() }, result: { "fd \($0.fd)" })
        guard let client else { return finish(recorder.run, labCapture) }
        try? client.receiveTimeout(milliseconds: 2000)
        let target = SocketAddress(ip: host, port: port)!
        let connected = recorder.step(
            .client, "connect(\(target))",
            meaning: scenario == .refused
                ? "sends a SYN (SYN-SENT); nothing listens, so the kernel answers with RST: connection refused"
                : "the three-way handshake: SYN (client SYN-SENT), SYN+ACK (server SYN-RCVD), ACK (both ESTABLISHED); "
                    + "on loopback it completes inside this one call",
            { () throws(SocketError) in
                try client.connect(target)
                clientPort = try client.localAddress().port
                return clientPort
            }, result: { (p: UInt16) in "0 (local port \(p))" })
        if connected == nil || scenario == .refused {
            if connected == nil {
                recorder.run.findings.append(
                    "connect() failed with ECONNREFUSED: the SYN was answered by a RST, "
                        + "no connection, no state beyond SYN-SENT")
            }
            client.close()
            return finish(recorder.run, labCapture)
        }
        // Its kernel snapshot ran before clientPort was known to the role filter; take it again.
        let connectIndex = recorder.run.steps.count - 1
        recorder.run.steps[connectIndex].kernel = recorder.kernelTable().compactMap { k in
            recorder.roles(k).map { (role: $0, socket: k) }
        }

        guard let listener,
            let (server, _) = recorder.step(
                .server, "accept()",
                meaning: "takes the finished connection off the queue: a new socket, "
                    + "already ESTABLISHED; no packet",
                { () throws(SocketError) in try listener.accept() },
                result: { "fd \($0.0.fd) for \($0.1)" })
        else { return finish(recorder.run, labCapture) }
        try? server.receiveTimeout(milliseconds: 2000)
        let bytes = Array(message.utf8)

        func send(
            _ actor: LabActor, _ s: Socket, _ data: [UInt8],
            meaning: String = "data goes out with PSH+ACK; the other side's kernel ACKs it"
        ) {
            recorder.step(
                actor, "send(\"\(String(decoding: data, as: UTF8.self))\")", meaning: meaning,
                { () throws(SocketError) in try s.send(data) }, result: { "\($0) bytes" })
        }
        func recv(_ actor: LabActor, _ s: Socket, meaning: String) {
            recorder.step(
                actor, "recv()", meaning: meaning, { () throws(SocketError) in try s.receive() },
                result: {
                    $0.isEmpty
                        ? "0 bytes: end of stream (the other side's FIN)"
                        : "\($0.count) bytes \"\(String(decoding: $0, as: UTF8.self))\""
                })
        }

        send(.client, client, bytes)
        recv(.server, server, meaning: "reads what arrived; no packet (the ACK went out when the data arrived)")

        switch scenario {
        case .clientCloses, .serverCloses:
            send(.server, server, bytes, meaning: "the echo goes back")
            recv(.client, client, meaning: "reads the echo; no packet")
            let (a, b, aName, bName): (Socket, Socket, LabActor, LabActor) =
                scenario == .clientCloses ? (client, server, .client, .server) : (server, client, .server, .client)
            recorder.step(
                aName, "close()",
                meaning: "teardown 1: A (the notes' first closer, here the \(aName.rawValue)) sends its FIN and is "
                    + "FIN-WAIT-1; B (the \(bName.rawValue)) is CLOSE-WAIT",
                { () throws(SocketError) in a.close() }, result: { "0" })
            recorder.wait(
                200,
                meaning: "B's kernel ACKs the FIN (teardown 2) after Linux's delayed-ACK timer "
                    + "(about 40 ms): A is FIN-WAIT-2. (Had B closed within those 40 ms, its ACK would ride on its "
                    + "FIN: a three-segment close.)")
            recv(bName, b, meaning: "B (the \(bName.rawValue)) reads the end of stream: A will send no more")
            recorder.step(
                bName, "close()",
                meaning: "teardown 3: B sends its FIN (LAST-ACK); A answers with the last ACK (teardown 4): "
                    + "A (the \(aName.rawValue)) is TIME-WAIT for 2MSL, B CLOSED",
                { () throws(SocketError) in b.close() }, result: { "0" })
        case .halfClose:
            recorder.step(
                .client, "shutdown(SHUT_WR)",
                meaning: "the client sends its FIN but keeps reading: FIN-WAIT-1; the server is CLOSE-WAIT",
                { () throws(SocketError) in try client.shutdownWrite() }, result: { "0" })
            recorder.wait(
                200,
                meaning: "the server's kernel ACKs the FIN (delayed ACK, about 40 ms): "
                    + "the client is FIN-WAIT-2")
            recv(.server, server, meaning: "the server reads the end of stream, but may still send")
            send(
                .server, server, Array("still talking after your FIN".utf8),
                meaning: "half-close: data after the client's FIN; the client's kernel still ACKs it")
            recv(.client, client, meaning: "the client still receives: only its sending half is closed")
            recorder.step(
                .server, "close()",
                meaning: "the server's FIN (LAST-ACK); the client ACKs it and enters TIME-WAIT",
                { () throws(SocketError) in server.close() }, result: { "0" })
            recorder.step(
                .client, "close()",
                meaning: "the connection is already closed both ways: no packet",
                { () throws(SocketError) in client.close() }, result: { "0" })
        case .abort, .serverAborts:
            let (a, b, aName, bName): (Socket, Socket, LabActor, LabActor) =
                scenario == .abort ? (client, server, .client, .server) : (server, client, .server, .client)
            recorder.step(
                aName, "setsockopt(SO_LINGER, {on, 0 s})",
                meaning: "linger 0: close() will abort instead of closing gracefully; no packet",
                { () throws(SocketError) in try a.lingerZero() }, result: { (_: Void) in "0" })
            recorder.step(
                aName, "close()",
                meaning: "abort: the \(aName.rawValue) sends a RST instead of a FIN; both sockets go straight to "
                    + "CLOSED, no TIME-WAIT",
                { () throws(SocketError) in a.close() }, result: { "0" })
            recv(bName, b, meaning: "the \(bName.rawValue) learns of the abort: recv fails with ECONNRESET")
            recorder.step(
                bName, "close()", meaning: "nothing left to close on the wire: no packet",
                { () throws(SocketError) in b.close() }, result: { "0" })
        case .refused:
            break
        }
        recorder.step(
            .server, "close() the listening socket", meaning: "the port stops listening; no packet",
            { () throws(SocketError) in listener.close() }, result: { "0" })
        return finish(recorder.run, labCapture)
    }

    static func finish(_ run: LabRun, _ capture: LabCapture?) -> LabRun {
        var run = run
        if let capture { run.frames = capture.finish() }
        return run
    }
}

/// What to say when the lab may not capture.
public let notPrivilegedNote = """
    packets not captured: capturing needs root or CAP_NET_RAW. The calls and the kernel's states \
    below are real; to see the packets too, run it as root (sudo wiretale …) or give the binary \
    the capability once: sudo setcap cap_net_raw+eip $(command -v wiretale)
    """
