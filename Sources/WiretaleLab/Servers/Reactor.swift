import CLinux
import WiretaleSystem

#if canImport(Glibc)
    import Glibc
#endif

/// What lets Swift tasks act as coroutines over sockets: one thread waits in `epoll_wait` for every
/// socket at once and resumes the task whose socket became ready. A task that would block instead
/// suspends (`await`), freeing its pool thread for another task: a few threads serve thousands of
/// connections.
final class Reactor: @unchecked Sendable {
    let epfd: Int32

    init() {
        epfd = wt_epoll_create()
        startThread(detached: true) { [epfd] in Reactor.loop(epfd) }
    }

    /// One socket's waiting task. Registered once (one-shot: re-armed by each wait).
    final class Waiter: @unchecked Sendable {
        let fd: Int32
        let epfd: Int32
        var continuation: UnsafeContinuation<Void, Never>?
        var added = false

        init(fd: Int32, epfd: Int32) {
            self.fd = fd
            self.epfd = epfd
        }

        /// Suspends the calling task until the socket is readable (or writable), or has an error.
        func wait(readable: Bool) async {
            await withUnsafeContinuation { (c: UnsafeContinuation<Void, Never>) in
                continuation = c
                let what = UInt32(readable ? WT_EPOLLIN : WT_EPOLLOUT) | UInt32(WT_EPOLLONESHOT) | UInt32(WT_EPOLLRDHUP)
                let me = UInt64(UInt(bitPattern: Unmanaged.passUnretained(self).toOpaque()))
                let op = Int32(added ? WT_EPOLL_CTL_MOD : WT_EPOLL_CTL_ADD)
                added = true
                if wt_epoll_ctl(epfd, op, fd, what, me) != 0 {
                    continuation = nil
                    c.resume()
                }
            }
        }

        func close() {
            if added { _ = wt_epoll_ctl(epfd, Int32(WT_EPOLL_CTL_DEL), fd, 0, 0) }
            Glibc.close(fd)
        }
    }

    /// A waiter for `fd`; the caller keeps it alive while it waits.
    func register(_ fd: Int32) -> Waiter { Waiter(fd: fd, epfd: epfd) }

    static func loop(_ epfd: Int32) {
        var data = [UInt64](repeating: 0, count: 256)
        var events = [UInt32](repeating: 0, count: 256)
        while true {
            let n = wt_epoll_wait(epfd, &data, &events, 256, -1)
            if n < 0 {
                if errno == EINTR { continue }
                return
            }
            for i in 0..<Int(n) {
                guard let p = UnsafeMutableRawPointer(bitPattern: UInt(data[i])) else { continue }
                let w = Unmanaged<Waiter>.fromOpaque(p).takeUnretainedValue()
                let c = w.continuation
                w.continuation = nil
                c?.resume()
            }
        }
    }
}
