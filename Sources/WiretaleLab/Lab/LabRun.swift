import WiretaleCore

/// Who made a call in a lab: the client program, the server program, or the lab itself (setup).
public enum LabActor: String, Sendable {
    case client, server, lab
}

/// One call a lab program made, with what it returned, what the notes say it does, when it ran,
/// and the kernel's socket table right after it.
public struct LabStep: Sendable {
    public var actor: LabActor
    /// The call as code would write it: `connect(127.0.0.1:40123)`.
    public var call: String
    /// The lab's own steps (a wait) in words, in both languages; nil for a program's call.
    public var callText: Bilingual? = nil
    /// What it returned: "0", "fd 4", "5 bytes \"hello\"", "ECONNREFUSED", in both languages.
    public var resultText: Bilingual
    /// One sentence: what this call does in the notes' terms, in both languages.
    public var meaningText: Bilingual
    /// When the call began and returned (CLOCK_REALTIME ns, the clock the capture stamps with).
    public var start: Int64
    public var end: Int64
    /// When the kernel's table below was read (CLOCK_REALTIME ns), nil when it was not (a note of the lab's).
    public var sampled: Int64?
    /// The kernel's sockets for the lab's port after the call, with the role each plays.
    public var kernel: [(role: String, socket: KernelSocket)]

    /// The result in English; one set here reads the same in both languages.
    public var result: String {
        get { resultText.english }
        set { resultText = Bilingual(verbatim: newValue) }
    }

    /// The meaning in English; one set here reads the same in both languages.
    public var meaning: String {
        get { meaningText.english }
        set { meaningText = Bilingual(verbatim: newValue) }
    }
}

/// A whole lab run: the steps in order and, when capturing was allowed, every packet of the lab's port.
public struct LabRun: Sendable {
    /// The lab's heading, in both languages.
    public var heading: Bilingual
    /// The lab's server port (the capture filter's port).
    public var port: UInt16
    public var steps: [LabStep] = []
    /// The packets, or nil when they could not be captured (then `captureNote` says why).
    public var frames: [LabFrame]?
    public var captureMessage: Bilingual?
    /// The capture's device and filter, when capturing.
    public var device = "lo"
    public var filter = ""
    /// False for UDP: sockets without connection states.
    public var isTCP = true
    /// What the run showed, checked against the notes, one line each, in both languages.
    public var findingLines: [Bilingual] = []

    public init(heading: Bilingual, port: UInt16) {
        self.heading = heading
        self.port = port
    }

    /// A lab whose heading reads the same in both languages.
    public init(title: String, port: UInt16) {
        self.init(heading: Bilingual(verbatim: title), port: port)
    }

    /// The heading in English.
    public var title: String {
        get { heading.english }
        set { heading = Bilingual(verbatim: newValue) }
    }

    /// Why no packets were captured, in English; one set here reads the same in both languages.
    public var captureNote: String? {
        get { captureMessage?.english }
        set { captureMessage = newValue.map(Bilingual.init(verbatim:)) }
    }

    /// The findings in English; appended here, a finding reads the same in both languages.
    public var findings: [String] {
        get { findingLines.map(\.english) }
        set { findingLines = newValue.map(Bilingual.init(verbatim:)) }
    }

    /// Every kernel state any snapshot showed.
    public var kernelStates: Set<TCPState> {
        var s = Set<TCPState>()
        for step in steps { for k in step.kernel { if let st = k.socket.state { s.insert(st) } } }
        return s
    }

    /// The kernel state of the socket playing `role` after each step (nil when the kernel no longer holds it).
    public func kernelState(of role: String, after index: Int) -> TCPState? {
        steps[index].kernel.first { $0.role == role }?.socket.state
    }

    /// The index of the first step whose call starts with `prefix` by `actor`.
    public func stepIndex(_ actor: LabActor, _ prefix: String) -> Int? {
        steps.firstIndex { $0.actor == actor && $0.call.hasPrefix(prefix) }
    }

    /// The frames each step caused: those stamped from its start to the next step's start (the
    /// first step also takes any earlier ones, the last any later ones).
    public func framesByStep() -> [[Int]] {
        var out = Array(repeating: [Int](), count: steps.count)
        guard let frames, !steps.isEmpty else { return out }
        for (i, f) in frames.enumerated() {
            let t = f.timestamp.totalNanoseconds
            var owner = 0
            for (k, s) in steps.enumerated() where s.start <= t { owner = k }
            out[owner].append(i)
        }
        return out
    }
}

/// Records steps as a lab makes its calls: times each call, reads the kernel's table after it.
struct StepRecorder {
    var run: LabRun
    /// Returns the role names for a kernel socket, or nil to leave it out.
    var roles: (KernelSocket) -> String?
    var kernelTable: () -> [KernelSocket]
    /// Milliseconds to let loopback packets and states settle after each call.
    var settle = 15

    init(run: LabRun, kernelTable: @escaping () -> [KernelSocket], roles: @escaping (KernelSocket) -> String?) {
        self.run = run
        self.kernelTable = kernelTable
        self.roles = roles
    }

    /// Makes the call `body`, records it; rethrows nothing: a failing call is recorded with its errno.
    @discardableResult
    mutating func step<T>(
        _ actor: LabActor, _ call: String, meaning: String, _ body: () throws(SocketError) -> T,
        result: (T) -> String
    ) -> T? {
        step(actor, call, meaning: Bilingual(verbatim: meaning), body, result: { Bilingual(verbatim: result($0)) })
    }

    /// The same, with the meaning and the result in both languages.
    @discardableResult
    mutating func step<T>(
        _ actor: LabActor, _ call: String, meaning: Bilingual, _ body: () throws(SocketError) -> T,
        result: (T) -> Bilingual
    ) -> T? {
        let start = wallClockNanoseconds()
        var value: T?
        var text: Bilingual
        do {
            let v = try body()
            value = v
            text = result(v)
        } catch {
            text = Bilingual(LabSay.failedCall, error.codeName)
        }
        let end = wallClockNanoseconds()
        pause(milliseconds: settle)
        let sampled = wallClockNanoseconds()
        let table = kernelTable().compactMap { k in roles(k).map { (role: $0, socket: k) } }
        run.steps.append(
            LabStep(
                actor: actor, call: call, resultText: text, meaningText: meaning, start: start, end: end,
                sampled: sampled, kernel: table))
        return value
    }

    /// The lab waits `ms` and reads the kernel's table again (packets in that time belong to this step).
    mutating func wait(_ ms: Int, meaning: String) { wait(ms, meaning: Bilingual(verbatim: meaning)) }

    /// The same, with the meaning in both languages.
    mutating func wait(_ ms: Int, meaning: Bilingual) {
        // From the moment the last call returned: what arrives after it is the kernel's doing (timers).
        let start = run.steps.last?.end ?? wallClockNanoseconds()
        pause(milliseconds: ms)
        let sampled = wallClockNanoseconds()
        let table = kernelTable().compactMap { k in roles(k).map { (role: $0, socket: k) } }
        var step = LabStep(
            actor: .lab, call: "wait \(ms) ms", resultText: Bilingual(verbatim: ""), meaningText: meaning,
            start: start, end: sampled, sampled: sampled, kernel: table)
        step.callText = Bilingual(LabSay.waitCall, "\(ms)")
        run.steps.append(step)
    }

    /// A setup step of the lab's own (no socket call of the programs).
    mutating func note(_ call: String, meaning: String) { note(call, meaning: Bilingual(verbatim: meaning)) }

    /// The same, with the meaning in both languages.
    mutating func note(_ call: String, meaning: Bilingual) {
        let now = wallClockNanoseconds()
        run.steps.append(
            LabStep(
                actor: .lab, call: call, resultText: Bilingual(verbatim: ""), meaningText: meaning, start: now,
                end: now, sampled: nil, kernel: []))
    }
}
