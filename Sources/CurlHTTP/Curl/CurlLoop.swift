import BrigadeSync
import CCurl

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The thread that owns a client's curl multi handle and every easy handle.
///
/// Other threads talk to it only through ``send(_:)``: a command is appended to a locked inbox and
/// `curl_multi_wakeup` interrupts the loop's `curl_multi_poll`.
final class CurlLoop: Sendable {
    enum Command: Sendable {
        case start(TransferSubmission)
        case cancel(UInt64)
        case resume(UInt64)
        case shutdown
    }

    struct Inbox {
        var commands: [Command] = []
        var isShutDown = false
        var nextID: UInt64 = 0
        var activeTransfers = 0
    }

    /// `CURLM *`, shared with the loop thread. Other threads only call the thread-safe
    /// `curl_multi_wakeup` on it, and only under the inbox lock while not shut down, so that
    /// never races the loop's `curl_multi_cleanup`.
    private let multi: SendableHandle?
    let inbox = LockedState(Inbox())
    /// Transfer objects alive (created and not yet deinitialised), for leak checks.
    let liveTransferObjects = LockedState(0)
    private let thread: LockedState<pthread_t?> = LockedState(nil)

    /// Starts the loop thread. If curl or the thread cannot be set up, the loop starts shut down
    /// and every request fails with ``HTTPError/Code/transport``.
    init(configuration: HTTPClient.Configuration) {
        CurlGlobal.initialize()
        guard let multi = curl_multi_init() else {
            self.multi = nil
            inbox.withLock { $0.isShutDown = true }
            return
        }
        _ = brigade_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, max(0, configuration.maxConnectionsPerHost))
        _ = brigade_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, max(1, configuration.maxCachedConnections))
        self.multi = SendableHandle(multi)
        let runner = LoopRunner(
            multi: multi,
            inbox: inbox,
            liveTransferObjects: liveTransferObjects,
            configuration: configuration
        )
        let context = Unmanaged.passRetained(runner).toOpaque()
        var thread = pthread_t()
        let created = pthread_create(&thread, nil, { context in
            guard let context else { return nil }
            let runner = Unmanaged<LoopRunner>.fromOpaque(context).takeRetainedValue()
            runner.run()
            return nil
        }, context)
        if created == 0 {
            self.thread.withLock { $0 = thread }
        } else {
            Unmanaged<LoopRunner>.fromOpaque(context).release()
            curl_multi_cleanup(multi)
            inbox.withLock { $0.isShutDown = true }
        }
    }

    /// A fresh transfer id.
    func makeTransferID() -> UInt64 {
        inbox.withLock { inbox in
            inbox.nextID += 1
            return inbox.nextID
        }
    }

    /// Queues `command` and wakes the loop. Returns `false` when the loop is shut down.
    @discardableResult
    func send(_ command: Command) -> Bool {
        inbox.withLock { inbox in
            guard !inbox.isShutDown, let multi else { return false }
            inbox.commands.append(command)
            if case .shutdown = command { inbox.isShutDown = true }
            _ = curl_multi_wakeup(multi.pointer)
            return true
        }
    }

    /// Transfers started and not yet finished.
    var activeTransferCount: Int { inbox.withLock { $0.activeTransfers } }

    /// Cancels every transfer, stops the thread and waits for it, unless called on the loop
    /// thread itself. Later calls return at once.
    func shutdown() {
        send(.shutdown)
        guard let thread = self.thread.withLock({ thread in defer { thread = nil }; return thread }) else { return }
        if pthread_equal(thread, pthread_self()) != 0 {
            pthread_detach(thread)
        } else {
            pthread_join(thread, nil)
        }
    }
}

/// A raw curl handle that may be passed between threads; see the users for why each use is safe.
struct SendableHandle: @unchecked Sendable {
    // Safe: a plain pointer value; each user documents which thread dereferences it.
    let pointer: UnsafeMutableRawPointer
    init(_ pointer: UnsafeMutableRawPointer) { self.pointer = pointer }
}
