/// The static router inside a run: fixed fan-outs through the same dispatcher, budget and events as
/// the model's calls.
extension RunLoop {
    /// Chooses between route and model by the configured ``RoutingMode``.
    mutating func route() async -> LoopEnd {
        let routes = routesInReach
        switch settings.routing {
        case .model:
            return await loop()
        case .static:
            guard let match = routes.match(prompt, mode: .static) else { return noRouteAnswer() }
            // Never nil here: only a hand-over to the model returns nil.
            return await serve(match, isFallback: false) ?? noRouteAnswer()
        case .hybrid:
            // Precise matching only when a model can answer what the routes do not take.
            if let match = routes.match(prompt, mode: runModel == nil ? .static : .hybrid) {
                let end = await serve(match, isFallback: false, handOverWhenIncomplete: runModel != nil)
                if let end { return end }
                // A required call gave nothing: the model takes over, with what was gathered in the conversation.
            }
            return await loop()
        }
    }

    /// The routes this run may serve: with a tool subset (``RunOptions/tools``: a sub-agent's, a map
    /// worker's, an embedder's), only routes whose every call uses a tool of that subset — a sub-agent
    /// whose model fails must not fall back into a route it cannot call (or into its parent's route).
    var routesInReach: RouteSet {
        guard let tools = settings.tools else { return configuration.routes }
        return RouteSet(configuration.routes.routes.filter { route in route.calls.allSatisfy { tools.contains($0.tool) } })
    }

    /// The router's answer when the model cannot give one; `nil` when no route matches.
    mutating func routeFallback(_ reason: FallbackReason, stopReason: StopReason) async -> LoopEnd? {
        // No model answer is coming: the loose (static) match applies.
        guard let match = routesInReach.match(prompt, mode: .static) else { return nil }
        emit(.fallbackUsed(reason: "\(reason); answered by route `\(match.route.name)`"))
        guard var end = await serve(match, isFallback: true) else { return nil }
        end.answer = "(Answered by the static route `\(match.route.name)` because \(reason).)\n\n" + end.answer
        // A route whose required calls all failed stands in for nothing: the run still has no answer.
        if end.stopReason.code != .routeFailed { end.answeredByFallback = true }
        end.stopReason = stopReason
        end.fallbackReason = reason.description
        return end
    }

    /// Runs a route's fan-out and joins the results.
    /// - Parameter handOverWhenIncomplete: return `nil` (so the model can take over) when a call the
    ///   route `requires` gave no result.
    mutating func serve(_ match: RouteMatch, isFallback: Bool, handOverWhenIncomplete: Bool = false) async -> LoopEnd? {
        let route = match.route
        emit(.routeMatched(RouteMatchInfo(route: route.name, captures: match.captures, reason: match.reason, isFallback: isFallback)))
        // A call to an MCP server's tool needs its schema (to coerce captures): start the sources first.
        if route.calls.contains(where: { agent.registry.tool(named: $0.tool) == nil }) { await agent.registry.prepareSources() }
        let calls = routeToolCalls(route, captures: match.captures)
        let turn = ledger.budget.turns
        let dispatched = await dispatch(calls)
        record(dispatched, turn: turn, modelTime: .zero)
        emitBudgetUpdate()
        if Task.isCancelled { return LoopEnd(answer: "", stopReason: .cancelled) }

        let outcomes = await routeOutcomes(route, dispatched: dispatched, isFallback: isFallback)
        let missingRequired = RouteJoinContext.missingRequired(route: route, outcomes: outcomes)
        if !missingRequired.isEmpty && handOverWhenIncomplete && !isFallback {
            messages.append(.assistant(text: "", toolCalls: dispatched.map(\.call)))
            messages.append(.toolResults(dispatched.map(\.resultMessage)))
            return nil
        }
        var header = ""
        if !missingRequired.isEmpty {
            let pieces = missingRequired.map { "\($0.label): unavailable (\($0.missingReason))" }.joined(separator: "; ")
            header = "Incomplete answer — missing what it depends on: \(pieces).\n\n"
        }
        let joined = await joinRoute(route, outcomes: outcomes, isFallback: isFallback)
        if joined != nil { emitBudgetUpdate() }
        var answer: String
        switch route.join {
        case .template(let template):
            let context = RouteJoinContext.make(route: route, prompt: prompt, captures: match.captures, outcomes: outcomes, joined: joined)
            answer = header + template.render(context).trimmingWhitespaceAndNewlines()
            emit(.textDelta(answer))
        case .rules:
            answer = header + (joined?.text ?? RouteJoinContext.plainList(route: route, outcomes: outcomes))
            emit(.textDelta(answer))
        case .model:
            if !header.isEmpty { emit(.textDelta(header)) }
            let (text, streamed) = await modelJoin(dispatched, route: route, outcomes: outcomes, joined: joined, isFallback: isFallback)
            if !streamed { emit(.textDelta(text)) }
            answer = header + text
        }
        messages.append(.assistant(text: answer, toolCalls: []))
        // A call the budget refused or cut off: the answer was cut short by that limit.
        if let limit = dispatched.lazy.compactMap(\.refusedBy).first {
            return LoopEnd(answer: answer, stopReason: limit.stopReason)
        }
        if let deadline = ledger.deadline, configuration.clock.now >= deadline {
            return LoopEnd(answer: answer, stopReason: Budget.Limit.wallTime.stopReason)
        }
        if RouteJoinContext.allRequiredFailed(route: route, outcomes: outcomes) {
            let failed = outcomes.filter { !$0.succeeded }.map { "\($0.label) (\($0.missingReason))" }.joined(separator: ", ")
            return LoopEnd(answer: answer, stopReason: .routeFailed(failed))
        }
        return LoopEnd(answer: answer, stopReason: .finished)
    }

    /// `join: model`: one model call with tools disabled writes the answer from the route's results;
    /// without a model (or room for the call) the answer is a plain list of the results.
    /// - Returns: the answer, and whether it was already streamed as text deltas.
    /// With join rules, what they reconciled (and how) is given to the model and ends the plain list.
    private mutating func modelJoin(
        _ dispatched: [DispatchedCall], route: Route, outcomes: [RouteCallOutcome], joined: JoinOutcome?, isFallback: Bool
    ) async -> (String, Bool) {
        let reconciled = joined.map { "Reconciled (\(route.joinRules?.branches.joined(separator: ", ") ?? "")):\n\($0.text)" }
        let plain = RouteJoinContext.plainList(route: route, outcomes: outcomes) + (reconciled.map { "\n\n" + $0 } ?? "")
        guard !isFallback, let model = runModel else { return (plain, false) }
        messages.append(.assistant(text: "", toolCalls: dispatched.map(\.call)))
        messages.append(.toolResults(dispatched.map(\.resultMessage)))
        var request = makeRequest(toolsEnabled: false)
        request.messages.append(.user(configuration.synthesisInstruction + (reconciled.map { "\n\n" + $0 } ?? "")))
        let estimate = estimator.estimate(request)
        switch ledger.admitModelCall(estimatedInputTokens: estimate.tokens, requestedOutputTokens: configuration.maxOutputTokens, purpose: .synthesis) {
        case .refused:
            return (plain, false)
        case .admitted(let maxOutputTokens):
            request.maxOutputTokens = maxOutputTokens
        }
        let turn = ledger.budget.turns
        emit(.turnStarted(turn: turn))
        // The model's text streams as it arrives; the answer is returned without emitting it again.
        let (result, modelTime) = await callModel(model, request, estimate: estimate, deadline: ledger.deadline)
        turnTimings.append(RunResult.TurnTiming(turn: turn, modelTime: modelTime, fanOutWallTime: .zero, sumOfCallTimes: .zero, toolCalls: 0))
        if case .success(let response) = result, !response.text.isEmpty {
            messages.append(.assistant(text: response.text, toolCalls: []))
            return (response.text, true)
        }
        return (plain, false)
    }

    /// The static mode's answer to a request no route matches: what the router can do.
    func noRouteAnswer() -> LoopEnd {
        let routes = routesInReach.routes
        var text: String
        if routes.isEmpty, !configuration.routes.isEmpty {
            let tools = (settings.tools ?? []).sorted()
            let reach = tools.isEmpty ? "this run has no tools" : "no route uses only this run's tools (\(tools.joined(separator: ", ")))"
            text = "No route matches this request: \(reach)."
        } else if routes.isEmpty {
            text = "No route matches this request, and no routes are configured. Configure a model (config.yaml `model:`) or add routes in routes/."
        } else {
            text = "No route matches this request. Without a model, Brigade answers these requests:\n"
            for route in routes {
                let example = route.examples.first.map { " — e.g. \"\($0)\"" } ?? ""
                let about = route.description.isEmpty ? "" : ": \(route.description)"
                text += "\n- \(route.name)\(about)\(example)"
            }
            text += "\n\nConfigure a model in config.yaml (and its API key) to ask anything else."
        }
        emit(.textDelta(text))
        return LoopEnd(answer: text, stopReason: .noRoute)
    }
}

extension RouteCallOutcome.Status {
    init(_ status: ToolCallStatus) {
        switch status {
        case .ok: self = .ok
        case .error: self = .error
        case .timeout: self = .timeout
        case .notRun: self = .notRun
        case .denied: self = .denied
        case .cancelled, .awaitingApproval: self = .error
        }
    }
}
