import Synchronization
import WiretaleCapture
import WiretaleCore
import WiretaleSystem

#if canImport(Glibc)
    import Glibc
#endif

/// A packet the lab kept: copied out of libpcap's buffer so it can be explained after the run.
public struct LabFrame: Sendable {
    public var timestamp: Timestamp
    public var originalLength: Int
    public var bytes: [UInt8]
    public var linkType: LinkType

    public init(timestamp: Timestamp, originalLength: Int, bytes: [UInt8], linkType: LinkType) {
        self.timestamp = timestamp
        self.originalLength = originalLength
        self.bytes = bytes
        self.linkType = linkType
    }
}

/// Now, on the clock libpcap stamps packets with (CLOCK_REALTIME), in nanoseconds.
public func wallClockNanoseconds() -> Int64 {
    var t = timespec()
    clock_gettime(CLOCK_REALTIME, &t)
    return Int64(t.tv_sec) * 1_000_000_000 + Int64(t.tv_nsec)
}

/// Sleeps `ms` milliseconds (lets loopback packets and the kernel's state settle between calls).
public func pause(milliseconds ms: Int) {
    var t = timespec(tv_sec: ms / 1000, tv_nsec: (ms % 1000) * 1_000_000)
    _ = nanosleep(&t, nil)
}

/// The frames a capture thread has kept so far, behind a lock.
final class FrameStore: @unchecked Sendable {
    private let frames = Mutex<[LabFrame]>([])
    var error: String?
    var dropped: UInt64 = 0

    func append(_ f: LabFrame) { frames.withLock { $0.append(f) } }

    func take() -> [LabFrame] { frames.withLock { $0 } }
}

/// A live capture running on its own thread while the lab makes its calls on this one: opened
/// (and its filter attached) before the first call, so no packet of the lab is missed; stopped and
/// joined by `finish()`, which returns every packet it kept.
public final class LabCapture: @unchecked Sendable {
    let capture: LiveCapture
    let store = FrameStore()
    var thread: pthread_t?
    public let device: String

    /// Opens `device` with `filter`. Throws `CaptureError` (e.g. not privileged) as `LiveCapture` does.
    /// The kernel's count of packets it dropped because this capture fell behind (after `finish`).
    public private(set) var dropped: UInt64 = 0

    public init(device: String = "lo", filter: String, snapshotLength: Int = 65_535) throws(CaptureError) {
        // In immediate mode each ring slot holds a whole snapshot: a short snapshot length gives
        // many slots, so a burst (lab compare) is not dropped.
        var options = LiveCapture.Options(
            device: device, snapshotLength: snapshotLength, bufferSize: 32 << 20,
            filter: filter)
        options.promiscuous = false
        capture = try LiveCapture(options)
        self.device = device
        thread = startThread { [self] in loop() }
    }

    private func loop() {
        let store = self.store
        do {
            try capture.run(duration: .seconds(30)) { p in
                store.append(
                    LabFrame(
                        timestamp: p.timestamp, originalLength: p.originalLength, bytes: Array(p.bytes),
                        linkType: p.linkType))
            }
        } catch {
            store.error = "\(error)"
        }
        if let stats = try? capture.stats() { store.dropped = stats.droppedByKernel }
    }

    /// Waits `settle` ms for the last packets, stops the capture and returns what it kept.
    public func finish(settle: Int = 30) -> [LabFrame] {
        guard thread != nil else { return store.take() }
        pause(milliseconds: settle)
        capture.stop()
        if let t = thread { joinThread(t) }
        thread = nil
        dropped = store.dropped
        return store.take()
    }

    /// The packets kept so far (the capture keeps running).
    public func snapshot() -> [LabFrame] { store.take() }
}

extension LabCapture {
    /// Opens the lab's capture on loopback when `wanted` and privileged, recording in `run` the
    /// filter used or, when no packet will be captured, why not (in `lang`).
    static func open(
        filter: String, wanted: Bool, lang: NotesLanguage = .en, for run: inout LabRun
    ) -> LabCapture? {
        guard wanted else {
            run.captureNote = LabLabel.captureOff.filled(lang)
            return nil
        }
        guard captureAllowed() else {
            run.captureNote = LabLabel.notPrivileged.filled(lang)
            return nil
        }
        do {
            let c = try LabCapture(filter: filter)
            run.filter = filter
            return c
        } catch {
            run.captureNote = LabLabel.captureError.filled(lang, "\(error)")
            return nil
        }
    }
}
