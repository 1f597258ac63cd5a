/// Who hears about the retries of the model call running in this task: the run that made the call, so
/// each retry becomes an ``AgentEvent/modelRetry(_:)`` of that run (a client's own `onRetry` is one
/// per client, shared by every run).
/// The handler sits in a struct, not in a task-local of function type: Swift 6.3's release builds
/// passed null type metadata for a function-typed task-local to `swift_task_localValuePush` and
/// crashed on the first model call (a debug build does not).
package struct ModelRetryObserver: Sendable {
    @TaskLocal package static var current: ModelRetryObserver?
    package let observe: @Sendable (ModelRetryEvent) -> Void
}
