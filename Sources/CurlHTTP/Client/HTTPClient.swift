/// An HTTP/1.1 and HTTP/2 client on libcurl's multi interface.
///
/// Each client runs one thread that owns a curl multi handle and every transfer; requests from
/// any task are queued to it and run concurrently, reusing connections from the multi handle's
/// connection cache. Proxy environment variables (`http_proxy`, `https_proxy`, `no_proxy`) work
/// as in curl. Redirects are not followed: a `3xx` response is returned as it is.
///
/// ```swift
/// let client = HTTPClient()
/// let response = try await client.send(HTTPRequest(url: "https://example.com/"))
/// ```
public final class HTTPClient: Sendable {
    /// The settings every request inherits.
    public let configuration: Configuration
    let loop: CurlLoop

    /// Creates a client and starts its loop thread.
    /// - Parameter configuration: limits and defaults for every request.
    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
        self.loop = CurlLoop(configuration: configuration)
    }

    deinit {
        loop.shutdown()
    }

    /// Cancels every transfer in flight (their callers get ``HTTPError/Code/cancelled``), stops
    /// the loop thread and waits for it to end. Requests sent afterwards fail with
    /// ``HTTPError/Code/cancelled``. Calling it again does nothing; `deinit` calls it too.
    public func shutdown() {
        loop.shutdown()
    }

    /// Transfers started and not yet finished, for tests and diagnostics.
    package var activeTransferCount: Int { loop.activeTransferCount }

    /// Transfer objects (easy handle owners) not yet freed, for leak checks in tests.
    package var liveTransferObjectCount: Int { loop.liveTransferObjects.withLock { $0 } }

    /// Queues a transfer whose id came from `loop.makeTransferID()`.
    /// - Throws: ``HTTPError/Code/cancelled`` when the client is shut down or its loop never started.
    func submit(_ request: PreparedRequest, id: UInt64, delivery: Delivery) throws(HTTPError) {
        guard loop.send(.start(TransferSubmission(id: id, request: request, delivery: delivery))) else {
            throw HTTPError(.cancelled, "the HTTP client is shut down")
        }
    }
}
