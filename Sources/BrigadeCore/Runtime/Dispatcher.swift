import Synchronization
import Logging

/// Runs one batch of tool calls — a model turn's calls or a router's fixed fan-out — all at once.
///
/// For each batch: ids are made unique, every call is validated (unknown tool, arguments that are not
/// a JSON object or fail the tool's schema → an error result), then admitted in call order against the
/// budget (calls past a cap are not run and get `not run: call cap N reached`; the calls that fit still
/// run). Admitted calls start concurrently in a task group, bounded by ``Configuration/maxParallelCalls``
/// (shared by every batch of this dispatcher) and each tool's `maxConcurrency`; extra calls wait, they
/// are not dropped. `confirm: true` tools go through the ``Configuration/approval`` policy first. Each
/// call has a timeout (the tool's or ``Configuration/defaultTimeout``); the run's deadline applies too.
/// A call that times out is cancelled (executors kill their processes) while the others go on.
///
/// Results come back in the order of the calls, whatever order they finished in, one for every call.
public final class Dispatcher: Sendable {
    public struct Configuration: Sendable {
        /// Calls running at once across all batches (all runs) of this dispatcher. Default 16.
        public var maxParallelCalls: Int
        /// Timeout of a call whose tool sets none. Default 30 s.
        public var defaultTimeout: Duration
        /// Output cap of a call whose tool sets none. Default 64 KiB.
        public var defaultMaxOutputBytes: Int
        /// Decides `confirm: true` calls. Default: deny them all.
        public var approval: any ApprovalPolicy
        /// The time source of timeouts, deadlines and call timings. Default: the system's monotonic clock.
        /// An ``Agent`` sets it to its own ``Agent/Configuration/clock``.
        public var clock: any RuntimeClock

        /// The defaults, shared with config.yaml's `limits:` section: 16 calls at once, 30 s per call,
        /// 64 KiB of output per call, `confirm: true` tools denied.
        public static let `default` = Configuration()

        public init(
            maxParallelCalls: Int = 16,
            defaultTimeout: Duration = .seconds(30),
            defaultMaxOutputBytes: Int = 64 * 1024,
            approval: any ApprovalPolicy = DenyAllApprovalPolicy(),
            clock: any RuntimeClock = .system
        ) {
            self.maxParallelCalls = maxParallelCalls
            self.defaultTimeout = defaultTimeout
            self.defaultMaxOutputBytes = defaultMaxOutputBytes
            self.approval = approval
            self.clock = clock
        }
    }

    public let registry: ToolRegistry
    public let configuration: Configuration
    let logger: Logger
    let parallelSlots: AsyncSemaphore
    let toolSlots = Mutex<[String: AsyncSemaphore]>([:])
    /// Approval requests are asked one at a time.
    let approvalGate = AsyncSemaphore(permits: 1)
    let alwaysApproved = Mutex<Set<String>>([])

    /// - Parameters:
    ///   - registry: the tools calls may name.
    ///   - configuration: parallelism, defaults and approval.
    ///   - logger: where call outcomes are logged (at debug level).
    public init(registry: ToolRegistry, configuration: Configuration = Configuration(), logger: Logger) {
        self.registry = registry
        self.configuration = configuration
        self.logger = logger
        self.parallelSlots = AsyncSemaphore(permits: configuration.maxParallelCalls)
    }

    /// Runs a batch of calls and returns one result per call, in the order of `calls`.
    ///
    /// Never throws and never crashes on bad calls: every problem becomes that call's error result.
    /// Cancelling the calling task cancels every call (status ``ToolCallStatus/cancelled``).
    ///
    /// - Parameters:
    ///   - calls: the calls, e.g. as the model sent them.
    ///   - budget: the run's ledger; calls are admitted against its caps and charged to it. Without one,
    ///     only parallelism, timeouts and approval apply.
    ///   - deadline: no call runs past it (the budget's dispatch deadline applies as well).
    ///   - approval: decides this batch's `confirm: true` calls; `nil` takes ``Configuration/approval``.
    ///     Whoever decides, ``ApprovalDecision/approveAlways`` is remembered by this dispatcher.
    ///   - tools: the tools this batch may call (a run's subset); `nil` allows every tool of the registry.
    ///   - onEvent: receives `toolCallQueued`, `toolCallStarted` and `toolCallFinished`, called from the
    ///     calls' tasks concurrently.
    /// - Returns: the dispatched calls, in the order of `calls`, ids made unique.
    public func dispatch(
        _ calls: [ToolCall],
        budget: BudgetLedger? = nil,
        deadline: ContinuousClock.Instant? = nil,
        approval: (any ApprovalPolicy)? = nil,
        tools: Set<String>? = nil,
        onEvent: @escaping @Sendable (AgentEvent) -> Void = { _ in }
    ) async -> [DispatchedCall] {
        let approval = approval ?? configuration.approval
        let calls = Self.withUniqueIDs(calls)
        let queuedAt = configuration.clock.now
        for call in calls { onEvent(.toolCallQueued(ToolCallInfo(call))) }

        // A call naming a tool of a source that has not started (an MCP server) starts it first.
        if registry.hasUnlistedSources, calls.contains(where: { registry.tool(named: $0.name) == nil }) {
            await registry.prepareSources()
        }
        let deadline = Self.earliest(deadline, budget?.dispatchDeadline)
        budget?.beginDispatch()
        var results = [DispatchedCall?](repeating: nil, count: calls.count)
        var admitted: [(index: Int, call: PreparedCall)] = []
        for (index, call) in calls.enumerated() {
            switch validate(call, allowed: tools) {
            case .failure(let invalid):
                results[index] = finished(call, .error, invalid.message, queuedAt: queuedAt, startedAt: nil, onEvent: onEvent)
            case .success(let prepared):
                if let budget, case .refused(let limit) = budget.admitToolCall(costUSD: prepared.tool.spec.policy.costUSD) {
                    let message = Self.notRunMessage(limit, limits: budget.budget.limits, tool: prepared.tool.spec)
                    results[index] = finished(call, .notRun, message, queuedAt: queuedAt, startedAt: nil, refusedBy: limit, onEvent: onEvent)
                } else {
                    admitted.append((index, prepared))
                }
            }
        }

        // Each call stores its own result: the batch's task wakes once, when the last call ends, not
        // once per call as it would to collect the results of a task group one by one.
        let slots = ResultSlots(results)
        await withDiscardingTaskGroup { group in
            for (index, prepared) in admitted {
                group.addTask {
                    let result = await self.run(prepared, queuedAt: queuedAt, deadline: deadline, budget: budget, approval: approval, onEvent: onEvent)
                    slots.store(result, at: index)
                }
            }
        }
        return zip(calls, slots.results).map { call, result in
            result ?? DispatchedCall(call: call, status: .error, output: "error: internal: no result", queuedAt: queuedAt, startedAt: nil, finishedAt: configuration.clock.now)
        }
    }

    /// The results of one batch, filled in by the calls' tasks as they finish.
    private final class ResultSlots: Sendable {
        private let slots: Mutex<[DispatchedCall?]>

        init(_ results: [DispatchedCall?]) { slots = Mutex(results) }

        func store(_ result: DispatchedCall, at index: Int) { slots.withLock { $0[index] = result } }

        var results: [DispatchedCall?] { slots.withLock { $0 } }
    }

    /// Told of every call as it finishes, with its full arguments and output: the run store's recorder,
    /// set by the run around its dispatch (a task-local, so concurrent runs keep their own; in a struct,
    /// see ``ModelRetryObserver``).
    @TaskLocal static var callFinished: CallFinishedHook?

    struct CallFinishedHook: Sendable {
        let observe: @Sendable (DispatchedCall) -> Void
    }

    /// Emits the finished event of a call and builds its result.
    func finished(
        _ call: ToolCall,
        _ status: ToolCallStatus,
        _ output: String,
        queuedAt: ContinuousClock.Instant,
        startedAt: ContinuousClock.Instant?,
        refusedBy: Budget.Limit? = nil,
        onEvent: @Sendable (AgentEvent) -> Void
    ) -> DispatchedCall {
        let result = DispatchedCall(
            call: call, status: status, output: output, queuedAt: queuedAt, startedAt: startedAt, finishedAt: configuration.clock.now,
            refusedBy: refusedBy)
        logger.debug("tool call finished", metadata: [
            "tool": "\(call.name)", "call": "\(call.id)", "status": "\(status.rawValue)",
            "seconds": "\(result.duration.plainSecondsText)",
        ])
        Self.callFinished?.observe(result)
        onEvent(.toolCallFinished(result.outcome))
        return result
    }

    static func earliest(_ a: ContinuousClock.Instant?, _ b: ContinuousClock.Instant?) -> ContinuousClock.Instant? {
        switch (a, b) {
        case (let a?, let b?): min(a, b)
        case (let a?, nil): a
        case (nil, let b): b
        }
    }

    static func notRunMessage(_ limit: Budget.Limit, limits: Budget.Limits, tool: ToolSpec) -> String {
        switch limit {
        case .callsPerTurn: "not run: call cap \(limits.maxCallsPerTurn ?? 0) reached (calls per turn)"
        case .callsPerRun: "not run: call cap \(limits.maxCallsPerRun ?? 0) reached (calls per run)"
        case .usd: "not run: the USD budget cannot cover this call (\(tool.policy.costUSD) USD)"
        case .wallTime: "not run: the run's time budget is used up"
        case .turns, .inputTokens, .outputTokens: "not run: the budget is used up (\(limit.rawValue))"
        }
    }
}
