#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A value one thread (or task) hands to another that waits for it, once: a mutex and a condition
/// variable (no Foundation, no Dispatch), for a waiter that is not on Swift's cooperative pool.
package final class Handoff<Value: Sendable>: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var cond = pthread_cond_t()
    private var value: Value?

    package init() {
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&cond, nil)
    }

    deinit {
        pthread_mutex_destroy(&mutex)
        pthread_cond_destroy(&cond)
    }

    /// Hands `value` over and wakes the waiter.
    package func put(_ value: Value) {
        pthread_mutex_lock(&mutex)
        self.value = value
        pthread_cond_signal(&cond)
        pthread_mutex_unlock(&mutex)
    }

    /// Waits until a value was put, and returns it.
    package func wait() -> Value {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        while value == nil { pthread_cond_wait(&cond, &mutex) }
        return value!
    }
}
