extension HTTPClient {
    /// Sends a request and collects the whole response.
    ///
    /// Cancelling the calling task aborts the transfer at once (the connection is closed).
    ///
    /// - Parameters:
    ///   - request: what to send; it is validated before anything goes out.
    ///   - maxBodyBytes: the most body bytes to accept, `nil` for no limit. A larger body aborts
    ///     the transfer with ``HTTPError/Code/responseTooLarge`` (it is never truncated silently).
    /// - Returns: the status, headers and body. Any status, including 4xx and 5xx, is a response,
    ///   not an error.
    /// - Throws: ``HTTPError`` — `.invalidRequest`, `.connectionFailed`, `.connectTimeout`,
    ///   `.tlsFailure`, `.idleTimeout`, `.deadlineExceeded`, `.responseTooLarge`, `.cancelled`, `.shutDown`
    ///   or `.transport`.
    public func send(_ request: HTTPRequest, maxBodyBytes: Int? = nil) async throws(HTTPError) -> HTTPResponse {
        let prepared = try PreparedRequest(request, configuration: configuration, now: .now, validatedURLs: validatedURLs, preparedHeaders: preparedHeaders)
        if Task.isCancelled {
            throw HTTPError(.cancelled, "the request was cancelled before it was sent")
        }
        let promise = Promise<Result<HTTPResponse, HTTPError>>()
        let loop = self.loop
        let id = loop.makeTransferID()
        try submit(prepared, id: id, delivery: .buffered(maxBodyBytes: maxBodyBytes, promise: promise))
        let result = await withTaskCancellationHandler {
            await promise.value
        } onCancel: {
            loop.send(.cancel(id))
        }
        return try result.get()
    }
}
