import CPcap
import Dispatch

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Owns a `pcap_t` and the wake-up pipe of its capture loop, and closes both when the last owner
/// goes away.
///
/// Why `@unchecked Sendable` is sound: every stored property is immutable. The only things done
/// through a `PcapHandle` from a thread other than the one running the capture are a `write` of
/// one byte to `wakeWrite` and `pcap_breakloop`, which libpcap documents as callable from another
/// thread or a signal handler (on Linux it sets a flag and writes to an eventfd); both are
/// async-signal-safe. Every other libpcap call goes through `LiveCapture`, which is not
/// `Sendable` and so stays on one thread. `pcap_close` and the pipe's `close` run only in
/// `deinit`, when no `LiveCapture` or `CaptureStopper` can reach the handle any more, so a late
/// `stop()` can never touch a closed handle.
final class PcapHandle: @unchecked Sendable {
    let pointer: OpaquePointer
    /// The loop polls `wakeRead` next to the packet socket; `stop()` writes to `wakeWrite`.
    /// Both ends are non-blocking; -1 if the pipe could not be made (then only
    /// `pcap_breakloop` stops the loop, which is enough while packets flow).
    let wakeRead: Int32
    let wakeWrite: Int32

    init(_ pointer: OpaquePointer) {
        self.pointer = pointer
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) == 0 {
            for fd in fds {
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            }
        }
        wakeRead = fds[0]
        wakeWrite = fds[1]
    }

    /// Async-signal-safe: one `write` and `pcap_breakloop`. The byte goes first, so a loop that
    /// sees libpcap's break flag also finds the byte (see `LiveCapture.run`).
    func requestStop() {
        if wakeWrite >= 0 {
            var one: UInt8 = 1
            _ = write(wakeWrite, &one, 1)  // EAGAIN when full: a stop is already pending.
        }
        pcap_breakloop(pointer)
    }

    /// Empties the pipe; true if a stop was pending.
    func consumeStop() -> Bool {
        guard wakeRead >= 0 else { return true }
        var found = false
        var scratch: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        while true {
            let n = withUnsafeMutableBytes(of: &scratch) { read(wakeRead, $0.baseAddress, $0.count) }
            if n > 0 {
                found = true
                continue
            }
            if n < 0 && errno == EINTR { continue }
            return found
        }
    }

    deinit {
        pcap_close(pointer)
        if wakeRead >= 0 { close(wakeRead) }
        if wakeWrite >= 0 { close(wakeWrite) }
    }
}

/// Stops a `LiveCapture`'s `run` from anywhere: another thread, a Dispatch signal source, or a C
/// signal handler. Copies share the capture.
///
/// `stop()` writes one byte to a pipe the capture loop polls and calls `pcap_breakloop`; both are
/// async-signal-safe. The loop returns `.stopped` promptly whether or not packets are arriving.
/// A stop requested while no `run` is in progress ends the next `run` at once.
///
/// From a plain C signal handler, make the stopper reachable first, e.g.
/// `nonisolated(unsafe) var activeStopper: CaptureStopper?`, set before installing the handler
/// and never cleared while it is installed; `SignalStop` does all of this with Dispatch instead.
public struct CaptureStopper: Sendable {
    let handle: PcapHandle

    /// Asks the capture loop to return `.stopped`.
    public func stop() {
        handle.requestStop()
    }
}

/// Turns SIGINT / SIGTERM (or other signals) into a clean stop of a capture, the way tcpdump ends
/// on Ctrl-C: the first signal stops the loop (so the caller can flush its file and print
/// statistics); a second one of the same kind while the first is still being handled restores the
/// default action and re-raises it, so a stuck program can always be interrupted.
///
/// Uses Dispatch signal sources (the handler runs on a private queue, not in signal context).
/// Keep the value alive for as long as the capture runs; `cancel()` (or releasing it) restores
/// the default signal actions.
public final class SignalStop: @unchecked Sendable {
    // @unchecked: `sources` and `signals` are set once in init; `received` is only touched on
    // `queue`, a serial queue.
    private let queue = DispatchQueue(label: "wiretale.capture.signals")
    private var sources: [any DispatchSourceSignal] = []
    private let signals: [Int32]
    private var received: Set<Int32> = []

    /// Starts turning `signals` into `stopper.stop()`; `onSignal` runs on a private queue after the
    /// stop request, once per signal number (for a "stopping…" log line).
    public init(
        signals: [Int32] = [SIGINT, SIGTERM], stopper: CaptureStopper, onSignal: (@Sendable (Int32) -> Void)? = nil
    ) {
        self.signals = signals
        for number in signals {
            // Dispatch sees the signal only if the default action (terminate) is disabled.
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [weak self] in
                guard let self else { return }
                if received.contains(number) {
                    signal(number, SIG_DFL)
                    raise(number)
                    return
                }
                received.insert(number)
                stopper.stop()
                onSignal?(number)
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Stops listening and restores the default action of each signal.
    public func cancel() {
        queue.sync {
            for source in sources { source.cancel() }
            sources.removeAll()
        }
        for number in signals { signal(number, SIG_DFL) }
    }

    deinit {
        for source in sources { source.cancel() }
        for number in signals { signal(number, SIG_DFL) }
    }
}
