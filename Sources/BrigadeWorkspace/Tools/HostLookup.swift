import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A host name lookup (`getaddrinfo`) on a thread of its own, awaited with a time limit.
///
/// `getaddrinfo` blocks its thread until the resolver answers or gives up, which for a name server
/// that does not answer takes as long as the system's resolver settings say (`timeout` × `attempts`
/// in resolv.conf, per address family). Run on the shared dispatch or task pools, every hung lookup
/// would hold one of their few threads, and enough of them would stall unrelated work. Here each
/// lookup has its own small thread, the caller stops waiting at the limit (or when its task is
/// cancelled), and the thread ends by itself when `getaddrinfo` returns; at most ``maxThreads``
/// lookups run at once, and a lookup beyond that fails at once.
final class HostLookup: Sendable {
    /// The process's lookups (the address policy's).
    static let shared = HostLookup(maxThreads: 64)

    enum Outcome: Sendable, Equatable {
        /// The addresses the host resolved to; empty when it does not resolve.
        case addresses([IPAddress])
        /// No answer within the limit, or the caller's task was cancelled.
        case timedOut
        /// ``maxThreads`` lookups are running already (or no thread could be started).
        case busy
    }

    /// The most lookup threads alive at once.
    let maxThreads: Int
    /// Lookup threads alive now (started and not yet returned from the lookup).
    var runningThreads: Int { running.load(ordering: .relaxed) }
    private let running = Atomic<Int>(0)

    init(maxThreads: Int) {
        self.maxThreads = max(1, maxThreads)
    }

    /// Looks `host` up with `lookUp` (the system's resolver by default) on a new thread, waiting at most `limit`.
    func resolve(
        _ host: String, within limit: Duration,
        lookUp: @escaping @Sendable (String) -> [IPAddress] = IPAddress.lookUp
    ) async -> Outcome {
        guard running.wrappingAdd(1, ordering: .relaxed).newValue <= maxThreads else {
            running.wrappingSubtract(1, ordering: .relaxed)
            return .busy
        }
        let pending = PendingLookup()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                pending.wait(with: continuation)
                let started = Self.startThread {
                    let addresses = lookUp(host)
                    self.running.wrappingSubtract(1, ordering: .relaxed)
                    pending.finish(.addresses(addresses))
                }
                guard started else {
                    running.wrappingSubtract(1, ordering: .relaxed)
                    pending.finish(.busy)
                    return
                }
                let timer = Task {
                    try? await Task.sleep(for: limit)
                    pending.finish(.timedOut)
                }
                pending.setTimer(timer)
            }
        } onCancel: {
            pending.finish(.timedOut)
        }
    }

    /// Runs `work` on a new detached thread; `false` if none could be started.
    private static func startThread(_ work: @escaping @Sendable () -> Void) -> Bool {
        let box = Unmanaged.passRetained(ThreadWork(work)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        // getaddrinfo and the NSS modules need little stack; 256 KiB leaves a wide margin.
        pthread_attr_setstacksize(&attributes, 256 * 1024)
        var thread = pthread_t()
        let created = pthread_create(&thread, &attributes, { context in
            guard let context else { return nil }
            Unmanaged<ThreadWork>.fromOpaque(context).takeRetainedValue().work()
            return nil
        }, box)
        if created != 0 {
            Unmanaged<ThreadWork>.fromOpaque(box).release()
            return false
        }
        return true
    }
}

private final class ThreadWork {
    let work: @Sendable () -> Void
    init(_ work: @escaping @Sendable () -> Void) { self.work = work }
}

/// One lookup's hand-off: the first of the lookup thread, the timer and cancellation resumes the
/// caller; the others find nothing left to do.
private final class PendingLookup: Sendable {
    private struct State {
        var continuation: CheckedContinuation<HostLookup.Outcome, Never>?
        var outcome: HostLookup.Outcome?
        var timer: Task<Void, Never>?
    }

    private let state = Mutex(State())

    func wait(with continuation: CheckedContinuation<HostLookup.Outcome, Never>) {
        let ready: HostLookup.Outcome? = state.withLock { state in
            if let outcome = state.outcome { return outcome }
            state.continuation = continuation
            return nil
        }
        if let ready { continuation.resume(returning: ready) }
    }

    func setTimer(_ timer: Task<Void, Never>) {
        let isOver = state.withLock { state in
            if state.outcome != nil { return true }
            state.timer = timer
            return false
        }
        if isOver { timer.cancel() }
    }

    func finish(_ outcome: HostLookup.Outcome) {
        let (continuation, timer) = state.withLock { state -> (CheckedContinuation<HostLookup.Outcome, Never>?, Task<Void, Never>?) in
            guard state.outcome == nil else { return (nil, nil) }
            state.outcome = outcome
            defer { state.continuation = nil; state.timer = nil }
            return (state.continuation, state.timer)
        }
        timer?.cancel()
        continuation?.resume(returning: outcome)
    }
}
