/// What belongs to one run rather than to the ``Agent`` that hosts it: its limits, routing, approval
/// policy, conversation, system prompt and tool subset. Every `nil` takes the agent's default.
///
/// ```swift
/// var options = RunOptions(limits: Budget.Limits(usd: 0.02, maxTurns: 4), routing: .model)
/// options.tools = ["weather", "clock"]
/// let result = try await agent.run("What should I wear in Paris tomorrow?", options: options)
/// ```
///
/// The agent's scheduler is shared by every run whatever its options: the global parallel-call cap,
/// each tool's `max_concurrency` and the "always approve" memory hold across runs.
public struct RunOptions: Sendable {
    /// The run's budget; `nil` takes ``Agent/Configuration/limits``.
    public var limits: Budget.Limits?
    /// How the request is split between routes and model; `nil` takes ``Agent/Configuration/routing``.
    public var routing: RoutingMode?
    /// Decides this run's `confirm: true` calls; `nil` takes the agent's (``Dispatcher/Configuration/approval``).
    /// An ``ApprovalDecision/approveAlways`` answer holds for every run of the agent.
    public var approval: (any ApprovalPolicy)?
    /// Continue this conversation and store the run's messages in it; `nil` for a one-off.
    public var session: AgentSession?
    /// Replaces ``Agent/Configuration/systemPrompt`` for this run.
    public var systemPrompt: String?
    /// The tools offered to the model and callable by routes in this run, by name; `nil` offers all.
    /// A call of another tool gets `error: unknown tool`.
    public var tools: [String]?
    /// A ledger this run's budget is carved from (a session's budget over all its prompts, or a parent
    /// run's): the run gets ``limits`` lowered to what the parent has left, and closing the run rolls its
    /// spend up into the parent. When the parent has no room, the run ends at once with the budget stop.
    public var parentBudget: BudgetLedger?
    /// The run's id; `nil` makes a new one when the run starts. Set it to know the id before the run
    /// starts (e.g. to tag the events a handler receives); it must not be reused for another run.
    public var runID: RunID?
    /// The run this one was opened from; `nil` takes ``parentBudget``'s run (``BudgetLedger/runID``),
    /// so a run carved from a parent run's budget names that run without being told.
    public var parentRunID: RunID?
    /// The model of this run — a client, or a ``ModelChain`` to fall back along; `nil` takes
    /// ``Agent/Configuration/model``.
    public var model: (any ModelClient)?
    /// The shape the final answer must have (``OutputSchema``); `nil` for free text. A final answer
    /// that does not match is sent back once with the validation errors; a second miss ends the run
    /// with ``StopReason/Code/invalidAnswer``.
    public var outputSchema: OutputSchema?
    /// Who started the run, as the run store records it (`ask`, `chat`, `batch`, `protocol`, or the
    /// embedder's own label); `nil` records `api`.
    public var source: String?
    /// Told the run's own ledger when the run opens it, before its first event — so that a host can
    /// carve other runs' budgets from it (the protocol's `parent_run_id`).
    package var budgetOpened: (@Sendable (BudgetLedger) -> Void)?

    public init(
        limits: Budget.Limits? = nil,
        routing: RoutingMode? = nil,
        approval: (any ApprovalPolicy)? = nil,
        session: AgentSession? = nil,
        systemPrompt: String? = nil,
        tools: [String]? = nil,
        parentBudget: BudgetLedger? = nil,
        runID: RunID? = nil,
        parentRunID: RunID? = nil,
        source: String? = nil
    ) {
        self.limits = limits
        self.routing = routing
        self.approval = approval
        self.session = session
        self.systemPrompt = systemPrompt
        self.tools = tools
        self.parentBudget = parentBudget
        self.runID = runID
        self.parentRunID = parentRunID
        self.source = source
    }
}

/// Run options that cannot start a run: a negative or NaN limit, a tool subset naming unknown tools.
/// Thrown by ``Agent/run(_:options:onEvent:)`` before anything runs.
public struct InvalidRunOptions: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, e.g. "`limits.maxTurns` must be at least 1, got 0".
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { "invalid run options: \(message)" }
}

extension Budget.Limits {
    /// Checks every cap: money, tokens and call counts not negative (turns at least 1), wall time
    /// positive, the reserve in `0..<1`, the minimum output at least 1.
    /// - Throws: ``InvalidRunOptions`` naming the first bad value.
    public func validate() throws(InvalidRunOptions) {
        func check(_ ok: Bool, _ message: @autoclosure () -> String) throws(InvalidRunOptions) {
            if !ok { throw InvalidRunOptions(message()) }
        }
        if let usd { try check(usd.isFinite && usd >= 0, "`limits.usd` must be a number >= 0, got \(usd)") }
        if let inputTokens { try check(inputTokens >= 0, "`limits.inputTokens` must be >= 0, got \(inputTokens)") }
        if let outputTokens { try check(outputTokens >= 0, "`limits.outputTokens` must be >= 0, got \(outputTokens)") }
        if let wallTime { try check(wallTime > .zero, "`limits.wallTime` must be positive, got \(wallTime)") }
        if let maxTurns { try check(maxTurns >= 1, "`limits.maxTurns` must be at least 1, got \(maxTurns)") }
        if let maxCallsPerRun { try check(maxCallsPerRun >= 0, "`limits.maxCallsPerRun` must be >= 0, got \(maxCallsPerRun)") }
        if let maxCallsPerTurn { try check(maxCallsPerTurn >= 0, "`limits.maxCallsPerTurn` must be >= 0, got \(maxCallsPerTurn)") }
        try check(synthesisReserve >= 0 && synthesisReserve < 1, "`limits.synthesisReserve` must be in 0..<1, got \(synthesisReserve)")
        try check(minimumOutputTokens >= 1, "`limits.minimumOutputTokens` must be at least 1, got \(minimumOutputTokens)")
    }
}

/// One run's options resolved against its agent: every value set, the tool subset checked.
struct RunSettings: Sendable {
    /// What the model sees now: the registry's tools (its sources' as currently listed), in this
    /// run's subset.
    func specs(in registry: ToolRegistry) -> [ToolSpec] {
        guard let tools else { return registry.specs }
        return registry.specs.filter { tools.contains($0.name) }
    }

    var limits: Budget.Limits
    var routing: RoutingMode
    var approval: (any ApprovalPolicy)?
    var session: AgentSession?
    var systemPrompt: String
    /// `nil`: every tool of the registry.
    var tools: Set<String>?
    var parentBudget: BudgetLedger?
    /// `nil`: a new id when the run starts.
    var runID: RunID?
    var parentRunID: RunID?
    /// `nil`: the agent's model.
    var model: (any ModelClient)?
    var outputSchema: OutputSchema?
    var source: String?
    var budgetOpened: (@Sendable (BudgetLedger) -> Void)?
    /// Set by ``Agent/resume(_:approval:onEvent:)``: the stored run this one continues.
    var resume: ResumePoint?

    /// The agent's defaults, unchecked (the agent's own configuration is trusted as it always was).
    init(agent: Agent, session: AgentSession?) {
        limits = agent.configuration.limits
        routing = agent.configuration.routing
        approval = nil
        self.session = session
        systemPrompt = agent.configuration.systemPrompt
        tools = nil
    }

    /// `options` over the agent's defaults.
    /// - Throws: ``InvalidRunOptions`` for a bad limit or a tool the registry does not have.
    init(agent: Agent, options: RunOptions) throws(InvalidRunOptions) {
        self.init(agent: agent, session: options.session)
        if let given = options.limits {
            try given.validate()
            limits = given
        }
        if let routing = options.routing { self.routing = routing }
        approval = options.approval
        parentBudget = options.parentBudget
        runID = options.runID
        parentRunID = options.parentRunID ?? options.parentBudget?.runID
        model = options.model
        outputSchema = options.outputSchema
        source = options.source
        budgetOpened = options.budgetOpened
        if let systemPrompt = options.systemPrompt { self.systemPrompt = systemPrompt }
        if let names = options.tools {
            let known = Set(agent.registry.names)
            // A source that has not listed its tools yet (an MCP server not started) may offer them.
            let unknown = agent.registry.hasUnlistedSources ? [] : names.filter { !known.contains($0) }
            if !unknown.isEmpty {
                let available = agent.registry.names.isEmpty ? "the agent has no tools" : "the tools are: \(agent.registry.names.joined(separator: ", "))"
                throw InvalidRunOptions("`tools` names unknown tool\(unknown.count == 1 ? "" : "s") \(unknown.map { "`\($0)`" }.joined(separator: ", ")); \(available)")
            }
            tools = Set(names)
        }
    }
}
