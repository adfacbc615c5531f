import ArgumentParser
import WiretaleLab

/// The transport a `serve` or `send` speaks.
enum EchoTransport: String, ExpressibleByArgument, CaseIterable {
    case tcp, udp
}

/// `wiretale serve tcp|udp [--port P] [--bind ADDR]`: the notes' echo server.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run a small echo server (TCP or UDP), the notes' server code, to watch with `wiretale capture`.",
        discussion: """
            TCP: socket, bind, listen, then accept each client and echo what it sends until its FIN. \
            UDP: socket, bind, then echo each datagram back to its sender: no listen, no accept, no \
            connection. Each call is logged as it happens. Ctrl-C stops it.
            """
    )

    @Argument(help: "tcp or udp.")
    var transport: EchoTransport

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
    }

    func run() throws {
        let address = SocketAddress(ip: bind, port: port)!
        // One line per call as it happens (written at once, even into a pipe).
        var out = LabOutput()
        let log: Echo.Log = { line in out.line("serve: " + line) }
        do {
            switch transport {
            case .tcp: try Echo.serveTCP(bind: address, limit: count, log: log)
            case .udp: try Echo.serveUDP(bind: address, limit: count, log: log)
            }
        } catch {
            printError("\(error)")
            throw ExitCode(1)
        }
    }
}
