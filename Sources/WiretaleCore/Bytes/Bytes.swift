/// Reading fixed-size fields out of a packet's bytes where they lie.
///
/// The decoders validate a header's length once and then read its fields with these
/// unchecked loads (smoltcp's "checked view" habit): every call site has already proved
/// `offset + size <= count`. Network byte order (big-endian) unless a name says otherwise.
extension UnsafeRawBufferPointer {
    @inlinable @inline(__always)
    func u8(_ offset: Int) -> UInt8 {
        load(fromByteOffset: offset, as: UInt8.self)
    }

    @inlinable @inline(__always)
    func u16be(_ offset: Int) -> UInt16 {
        UInt16(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    @inlinable @inline(__always)
    func u32be(_ offset: Int) -> UInt32 {
        UInt32(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    @inlinable @inline(__always)
    func u64be(_ offset: Int) -> UInt64 {
        UInt64(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    @inlinable @inline(__always)
    func u16le(_ offset: Int) -> UInt16 {
        UInt16(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    @inlinable @inline(__always)
    func u32le(_ offset: Int) -> UInt32 {
        UInt32(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// A 16- or 32-bit field in a byte order chosen at run time (capture file headers).
    @inlinable @inline(__always)
    func u16(_ offset: Int, bigEndian: Bool) -> UInt16 {
        bigEndian ? u16be(offset) : u16le(offset)
    }

    @inlinable @inline(__always)
    func u32(_ offset: Int, bigEndian: Bool) -> UInt32 {
        bigEndian ? u32be(offset) : u32le(offset)
    }
}
