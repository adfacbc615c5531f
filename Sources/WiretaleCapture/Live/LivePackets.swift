import Dispatch
import WiretaleCore

/// A captured packet whose bytes were copied out of libpcap's buffer, so it may outlive the
/// moment it was delivered and cross to another task: what `LiveCapture.packets()` yields.
public struct OwnedPacket: Sendable, Hashable {
    /// When the kernel saw the packet (see `CapturedPacket.timestamp`).
    public var timestamp: Timestamp
    /// The length on the wire; more than `bytes.count` when the snapshot length cut the packet.
    public var originalLength: Int
    /// The captured bytes, starting at the link-layer header.
    public var bytes: [UInt8]
    /// The link-layer header type of `bytes`.
    public var linkType: LinkType

    /// Copies `packet`'s bytes.
    public init(_ packet: CapturedPacket) {
        timestamp = packet.timestamp
        originalLength = packet.originalLength
        bytes = Array(packet.bytes)
        linkType = packet.linkType
    }
}

extension LiveCapture {
    /// The capture as the notes' generator: an `AsyncSequence` of packets, each copied
    /// (`OwnedPacket`), for `for try await packet in capture.packets(count: 10) { … }`.
    ///
    /// The capture loop (`run`) runs on a thread of its own (a Dispatch queue, not Swift's
    /// concurrency pool, since it blocks in `poll`) and yields each packet into an
    /// `AsyncThrowingStream`. The sequence ends when `count` packets were delivered or `duration`
    /// passed, or at `stop()` (from anywhere, through `stopper`); it throws what `run` throws
    /// (`CaptureError.readFailed`). Leaving the loop early (`break`, a cancelled task) stops the
    /// capture.
    ///
    /// The capture is handed over to that thread until the sequence ends: do not call `run` or
    /// `packets` on it meanwhile (`stop()` and `stopper` stay allowed; `stats()` after the end).
    ///
    /// - Parameters:
    ///   - count: stop after this many packets (after filtering); nil for no limit.
    ///   - duration: stop once this much time has passed.
    ///   - bufferingPolicy: what the stream keeps while the consumer is behind: every packet by
    ///     default (memory grows with the backlog); `.bufferingOldest(n)` drops newer ones.
    public func packets(
        count: Int? = nil, duration: Duration? = nil,
        bufferingPolicy: AsyncThrowingStream<OwnedPacket, any Error>.Continuation.BufferingPolicy = .unbounded
    ) -> AsyncThrowingStream<OwnedPacket, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(
            of: OwnedPacket.self, throwing: (any Error).self, bufferingPolicy: bufferingPolicy)
        let owner = CaptureHandOver(self)
        let stopper = self.stopper
        continuation.onTermination = { termination in
            if case .cancelled = termination { stopper.stop() }
        }
        DispatchQueue(label: "wiretale.capture.packets").async {
            do {
                try owner.capture.run(count: count, duration: duration) { packet in
                    if case .terminated = continuation.yield(OwnedPacket(packet)) { owner.capture.stop() }
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        return stream
    }
}

/// Carries a `LiveCapture` to the thread that runs its loop for `packets()`.
///
/// Why `@unchecked Sendable` is sound: after `packets()` returns, only that thread calls the
/// capture's loop; other threads reach it only through `CaptureStopper`, which is `Sendable`
/// (see `PcapHandle`). The documented rule — no `run` or `packets` on the capture while its
/// sequence is running — keeps `LiveCapture` on one thread at a time.
private final class CaptureHandOver: @unchecked Sendable {
    let capture: LiveCapture

    init(_ capture: LiveCapture) {
        self.capture = capture
    }
}
