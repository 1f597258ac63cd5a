extension HTTPClient {
    /// Sends a request and hands its head and streaming body to `body`.
    ///
    /// The head (status and headers) arrives first; the body follows as chunks of bytes, held in a
    /// bounded buffer (``Configuration/streamBufferCapacity``): while the reader is behind, the
    /// transfer is paused, so a slow reader bounds memory. When `body` throws, the transfer is
    /// cancelled if it is still running; when it returns before the body ended, the transfer may
    /// finish on its own for a moment (50 ms, 16 KiB, dropped) — so that a connection whose last
    /// chunk is on its way stays open for the next request — and is cancelled after. Either way its
    /// resources are freed before this method returns. Cancelling the calling task aborts the transfer.
    ///
    /// ```swift
    /// try await client.withStream(request) { head, bytes in
    ///     for try await event in bytes.serverSentEvents() { … }
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - request: what to send; it is validated before anything goes out.
    ///   - body: reads the response; do not let the stream escape it.
    /// - Returns: what `body` returns.
    /// - Throws: ``HTTPError`` if the request fails before the head is complete (see
    ///   ``send(_:maxBodyBytes:)``); otherwise whatever `body` throws, including the
    ///   ``HTTPError`` thrown by iterating the stream.
    nonisolated(nonsending)
    public func withStream<R>(
        _ request: HTTPRequest,
        _ body: (HTTPResponseHead, HTTPBodyStream) async throws -> R
    ) async throws -> R {
        let prepared = try PreparedRequest(request, configuration: configuration, now: .now, validatedURLs: validatedURLs, preparedHeaders: preparedHeaders)
        if Task.isCancelled {
            throw HTTPError(.cancelled, "the request was cancelled before it was sent")
        }
        let loop = self.loop
        let headPromise = Promise<Result<HTTPResponseHead, HTTPError>>()
        let done = Promise<Void>()
        let id = loop.makeTransferID()
        let channel = BodyChannel(
            capacity: configuration.streamBufferCapacity,
            requestResume: { loop.send(.resume(id)) },
            requestCancel: { loop.send(.cancel(id)) }
        )
        try submit(prepared, id: id, delivery: .streaming(head: headPromise, body: channel, done: done))
        let head = await withTaskCancellationHandler {
            await headPromise.value
        } onCancel: {
            loop.send(.cancel(id))
        }
        /// Ends the transfer: cancels it after an error; after a reader that returned early (at a
        /// stream's final event, the body's end is usually on its way), lets it finish if it does so
        /// at once, which keeps the connection for the next request.
        func cleanUp(returned: Bool = false) async {
            if !done.isFulfilled { loop.send(returned ? .release(id) : .cancel(id)) }
            await done.value
        }
        switch head {
        case .failure(let error):
            await cleanUp()
            throw error
        case .success(let head):
            let result: R
            do {
                result = try await body(head, HTTPBodyStream(channel: channel))
            } catch {
                await cleanUp()
                throw error
            }
            await cleanUp(returned: true)
            return result
        }
    }
}
