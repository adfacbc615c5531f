import ArgumentParser
import WiretaleCapture
import WiretaleCore

/// `wiretale interfaces`: the devices libpcap can capture on, with their state, addresses and the
/// link type a capture on each would give.
struct InterfacesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "interfaces",
        abstract: "List the interfaces `wiretale capture -i` can open, with flags, addresses and link types.",
        discussion: """
            The list is libpcap's (pcap_findalldevs), in its order: up and running first, loopback \
            after the others; `any` captures on all of them at once (link type linux-sll2). Finding \
            an interface's link type means opening it, which needs root or CAP_NET_RAW; without them \
            the column says so. `wiretale capture` without -i uses the first interface marked \
            "default" here.

            Examples:
              wiretale interfaces
              wiretale interfaces --format json
            """
    )

    @Option(help: "text (a table, the default) or json (one object per interface per line).")
    var format = FormatOption<TextOrJSON>(.text)

    func validate() throws {
        try format.validate("interfaces")
    }

    func run() throws {
        try exiting { () throws(CommandExit) in try InterfacesListing.run(format: format.value) }
    }
}
