/// The events of one agent run as an `AsyncSequence` (see ``Agent/events(for:session:)`` and ``Agent/events(for:options:)``).
public struct AgentEventStream: AsyncSequence, Sendable {
    public typealias Element = AgentEvent
    public typealias Failure = Never

    let agent: Agent
    let prompt: String
    let settings: RunSettings

    /// Starts the run and returns its iterator.
    public func makeAsyncIterator() -> Iterator {
        let (stream, continuation) = AsyncStream.makeStream(of: AgentEvent.self)
        let agent = agent, prompt = prompt, settings = settings
        // The run's own task: the iterator cancels it when its consumer is cancelled or it is dropped.
        let task = Task {
            _ = await agent.run(prompt, settings: settings) { continuation.yield($0) }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return Iterator(base: stream.makeAsyncIterator(), run: RunHandle(task: task))
    }

    /// Iterates the events of one run (the run started with it).
    public struct Iterator: AsyncIteratorProtocol {
        var base: AsyncStream<AgentEvent>.Iterator
        let run: RunHandle

        /// The next event; `nil` after `finished`, or when the consuming task is cancelled (which cancels the run).
        public mutating func next() async -> AgentEvent? {
            let run = run
            return await withTaskCancellationHandler {
                await base.next()
            } onCancel: {
                run.cancel()
            }
        }
    }

    /// Cancels the run when the last iterator holding it goes away.
    final class RunHandle: Sendable {
        let task: Task<Void, Never>

        init(task: Task<Void, Never>) { self.task = task }

        func cancel() { task.cancel() }

        deinit { task.cancel() }
    }
}
