/// Why a capture file could not be opened or read further, as one line for the user: what is wrong,
/// where (the byte offset in the file and the record or block number), and what they can do.
///
/// `description` is `"<file>: <reason>"`; the structured fields let callers and tests tell the cases
/// apart without parsing the text (swift-asn1's one error struct with a code and a location).
public struct CaptureFileError: Error, CustomStringConvertible, Hashable, Sendable {
    /// What kind of failure this is.
    public enum Code: Hashable, Sendable {
        /// `open(2)` failed, or the path is a directory.
        case cannotOpen
        /// `read(2)` failed.
        case readFailed
        /// The file has no bytes at all.
        case empty
        /// The file ends before its file header (pcap) or first block header (pcapng) does.
        case tooShort
        /// The first four bytes are no pcap or pcapng magic number.
        case notACaptureFile
        /// A pcap or pcapng version this reader does not know.
        case unsupportedVersion
        /// The file ends in the middle of a record or block: every whole packet before it was returned.
        case cutOff
        /// A length or field that cannot be right: the file is damaged from here on.
        case damaged
    }

    public var code: Code
    /// The file name as the user gave it ("standard input" for `-`).
    public var fileName: String
    /// The sentence after `"<file>: "`.
    public var reason: String
    /// Where in the file the problem is (the start of the record or block), when it is somewhere.
    public var byteOffset: Int?
    /// The record (pcap) or block (pcapng) number, counting from 1, when the problem is in one.
    public var recordNumber: Int?

    public init(code: Code, fileName: String, reason: String, byteOffset: Int? = nil, recordNumber: Int? = nil) {
        self.code = code
        self.fileName = fileName
        self.reason = reason
        self.byteOffset = byteOffset
        self.recordNumber = recordNumber
    }

    /// One line: `"<file>: <reason>"`, with any control characters in the name escaped.
    public var description: String {
        var name = ""
        for scalar in fileName.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F {
                name += scalar.escaped(asASCII: true)
            } else {
                name.unicodeScalars.append(scalar)
            }
        }
        return "\(name): \(reason)"
    }
}

extension UInt32 {
    /// `0x0a0d0d0a`: eight lower-case hex digits, as magic numbers are written in the specs.
    var captureFileHex: String {
        let digits = String(self, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
    }
}
