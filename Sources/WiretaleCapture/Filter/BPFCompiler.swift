import CPcap
import WiretaleCore

/// `pcap_compile` and the classification of its failures, shared by `PacketFilter` (files) and
/// `LiveCapture` (interfaces) so both explain a bad filter the same way.
enum BPFCompiler {
    enum Outcome {
        /// A compiled program; the caller owns it and frees it with `pcap_freecode`.
        case program(bpf_program)
        /// libpcap's optimizer proved that no packet of this link type can match.
        case rejectsAll(String)
        case failed(String)
    }

    /// libpcap's text when the optimizer reduces a program to "return 0".
    static let rejectsAllMessage = "expression rejects all packets"

    /// Compiles `expression` for the link type of `handle` (live or dead), optimizer on.
    static func compile(_ handle: OpaquePointer, _ expression: String, netmask: bpf_u_int32) -> Outcome {
        var program = bpf_program()
        if pcap_compile(handle, &program, expression, 1, netmask) == 0 {
            return .program(program)
        }
        let message = pcapMessage(handle)
        return message == rejectsAllMessage ? .rejectsAll(message) : .failed(message)
    }

    /// Compiles `expression` for packets of `linkType` as they appear in a capture file
    /// (`pcap_open_dead`, netmask unknown).
    static func compileOffline(_ expression: String, linkType: LinkType, snapshotLength: Int) -> Outcome {
        let snaplen = Int32(clamping: max(snapshotLength, 1))
        guard let dead = pcap_open_dead(linkType.dlt, snaplen) else {
            return .failed("pcap_open_dead failed for \(linkType.labelForErrors)")
        }
        defer { pcap_close(dead) }
        return compile(dead, expression, netmask: bpf_u_int32(PCAP_NETMASK_UNKNOWN))
    }

    /// Explains a failure to compile `expression` for `linkType`: when the same text compiles for
    /// Ethernet the link type is at fault, otherwise the expression is.
    static func error(expression: String, linkType: LinkType, message: String, rejectsAll: Bool) -> FilterError {
        if rejectsAll {
            return FilterError(expression: expression, reason: .rejectsAllPackets(linkType), libpcapMessage: message)
        }
        var reason = FilterError.Reason.badExpression
        if linkType != .ethernet {
            switch compileOffline(expression, linkType: .ethernet, snapshotLength: 262_144) {
            case .program(var program):
                pcap_freecode(&program)
                reason = .unsupportedLinkType(linkType)
            case .rejectsAll:
                reason = .unsupportedLinkType(linkType)
            case .failed:
                break
            }
        }
        return FilterError(expression: expression, reason: reason, libpcapMessage: message)
    }

    /// The program as `tcpdump -d` prints it, one instruction a line.
    static func disassemble(_ program: UnsafePointer<bpf_program>) -> [String] {
        var lines: [String] = []
        let count = Int(program.pointee.bf_len)
        guard let instructions = program.pointee.bf_insns else { return lines }
        lines.reserveCapacity(count)
        for i in 0..<count {
            if let text = bpf_image(instructions + i, Int32(i)) {
                lines.append(String(cString: text))
            }
        }
        return lines
    }
}
