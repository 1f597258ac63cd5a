/// Runs an idempotent tool again after a failure: an error result or a thrown error, but never after
/// cancellation (a timeout from the dispatcher cancels the task, and then nothing is retried).
///
/// Attempts are spaced by `backoff`, `2 × backoff`, … (the wait honours cancellation). When every attempt
/// fails, the last failure is returned (or thrown), an error result noting how many attempts were made.
package struct RetryingExecutor: ToolExecutor {
    public let base: any ToolExecutor
    /// Extra attempts after the first.
    public let retries: Int
    public let backoff: Duration

    public init(_ base: any ToolExecutor, retries: Int, backoff: Duration = .milliseconds(250)) {
        self.base = base
        self.retries = max(0, retries)
        self.backoff = backoff
    }

    public func call(_ arguments: JSONValue, context: ToolContext) async throws -> ToolOutput {
        var attempt = 0
        while true {
            try Task.checkCancellation()
            let isLast = attempt >= retries
            do {
                let output = try await base.call(arguments, context: context)
                if !output.isError { return output }
                if Task.isCancelled { throw CancellationError() }
                if isLast {
                    guard retries > 0 else { return output }
                    return ToolOutput(text: output.text + "\n[failed after \(attempt + 1) attempts]", isError: true)
                }
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                if Task.isCancelled { throw CancellationError() }
                if isLast { throw error }
            }
            attempt += 1
            if backoff > .zero { try await Task.sleep(for: backoff * attempt) }
        }
    }
}
