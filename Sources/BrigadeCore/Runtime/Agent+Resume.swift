extension Agent {
    /// Continues a stored run from its checkpoint — one paused for approval once every waiting call is
    /// decided (``RunStore/decide(_:call:_:)``), or one whose process ended mid-run (killed, crashed).
    ///
    /// Calls that finished keep their stored results and are not run again; approved calls run; denied
    /// calls give the model `denied`; calls that were running when the process ended run again only if
    /// their tool is `idempotent: true`, and are otherwise reported to the model as interrupted. Spend
    /// (tokens, cost, turns, calls) continues from what the run had spent; the run keeps its id.
    ///
    /// ```swift
    /// _ = try await store.decide(runID, .approve)
    /// let result = try await agent.resume(runID)
    /// ```
    ///
    /// - Parameters:
    ///   - runID: the run (``StoredRun/State/awaitingApproval`` or ``StoredRun/State/interrupted``).
    ///   - approval: decides calls of later turns that need approval; `nil` takes the agent's.
    ///   - onEvent: the resumed run's events, ending with `finished`.
    /// - Returns: the run's result; its usage and cost include what was spent before the pause.
    /// - Throws: ``RunStoreError`` before anything runs — the agent has no store (`unavailable`), the run
    ///   is unknown, finished, still awaiting a decision (`invalidState`), or another live process holds
    ///   it (`claimed`: of two processes resuming one run, one wins).
    public func resume(
        _ runID: RunID,
        approval: (any ApprovalPolicy)? = nil,
        onEvent: @escaping @Sendable (AgentEvent) async -> Void = { _ in }
    ) async throws(RunStoreError) -> RunResult {
        guard let store = configuration.store else {
            throw RunStoreError(.unavailable, path: "", "resuming a run needs a run store (Agent.Configuration.store)")
        }
        let idempotent = Set(registry.tools.filter(\.spec.policy.idempotent).map(\.name))
        let point = try await store.claim(runID, idempotentTools: idempotent)
        var options = RunOptions(
            limits: Budget.Limits(storedJSON: point.options["limits"]) ?? configuration.limits,
            routing: point.options["routing"]?.stringValue.flatMap(RoutingMode.init(rawValue:)),
            approval: approval,
            systemPrompt: point.options["system_prompt"]?.stringValue,
            tools: point.options["tools"]?.arrayValue?.compactMap(\.stringValue),
            runID: runID,
            parentRunID: point.parentRunID,
            source: point.source
        )
        // A tool of the subset that is gone now is dropped rather than refusing to resume.
        options.tools = options.tools?.filter { registry.names.contains($0) }
        var settings: RunSettings
        do {
            settings = try RunSettings(agent: self, options: options)
        } catch {
            throw RunStoreError(.invalidState, path: store.path, "run `\(runID)` cannot be resumed: \(error.message)")
        }
        settings.resume = point
        return await run(point.prompt, settings: settings, eventsRecorded: point.eventsRecorded, onEvent: onEvent)
    }
}

extension Budget.Limits {
    /// Limits read back from ``json`` (a stored run's options); `nil` when `json` is not an object.
    /// The synthesis reserve and minimum output take their defaults when a run stored before they were
    /// recorded has none.
    init?(storedJSON json: JSONValue?) {
        guard let json, json.objectValue != nil else { return nil }
        let defaults = Budget.Limits()
        self.init(
            usd: json["usd"]?.doubleValue,
            inputTokens: json["input_tokens"]?.intValue,
            outputTokens: json["output_tokens"]?.intValue,
            wallTime: json["wall_time_s"]?.doubleValue.map { Duration.milliseconds(Int64($0 * 1000)) },
            maxTurns: json["max_turns"]?.intValue,
            maxCallsPerRun: json["max_calls_per_run"]?.intValue,
            maxCallsPerTurn: json["max_calls_per_turn"]?.intValue,
            synthesisReserve: json["synthesis_reserve"]?.doubleValue ?? defaults.synthesisReserve,
            minimumOutputTokens: json["minimum_output_tokens"]?.intValue ?? defaults.minimumOutputTokens
        )
    }
}
