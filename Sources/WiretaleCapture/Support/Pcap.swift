import CPcap
import WiretaleCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

// Small shared pieces for talking to libpcap: the LINKTYPE_/DLT_ translation, error buffers,
// and libpcap's own words for a status code. Internal to this module.

extension LinkType {
    /// The `DLT_` value libpcap's live and compile APIs take for this `LINKTYPE_` value.
    ///
    /// The two numbering spaces agree from 104 up; below that only a few values differ
    /// (tcpdump.org/linktypes.html). `pcap_open_dead(101, …)` fails with "unknown data link type
    /// 101", so raw IP in a file must be compiled as `DLT_RAW` (12 on Linux, 14 on OpenBSD).
    var dlt: Int32 {
        switch rawValue {
        case 100: DLT_ATM_RFC1483
        case 101: DLT_RAW
        default: Int32(truncatingIfNeeded: rawValue)
        }
    }

    /// The `LINKTYPE_` value for a `DLT_` value returned by `pcap_datalink`.
    init(dlt: Int32) {
        switch dlt {
        case DLT_RAW: self = .raw
        case DLT_ATM_RFC1483: self.init(rawValue: 100)
        default: self.init(rawValue: UInt32(truncatingIfNeeded: dlt))
        }
    }

    /// "link type 284 (Marvell DSA)" / "link type 101 (rawip)": the number and a name, for errors.
    var labelForErrors: String {
        var name = self.name
        if name.hasPrefix("linktype-") {
            if let d = pcap_datalink_val_to_description(dlt) {
                name = String(cString: d)
            } else {
                return "link type \(rawValue)"
            }
        }
        return "link type \(rawValue) (\(name))"
    }
}

/// Calls `body` with a `PCAP_ERRBUF_SIZE` error buffer (zeroed) and returns its result together
/// with whatever libpcap wrote into the buffer. Not for the hot path.
func withPcapErrorBuffer<R>(_ body: (UnsafeMutablePointer<CChar>) -> R) -> (R, String) {
    var buffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
    let result = buffer.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
    let message = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    return (result, message)
}

/// libpcap's last error on `handle`, or its generic text for `status` when that is empty.
func pcapMessage(_ handle: OpaquePointer, status: Int32? = nil) -> String {
    var text = pcap_geterr(handle).map { String(cString: $0) } ?? ""
    if text.isEmpty, let status, let generic = pcap_statustostr(status) {
        text = String(cString: generic)
    }
    return text
}

/// Quotes `text` for the error messages' `'…'` convention without hiding control characters.
func quotedForErrors(_ text: String) -> String {
    var out = "'"
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        case "\r": out += "\\r"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F {
                out += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "'"
}

/// The libpcap this binary runs with, as `pcap_lib_version()` says it ("libpcap version 1.10.3 …"),
/// for `wiretale --version` (tcpdump prints the same line).
public var libpcapVersion: String { String(cString: pcap_lib_version()) }
