import ArgumentParser
import WiretaleCapture
import WiretaleCore

/// The `wiretale` command: each subcommand lives in its own file; none holds logic of its own.
@main
struct Wiretale: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wiretale",
        abstract: "Make the network visible: read and capture packets, and explain them in the notes' terms.",
        version: "wiretale \(WiretaleVersion.string)\n\(libpcapVersion)",
        subcommands: [
            ReadCommand.self, ConversationsCommand.self, ExplainCommand.self, FollowCommand.self, CaptureCommand.self,
            InterfacesCommand.self, TourCommand.self, TraceCommand.self, LabCommand.self, ServeCommand.self,
            SendCommand.self,
        ]
    )

    /// As ArgumentParser's own, except that a synchronous subcommand runs on the main thread rather
    /// than on a thread of Swift's concurrency pool: `serve http` and `lab servers` count their
    /// threads, and the coroutine model must have the whole pool.
    @MainActor
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
