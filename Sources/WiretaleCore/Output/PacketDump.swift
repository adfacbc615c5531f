/// tcpdump's `-A`, `-X` and their doubled forms: each frame's bytes after its line, as ASCII or as
/// hex and ASCII, with or without the link-level header. The formats are tcpdump's byte for byte
/// (`ascii_print` and `hex_and_ascii_print` in its `print-ascii.c`); `read` and `capture` print
/// them with `--format text` only.
public enum PacketDump: UInt8, Sendable {
    /// Nothing after the line (the default: the hot path pays one comparison).
    case none
    /// `-A`: the bytes after the link-level header as ASCII, non-printables as `.`.
    case ascii
    /// `-AA`: the same from the frame's first byte.
    case asciiWithLink
    /// `-X`: the bytes after the link-level header as hex and ASCII, 16 a line.
    case hex
    /// `-XX`: the same from the frame's first byte.
    case hexWithLink

    /// The choice tcpdump makes for `-A` given `ascii` times and `-X` given `hex` times: `-X` wins
    /// over `-A` (tcpdump tests its `-X` flag first); twice or more includes the link header.
    public init(ascii: Int, hex: Int) {
        if hex > 0 {
            self = hex > 1 ? .hexWithLink : .hex
        } else if ascii > 0 {
            self = ascii > 1 ? .asciiWithLink : .ascii
        } else {
            self = .none
        }
    }

    /// How many bytes of the frame tcpdump counts as its link-level header: 14 for Ethernet plus 4
    /// for each 802.1Q/802.1ad tag, plus the 802.2 LLC header (and SNAP's 5 bytes) of an 802.3
    /// frame; 16 (SLL) or 20 (SLL2) for Linux cooked captures, 4 for BSD loopback, 0 for raw IP.
    /// A link type wiretale does not decode counts 0 (the whole frame is dumped).
    public static func linkHeaderLength(_ p: DecodedPacket, linkType: LinkType) -> Int {
        switch linkType.rawValue {
        case LinkType.ethernet.rawValue:
            var n = 14 + 4 * Int(p.link.vlanCount)
            if p.hasLLC { n += llcLength(p.llc) }
            return n
        case LinkType.linuxSLL.rawValue: return 16 + (p.hasLLC ? llcLength(p.llc) : 0)
        case LinkType.linuxSLL2.rawValue: return 20
        case LinkType.null.rawValue, LinkType.loop.rawValue: return 4
        default: return 0
        }
    }

    /// The 802.2 header: DSAP, SSAP and a one-byte (U) or two-byte (I, S) control field, and SNAP's
    /// OUI and type after it.
    static func llcLength(_ llc: LLCInfo) -> Int {
        (llc.control & 0x3 == 0x3 && llc.control <= 0xFF ? 3 : 4) + (llc.isSNAP ? 5 : 0)
    }

    /// Appends the dump of `frame` (as tcpdump prints it after the packet's line, before its final
    /// newline): nothing for `.none`, or when nothing follows the link header. (tcpdump also dumps
    /// a frame whole when one of its protocol printers ran out of captured bytes, which depends on
    /// its printers; wiretale always leaves the link header out.)
    public static func append(
        _ dump: PacketDump, frame: UnsafeRawBufferPointer, packet p: DecodedPacket, linkType: LinkType,
        to o: inout OutputBuffer
    ) {
        let skip: Int
        switch dump {
        case .none: return
        case .ascii, .hex: skip = linkHeaderLength(p, linkType: linkType)
        case .asciiWithLink, .hexWithLink: skip = 0
        }
        guard frame.count > skip else { return }
        let bytes = UnsafeRawBufferPointer(rebasing: frame[skip...])
        switch dump {
        case .ascii, .asciiWithLink: appendASCII(bytes, to: &o)
        case .hex, .hexWithLink: appendHexAndASCII(bytes, indent: "\n\t", to: &o)
        case .none: break
        }
    }

    /// tcpdump's `ascii_print`: a newline, then every byte that is graphic, a space, a tab or a
    /// newline as itself and any other as `.`; a carriage return is left out when a newline follows
    /// it or when it is one of the last two bytes (tcpdump's test, kept as it is).
    public static func appendASCII(_ b: UnsafeRawBufferPointer, to o: inout OutputBuffer) {
        o.append(byte: 0x0A)
        var i = 0
        while i < b.count {
            let c = b[i]
            i += 1
            let left = b.count - i
            if c == 0x0D {
                if left > 1 && b[i] != 0x0A { o.append(byte: UInt8(ascii: ".")) }
            } else if (c > 0x20 && c < 0x7F) || c == 0x09 || c == 0x20 || c == 0x0A {
                o.append(byte: c)
            } else {
                o.append(byte: UInt8(ascii: "."))
            }
        }
    }

    /// tcpdump's `hex_and_ascii_print`: for each 16 bytes, `indent`, the offset as `0x%04x: `, the
    /// bytes as space-separated groups of four hex digits padded to 40 columns, two spaces, and
    /// the bytes as ASCII (graphic characters as themselves, anything else, space included, as `.`).
    public static func appendHexAndASCII(_ b: UnsafeRawBufferPointer, indent: StaticString, to o: inout OutputBuffer) {
        var line = 0
        while line < b.count {
            let end = min(line + 16, b.count)
            o.append(indent)
            o.append("0x")
            o.appendHex(UInt64(line), digits: line > 0xFFFF ? hexDigits(line) : 4)
            o.append(byte: UInt8(ascii: ":"))
            o.append(byte: 0x20)
            var written = 0
            var i = line
            while i < end {
                o.append(byte: 0x20)
                o.appendHex(UInt64(b[i]), digits: 2)
                written += 3
                if i + 1 < end {
                    o.appendHex(UInt64(b[i + 1]), digits: 2)
                    written += 2
                }
                i += 2
            }
            while written < 40 {
                o.append(byte: 0x20)
                written += 1
            }
            o.append("  ")
            for k in line..<end {
                let c = b[k]
                o.append(byte: c > 0x20 && c < 0x7F ? c : UInt8(ascii: "."))
            }
            line = end
        }
    }

    /// The hex digits `%x` prints for `v` (at least one).
    static func hexDigits(_ v: Int) -> Int {
        var n = 1
        var x = v >> 4
        while x > 0 {
            n += 1
            x >>= 4
        }
        return n
    }
}
