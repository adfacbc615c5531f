import WiretaleCore

/// A BPF filter expression that libpcap could not turn into a program.
///
/// The description quotes the filter text and libpcap's own words, marked `(libpcap)`:
/// `bad filter 'tcp prot 80': syntax error (libpcap)`. Like every wiretale error it carries no
/// program-name prefix; the CLI prints `wiretale: ` in front.
public struct FilterError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Why the filter failed.
    public enum Reason: Sendable, Hashable {
        /// The expression itself is wrong for every link type: a syntax error, an unknown host or
        /// port name, a keyword used out of place.
        case badExpression
        /// The expression is valid, but libpcap cannot build filters for this link type at all
        /// (for example 284, Marvell DSA: "link-layer type filtering not implemented").
        case unsupportedLinkType(LinkType)
        /// The expression is valid but can never match a packet of this link type (`arp` on raw IP).
        /// `PacketFilter` treats this as "no packet matches"; a live capture reports it, since a
        /// capture that can never see a packet is a mistake.
        case rejectsAllPackets(LinkType)
    }

    /// The filter text as the user wrote it.
    public var expression: String
    public var reason: Reason
    /// libpcap's message, unedited (`can't parse filter expression: syntax error`).
    public var libpcapMessage: String

    public init(expression: String, reason: Reason, libpcapMessage: String) {
        self.expression = expression
        self.reason = reason
        self.libpcapMessage = libpcapMessage
    }

    /// libpcap's message without the prefix that only repeats that this is a filter problem.
    var conciseMessage: String {
        let prefix = "can't parse filter expression: "
        if libpcapMessage.hasPrefix(prefix) { return String(libpcapMessage.dropFirst(prefix.count)) }
        return libpcapMessage
    }

    /// e.g. `bad filter 'tcp prot 80': syntax error (libpcap)`, or
    /// `filter 'tcp' cannot be used on link type 284 (Marvell DSA): Marvell DSA link-layer type
    /// filtering not implemented (libpcap)`.
    public var description: String {
        let text = quotedForErrors(expression)
        switch reason {
        case .badExpression:
            return "bad filter \(text): \(conciseMessage) (libpcap)"
        case .unsupportedLinkType(let linkType):
            return "filter \(text) cannot be used on \(linkType.labelForErrors): \(conciseMessage) (libpcap)"
        case .rejectsAllPackets(let linkType):
            return "filter \(text) can never match a packet on \(linkType.labelForErrors): "
                + "\(conciseMessage) (libpcap)"
        }
    }
}
