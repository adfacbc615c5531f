import ArgumentParser
import WiretaleCapture
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

            Examples:
              wiretale send tcp 127.0.0.1 7007 "hello"
              wiretale send udp 127.0.0.1 7007 --timeout 500
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

    @Option(parsing: .unconditional, help: "How long to wait for the reply, in milliseconds.")
    var timeout: Int = 3000

    func validate() throws {
        if timeout < 1 || timeout > 3_600_000 {
            throw ValidationError("--timeout must be from 1 to 3600000 milliseconds")
        }
    }

    func run() throws {
        try exiting { () throws(CommandExit) in
            try EchoCommands.send(
                udp: transport == .udp, host: host, port: port, message: message, timeoutMilliseconds: timeout)
        }
    }
}
