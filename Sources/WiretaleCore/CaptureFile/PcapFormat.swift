/// Classic pcap files (draft-ietf-opsawg-pcap §4 File Header, §5 Packet Record), plus the
/// nanosecond magic and the modified (Kuznetzov, "ss991029") variant whose record headers carry
/// 8 more bytes: interface index u32, protocol u16, packet type u8, padding u8.
///
/// File header (24 bytes, in the byte order the magic shows):
///
///     0 magic  4 major u16  6 minor u16  8 reserved/thiszone  12 reserved/sigfigs  16 snaplen  20 link type
///
/// Record header (16 bytes, 24 for the modified variant):
///
///     0 seconds  4 microseconds or nanoseconds  8 captured length  12 original length
enum PcapLayout {
    static let fileHeaderLength = 24
    static let recordHeaderLength = 16
    static let modifiedRecordHeaderLength = 24
    /// The link-type field's low 28 bits minus the FCS flag bits: the type proper (§4, LinkType).
    static let linkTypeMask: UInt32 = 0x03FF_FFFF
}

/// libpcap's rule for files older than 2.4: before 2.3 the record header had the two lengths the
/// other way round, and 2.3 files exist either way (the larger one is then the original length).
enum PcapLengthsSwapped {
    case no, yes, whenCaplenIsLarger
}

extension CaptureFileReader {
    func readPcapFileHeader(magic: UInt32) throws(CaptureFileError) {
        format = .pcap
        switch magic {
        case 0xA1B2_C3D4: bigEndian = true
        case 0xD4C3_B2A1: bigEndian = false
        case 0xA1B2_3C4D:
            bigEndian = true
            nanosecondFile = true
        case 0x4D3C_B2A1:
            bigEndian = false
            nanosecondFile = true
        case 0xA1B2_CD34:
            bigEndian = true
            modifiedPcap = true
        default:
            bigEndian = false
            modifiedPcap = true
        }
        if try !fill(PcapLayout.fileHeaderLength) {
            throw CaptureFileError(
                code: .tooShort, fileName: fileName,
                reason: "is too short to be a capture file (\(end - start) bytes; a pcap file header is 24 bytes)",
                byteOffset: 0)
        }
        let header = window
        let major = Int(header.u16(4, bigEndian: bigEndian))
        let minor = Int(header.u16(6, bigEndian: bigEndian))
        version = (major, minor)
        if major != 2 {
            throw CaptureFileError(
                code: .unsupportedVersion, fileName: fileName,
                reason: "pcap version \(major).\(minor) is not supported (2.x is) — the file header at byte 4"
                    + " says so; the file may be damaged or written by a tool wiretale does not know",
                byteOffset: 4)
        }
        lengthsSwapped = minor < 3 ? .yes : minor == 3 ? .whenCaplenIsLarger : .no
        let snapLength = Int(header.u32(16, bigEndian: bigEndian))
        let linkType = LinkType(rawValue: header.u32(20, bigEndian: bigEndian) & PcapLayout.linkTypeMask)
        let interface = CaptureInterface(
            linkType: linkType, snapLength: snapLength,
            timestampResolution: .decimal(exponent: nanosecondFile ? 9 : 6))
        interfaces = [interface]
        pcapInterface = CaptureFileInterfaceState(interface)
        pcapFractionLimit = nanosecondFile ? 1_000_000_000 : 1_000_000
        recordHeaderLength = modifiedPcap ? PcapLayout.modifiedRecordHeaderLength : PcapLayout.recordHeaderLength
        sectionCount = 1
        start += PcapLayout.fileHeaderLength
    }

    /// One record header and its bytes, reading more of the file as needed.
    func nextPcapRecord() throws(CaptureFileError) -> PacketRecord? {
        let headerLength = recordHeaderLength
        if end - start < headerLength {
            if try !fill(headerLength) {
                if end == start { return nil }
                throw pcapCutOff(headerLength: headerLength, caplen: nil)
            }
        }
        var header = window
        let bigEndian = self.bigEndian
        var caplen = Int(header.u32(8, bigEndian: bigEndian))
        var originalLength = Int(header.u32(12, bigEndian: bigEndian))
        if lengthsSwapped != .no, lengthsSwapped == .yes || caplen > originalLength {
            swap(&caplen, &originalLength)
        }
        if caplen > CaptureFileReader.maximumRecordLength { throw pcapAbsurdLength(caplen) }
        let total = headerLength + caplen
        if end - start < total {
            if try !fill(total) { throw pcapCutOff(headerLength: headerLength, caplen: caplen) }
            header = window
        }
        var seconds = Int64(header.u32(0, bigEndian: bigEndian))
        var fraction = header.u32(4, bigEndian: bigEndian)
        let interface = pcapInterface
        if fraction >= pcapFractionLimit {
            seconds += Int64(fraction / pcapFractionLimit)
            fraction %= pcapFractionLimit
        }
        let bytes = UnsafeRawBufferPointer(start: header.baseAddress! + headerLength, count: caplen)
        start += total
        packetCount += 1
        let exceeds = caplen > interface.snapLimit
        if exceeds { noteSnapLengthViolation(caplen: caplen, snapLength: interface.snapLength) }
        return PacketRecord(
            timestamp: Timestamp(seconds: seconds, fraction: UInt64(fraction), digits: interface.clock.digits),
            originalLength: originalLength, bytes: bytes, linkType: interface.linkType, interfaceIndex: 0,
            snapLength: interface.snapLength, exceedsSnapLength: exceeds)
    }

    /// The file ends inside record `packetCount + 1`, in its header (`caplen` nil) or its bytes.
    func pcapCutOff(headerLength: Int, caplen: Int?) -> CaptureFileError {
        let record = packetCount + 1
        let remaining = end - start
        let reason: String
        if let caplen {
            reason =
                "cut off in the middle of record \(record) at byte \(byteOffset) (header says \(caplen) bytes,"
                + " \(remaining - headerLength) remain): every whole packet before it was read"
        } else {
            reason =
                "cut off in the middle of record \(record)'s header at byte \(byteOffset) (\(headerLength)"
                + " bytes needed, \(remaining) remain): every whole packet before it was read"
        }
        return CaptureFileError(
            code: .cutOff, fileName: fileName, reason: reason, byteOffset: byteOffset, recordNumber: record)
    }

    func pcapAbsurdLength(_ caplen: Int) -> CaptureFileError {
        let record = packetCount + 1
        return CaptureFileError(
            code: .damaged, fileName: fileName,
            reason: "record \(record) at byte \(byteOffset) claims caplen \(caplen), more than the 256 MiB"
                + " any packet could have\(damagedTail)",
            byteOffset: byteOffset, recordNumber: record)
    }
}
