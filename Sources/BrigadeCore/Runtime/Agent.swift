#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

/// The agent: a loop of model turns whose tool calls run in parallel, within a budget.
///
/// Each turn: the model is called (its text streams as ``AgentEvent/textDelta(_:)``), its tool calls go
/// to the ``Dispatcher``, the results are appended, and the next turn begins — until the model answers
/// without tools, the last turn, the budget (then one last call with tools disabled answers from what
/// was gathered), a model failure (then the fallback), or cancellation. See `docs/runtime.md`.
///
/// Build one from files with ``Workspace/makeAgent(routing:approval:store:traceExporter:logger:)``, or entirely in code:
///
/// ```swift
/// let registry = try ToolRegistry([clock, forecast])
/// let model = OpenAIChatClient(baseURL: "http://127.0.0.1:8080/v1", apiKey: nil, model: "qwen2.5")
/// let agent = Agent(
///     registry: registry,
///     configuration: Agent.Configuration(model: model, limits: Budget.Limits(usd: 0.05, maxTurns: 6)),
///     logger: logger
/// )
/// let result = await agent.respond("What should I wear in Paris tomorrow?")
/// ```
///
/// An agent is the runtime of a process, a value that may be shared between tasks: several runs may
/// go on at once, each with its own ``RunOptions`` (budget, routing, approval, session, prompt, tools),
/// all sharing one tool-call scheduler — the parallelism cap, each tool's `maxConcurrency` and the
/// "always approve" memory. Make one and keep it; do not make one per run.
public struct Agent: Sendable {
    /// What an agent runs with: the model, the budget, the prompt and the policies.
    public struct Configuration: Sendable {
        /// The model; `nil` answers every run through the fallback.
        public var model: (any ModelClient)?
        /// Prices per million tokens, to count model usage against ``Budget/Limits/usd``.
        public var pricing: ModelPricing
        /// The default budget of each run (every run starts a fresh one); ``RunOptions/limits`` overrides it.
        public var limits: Budget.Limits
        /// The system prompt (the text of `prompts/system.md` or the user's own).
        public var systemPrompt: String
        /// `max_output_tokens` of each model call (clamped by the budget). Default 4096.
        public var maxOutputTokens: Int
        /// Sampling temperature; `nil` leaves the provider's default.
        public var temperature: Double?
        /// Parallelism, call defaults and the approval policy.
        public var dispatch: Dispatcher.Configuration
        /// Answers when the model cannot (unavailable, or the budget ran out before an answer).
        public var fallback: (any FallbackAnswering)?
        /// Appended as a user message to the synthesis call (tools disabled).
        public var synthesisInstruction: String
        /// The static routes: fixed fan-outs with template joins (see docs/routes.md).
        public var routes: RouteSet
        /// How requests are split between the routes and the model, unless ``RunOptions/routing`` says otherwise.
        public var routing: RoutingMode
        /// The time source of the wall-time budget, call timeouts and deadlines (default: the system's
        /// monotonic clock). It also drives the agent's dispatcher, replacing `dispatch.clock`.
        public var clock: any RuntimeClock
        /// Where every run of the agent is recorded (``RunStore``); `nil` records nothing.
        public var store: RunStore?
        /// Where the spans of every finished top-level run are exported (OpenTelemetry, docs/traces.md);
        /// `nil` exports nothing. Export never waits and never fails a run.
        public var traceExporter: (any RunTraceExporter)?

        /// The default ``synthesisInstruction``.
        public static let defaultSynthesisInstruction = """
            No more tool calls are possible in this run. Answer my request now, using only the information \
            already gathered in this conversation. Say plainly what is missing or uncertain.
            """

        /// Every value but the model has a default: no price, ``Budget/Limits/default`` (8 turns),
        /// no system prompt, calls through a default ``Dispatcher/Configuration`` (which denies
        /// `confirm: true` tools), no routes, and ``RoutingMode/hybrid`` routing.
        public init(
            model: (any ModelClient)?,
            pricing: ModelPricing = ModelPricing(),
            limits: Budget.Limits = Budget.Limits(),
            systemPrompt: String = "",
            maxOutputTokens: Int = 4096,
            temperature: Double? = nil,
            dispatch: Dispatcher.Configuration = Dispatcher.Configuration(),
            fallback: (any FallbackAnswering)? = nil,
            synthesisInstruction: String = Configuration.defaultSynthesisInstruction,
            routes: RouteSet = RouteSet(),
            routing: RoutingMode = .hybrid,
            clock: any RuntimeClock = .system,
            store: RunStore? = nil,
            traceExporter: (any RunTraceExporter)? = nil
        ) {
            self.model = model
            self.pricing = pricing
            self.limits = limits
            self.systemPrompt = systemPrompt
            self.maxOutputTokens = maxOutputTokens
            self.temperature = temperature
            self.dispatch = dispatch
            self.fallback = fallback
            self.synthesisInstruction = synthesisInstruction
            self.routes = routes
            self.routing = routing
            self.clock = clock
            self.store = store
            self.traceExporter = traceExporter
        }
    }

    /// What an agent holds, in one box: an agent is copied into every run (a batch makes one run per
    /// item), and copying the configuration's two dozen fields retained each of them.
    @usableFromInline
    final class Storage: Sendable {
        @usableFromInline let configuration: Configuration
        @usableFromInline let dispatcher: Dispatcher
        let logger: Logger

        init(configuration: Configuration, dispatcher: Dispatcher, logger: Logger) {
            self.configuration = configuration
            self.dispatcher = dispatcher
            self.logger = logger
        }
    }

    @usableFromInline let storage: Storage

    /// The configuration the agent was made with.
    @inlinable public var configuration: Configuration { storage.configuration }
    /// Runs the tool calls; shared by every run of this agent (so `maxParallelCalls` and "always
    /// approve" hold across runs).
    @inlinable public var dispatcher: Dispatcher { storage.dispatcher }
    var logger: Logger { storage.logger }

    /// Makes an agent over `registry`.
    ///
    /// - Parameters:
    ///   - registry: the tools offered to the model.
    ///   - configuration: model, limits, prompt and policies.
    ///   - logger: the caller's logger (turns at debug level, model failures at warning).
    public init(registry: ToolRegistry, configuration: Configuration, logger: Logger) {
        var dispatch = configuration.dispatch
        dispatch.clock = configuration.clock
        let dispatcher = Dispatcher(registry: registry, configuration: dispatch, logger: logger)
        self.init(configuration: configuration, dispatcher: dispatcher, logger: logger)
    }

    init(configuration: Configuration, dispatcher: Dispatcher, logger: Logger) {
        storage = Storage(configuration: configuration, dispatcher: dispatcher, logger: logger)
    }

    /// The tools offered to the model.
    public var registry: ToolRegistry { dispatcher.registry }

    /// Runs one prompt to its end with the agent's defaults (see ``run(_:options:onEvent:)``).
    ///
    /// Never throws: every failure ends the run with a ``StopReason``. Cancelling the calling task cancels
    /// the model call and every tool call in flight; the run then ends with ``StopReason/cancelled`` and
    /// its events still end with ``AgentEvent/finished(_:)``.
    ///
    /// - Parameters:
    ///   - prompt: the user's request.
    ///   - session: continue this conversation and store this run's messages in it; `nil` for a one-off.
    ///   - onEvent: receives every event of the run, one at a time, in order, ending with `finished`.
    ///     The run returns only after `onEvent` has handled the last event.
    /// - Returns: the answer, the stop reason, usage, cost and timings (also in the `finished` event).
    public func run(
        _ prompt: String,
        session: AgentSession? = nil,
        onEvent: @escaping @Sendable (AgentEvent) async -> Void = { _ in }
    ) async -> RunResult {
        await run(prompt, settings: RunSettings(agent: self, session: session), onEvent: onEvent)
    }

    /// Runs one prompt to its end with its own options: limits, routing, approval policy, session,
    /// system prompt, tool subset. Runs of one agent may go on at once; they share its scheduler (the
    /// parallel-call cap, each tool's `max_concurrency`, the "always approve" memory).
    ///
    /// ```swift
    /// let result = try await agent.run("Summarise the logs", options: RunOptions(limits: Budget.Limits(usd: 0.01)))
    /// ```
    ///
    /// - Parameters:
    ///   - prompt: the user's request.
    ///   - options: what belongs to this run; `nil` fields take the agent's defaults.
    ///   - onEvent: receives every event of the run, one at a time, in order, ending with `finished`.
    /// - Returns: the answer, the stop reason, usage, cost and timings.
    /// - Throws: ``InvalidRunOptions`` — only before the run starts (a negative limit, a tool subset
    ///   naming an unknown tool); nothing has run then and no event was sent. Failures of the run itself
    ///   are never thrown: they end it with a ``StopReason``.
    public func run(
        _ prompt: String,
        options: RunOptions,
        onEvent: @escaping @Sendable (AgentEvent) async -> Void = { _ in }
    ) async throws(InvalidRunOptions) -> RunResult {
        let settings = try RunSettings(agent: self, options: options)
        return await run(prompt, settings: settings, onEvent: onEvent)
    }

    func run(
        _ prompt: String, settings: RunSettings, eventsRecorded: Int = 0, onEvent: @escaping @Sendable (AgentEvent) async -> Void
    ) async -> RunResult {
        var settings = settings
        let runID = settings.runID ?? RunID()
        settings.runID = runID
        let recorder = configuration.store.map { RunRecorder(store: $0, runID: runID, eventsRecorded: eventsRecorded) }
        // Each event is stamped as it is emitted (the trace's times), not when the consumer gets to it.
        let channel = EventChannel<(AgentEvent, Double)>()
        return await withTaskGroup(of: Void.self, returning: RunResult.self) { group in
            var loop = RunLoop(agent: self, prompt: prompt, settings: settings, recorder: recorder, emit: { channel.send(($0, RunRecorder.now)) })
            // A sub-agent's run is exported within its parent's trace, not on its own.
            let traceLog = configuration.traceExporter != nil && settings.parentRunID == nil
                ? RunTraceLog(run: TraceRunInfo(id: runID, prompt: prompt, model: loop.runModel?.displayName, startedAt: Date(),
                                                state: .running, conversationID: settings.session?.id))
                : nil
            group.addTask { [settings] in
                while let (event, at) = await channel.next() {
                    recorder?.record(event, at: at, parentRunID: settings.parentRunID)
                    traceLog?.append(event, at: at)
                    await onEvent(event)
                }
            }
            let result = await loop.run()
            channel.send((.finished(result), RunRecorder.now))
            channel.finish()
            await group.waitForAll()
            if let traceLog { configuration.traceExporter?.export(building: { traceLog.trace() }) }
            return result
        }
    }

    /// Runs one prompt to its end and returns its result — ``run(_:session:onEvent:)`` without watching
    /// the events.
    ///
    /// ```swift
    /// let result = await agent.respond("How full is the disk?")
    /// print(result.answer, result.stopReason)
    /// ```
    ///
    /// Never throws; cancelling the calling task ends the run with ``StopReason/cancelled``.
    /// - Parameters:
    ///   - prompt: the user's request.
    ///   - session: continue this conversation and store this run's messages in it; `nil` for a one-off.
    /// - Returns: the answer, the stop reason, usage, cost and timings.
    public func respond(_ prompt: String, session: AgentSession? = nil) async -> RunResult {
        await runUnwatched(prompt, settings: RunSettings(agent: self, session: session))
    }

    /// ``run(_:options:onEvent:)`` without watching the events.
    /// - Throws: ``InvalidRunOptions`` before the run starts; never for the run's own failures.
    public func respond(_ prompt: String, options: RunOptions) async throws(InvalidRunOptions) -> RunResult {
        await runUnwatched(prompt, settings: try RunSettings(agent: self, options: options))
    }

    /// A run whose events nobody watches. Without a store or a trace exporter nothing consumes them
    /// at all, so the run goes without the event channel and the task draining it (a batch makes
    /// thousands of such runs: each event would otherwise wake that task).
    func runUnwatched(_ prompt: String, settings: RunSettings) async -> RunResult {
        guard configuration.store == nil, configuration.traceExporter == nil else {
            return await run(prompt, settings: settings, onEvent: { _ in })
        }
        var loop = RunLoop(agent: self, prompt: prompt, settings: settings, emit: { _ in })
        loop.isWatched = false
        return await loop.run()
    }

    /// The events of one run of `prompt`, as an asynchronous sequence ending with `finished`.
    ///
    /// The run starts when iteration starts (each iterator starts its own run). Cancelling the consuming
    /// task, or dropping the iterator, cancels the run.
    public func events(for prompt: String, session: AgentSession? = nil) -> AgentEventStream {
        AgentEventStream(agent: self, prompt: prompt, settings: RunSettings(agent: self, session: session))
    }

    /// The events of one run of `prompt` with its own options (see ``run(_:options:onEvent:)``).
    /// - Throws: ``InvalidRunOptions`` at once, before any run starts.
    public func events(for prompt: String, options: RunOptions) throws(InvalidRunOptions) -> AgentEventStream {
        AgentEventStream(agent: self, prompt: prompt, settings: try RunSettings(agent: self, options: options))
    }

    /// The same runtime — registry, scheduler (parallel cap, tool slots, "always approve" memory),
    /// clock and logger — over another model client, e.g. for the REPL's `/model`.
    public func replacingModel(_ model: (any ModelClient)?) -> Agent {
        var configuration = configuration
        configuration.model = model
        return Agent(configuration: configuration, dispatcher: dispatcher, logger: logger)
    }
}
