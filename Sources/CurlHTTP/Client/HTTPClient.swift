import Synchronization

/// An HTTP/1.1 and HTTP/2 client on libcurl's multi interface.
///
/// Each client runs one thread that owns a curl multi handle and every transfer; requests from
/// any task are queued to it and run concurrently, reusing connections from the multi handle's
/// connection cache. Proxy environment variables (`http_proxy`, `https_proxy`, `no_proxy`) work
/// as in curl. Redirects are not followed: a `3xx` response is returned as it is.
///
/// Most programs need one client: use ``shared``. A client you create yourself should be ended
/// with ``shutdown()`` when you are done with it:
///
/// ```swift
/// let response = try await HTTPClient.shared.send(HTTPRequest(url: "https://example.com/"))
///
/// let client = HTTPClient(configuration: .init(maxConnectionsPerHost: 64))
/// defer { Task { await client.shutdown() } }   // or await it where the work ends
/// ```
///
/// Dropping the last reference without shutting down never blocks: `deinit` tells the loop to
/// stop (failing what is in flight with ``HTTPError/Code/shutDown``) and the thread ends on its own.
public final class HTTPClient: Sendable {
    /// The settings every request inherits.
    public let configuration: Configuration
    private let isShared: Bool
    private let willExit: (@Sendable () -> Void)?
    /// The loop, started by the first request: a process that never sends one never initialises
    /// libcurl (OpenSSL and the libraries libcurl links stay untouched). A client shut down before
    /// its first request holds a loop that never started.
    private let loopState = Mutex<CurlLoop?>(nil)
    /// URLs this client's requests used lately and that passed validation (parsed once, not per request).
    let validatedURLs = ValidatedURLs()
    /// The header lines of this client's latest request, taken again by requests with the same headers.
    let preparedHeaders = PreparedHeaders()

    /// The client shared by the whole process, created on first use with the default
    /// ``Configuration``; its loop thread starts with its first request. Brigade's model clients and
    /// workspaces use it unless given another. It is never shut down: ``shutdown()`` and
    /// ``syncShutdown()`` do nothing on it.
    public static let shared = HTTPClient(configuration: .init(), isShared: true, willExit: nil)

    /// Creates a client; its loop thread starts with its first request.
    /// - Parameter configuration: limits and defaults for every request.
    public convenience init(configuration: Configuration = .init()) {
        self.init(configuration: configuration, isShared: false, willExit: nil)
    }

    /// Creates a client and starts its loop thread at once; the thread runs `willExit` just before
    /// it ends (tests hold the thread there to show that nothing waits for it).
    package convenience init(configuration: Configuration = .init(), loopWillExit willExit: @escaping @Sendable () -> Void) {
        self.init(configuration: configuration, isShared: false, willExit: willExit)
        _ = loop
    }

    private init(configuration: Configuration, isShared: Bool, willExit: (@Sendable () -> Void)?) {
        self.configuration = configuration
        self.isShared = isShared
        self.willExit = willExit
    }

    /// The loop, started now if no request or shutdown came before (libcurl's global
    /// initialisation runs, once per process, as the first loop starts).
    var loop: CurlLoop {
        loopState.withLock { loop in
            if let loop { return loop }
            let started = CurlLoop(configuration: configuration, willExit: willExit)
            loop = started
            return started
        }
    }

    /// Never blocks: asks the loop to stop, if it started, and lets its thread end on its own.
    deinit {
        guard let loop = loopState.withLock({ $0 }) else { return }
        loop.requestShutdown()
        loop.detach()
    }

    /// Fails every transfer in flight with ``HTTPError/Code/shutDown``, stops the loop thread and
    /// waits until it has ended, without blocking the calling thread. Requests sent afterwards
    /// fail with ``HTTPError/Code/shutDown``. Calling it again returns once the thread has ended;
    /// on ``shared`` it does nothing.
    public func shutdown() async {
        guard !isShared else { return }
        await loopOrClosed().shutdown()
    }

    /// ``shutdown()`` for synchronous code: blocks the calling thread until the loop thread ends.
    ///
    /// Never call it from async code (a task would hold a thread of the cooperative pool while it
    /// waits); it exists for `defer` in tests and for programs without Swift concurrency.
    package func syncShutdown() {
        guard !isShared else { return }
        loopOrClosed().syncShutdown()
    }

    /// The loop if it started; otherwise, from now on, a loop that never starts, so that the client
    /// is shut down without initialising libcurl.
    private func loopOrClosed() -> CurlLoop {
        loopState.withLock { loop in
            if let loop { return loop }
            let closed = CurlLoop.closed()
            loop = closed
            return closed
        }
    }

    /// Whether a loop thread was started (by a request), for tests.
    package var loopWasStarted: Bool { loopState.withLock { $0?.isOpen ?? false } }

    /// Whether the loop thread has ended, for tests.
    package var loopHasEnded: Bool { loopState.withLock { $0?.exited.isFulfilled ?? false } }

    /// Resumes once the loop thread has ended, for tests; taken before the client is dropped, it
    /// shows that the thread ends after a `deinit` too.
    package var loopEnded: Promise<Void> { loop.exited }

    /// Transfers started and not yet finished, for tests and diagnostics.
    package var activeTransferCount: Int { loopState.withLock { $0?.activeTransferCount ?? 0 } }

    /// Easy handles the loop has created; a request that reuses a kept handle adds none (tests).
    package var createdEasyHandleCount: Int { loopState.withLock { $0?.createdEasyHandles.value ?? 0 } }

    /// Transfer objects (easy handle owners) not yet freed, for leak checks in tests.
    package var liveTransferObjectCount: Int { loopState.withLock { $0?.liveTransferObjects.value ?? 0 } }

    /// Passes the loop thread has made (each ends in `epoll_wait`), for tests that check it does not spin.
    package var loopPassCount: Int { loopState.withLock { $0?.passes.value ?? 0 } }

    /// Idle keep-alive sockets that became readable or hung up while no transfer used them (their
    /// server closed them) and left the loop's epoll set, for tests.
    package var idleSocketWakeupCount: Int { loopState.withLock { $0?.idleSocketWakeups.value ?? 0 } }

    /// Queues a transfer whose id came from `loop.makeTransferID()`.
    /// - Throws: ``HTTPError/Code/shutDown`` when the client is shut down or its loop never started.
    func submit(_ request: PreparedRequest, id: UInt64, delivery: Delivery) throws(HTTPError) {
        guard loop.send(.start(TransferSubmission(id: id, request: request, delivery: delivery))) else {
            throw HTTPError(.shutDown, "the HTTP client is shut down")
        }
    }
}
