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
    /// The loop thread's handle until someone joins or detaches it.
    private let thread: LockedState<pthread_t?> = LockedState(nil)
    /// Fulfilled by the loop thread as the last thing it does (or at once if it never started).
    let exited = Promise<Void>()

    /// Starts the loop thread. If curl or the thread cannot be set up, the loop starts shut down
    /// and every request fails with ``HTTPError/Code/shutDown``.
    /// - Parameter willExit: runs on the loop thread after it has freed curl, just before
    ///   ``exited`` is fulfilled; tests use it to hold the thread.
    init(configuration: HTTPClient.Configuration, willExit: (@Sendable () -> Void)? = nil) {
        CurlGlobal.initialize()
        guard let multi = curl_multi_init() else {
            self.multi = nil
            inbox.withLock { $0.isShutDown = true }
            exited.fulfill(())
            return
        }
        _ = brigade_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, max(0, configuration.maxConnectionsPerHost))
        _ = brigade_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, max(1, configuration.maxCachedConnections))
        self.multi = SendableHandle(multi)
        let runner = LoopRunner(
            multi: multi,
            inbox: inbox,
            liveTransferObjects: liveTransferObjects,
            configuration: configuration,
            exited: exited,
            willExit: willExit
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
            exited.fulfill(())
        }
    }

    /// A loop that never starts: no curl, no thread; every request fails with
    /// ``HTTPError/Code/shutDown``. A client shut down before its first request holds one.
    static func closed() -> CurlLoop { CurlLoop() }

    private init() {
        multi = nil
        inbox.withLock { $0.isShutDown = true }
        exited.fulfill(())
    }

    /// Whether the loop started: it has a multi handle and a thread.
    var isOpen: Bool { multi != nil }

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

    /// Asks the loop to fail every transfer and stop; returns at once.
    func requestShutdown() {
        send(.shutdown)
    }

    /// Stops the loop and suspends (without blocking a thread) until the loop thread has ended.
    /// The thread is then detached, never joined: it has nothing left to do but return.
    func shutdown() async {
        requestShutdown()
        await exited.value
        detach()
    }

    /// Stops the loop and blocks the calling thread in `pthread_join` until the loop thread ends,
    /// unless called on the loop thread itself or after another call took the thread's handle.
    func syncShutdown() {
        requestShutdown()
        guard let thread = takeThread() else { return }
        if pthread_equal(thread, pthread_self()) != 0 {
            pthread_detach(thread)
        } else {
            pthread_join(thread, nil)
        }
    }

    /// Lets the loop thread end on its own: its resources are freed when it returns.
    func detach() {
        if let thread = takeThread() { pthread_detach(thread) }
    }

    private func takeThread() -> pthread_t? {
        thread.withLock { thread in defer { thread = nil }; return thread }
    }
}

/// A raw curl handle that may be passed between threads; see the users for why each use is safe.
struct SendableHandle: @unchecked Sendable {
    // Safe: a plain pointer value; each user documents which thread dereferences it.
    let pointer: UnsafeMutableRawPointer
    init(_ pointer: UnsafeMutableRawPointer) { self.pointer = pointer }
}
