import WiretaleCore

/// One packet as libpcap hands it over, valid only for the duration of the callback it is passed
/// to: `bytes` points into libpcap's ring buffer and is reused for the next packet. Copy what you
/// keep.
public struct CapturedPacket {
    /// When the kernel saw the packet: nanosecond precision (`digits == 9`) when the interface
    /// supports it, otherwise microseconds (`digits == 6`).
    public var timestamp: Timestamp
    /// The length on the wire; more than `bytes.count` when the snapshot length cut the packet.
    public var originalLength: Int
    /// The captured bytes, starting at the link-layer header.
    public var bytes: UnsafeRawBufferPointer
    /// The link-layer header type of `bytes` (`LINKTYPE_` numbering, as in capture files).
    public var linkType: LinkType

    public init(timestamp: Timestamp, originalLength: Int, bytes: UnsafeRawBufferPointer, linkType: LinkType) {
        self.timestamp = timestamp
        self.originalLength = originalLength
        self.bytes = bytes
        self.linkType = linkType
    }

    /// How many bytes were captured (`caplen`).
    public var capturedLength: Int { bytes.count }
}

/// Counters for a live capture, from `pcap_stats` plus what wiretale delivered.
///
/// On Linux `received` counts packets that passed the kernel filter (dropped ones included), as
/// tcpdump's "packets received by filter" does; `droppedByKernel` are those the ring buffer had no
/// room for (raise the buffer size); `droppedByInterface` is what the driver reports.
public struct CaptureStatistics: Sendable, Hashable, CustomStringConvertible {
    public var received: UInt64
    public var droppedByKernel: UInt64
    public var droppedByInterface: UInt64
    /// Packets handed to the `run` callback so far.
    public var delivered: UInt64

    public init(received: UInt64, droppedByKernel: UInt64, droppedByInterface: UInt64, delivered: UInt64) {
        self.received = received
        self.droppedByKernel = droppedByKernel
        self.droppedByInterface = droppedByInterface
        self.delivered = delivered
    }

    /// e.g. `12 packets captured, 14 received by filter, 0 dropped by kernel, 0 dropped by interface`.
    public var description: String {
        "\(delivered) packets captured, \(received) received by filter, \(droppedByKernel) dropped by kernel, "
            + "\(droppedByInterface) dropped by interface"
    }
}

/// Why `LiveCapture.run` returned.
public enum CaptureStop: Sendable, Hashable {
    /// The requested number of packets was delivered.
    case count
    /// The requested duration elapsed.
    case duration
    /// `stop()` was called (from the callback, another thread or a signal handler).
    case stopped
}
