import Logging

/// How the loop ended, before the result is assembled.
struct LoopEnd {
    var answer: String
    var stopReason: StopReason
    var fallbackReason: String?
    /// A static route or the fallback hook answered in the model's place.
    var answeredByFallback = false
}

/// The state of one run: the conversation, the ledger, what was gathered and the timeline.
/// Lives on the run's task only.
struct RunLoop {
    let agent: Agent
    let prompt: String
    let settings: RunSettings
    let emit: @Sendable (AgentEvent) -> Void
    /// Records the run in the agent's store (``Agent/Configuration/store``), when it has one.
    let recorder: RunRecorder?
    let startedAt: ContinuousClock.Instant
    /// The run's budget: a root ledger, or a child carved from ``RunSettings/parentBudget``.
    let ledger: BudgetLedger
    /// The parent budget had no room for this run under this cap.
    let refusedByParent: Budget.Limit?
    let runID: RunID
    let parentRunID: RunID?
    var messages: [ChatMessage] = []
    var gathered: [DispatchedCall] = []
    var callTimings: [RunResult.CallTiming] = []
    var turnTimings: [RunResult.TurnTiming] = []
    var estimator = InputEstimator()
    /// The model of the run's ``ModelChain`` in use (the one that answered last), and the switches so far.
    var chainPosition = 0
    var modelSwitches: [ModelSwitch] = []
    /// The answer was sent back once for not matching the output schema.
    var askedAgainForSchema = false
    /// Something hears the run's events (`emit` is not a no-op): without a listener the loop skips
    /// building the events that cost work of their own (budget snapshots, the model call's observers).
    var isWatched = true

    init(agent: Agent, prompt: String, settings: RunSettings, recorder: RunRecorder? = nil, emit: @escaping @Sendable (AgentEvent) -> Void) {
        self.agent = agent
        self.recorder = recorder
        self.prompt = prompt
        self.settings = settings
        self.emit = emit
        let clock = agent.configuration.clock
        self.startedAt = clock.now
        let runID = settings.runID ?? RunID()
        self.runID = runID
        self.parentRunID = settings.parentRunID
        switch settings.parentBudget?.openChild(requesting: settings.limits, runID: runID) {
        case .success(let child)?:
            self.ledger = child
            self.refusedByParent = nil
        case .failure(let refusal)?:
            self.ledger = BudgetLedger(limits: settings.limits, pricing: Self.pricing(agent: agent, settings: settings), startedAt: startedAt, clock: clock, runID: runID)
            self.refusedByParent = refusal.limit
        case nil:
            self.ledger = BudgetLedger(limits: settings.limits, pricing: Self.pricing(agent: agent, settings: settings), startedAt: startedAt, clock: clock, runID: runID)
            self.refusedByParent = nil
        }
        settings.budgetOpened?(ledger)
    }

    var configuration: Agent.Configuration { agent.configuration }
    var logger: Logger { agent.logger }

    mutating func run() async -> RunResult {
        let conversation = settings.session.map { ConversationRecord(id: $0.id) } ?? settings.resume?.conversationID.map(ConversationRecord.init)
        if settings.resume == nil {
            recorder?.started(prompt: prompt, settings: settings, model: runModel?.displayName, conversation: conversation)
        }
        let end: LoopEnd
        if let limit = refusedByParent {
            end = LoopEnd(answer: "", stopReason: limit.stopReason)
        } else if let resume = settings.resume {
            end = await continueResumed(resume)
        } else if let session = settings.session {
            if let history = session.beginRun() {
                messages = history + [.user(prompt)]
                end = await route()
                session.endRun(with: messages)
            } else {
                end = LoopEnd(answer: "", stopReason: .error("the session is busy with another run"))
            }
        } else {
            messages = [.user(prompt)]
            end = await route()
        }
        ledger.close()
        let budget = ledger.budget
        logger.debug("run finished", metadata: ["stop": "\(end.stopReason.code)", "turns": "\(budget.turns)"])
        var result = RunResult(
            answer: end.answer,
            stopReason: end.stopReason,
            usage: budget.usage,
            costUSD: budget.costUSD,
            turns: budget.turns,
            toolCalls: budget.toolCalls,
            wallTime: configuration.clock.now - startedAt,
            calls: callTimings,
            turnTimings: turnTimings,
            fallbackReason: end.fallbackReason,
            answeredByFallback: end.answeredByFallback,
            runID: runID,
            parentRunID: parentRunID
        )
        result.modelSwitches = modelSwitches
        let state: StoredRun.State = end.stopReason.code == .awaitingApproval ? .awaitingApproval : .finished
        recorder?.finished(result, state: state, messages: messages, conversation: conversation)
        return result
    }

    mutating func loop() async -> LoopEnd {
        guard let model = runModel else {
            return await fallback(.noModel, stopReason: .modelUnavailable("no model is configured"))
        }
        // Tool sources (MCP servers) start on first use: the model's first turn needs their tools.
        await agent.registry.prepareSources()
        while true {
            if Task.isCancelled { return LoopEnd(answer: "", stopReason: .cancelled) }
            var request = makeRequest(toolsEnabled: true)
            let estimate = estimator.estimate(request)
            switch ledger.admitModelCall(estimatedInputTokens: estimate.tokens, requestedOutputTokens: configuration.maxOutputTokens, purpose: .turn) {
            case .refused(let limit):
                logger.debug("no room for another turn", metadata: ["limit": "\(limit.rawValue)"])
                return await synthesize(model, because: limit)
            case .admitted(let maxOutputTokens):
                request.maxOutputTokens = maxOutputTokens
            }
            let turn = ledger.budget.turns
            emit(.turnStarted(turn: turn))
            let (result, modelTime) = await callModel(model, request, estimate: estimate, deadline: ledger.dispatchDeadline)
            let response: ModelResponse
            switch result {
            case .success(let value):
                response = value
            case .failure(let error):
                if Task.isCancelled || error.code == .cancelled { return LoopEnd(answer: "", stopReason: .cancelled) }
                if error.code == .deadlineExceeded, ledger.deadline != nil { return await synthesize(model, because: .wallTime) }
                logger.warning("model call failed", metadata: ["error": "\(error)"])
                return await fallback(.modelUnavailable(error), stopReason: .modelUnavailable(error.description))
            }

            let calls = Dispatcher.withUniqueIDs(response.toolCalls)
            messages.append(.assistant(text: response.text, toolCalls: calls))
            if calls.isEmpty {
                turnTimings.append(RunResult.TurnTiming(turn: turn, modelTime: modelTime, fanOutWallTime: .zero, sumOfCallTimes: .zero, toolCalls: 0))
                checkpoint()
                switch checkAnswer(response.text) {
                case .accepted(let end): return end
                case .askAgain: continue
                }
            }
            // The point a run killed during the fan-out resumes from: the calls, before their results.
            recorder?.checkpoint(messages: messages, budget: ledger.snapshot())
            // Dispatched even when cancelled: every call gets a result, so the conversation stays valid.
            let dispatched = await dispatch(calls)
            if dispatched.contains(where: { $0.status == .awaitingApproval }) {
                // Paused: the conversation ends with the calls; the results come when the run resumes.
                record(dispatched, turn: turn, modelTime: modelTime)
                emitBudgetUpdate()
                return LoopEnd(answer: "", stopReason: .awaitingApproval)
            }
            messages.append(.toolResults(dispatched.map(\.resultMessage)))
            record(dispatched, turn: turn, modelTime: modelTime)
            emitBudgetUpdate()
            // A call refused for USD, time or the run's call cap means the tools' budget is gone:
            // answer now rather than ask for calls that cannot run.
            if !Task.isCancelled, let limit = dispatched.lazy.compactMap(\.refusedBy).first(where: { $0 != .callsPerTurn }) {
                return await synthesize(model, because: limit)
            }
        }
    }

    /// The last call, tools disabled, asked to answer from what it has.
    private mutating func synthesize(_ model: any ModelClient, because limit: Budget.Limit) async -> LoopEnd {
        let stopReason = limit.stopReason
        if Task.isCancelled { return LoopEnd(answer: "", stopReason: .cancelled) }
        var request = makeRequest(toolsEnabled: false)
        request.messages.append(.user(configuration.synthesisInstruction))
        let estimate = estimator.estimate(request)
        switch ledger.admitModelCall(estimatedInputTokens: estimate.tokens, requestedOutputTokens: configuration.maxOutputTokens, purpose: .synthesis) {
        case .refused(let refusal):
            logger.debug("no room for the synthesis call", metadata: ["limit": "\(refusal.rawValue)"])
            return await fallback(.budgetExhausted(refusal), stopReason: stopReason)
        case .admitted(let maxOutputTokens):
            request.maxOutputTokens = maxOutputTokens
        }
        let turn = ledger.budget.turns
        emit(.turnStarted(turn: turn))
        let (result, modelTime) = await callModel(model, request, estimate: estimate, deadline: ledger.deadline)
        turnTimings.append(RunResult.TurnTiming(turn: turn, modelTime: modelTime, fanOutWallTime: .zero, sumOfCallTimes: .zero, toolCalls: 0))
        switch result {
        case .success(let response) where !response.text.isEmpty:
            messages.append(.assistant(text: response.text, toolCalls: []))
            return LoopEnd(answer: conformingJSON(response.text) ?? response.text, stopReason: stopReason)
        case .success:
            return await fallback(.budgetExhausted(limit), stopReason: stopReason)
        case .failure(let error):
            if Task.isCancelled || error.code == .cancelled { return LoopEnd(answer: "", stopReason: .cancelled) }
            if error.code == .deadlineExceeded { return await fallback(.budgetExhausted(.wallTime), stopReason: stopReason) }
            logger.warning("synthesis call failed", metadata: ["error": "\(error)"])
            return await fallback(.modelUnavailable(error), stopReason: stopReason)
        }
    }

    func makeRequest(toolsEnabled: Bool) -> ModelRequest {
        var all = messages
        var system = settings.systemPrompt
        if let schema = settings.outputSchema, runModel?.supportsOutputSchema != true {
            system += (system.isEmpty ? "" : "\n\n") + schema.instruction
        }
        if !system.isEmpty { all.insert(.system(system), at: 0) }
        var request = ModelRequest(
            messages: all,
            tools: settings.specs(in: agent.registry),
            toolsEnabled: toolsEnabled,
            maxOutputTokens: configuration.maxOutputTokens,
            temperature: configuration.temperature
        )
        request.outputSchema = settings.outputSchema
        return request
    }

    /// Runs calls through the agent's shared scheduler, under this run's ledger, approval and tools.
    /// Sub-agents among the calls run as children of this run (``CallingRun``).
    /// - Parameter approval: decides this batch's calls instead of the run's policy (a resumed run's
    ///   approved calls).
    func dispatch(_ calls: [ToolCall], approval: (any ApprovalPolicy)? = nil) async -> [DispatchedCall] {
        let caller = callingRun(batchSize: calls.count)
        let dispatcher = agent.dispatcher
        let (ledger, approval, tools, emit) = (ledger, approval ?? settings.approval, settings.tools, emit)
        let turn = ledger.budget.turns
        // Set even when nil, so a sub-agent's run never reports to its parent's recorder.
        let hook: Dispatcher.CallFinishedHook?
        if let recorder {
            let positions = Dictionary(Dispatcher.withUniqueIDs(calls).enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
            hook = Dispatcher.CallFinishedHook { recorder.callFinished($0, turn: turn, position: positions[$0.call.id] ?? calls.count) }
        } else {
            hook = nil
        }
        return await CallingRun.$current.withValue(caller) {
            await Dispatcher.$callFinished.withValue(hook) {
                await dispatcher.dispatch(calls, budget: ledger, approval: approval, tools: tools, onEvent: emit)
            }
        }
    }

    mutating func record(_ dispatched: [DispatchedCall], turn: Int, modelTime: Duration) {
        gathered += dispatched
        for call in dispatched {
            callTimings.append(RunResult.CallTiming(
                callID: call.call.id,
                toolName: call.call.name,
                turn: turn,
                status: call.status,
                queued: call.queuedAt - startedAt,
                started: call.startedAt.map { $0 - startedAt },
                finished: call.finishedAt - startedAt
            ))
        }
        let first = dispatched.map(\.queuedAt).min()
        let last = dispatched.map(\.finishedAt).max()
        let wall = first.flatMap { first in last.map { $0 - first } } ?? .zero
        let sum = dispatched.reduce(Duration.zero) { $0 + $1.duration }
        turnTimings.append(RunResult.TurnTiming(turn: turn, modelTime: modelTime, fanOutWallTime: wall, sumOfCallTimes: sum, toolCalls: dispatched.count))
        checkpoint()
    }

    /// Emits the budget's state as ``AgentEvent/budgetUpdate(_:)``, when anything hears it.
    func emitBudgetUpdate() {
        if isWatched { emit(.budgetUpdate(ledger.snapshot())) }
    }

    /// Records the turn just ended and the conversation so far (the point a resumed run continues from).
    func checkpoint() {
        guard let recorder, let timing = turnTimings.last else { return }
        let text: String = if case .assistant(let text, _)? = messages.last(where: { if case .assistant = $0 { true } else { false } }) { text } else { "" }
        recorder.turnEnded(timing, text: text, messages: messages, budget: ledger.snapshot())
    }
}
