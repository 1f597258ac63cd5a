import BrigadeSync
import CCurl
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The thread that owns a client's curl multi handle and every easy handle.
///
/// Other threads talk to it only through ``send(_:)``: a command goes into the lock-free
/// ``CommandInbox``, which wakes the loop's `epoll_wait` through its eventfd when the loop sleeps.
final class CurlLoop: Sendable {
    enum Command: Sendable {
        case start(TransferSubmission)
        case cancel(UInt64)
        /// The reader is done before the body ended: let the transfer finish if its end comes within
        /// ``LoopRunner/drainGrace`` (keeping its connection), else cancel it.
        case release(UInt64)
        case resume(UInt64)
        case shutdown
    }

    /// The commands and the eventfd, shared with the loop thread.
    private let inbox: CommandInbox
    private let lastTransferID = Atomic<UInt64>(0)
    let activeTransfers = LoopCount()
    /// Easy handles created (`curl_easy_init`); handles taken again from the pool do not count.
    let createdEasyHandles = LoopCount()
    /// Transfer objects alive (created and not yet deinitialised), for leak checks.
    let liveTransferObjects = LoopCount()
    /// Passes of the loop (each ends in `epoll_wait`), for tests that check it does not spin.
    let passes = LoopCount()
    /// Idle keep-alive sockets that became readable or hung up (the server closed the connection)
    /// and left the epoll set, for tests.
    let idleSocketWakeups = LoopCount()
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
        let events = UnsafeMutablePointer<brigade_curl_events>.allocate(capacity: 1)
        events.initialize(to: brigade_curl_events(multi: nil, epoll_fd: -1, wake_fd: -1, watched: nil, watched_count: 0, idle_wakeups: 0))
        guard let multi = curl_multi_init() else {
            events.deallocate()
            self.inbox = CommandInbox(wakeFD: nil)
            exited.fulfill(())
            return
        }
        guard brigade_events_open(events, multi) == 0 else {
            curl_multi_cleanup(multi)
            events.deallocate()
            self.inbox = CommandInbox(wakeFD: nil)
            exited.fulfill(())
            return
        }
        _ = brigade_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, max(0, configuration.maxConnectionsPerHost))
        _ = brigade_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, max(1, configuration.maxCachedConnections))
        self.inbox = CommandInbox(wakeFD: events.pointee.wake_fd)
        let runner = LoopRunner(
            multi: multi,
            events: events,
            inbox: inbox,
            activeTransfers: activeTransfers,
            createdEasyHandles: createdEasyHandles,
            liveTransferObjects: liveTransferObjects,
            passes: passes,
            idleSocketWakeups: idleSocketWakeups,
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
            _ = inbox.close()
            // Frees curl and the epoll set; the eventfd goes with the inbox.
            Unmanaged<LoopRunner>.fromOpaque(context).takeRetainedValue().closeWithoutRunning()
            exited.fulfill(())
        }
    }

    /// A loop that never starts: no curl, no thread; every request fails with
    /// ``HTTPError/Code/shutDown``. A client shut down before its first request holds one.
    static func closed() -> CurlLoop { CurlLoop() }

    private init() {
        inbox = CommandInbox(wakeFD: nil)
        exited.fulfill(())
    }

    /// Whether the loop started: it has a multi handle and a thread.
    var isOpen: Bool { inbox.wakeFD != nil }

    /// A fresh transfer id.
    func makeTransferID() -> UInt64 {
        lastTransferID.wrappingAdd(1, ordering: .relaxed).newValue
    }

    /// Queues `command` and wakes the loop if it sleeps. Returns `false` when the loop is shut
    /// down (or `.shutdown` was sent already).
    @discardableResult
    func send(_ command: Command) -> Bool {
        inbox.send(command)
    }

    /// Transfers started and not yet finished.
    var activeTransferCount: Int { activeTransfers.value }

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

/// A count changed by the loop thread and read by any (transfers in flight, handles created).
final class LoopCount: Sendable {
    private let count = Atomic<Int>(0)

    var value: Int { count.load(ordering: .sequentiallyConsistent) }

    func add(_ delta: Int) {
        count.wrappingAdd(delta, ordering: .sequentiallyConsistent)
    }
}
