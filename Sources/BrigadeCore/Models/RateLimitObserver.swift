/// Who hears about the rate-limit waits of the model call running in this task (see ``ModelRetryObserver``,
/// also for why the handler sits in a struct).
package struct RateLimitObserver: Sendable {
    @TaskLocal package static var current: RateLimitObserver?
    package let observe: @Sendable (RateLimitWait) -> Void
}
