/// Who hears about the retries of the model call running in this task: the run that made the call, so
/// each retry becomes an ``AgentEvent/modelRetry(_:)`` of that run (a client's own `onRetry` is one
/// per client, shared by every run).
enum ModelRetryObserver {
    @TaskLocal static var current: (@Sendable (ModelRetryEvent) -> Void)?
}
