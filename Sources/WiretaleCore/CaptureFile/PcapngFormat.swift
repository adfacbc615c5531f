/// A pcapng block type (draft-ietf-opsawg-pcapng §11.1, "Block Type Codes"). Unknown values survive.
struct PcapngBlockType: RawRepresentable, Hashable, Sendable {
    var rawValue: UInt32

    static let sectionHeader = PcapngBlockType(rawValue: 0x0A0D_0D0A)
    static let interfaceDescription = PcapngBlockType(rawValue: 1)
    static let obsoletePacket = PcapngBlockType(rawValue: 2)
    static let simplePacket = PcapngBlockType(rawValue: 3)
    static let nameResolution = PcapngBlockType(rawValue: 4)
    static let interfaceStatistics = PcapngBlockType(rawValue: 5)
    static let enhancedPacket = PcapngBlockType(rawValue: 6)
    static let decryptionSecrets = PcapngBlockType(rawValue: 0x0A)
    static let custom = PcapngBlockType(rawValue: 0x0000_0BAD)
    static let customDoNotCopy = PcapngBlockType(rawValue: 0x4000_0BAD)

    /// The name the specification gives the block, for errors.
    var name: String {
        switch rawValue {
        case 0x0A0D_0D0A: "Section Header Block"
        case 1: "Interface Description Block"
        case 2: "Packet Block"
        case 3: "Simple Packet Block"
        case 4: "Name Resolution Block"
        case 5: "Interface Statistics Block"
        case 6: "Enhanced Packet Block"
        case 0x0A: "Decryption Secrets Block"
        case 0x0BAD, 0x4000_0BAD: "Custom Block"
        default: "block type \(rawValue.captureFileHex)"
        }
    }
}

/// Field offsets of the pcapng blocks this reader decodes (draft-ietf-opsawg-pcapng §3.1, §4).
/// Every block is `type u32, total length u32, body, total length u32`, in the section's byte order.
enum PcapngLayout {
    /// Type, leading and trailing length: an empty block.
    static let minimumBlockLength = 12
    /// The byte-order magic of a Section Header Block (§4.1), at offset 8.
    static let byteOrderMagic: UInt32 = 0x1A2B_3C4D
    /// §4.1: type, length, byte-order magic, major u16, minor u16, section length u64, …, length.
    static let sectionHeaderMinimum = 28
    static let sectionHeaderOptions = 24
    /// §4.2: type, length, link type u16, reserved u16, snap length u32, …, length.
    static let interfaceDescriptionMinimum = 20
    static let interfaceDescriptionOptions = 16
    /// §4.3: type, length, interface id, timestamp high, low, captured length, original length, data…
    static let enhancedPacketMinimum = 32
    static let enhancedPacketData = 28
    /// §4.4: type, length, original length, data…, length.
    static let simplePacketMinimum = 16
    static let simplePacketData = 12

    // Option codes (§3.5, §4.1, §4.2).
    static let endOfOptions: UInt16 = 0
    static let shbHardware: UInt16 = 2
    static let shbOS: UInt16 = 3
    static let shbUserApplication: UInt16 = 4
    static let ifName: UInt16 = 2
    static let ifTsresol: UInt16 = 9
    static let ifTsoffset: UInt16 = 14
}

extension UnsafeRawBufferPointer {
    /// A 64-bit integer in the section's byte order (pcapng options such as `if_tsoffset`).
    @inline(__always)
    func captureFileU64(_ offset: Int, bigEndian: Bool) -> UInt64 {
        bigEndian
            ? UInt64(u32be(offset)) << 32 | UInt64(u32be(offset + 4))
            : UInt64(u32le(offset + 4)) << 32 | UInt64(u32le(offset))
    }
}

extension CaptureFileReader {
    /// Reads the Section Header Block that starts a pcapng file.
    func readFirstPcapngSection() throws(CaptureFileError) {
        if try !fill(PcapngLayout.minimumBlockLength) {
            throw CaptureFileError(
                code: .tooShort, fileName: fileName,
                reason: "is too short to be a capture file (\(end - start) bytes; a pcapng Section Header Block"
                    + " is at least 28)",
                byteOffset: 0)
        }
        _ = try readPcapngBlock()
    }

    /// Blocks until the next packet, or nil at a clean end of file.
    func nextPcapngPacket() throws(CaptureFileError) -> PacketRecord? {
        while true {
            if end - start < PcapngLayout.minimumBlockLength {
                if try !fill(PcapngLayout.minimumBlockLength) {
                    if end == start { return nil }
                    throw pcapngBlockHeaderCutOff()
                }
            }
            if let packet = try readPcapngBlock() { return packet }
        }
    }

    /// Reads the block at `start` (at least 12 bytes of it are in the buffer) and moves past it.
    /// Returns the packet of a packet block, nil for other blocks.
    func readPcapngBlock() throws(CaptureFileError) -> PacketRecord? {
        var block = window
        let type = block.u32(0, bigEndian: bigEndian)
        if type == PcapngBlockType.sectionHeader.rawValue {
            let magic = block.u32be(8)
            if magic == PcapngLayout.byteOrderMagic {
                bigEndian = true
            } else if magic == PcapngLayout.byteOrderMagic.byteSwapped {
                bigEndian = false
            } else {
                throw pcapngDamaged(
                    "is a Section Header Block whose byte-order magic is \(magic.captureFileHex), not 0x1a2b3c4d",
                    blockName: nil)
            }
        }
        let bigEndian = self.bigEndian
        let length = Int(block.u32(4, bigEndian: bigEndian))
        if length < PcapngLayout.minimumBlockLength || length & 3 != 0 || length > Self.maximumRecordLength {
            let why =
                length < PcapngLayout.minimumBlockLength
                ? "less than the 12 bytes of an empty block"
                : length & 3 != 0 ? "not a multiple of 4" : "more than the 256 MiB any block could have"
            throw pcapngDamaged(
                "claims a length of \(length) bytes, \(why)", blockName: PcapngBlockType(rawValue: type).name)
        }
        if end - start < length {
            if try !fill(length) { throw pcapngBlockCutOff(type: type, length: length) }
            block = window
        }
        let trailing = Int(block.u32(length - 4, bigEndian: bigEndian))
        if trailing != length {
            throw pcapngDamaged(
                "says it is \(length) bytes long at its start but \(trailing) at its end",
                blockName: PcapngBlockType(rawValue: type).name)
        }

        let kind = PcapngBlockType(rawValue: type)
        switch kind {
        case .enhancedPacket, .obsoletePacket:
            // Appendix A: the obsolete Packet Block is laid out like the Enhanced Packet Block but for a
            // u16 interface id (followed by a u16 drops count) where the EPB has a u32.
            try requireLength(length, PcapngLayout.enhancedPacketMinimum, type: type)
            let interfaceIndex =
                kind == .obsoletePacket
                ? Int(block.u16(8, bigEndian: bigEndian)) : Int(block.u32(8, bigEndian: bigEndian))
            let caplen = Int(block.u32(20, bigEndian: bigEndian))
            if interfaceIndex >= interfaceStates.count { throw pcapngUnknownInterface(interfaceIndex, type: type) }
            if caplen > length - PcapngLayout.enhancedPacketMinimum {
                throw pcapngCaplenTooLarge(caplen, room: length - PcapngLayout.enhancedPacketMinimum, type: type)
            }
            let units = UInt64(block.u32(12, bigEndian: bigEndian)) << 32 | UInt64(block.u32(16, bigEndian: bigEndian))
            return pcapngPacket(
                block, length: length, interfaceIndex: interfaceIndex, units: units, caplen: caplen,
                originalLength: Int(block.u32(24, bigEndian: bigEndian)), dataOffset: PcapngLayout.enhancedPacketData)

        case .simplePacket:
            try requireLength(length, PcapngLayout.simplePacketMinimum, type: type)
            if interfaceStates.isEmpty { throw pcapngUnknownInterface(0, type: type) }
            let originalLength = Int(block.u32(8, bigEndian: bigEndian))
            var caplen = Swift.min(length - PcapngLayout.simplePacketMinimum, originalLength)
            if interfaceStates[0].snapLength != 0 { caplen = Swift.min(caplen, interfaceStates[0].snapLength) }
            return pcapngPacket(
                block, length: length, interfaceIndex: 0, units: nil, caplen: caplen, originalLength: originalLength,
                dataOffset: PcapngLayout.simplePacketData)

        case .sectionHeader:
            try readSectionHeader(UnsafeRawBufferPointer(rebasing: block[0..<length]))
        case .interfaceDescription:
            try readInterfaceDescription(UnsafeRawBufferPointer(rebasing: block[0..<length]))
        default:
            // Name resolution, interface statistics, decryption secrets, custom and unknown blocks:
            // nothing a packet needs (§4.5–§4.8, §5.2).
            break
        }
        start += length
        blockCount += 1
        return nil
    }

    /// Builds the record of a packet block whose fields were checked, and moves past the block.
    @inline(__always)
    func pcapngPacket(
        _ block: UnsafeRawBufferPointer, length: Int, interfaceIndex: Int, units: UInt64?, caplen: Int,
        originalLength: Int, dataOffset: Int
    ) -> PacketRecord {
        let interface = interfaceStates[interfaceIndex]
        let timestamp =
            units.map { interface.clock.timestamp($0) }
            ?? Timestamp.missing
        start += length
        blockCount += 1
        packetCount += 1
        let exceeds = caplen > interface.snapLimit
        if exceeds { noteSnapLengthViolation(caplen: caplen, snapLength: interface.snapLength) }
        return PacketRecord(
            timestamp: timestamp, originalLength: originalLength,
            bytes: UnsafeRawBufferPointer(start: block.baseAddress! + dataOffset, count: caplen),
            linkType: interface.linkType, interfaceIndex: interfaceIndex, snapLength: interface.snapLength,
            exceedsSnapLength: exceeds)
    }

    /// §4.1: a new section; its interfaces start afresh.
    func readSectionHeader(_ block: UnsafeRawBufferPointer) throws(CaptureFileError) {
        let type = PcapngBlockType.sectionHeader.rawValue
        try requireLength(block.count, PcapngLayout.sectionHeaderMinimum, type: type)
        let major = Int(block.u16(12, bigEndian: bigEndian))
        let minor = Int(block.u16(14, bigEndian: bigEndian))
        if major != 1 {
            throw CaptureFileError(
                code: .unsupportedVersion, fileName: fileName,
                reason: "pcapng version \(major).\(minor) is not supported (1.x is) — section \(sectionCount + 1)"
                    + " (block \(blockCount + 1) at byte \(byteOffset)); the file may be damaged or written by a"
                    + " tool wiretale does not know",
                byteOffset: byteOffset, recordNumber: blockCount + 1)
        }
        var hardware: String?
        var operatingSystem: String?
        var application: String?
        try forEachPcapngOption(in: block, from: PcapngLayout.sectionHeaderOptions, type: type) {
            (code, value) throws(CaptureFileError) in
            switch code {
            case PcapngLayout.shbHardware: hardware = Self.optionString(value)
            case PcapngLayout.shbOS: operatingSystem = Self.optionString(value)
            case PcapngLayout.shbUserApplication: application = Self.optionString(value)
            default: break
            }
        }
        version = (major, minor)
        sectionCount += 1
        sectionHardware = hardware
        sectionOperatingSystem = operatingSystem
        sectionApplication = application
        interfaces.removeAll(keepingCapacity: true)
        interfaceStates.removeAll(keepingCapacity: true)
    }

    /// §4.2: an interface of the current section.
    func readInterfaceDescription(_ block: UnsafeRawBufferPointer) throws(CaptureFileError) {
        let type = PcapngBlockType.interfaceDescription.rawValue
        try requireLength(block.count, PcapngLayout.interfaceDescriptionMinimum, type: type)
        if interfaces.count >= maxInterfaces {
            // Not damage: a limit of ours, said as such.
            throw pcapngDamaged(
                "would be interface \(interfaces.count) of section \(sectionCount), past the cap of \(maxInterfaces) "
                    + "interfaces a section may define (--max-interfaces raises it); the \(packetCount) packet(s) "
                    + "before it were read",
                blockName: PcapngBlockType(rawValue: type).name, damaged: false)
        }
        var interface = CaptureInterface(
            linkType: LinkType(rawValue: UInt32(block.u16(8, bigEndian: bigEndian))),
            snapLength: Int(block.u32(12, bigEndian: bigEndian)))
        let bigEndian = self.bigEndian
        try forEachPcapngOption(in: block, from: PcapngLayout.interfaceDescriptionOptions, type: type) {
            (code, value) throws(CaptureFileError) in
            switch code {
            case PcapngLayout.ifName:
                interface.name = Self.optionString(value)
            case PcapngLayout.ifTsresol:
                if value.count != 1 { throw pcapngBadOption("if_tsresol", length: value.count, expected: 1) }
                interface.timestampResolution = .init(ifTsresol: value.u8(0))
            case PcapngLayout.ifTsoffset:
                if value.count != 8 { throw pcapngBadOption("if_tsoffset", length: value.count, expected: 8) }
                interface.timestampOffset = Int64(bitPattern: value.captureFileU64(0, bigEndian: bigEndian))
            default:
                break
            }
        }
        interfaces.append(interface)
        interfaceStates.append(CaptureFileInterfaceState(interface))
    }

    /// Calls `body` with each option of `block` from `from` up to the trailing length (§3.5), stopping
    /// at `opt_endofopt`. An option running past the block is an error, never a read past it.
    func forEachPcapngOption(
        in block: UnsafeRawBufferPointer, from: Int, type: UInt32,
        _ body: (UInt16, UnsafeRawBufferPointer) throws(CaptureFileError) -> Void
    ) throws(CaptureFileError) {
        let limit = block.count - 4
        var offset = from
        while limit - offset >= 4 {
            let code = block.u16(offset, bigEndian: bigEndian)
            let length = Int(block.u16(offset + 2, bigEndian: bigEndian))
            if code == PcapngLayout.endOfOptions { return }
            if length > limit - offset - 4 {
                throw pcapngDamaged(
                    "has an option (code \(code)) at byte \(byteOffset + offset) whose length \(length) runs past"
                        + " the end of the block (\(limit - offset - 4) bytes left)",
                    blockName: PcapngBlockType(rawValue: type).name)
            }
            try body(code, UnsafeRawBufferPointer(rebasing: block[(offset + 4)..<(offset + 4 + length)]))
            offset += 4 + (length + 3) & ~3
        }
    }

    /// A UTF-8 option value, without the NUL padding some writers leave in it.
    static func optionString(_ value: UnsafeRawBufferPointer) -> String {
        var count = value.count
        while count > 0, value.u8(count - 1) == 0 { count -= 1 }
        return String(decoding: UnsafeRawBufferPointer(rebasing: value[0..<count]), as: UTF8.self)
    }

    // MARK: Errors

    /// " — the file is damaged…" with what was read before.
    var damagedTail: String {
        packetCount == 0
            ? " — the file is damaged"
            : " — the file is damaged from here on; the \(packetCount) whole packet\(packetCount == 1 ? "" : "s")"
                + " before it \(packetCount == 1 ? "was" : "were") read"
    }

    /// `damaged: false` for a block refused by one of our caps: no "the file is damaged" tail.
    func pcapngDamaged(_ what: String, blockName: String?, damaged: Bool = true) -> CaptureFileError {
        let block = blockCount + 1
        let named = blockName.map { " (\($0))" } ?? ""
        return CaptureFileError(
            code: .damaged, fileName: fileName,
            reason: "block \(block)\(named) at byte \(byteOffset) \(what)\(damaged ? damagedTail : "")",
            byteOffset: byteOffset, recordNumber: block)
    }

    func requireLength(_ length: Int, _ minimum: Int, type: UInt32) throws(CaptureFileError) {
        if length < minimum {
            throw pcapngDamaged(
                "is \(length) bytes long, shorter than the \(minimum) bytes its fields need",
                blockName: PcapngBlockType(rawValue: type).name)
        }
    }

    func pcapngUnknownInterface(_ index: Int, type: UInt32) -> CaptureFileError {
        let count = interfaceStates.count
        return pcapngDamaged(
            "refers to interface \(index), but section \(sectionCount) has \(count == 0 ? "no" : "only \(count)")"
                + " Interface Description Block\(count == 1 ? "" : "s") before it",
            blockName: PcapngBlockType(rawValue: type).name)
    }

    func pcapngCaplenTooLarge(_ caplen: Int, room: Int, type: UInt32) -> CaptureFileError {
        pcapngDamaged(
            "says it captured \(caplen) bytes but has room for only \(room)",
            blockName: PcapngBlockType(rawValue: type).name)
    }

    func pcapngBadOption(_ option: String, length: Int, expected: Int) -> CaptureFileError {
        pcapngDamaged(
            "has an \(option) option of \(length) bytes (\(expected) expected)",
            blockName: PcapngBlockType.interfaceDescription.name)
    }

    func pcapngBlockHeaderCutOff() -> CaptureFileError {
        let block = blockCount + 1
        return CaptureFileError(
            code: .cutOff, fileName: fileName,
            reason: "cut off in the middle of block \(block)'s header at byte \(byteOffset) (12 bytes needed,"
                + " \(end - start) remain): every whole packet before it was read",
            byteOffset: byteOffset, recordNumber: block)
    }

    func pcapngBlockCutOff(type: UInt32, length: Int) -> CaptureFileError {
        let block = blockCount + 1
        return CaptureFileError(
            code: .cutOff, fileName: fileName,
            reason: "cut off in the middle of block \(block) (\(PcapngBlockType(rawValue: type).name)) at byte"
                + " \(byteOffset) (block says \(length) bytes, \(end - start) remain): every whole packet before it"
                + " was read",
            byteOffset: byteOffset, recordNumber: block)
    }
}
