extension Budget {
    /// Decides whether a model call may be made, and counts it as a turn when it is.
    ///
    /// Checks, in this order: turns (a regular turn may not take the last turn, which is kept for the
    /// synthesis), time, calls per run (a regular turn is pointless when no tool call is left), input
    /// tokens, output tokens and USD. Output is clamped to what is left; the call is refused when that is
    /// below `min(requestedOutputTokens, limits.minimumOutputTokens)`.
    ///
    /// A regular turn must leave the synthesis its room: of each token and USD cap, at least
    /// `synthesisReserve × cap`, and at least what the synthesis will need — its input is at least this
    /// request's (the conversation only grows), its output at least the minimum.
    ///
    /// - Parameters:
    ///   - estimatedInputTokens: the request's estimated input tokens (see `ModelRequest.estimatedInputTokens`).
    ///   - requestedOutputTokens: the `max_output_tokens` the caller would like.
    ///   - purpose: a regular turn is limited to the caps minus the reserve; the synthesis may use it all.
    ///   - now: the current instant.
    public mutating func admitModelCall(
        estimatedInputTokens: Int,
        requestedOutputTokens: Int,
        purpose: Purpose,
        now: ContinuousClock.Instant
    ) -> ModelCallDecision {
        let estimate = max(0, estimatedInputTokens)
        let requested = max(1, requestedOutputTokens)
        let minimumOutput = min(requested, max(1, limits.minimumOutputTokens))
        let need = purpose == .turn ? SynthesisNeed(inputTokens: estimate, outputTokens: minimumOutput) : nil

        if let maxTurns = limits.maxTurns {
            let allowed = purpose == .synthesis ? turns + 1 <= maxTurns : turns + 1 < maxTurns
            if !allowed { return .refused(.turns) }
        }
        if let end = purpose == .synthesis ? deadline : dispatchDeadline, now >= end {
            return .refused(.wallTime)
        }
        if purpose == .turn, let maxCalls = limits.maxCallsPerRun, toolCalls + heldByChildren.toolCalls >= maxCalls {
            return .refused(.callsPerRun)
        }
        if let cap = limits.inputTokens {
            let line = Double(cap) - kept(of: Double(cap), need: Double(need?.inputTokens ?? 0), purpose: purpose)
            if Double(usage.inputTokens + heldByChildren.inputTokens) + Double(estimate) > line { return .refused(.inputTokens) }
        }

        var granted = requested
        var limitedBy = Limit.outputTokens
        if let cap = limits.outputTokens {
            let line = Double(cap) - kept(of: Double(cap), need: Double(need?.outputTokens ?? 0), purpose: purpose)
            let room = line.rounded(.down) - Double(usage.outputTokens + heldByChildren.outputTokens)
            granted = Int(max(0, min(Double(granted), room)))
        }
        if let cap = limits.usd {
            let needUSD = need.map { pricing.cost(of: TokenUsage(inputTokens: $0.inputTokens, outputTokens: $0.outputTokens)) } ?? 0
            let line = cap - kept(of: cap, need: needUSD, purpose: purpose)
            let room = line - costUSD - heldByChildren.usd - Double(estimate) * pricing.inputPerMillion / 1_000_000
            if room < 0 { return .refused(.usd) }
            if pricing.outputPerMillion > 0 {
                let affordable = (room * 1_000_000 / pricing.outputPerMillion).rounded(.down)
                if affordable < Double(granted) {
                    granted = Int(max(0, affordable))
                    limitedBy = .usd
                }
            }
        }
        if granted < minimumOutput {
            return .refused(limitedBy)
        }
        turns += 1
        if let need { synthesisNeed = need }
        return .admitted(maxOutputTokens: granted)
    }

    /// The part of a cap regular work must leave for the synthesis; nothing for the synthesis itself.
    func kept(of cap: Double, need: Double, purpose: Purpose) -> Double {
        purpose == .synthesis ? 0 : max(cap * reserve, need)
    }

    /// Records what an admitted model call actually used. When the provider reported no usage, pass an
    /// estimate (the agent uses the input estimate and a quarter of the output characters).
    public mutating func commitModelCall(usage callUsage: TokenUsage, pricing callPricing: ModelPricing? = nil) {
        let input = max(0, callUsage.inputTokens)
        let cached = min(max(0, callUsage.cachedInputTokens), input)
        let clean = TokenUsage(
            inputTokens: input, outputTokens: max(0, callUsage.outputTokens), cachedInputTokens: cached,
            cacheCreationInputTokens: min(max(0, callUsage.cacheCreationInputTokens), input - cached), isEstimated: callUsage.isEstimated
        )
        usage = usage + clean
        modelCostUSD += (callPricing ?? pricing).cost(of: clean)
    }

    /// Starts a new batch of tool calls: resets the per-turn call count.
    public mutating func beginDispatch() {
        toolCallsThisTurn = 0
    }

    /// Decides whether one tool call may run, and charges its count and cost when it may.
    ///
    /// Checks, in this order: time (the dispatch deadline), calls per run, calls per turn, USD (the call's
    /// `cost_usd` must fit under the USD cap minus what is kept for the synthesis: the reserve, or the
    /// cost of the last regular turn's input plus the minimum output, whichever is more).
    public mutating func admitToolCall(costUSD cost: Double, now: ContinuousClock.Instant) -> ToolCallDecision {
        let cost = cost.isFinite ? max(0, cost) : 0
        if let end = dispatchDeadline, now >= end { return .refused(.wallTime) }
        if let maxCalls = limits.maxCallsPerRun, toolCalls + heldByChildren.toolCalls >= maxCalls { return .refused(.callsPerRun) }
        if let maxCalls = limits.maxCallsPerTurn, toolCallsThisTurn >= maxCalls { return .refused(.callsPerTurn) }
        if let cap = limits.usd, cost > 0 {
            let needUSD = synthesisNeed.map { pricing.cost(of: TokenUsage(inputTokens: $0.inputTokens, outputTokens: $0.outputTokens)) } ?? 0
            if costUSD + heldByChildren.usd + cost > cap - kept(of: cap, need: needUSD, purpose: .turn) { return .refused(.usd) }
        }
        toolCalls += 1
        toolCallsThisTurn += 1
        toolCostUSD += cost
        return .admitted
    }

    /// Gives back an admitted tool call that did not run (it was denied approval).
    public mutating func refundToolCall(costUSD cost: Double) {
        let cost = cost.isFinite ? max(0, cost) : 0
        toolCalls = max(0, toolCalls - 1)
        toolCallsThisTurn = max(0, toolCallsThisTurn - 1)
        toolCostUSD = max(0, toolCostUSD - cost)
    }

    /// What has been spent and what is left of each cap (the whole cap, the reserve included).
    public func snapshot(now: ContinuousClock.Instant) -> BudgetSnapshot {
        let elapsed = now - startedAt
        return BudgetSnapshot(
            usage: usage,
            costUSD: costUSD,
            turns: turns,
            toolCalls: toolCalls,
            elapsed: elapsed,
            usdLeft: limits.usd.map { max(0, $0 - costUSD - heldByChildren.usd) },
            inputTokensLeft: limits.inputTokens.map { max(0, $0 - usage.inputTokens - heldByChildren.inputTokens) },
            outputTokensLeft: limits.outputTokens.map { max(0, $0 - usage.outputTokens - heldByChildren.outputTokens) },
            timeLeft: limits.wallTime.map { max(.zero, $0 - elapsed) },
            turnsLeft: limits.maxTurns.map { max(0, $0 - turns) },
            toolCallsLeft: limits.maxCallsPerRun.map { max(0, $0 - toolCalls - heldByChildren.toolCalls) }
        )
    }
}
