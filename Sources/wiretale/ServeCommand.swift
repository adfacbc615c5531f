import ArgumentParser
import WiretaleCapture
import WiretaleCore
import WiretaleLab

#if canImport(Glibc)
    import Glibc
#endif

/// The transport a `serve` or `send` speaks.
enum EchoTransport: String, ExpressibleByArgument, CaseIterable {
    case tcp, udp
}

/// What `serve` runs: the echo server over TCP or UDP, or the HTTP server of `lab servers`.
enum ServeKind: String, ExpressibleByArgument, CaseIterable {
    case tcp, udp, http
}

extension ExecutionUnit: ExpressibleByArgument {}

/// `wiretale serve tcp|udp|http [--port P] [--bind ADDR]`: the notes' echo server, or the HTTP
/// server in one of three concurrency models.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract:
            "Run a small echo server (TCP or UDP), or the HTTP server of `lab servers`, to watch with `wiretale capture`.",
        discussion: """
            TCP: socket, bind, listen, then accept each client and echo what it sends until its FIN. \
            UDP: socket, bind, then echo each datagram back to its sender: no listen, no accept, no \
            connection. Each call is logged as it happens. HTTP: an HTTP/1.1 keep-alive server whose \
            connections are served by a process each (--model process), a thread each (thread), or a \
            Swift task each on a few threads (coroutine); `GET /crash` crashes the handler. Ctrl-C stops it.

            Examples:
              wiretale serve tcp --port 7007
              wiretale serve http --model coroutine --port 8080
            """
    )

    @Argument(help: "tcp, udp or http.")
    var transport: ServeKind

    @Option(
        help: """
            HTTP only: process, thread or coroutine \
            (\(ExecutionUnit.process.chinese) / \(ExecutionUnit.thread.chinese) / \(ExecutionUnit.coroutine.chinese)).
            """)
    var model: ExecutionUnit?

    // Set by `lab servers` and by the process model's server; not for people.
    @Option(help: .hidden) var listenFd: Int32?
    @Option(help: .hidden) var workerConnectionFd: Int32?
    @Option(help: .hidden) var sharedFd: Int32?

    @Option(help: "The port to listen on.")
    var port: UInt16 = 7007

    @Option(help: "The local address to bind (0.0.0.0 for every IPv4 address, :: for IPv6).")
    var bind: String = "127.0.0.1"

    @Option(help: "Stop after this many clients (TCP) or datagrams (UDP).")
    var count: Int?

    func validate() throws {
        if SocketAddress(ip: bind, port: port) == nil {
            throw ValidationError("--bind takes a numeric IPv4 or IPv6 address, not '\(bind)'")
        }
        if let c = count, c < 1 { throw ValidationError("--count must be 1 or more") }
        if transport == .http {
            if count != nil { throw ValidationError("--count is for tcp and udp; the HTTP server runs until stopped") }
            if model == nil && workerConnectionFd == nil {
                throw ValidationError("serve http needs --model process, thread or coroutine")
            }
            for fd in [listenFd, workerConnectionFd, sharedFd].compactMap({ $0 }) where fd < 3 || fcntl(fd, F_GETFD) < 0
            {
                throw ValidationError("descriptor \(fd) is not open")
            }
        } else if model != nil || listenFd != nil || workerConnectionFd != nil {
            throw ValidationError("--model is for serve http")
        }
    }

    func run() throws {
        let address = SocketAddress(ip: bind, port: port)!
        try exiting { () throws(CommandExit) in
            switch transport {
            case .http:
                try EchoCommands.serveHTTP(
                    bind: address, model: model, listenFD: listenFd, workerConnectionFD: workerConnectionFd,
                    sharedFD: sharedFd)
            case .tcp, .udp:
                try EchoCommands.serve(udp: transport == .udp, bind: address, limit: count)
            }
        }
    }
}
