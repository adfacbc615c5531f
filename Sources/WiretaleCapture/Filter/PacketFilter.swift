import CPcap
import WiretaleCore

/// A BPF filter expression (pcap-filter(7) syntax, as tcpdump takes it) applied to packets read
/// from capture files.
///
/// libpcap compiles the expression once per link type (`pcap_open_dead` + `pcap_compile`, optimizer
/// on, netmask unknown) and runs the program with `pcap_offline_filter`. pcapng files can mix link
/// types, so each link type gets its own program, compiled the first time a packet of that type is
/// seen and kept until the filter is released. The per-packet path allocates nothing: the packet
/// header libpcap wants lives on the stack, and the last link type's program is checked first.
///
/// Not thread-safe (the cache is mutated on first use of a link type): use one filter per thread.
public final class PacketFilter {
    /// The expression as given.
    public let expression: String
    /// The snapshot length the programs are compiled for (the value an accepting program returns).
    public let snapshotLength: Int

    private enum Entry {
        case program(UnsafeMutablePointer<bpf_program>)
        case rejectsAll
        case failed(FilterError)
    }

    /// An empty expression matches everything and never calls libpcap (so it works for every
    /// link type, including those libpcap cannot filter).
    private let acceptsEverything: Bool
    private var entries: [UInt32: Entry] = [:]
    /// The most recent link type and its program, so a file of one link type never touches the
    /// dictionary. `lastProgram == nil` with a matching `lastLinkType` means "rejects all".
    private var lastLinkType: UInt32?
    private var lastProgram: UnsafeMutablePointer<bpf_program>?

    /// A filter for `expression`; nothing is compiled until `validate(for:)` or the first
    /// `matches` for a link type. An empty (or all-blank) expression matches every packet.
    public init(expression: String, snapshotLength: Int = 262_144) {
        self.expression = expression
        self.snapshotLength = snapshotLength
        self.acceptsEverything = expression.allSatisfy(\.isWhitespace)
    }

    deinit {
        for entry in entries.values {
            if case .program(let program) = entry {
                pcap_freecode(program)
                program.deinitialize(count: 1)
                program.deallocate()
            }
        }
    }

    /// Compiles the filter for `linkType` now, so a bad expression is reported before any file is
    /// read. Throws the same error `matches` would; "can never match on this link type" is not an
    /// error here (the filter simply rejects those packets).
    public func validate(for linkType: LinkType = .ethernet) throws(FilterError) {
        if acceptsEverything { return }
        if case .failed(let error) = entry(for: linkType) { throw error }
    }

    /// Whether the packet passes the filter.
    ///
    /// - Parameters:
    ///   - linkType: the packet's link-layer header type (a file's or interface's `LINKTYPE_`).
    ///   - originalLength: the length on the wire (`len`), which BPF's `len` keyword reads.
    ///   - bytes: the captured bytes (`caplen` of them), starting at the link-layer header.
    /// - Throws: `FilterError` when the expression cannot be compiled for `linkType` (a syntax
    ///   error, or a link type libpcap has no filter support for). The error is cached, so a file
    ///   full of such packets costs one compile.
    public func matches(linkType: LinkType, originalLength: Int, bytes: UnsafeRawBufferPointer) throws(FilterError)
        -> Bool
    {
        if acceptsEverything { return true }
        if let last = lastLinkType, last == linkType.rawValue {
            guard let program = lastProgram else { return false }
            return Self.run(program, originalLength: originalLength, bytes: bytes)
        }
        return try slowMatches(linkType: linkType, originalLength: originalLength, bytes: bytes)
    }

    private func slowMatches(linkType: LinkType, originalLength: Int, bytes: UnsafeRawBufferPointer) throws(FilterError)
        -> Bool
    {
        switch entry(for: linkType) {
        case .program(let program):
            lastLinkType = linkType.rawValue
            lastProgram = program
            return Self.run(program, originalLength: originalLength, bytes: bytes)
        case .rejectsAll:
            lastLinkType = linkType.rawValue
            lastProgram = nil
            return false
        case .failed(let error):
            throw error
        }
    }

    private static func run(
        _ program: UnsafeMutablePointer<bpf_program>, originalLength: Int, bytes: UnsafeRawBufferPointer
    )
        -> Bool
    {
        var header = pcap_pkthdr()
        header.caplen = bpf_u_int32(truncatingIfNeeded: bytes.count)
        header.len = bpf_u_int32(truncatingIfNeeded: max(originalLength, bytes.count))
        if let base = bytes.baseAddress {
            return pcap_offline_filter(program, &header, base.assumingMemoryBound(to: UInt8.self)) != 0
        }
        // No bytes at all: BPF never reads past caplen (0), but wants a valid pointer.
        var none: UInt8 = 0
        return pcap_offline_filter(program, &header, &none) != 0
    }

    /// The compiled program for `linkType`, one BPF instruction a line as `tcpdump -d` prints it
    /// (empty for the empty expression, `["(000) ret #0"]` when nothing can match).
    public func disassembly(for linkType: LinkType) throws(FilterError) -> [String] {
        if acceptsEverything { return [] }
        switch entry(for: linkType) {
        case .program(let program): return BPFCompiler.disassemble(program)
        case .rejectsAll: return ["(000) ret      #0"]
        case .failed(let error): throw error
        }
    }

    /// How many link types have been compiled (successfully or not). For tests.
    var cachedLinkTypeCount: Int { entries.count }

    private func entry(for linkType: LinkType) -> Entry {
        if let entry = entries[linkType.rawValue] { return entry }
        let entry: Entry
        switch BPFCompiler.compileOffline(expression, linkType: linkType, snapshotLength: snapshotLength) {
        case .program(let compiled):
            let program = UnsafeMutablePointer<bpf_program>.allocate(capacity: 1)
            program.initialize(to: compiled)
            entry = .program(program)
        case .rejectsAll:
            entry = .rejectsAll
        case .failed(let message):
            entry = .failed(
                BPFCompiler.error(expression: expression, linkType: linkType, message: message, rejectsAll: false))
        }
        entries[linkType.rawValue] = entry
        return entry
    }
}
