import Synchronization

/// The input estimate of a request, remembered to calibrate the next one.
struct InputEstimate {
    /// `ModelRequest.estimatedInputTokens`.
    var raw: Int
    /// The estimate used for admission.
    var tokens: Int
}

/// Improves the bytes/4 estimate with what the provider reported for the previous call: a turn's
/// request is the previous one plus a few messages, so `previous actual + (raw − previous raw)` is
/// close. Never below the raw estimate.
struct InputEstimator {
    private var previous: (raw: Int, actual: Int)?

    func estimate(_ request: ModelRequest) -> InputEstimate {
        let raw = request.estimatedInputTokens
        guard let previous else { return InputEstimate(raw: raw, tokens: raw) }
        return InputEstimate(raw: raw, tokens: max(raw, previous.actual + raw - previous.raw))
    }

    mutating func calibrate(raw: Int, actual: Int) {
        previous = (raw, actual)
    }
}

extension RunLoop {
    /// This run's model: ``RunOptions/model``, else the agent's.
    var runModel: (any ModelClient)? { settings.model ?? configuration.model }

    /// The budget's pricing: the agent's, or for a ``ModelChain`` the highest rates of its models, so
    /// that admission never underestimates whichever model ends up answering (each call is still
    /// charged at its own model's price).
    static func pricing(agent: Agent, settings: RunSettings) -> ModelPricing {
        guard let chain = (settings.model ?? agent.configuration.model) as? ModelChain else { return agent.configuration.pricing }
        return chain.highestPricing(default: agent.configuration.pricing)
    }

    /// Calls the model under `deadline` (also enforced here, should a client overrun it), streams its
    /// text as events, and commits its usage — reported, or estimated when the provider reported none.
    mutating func callModel(
        _ model: any ModelClient,
        _ request: ModelRequest,
        estimate: InputEstimate,
        deadline: ContinuousClock.Instant?
    ) async -> (Result<ModelResponse, ModelError>, Duration) {
        let clock = configuration.clock
        let start = clock.now
        let emit = emit
        let chain = model as? ModelChain
        let chainStart = chainPosition
        // What the call's callbacks report: the bytes streamed and a chain's switches.
        let progress = ModelCallProgress(position: chainPosition)
        let isWatched = isWatched
        let operation = { @Sendable () async -> Result<ModelResponse, ModelError> in
            let onTextDelta: @Sendable (String) -> Void = { delta in
                progress.streamed(delta.utf8.count)
                if isWatched { emit(.textDelta(delta)) }
            }
            let call = { @Sendable () async -> Result<ModelResponse, ModelError> in
                do throws(ModelError) {
                    guard let chain else { return .success(try await model.complete(request, deadline: deadline, onTextDelta: onTextDelta)) }
                    let (response, _) = try await chain.complete(request, startingAt: chainStart, deadline: deadline, onSwitch: { change in
                        progress.switched(change)
                        emit(.modelSwitched(change))
                    }, onTextDelta: onTextDelta)
                    return .success(response)
                } catch {
                    return .failure(error)
                }
            }
            // Nobody hears the retry and rate-limit events of an unwatched run: its call binds no
            // observers (two task-local bindings and their closures per call), unless an outer
            // binding is there to be replaced.
            if !isWatched, ModelRetryObserver.current == nil, RateLimitObserver.current == nil { return await call() }
            // The client's retries and rate-limit waits of this call become events of this run.
            return await ModelRetryObserver.$current.withValue(ModelRetryObserver { emit(.modelRetry($0)) }) { () async -> Result<ModelResponse, ModelError> in
                await RateLimitObserver.$current.withValue(RateLimitObserver { emit(.rateLimitWait($0)) }) { () async -> Result<ModelResponse, ModelError> in
                    await call()
                }
            }
        }
        // A client that ends by the deadline on its own is called directly: no child task and no
        // timer per call (a batch makes one call per item).
        let outcome: TimeLimitOutcome<Result<ModelResponse, ModelError>>
        if model.enforcesDeadline, clock is SystemRuntimeClock {
            outcome = .finished(await operation())
        } else {
            outcome = await withTimeLimit(deadline, clock: clock, operation: operation)
        }
        let elapsed = clock.now - start
        // The run stays on the model that answered (or failed last); each is charged at its own price.
        if chain != nil {
            let (position, switches) = progress.chain
            (chainPosition, modelSwitches) = (position, modelSwitches + switches)
        }
        let pricing = chain?.entries[chainPosition].pricing
        let result: Result<ModelResponse, ModelError>
        switch outcome {
        case .finished(let finished): result = finished
        case .deadlinePassed: result = .failure(ModelError(.deadlineExceeded, "the model call passed the run's deadline"))
        }

        switch result {
        case .success(let response):
            if let usage = response.usage {
                estimator.calibrate(raw: estimate.raw, actual: usage.inputTokens)
                ledger.commitModelCall(usage: usage, pricing: pricing)
            } else {
                let outputBytes = response.text.utf8.count + response.toolCalls.reduce(0) { $0 + $1.name.utf8.count + $1.rawArguments.utf8.count }
                ledger.commitModelCall(usage: TokenUsage(inputTokens: estimate.tokens, outputTokens: (outputBytes + 3) / 4, isEstimated: true), pricing: pricing)
            }
        case .failure(let error) where error.code == .deadlineExceeded || error.code == .cancelled:
            // Cut off mid-call: the input was probably billed, and what streamed so far.
            ledger.commitModelCall(usage: TokenUsage(inputTokens: estimate.tokens, outputTokens: (progress.streamedBytes + 3) / 4, isEstimated: true), pricing: pricing)
        case .failure:
            break
        }
        emitBudgetUpdate()
        return (result, elapsed)
    }

    /// Answers without the model: the fallback hook if it has an answer, else the list of what was gathered.
    mutating func fallback(_ reason: FallbackReason, stopReason: StopReason) async -> LoopEnd {
        if Task.isCancelled { return LoopEnd(answer: "", stopReason: .cancelled) }
        if configuration.fallback == nil, let routed = await routeFallback(reason, stopReason: stopReason) { return routed }
        if let hook = configuration.fallback {
            let request = FallbackRequest(prompt: prompt, reason: reason, gathered: gathered, deadline: ledger.deadline, emit: emit)
            if let answer = await hook.fallbackAnswer(for: request) {
                emit(.fallbackUsed(reason: "\(reason); answered by the fallback"))
                emit(.textDelta(answer))
                messages.append(.assistant(text: answer, toolCalls: []))
                return LoopEnd(answer: answer, stopReason: stopReason, fallbackReason: reason.description, answeredByFallback: true)
            }
        }
        let answer = Self.summary(of: gathered, reason: reason)
        emit(.fallbackUsed(reason: "\(reason); answering with the results gathered so far"))
        emit(.textDelta(answer))
        return LoopEnd(answer: answer, stopReason: stopReason, fallbackReason: reason.description)
    }

    /// A plain answer listing the successful results, for when nothing better is possible.
    static func summary(of gathered: [DispatchedCall], reason: FallbackReason) -> String {
        let successful = gathered.filter { $0.status == .ok }
        var text = "No answer could be composed: \(reason)."
        if successful.isEmpty {
            text += " Nothing was gathered."
        } else {
            text += " Results gathered so far:"
            for call in successful {
                text += "\n- \(call.call.name)(\(Preview.line(call.call.rawArguments, limit: 120))): \(Preview.line(call.output, limit: 500))"
            }
        }
        let failed = gathered.count - successful.count
        if failed > 0 { text += "\n(\(failed) other call\(failed == 1 ? "" : "s") did not succeed.)" }
        return text
    }
}

/// What one model call's callbacks report to the run while it goes on: the text bytes streamed (to
/// charge a call cut off midway) and the switches along a ``ModelChain``.
final class ModelCallProgress: Sendable {
    private struct State {
        var streamedBytes = 0
        var position: Int
        var switches: [ModelSwitch] = []
    }

    private let state: Mutex<State>

    init(position: Int) {
        state = Mutex(State(position: position))
    }

    func streamed(_ bytes: Int) {
        state.withLock { $0.streamedBytes += bytes }
    }

    func switched(_ change: ModelSwitch) {
        state.withLock {
            $0.position += 1
            $0.switches.append(change)
        }
    }

    var streamedBytes: Int { state.withLock { $0.streamedBytes } }

    /// The chain's position now and the switches made during the call.
    var chain: (position: Int, switches: [ModelSwitch]) { state.withLock { ($0.position, $0.switches) } }
}
