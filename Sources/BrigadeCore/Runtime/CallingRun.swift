/// The run whose tool calls are being dispatched, as its executors see it: a sub-agent or a map worker
/// started by a tool call runs as a child of this run — on its agent, carved from its ledger, with
/// its approval policy, its events nested under the call.
///
/// Set by the run loop around each dispatch (a task-local value, so every call task of the batch sees
/// it); `nil` outside a run (a ``Dispatcher`` used alone).
public struct CallingRun: Sendable {
    /// The runtime the run belongs to; children run on it and share its scheduler.
    public var agent: Agent
    /// The run's budget; a child's budget is carved from it.
    public var ledger: BudgetLedger
    public var runID: RunID
    /// Decides the run's `confirm: true` calls (`nil`: the dispatcher's policy); children use it too.
    public var approval: (any ApprovalPolicy)?
    /// Sends an event into the run's stream (children's events, wrapped in ``AgentEvent/childRun(_:)``).
    public var emit: @Sendable (AgentEvent) -> Void
    /// How many sub-agents deep this run is: 0 for a top-level run.
    public var depth: Int
    /// The sub-agent tools that led to this run, outermost first (for the depth-limit message).
    public var chain: [String]
    /// How many calls the batch being dispatched has: a sub-agent that sets no cap of its own asks
    /// for its share of what is left, not for all of it (its siblings need theirs).
    public var batchSize: Int = 1
    /// The run's model when it is not the agent's (``RunOptions/model``): a judge of the run's joins
    /// asks it. `nil`: the agent's.
    public var model: (any ModelClient)? = nil

    @TaskLocal public static var current: CallingRun?

    /// The context a child run of this one started by `tool` is made in: one level deeper.
    package func entering(_ tool: String) -> CallingRun {
        var inner = self
        inner.depth += 1
        inner.chain.append(tool)
        return inner
    }
}
