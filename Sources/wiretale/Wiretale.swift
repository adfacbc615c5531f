import ArgumentParser

/// The `wiretale` command: each subcommand lives in its own file; none holds logic of its own.
@main
struct Wiretale: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wiretale",
        abstract: "Make the network visible: read and capture packets, and explain them in the notes' terms.",
        subcommands: [
            ReadCommand.self, ConversationsCommand.self, ExplainCommand.self, CaptureCommand.self,
            InterfacesCommand.self, TourCommand.self, TraceCommand.self, LabCommand.self, ServeCommand.self,
            SendCommand.self,
        ]
    )
}
