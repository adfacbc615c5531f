#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Carries a value to another thread; the caller hands it over and does not touch it meanwhile.
package struct SendableBox<T>: @unchecked Sendable {
    package let value: T
    package init(_ value: T) { self.value = value }
}

/// What a new thread runs, kept alive until the thread has taken it.
private final class ThreadStart {
    let run: @Sendable () -> Void
    init(_ run: @escaping @Sendable () -> Void) { self.run = run }
}

/// Starts an OS thread (pthread_create) running `body`; nil when the system refused one. A
/// detached thread is never joined: its resources go back when it ends. The labs' servers and
/// captures and the trace's capture loop run on such threads, off Swift's cooperative pool, because
/// they block in system calls.
@discardableResult
package func startThread(detached: Bool = false, _ body: @escaping @Sendable () -> Void) -> pthread_t? {
    let raw = Unmanaged.passRetained(ThreadStart(body)).toOpaque()
    var attr = pthread_attr_t()
    pthread_attr_init(&attr)
    defer { pthread_attr_destroy(&attr) }
    if detached { pthread_attr_setdetachstate(&attr, Int32(PTHREAD_CREATE_DETACHED)) }
    var t = pthread_t()
    let rc = pthread_create(
        &t, &attr,
        { raw in
            Unmanaged<ThreadStart>.fromOpaque(raw!).takeRetainedValue().run()
            return nil
        }, raw)
    if rc != 0 {
        Unmanaged<ThreadStart>.fromOpaque(raw).release()
        return nil
    }
    return t
}

/// Waits for a thread `startThread` started (not detached) to end.
package func joinThread(_ thread: pthread_t) {
    pthread_join(thread, nil)
}
