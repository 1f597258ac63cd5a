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
    let loop: CurlLoop
    private let isShared: Bool

    /// The client shared by the whole process, started on first use with the default
    /// ``Configuration``. Brigade's model clients and workspaces use it unless given another.
    /// It is never shut down: ``shutdown()`` and ``syncShutdown()`` do nothing on it.
    public static let shared = HTTPClient(configuration: .init(), isShared: true, willExit: nil)

    /// Creates a client and starts its loop thread.
    /// - Parameter configuration: limits and defaults for every request.
    public convenience init(configuration: Configuration = .init()) {
        self.init(configuration: configuration, isShared: false, willExit: nil)
    }

    /// Creates a client whose loop thread runs `willExit` just before it ends (tests hold the
    /// thread there to show that nothing waits for it).
    package convenience init(configuration: Configuration = .init(), loopWillExit willExit: @escaping @Sendable () -> Void) {
        self.init(configuration: configuration, isShared: false, willExit: willExit)
    }

    private init(configuration: Configuration, isShared: Bool, willExit: (@Sendable () -> Void)?) {
        self.configuration = configuration
        self.isShared = isShared
        self.loop = CurlLoop(configuration: configuration, willExit: willExit)
    }

    /// Never blocks: asks the loop to stop and lets its thread end on its own.
    deinit {
        loop.requestShutdown()
        loop.detach()
    }

    /// Fails every transfer in flight with ``HTTPError/Code/shutDown``, stops the loop thread and
    /// waits until it has ended, without blocking the calling thread. Requests sent afterwards
    /// fail with ``HTTPError/Code/shutDown``. Calling it again returns once the thread has ended;
    /// on ``shared`` it does nothing.
    public func shutdown() async {
        guard !isShared else { return }
        await loop.shutdown()
    }

    /// ``shutdown()`` for synchronous code: blocks the calling thread until the loop thread ends.
    ///
    /// Never call it from async code (a task would hold a thread of the cooperative pool while it
    /// waits); it exists for `defer` in tests and for programs without Swift concurrency.
    package func syncShutdown() {
        guard !isShared else { return }
        loop.syncShutdown()
    }

    /// Whether the loop thread has ended, for tests.
    package var loopHasEnded: Bool { loop.exited.isFulfilled }

    /// Resumes once the loop thread has ended, for tests; taken before the client is dropped, it
    /// shows that the thread ends after a `deinit` too.
    package var loopEnded: Promise<Void> { loop.exited }

    /// Transfers started and not yet finished, for tests and diagnostics.
    package var activeTransferCount: Int { loop.activeTransferCount }

    /// Transfer objects (easy handle owners) not yet freed, for leak checks in tests.
    package var liveTransferObjectCount: Int { loop.liveTransferObjects.withLock { $0 } }

    /// Queues a transfer whose id came from `loop.makeTransferID()`.
    /// - Throws: ``HTTPError/Code/shutDown`` when the client is shut down or its loop never started.
    func submit(_ request: PreparedRequest, id: UInt64, delivery: Delivery) throws(HTTPError) {
        guard loop.send(.start(TransferSubmission(id: id, request: request, delivery: delivery))) else {
            throw HTTPError(.shutDown, "the HTTP client is shut down")
        }
    }
}
