import WiretaleCapture
import WiretaleCore

extension TCPLabScenario {
    /// The scenario `lab tcp` runs for its flags: `abort`, `halfClose` and `refused` exclude each
    /// other (the command checks); `serverCloses` picks who closes (or aborts) first.
    package init(serverCloses: Bool, abort: Bool, halfClose: Bool, refused: Bool) {
        self =
            abort
            ? (serverCloses ? .serverAborts : .abort)
            : halfClose ? .halfClose : refused ? .refused : serverCloses ? .serverCloses : .clientCloses
    }
}

/// `wiretale lab tcp|udp|compare|servers` as functions: each runs its lab and writes what it saw
/// to standard output.
package enum LabCommands {
    /// `lab tcp`: the echo over TCP in one scenario, its calls, packets and kernel states, as
    /// text or as one JSON object (`TCPLabJSON`).
    package static func tcp(
        _ scenario: TCPLabScenario, capture: Bool, lang: NotesLanguage, format: OutputFormat = .text
    ) {
        var out = LabOutput()
        let run = TCPLab.run(scenario, capture: capture, lang: lang)
        switch format {
        case .text: LabText.render(run, lang: lang, to: &out)
        case .json: out.raw(TCPLabJSON.render(run, scenario: scenario, lang: lang))
        case .none: break
        }
    }

    /// `lab udp`: the echo over UDP; with `broadcast`, then a broadcast to two receivers.
    package static func udp(capture: Bool, broadcast: Bool, lang: NotesLanguage) {
        var out = LabOutput()
        LabText.render(UDPLab.run(capture: capture), lang: lang, to: &out)
        if broadcast {
            out.line("")
            BroadcastLab.render(BroadcastLab.run(capture: capture), lang: lang, to: &out)
        }
    }

    /// `lab compare`: `count` exchanges of `size` bytes over UDP and TCP; `write` saves the packets.
    package static func compare(count: Int, size: Int, write: String?, lang: NotesLanguage = .en) {
        var out = LabOutput()
        CompareLab.render(CompareLab.run(count: count, size: size), writeTo: write, lang: lang, to: &out)
    }

    /// What `lab servers` was asked for, its arguments parsed (`ServersArguments`).
    package struct ServersRequest: Sendable {
        package var concurrency: [Int]
        package var models: [ExecutionUnit]
        package var requests: Int
        package var seconds: Double
        /// Drive this server with the lab's load only, instead of running the three models.
        package var target: SocketAddress?
        package var format: OutputFormat
        package var lang: NotesLanguage

        package init(
            concurrency: [Int], models: [ExecutionUnit], requests: Int, seconds: Double, target: SocketAddress?,
            format: OutputFormat, lang: NotesLanguage
        ) {
            self.concurrency = concurrency
            self.models = models
            self.requests = requests
            self.seconds = seconds
            self.target = target
            self.format = format
            self.lang = lang
        }
    }

    /// `lab servers`: each model under each concurrency, or (with a target) only the load.
    ///
    /// - Throws: `CommandExit.failure` when the load against a target failed (after its line).
    package static func servers(_ r: ServersRequest) throws(CommandExit) {
        if let address = r.target {
            var out = LabOutput()
            for c in r.concurrency {
                let f = ServersLab.drive(address, concurrency: c, requests: r.requests, seconds: r.seconds)
                switch r.format {
                case .text: out.line(f.text(r.lang))
                case .json: out.line(ServersLab.json(f))
                case .none: break
                }
                if f.failure != nil { throw .failure }
            }
            return
        }
        var o = ServersLab.Options(executable: "/proc/self/exe")
        o.concurrency = r.concurrency
        o.models = r.models
        o.requests = r.requests
        o.seconds = r.seconds
        let report = ServersLab.run(o)
        var out = LabOutput()
        switch r.format {
        case .text: ServersLab.render(report, lang: r.lang, to: &out)
        case .json: out.line(ServersLab.json(report))
        case .none: break
        }
    }
}

/// A `lab servers` argument that does not parse: `message` says what it takes.
package struct LabArgumentError: Error, Sendable {
    package var message: String
}

/// The parsers of `lab servers`' list and address arguments, with the messages the command shows.
package enum ServersArguments {
    /// "1,10,100": up to 16 connection counts from 1 to 2000.
    package static func concurrency(_ text: String) throws(LabArgumentError) -> [Int] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        let values = parts.map { Int($0.filter { $0 != " " }) }
        guard !values.isEmpty, values.count <= 16, values.allSatisfy({ ($0 ?? 0) >= 1 && ($0 ?? 0) <= 2000 }) else {
            throw LabArgumentError(
                message: "--concurrency takes up to 16 numbers from 1 to 2000, comma-separated (1,10,100)")
        }
        return values.map { $0! }
    }

    /// "process,thread,coroutine": the models to run.
    package static func models(_ text: String) throws(LabArgumentError) -> [ExecutionUnit] {
        let list = text.split(separator: ",").map { ExecutionUnit(rawValue: String($0)) }
        guard !list.isEmpty, list.allSatisfy({ $0 != nil }) else {
            throw LabArgumentError(message: "--models takes process, thread and coroutine, comma-separated")
        }
        return list.map { $0! }
    }

    /// "127.0.0.1:8080" or "[::1]:8080": a numeric address and a port.
    package static func target(_ text: String) throws(LabArgumentError) -> SocketAddress {
        guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]),
            let a = SocketAddress(ip: text[..<colon].filter { $0 != "[" && $0 != "]" }, port: port)
        else { throw LabArgumentError(message: "--target takes a numeric address and a port: 127.0.0.1:8080") }
        return a
    }
}
