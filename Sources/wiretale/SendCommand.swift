import ArgumentParser
import WiretaleLab

/// `wiretale send tcp|udp HOST PORT [MESSAGE]`: the notes' client; prints the echo.
struct SendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send a message to an echo server (TCP or UDP), the notes' client code, and print the reply.",
        discussion: """
            TCP: socket, connect (the three-way handshake), send, shutdown(SHUT_WR) (our FIN), recv \
            until the server's FIN, close. UDP: socket, sendto, recvfrom with a timeout (a lost \
            datagram is not resent). Try it against `wiretale serve` while `wiretale capture` runs.
            """
    )

    @Argument(help: "tcp or udp.")
    var transport: EchoTransport

    @Argument(help: "The server's address or name.")
    var host: String

    @Argument(help: "The server's port.")
    var port: UInt16

    @Argument(help: "What to send.")
    var message: String = "hello from wiretale"

    @Option(help: "How long to wait for the reply, in milliseconds.")
    var timeout: Int = 3000

    func run() throws {
        // One line per call as it happens (written at once, even into a pipe).
        var out = LabOutput()
        let log: Echo.Log = { line in out.line("send: " + line) }
        do {
            let bytes = Array(message.utf8)
            switch transport {
            case .tcp:
                let address = try SocketAddress.resolve(host, port: port, udp: false)
                let reply = try Echo.sendTCP(to: address, message: bytes, timeoutMilliseconds: timeout, log: log)
                out.line(String(decoding: reply, as: UTF8.self))
            case .udp:
                let address = try SocketAddress.resolve(host, port: port, udp: true)
                guard let reply = try Echo.sendUDP(to: address, message: bytes, timeoutMilliseconds: timeout, log: log)
                else { throw ExitCode(1) }
                out.line(String(decoding: reply, as: UTF8.self))
            }
        } catch let error as SocketError {
            printError("\(error)")
            throw ExitCode(1)
        }
    }
}
