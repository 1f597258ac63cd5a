extension AgentEvent {
    /// The event as one JSON object with a `"type"` field (`turn_started`, `text_delta`,
    /// `route_matched`, `tool_call_queued`, `tool_call_started`, `tool_call_finished`, `budget_update`, `fallback_used`,
    /// `map_progress`, `join_decided`, `finished`) — one line of the NDJSON protocol. Durations are in seconds; keys are snake_case.
    public var json: JSONValue {
        switch self {
        case .turnStarted(let turn):
            ["type": "turn_started", "turn": .integer(turn)]
        case .routeMatched(let info):
            [
                "type": "route_matched", "route": .string(info.route),
                "captures": .object(JSONObject(info.captures.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) })),
                "reason": .string(info.reason), "fallback": .bool(info.isFallback),
            ]
        case .textDelta(let text):
            ["type": "text_delta", "text": .string(text)]
        case .toolCallQueued(let info):
            .object(JSONObject([("type", "tool_call_queued")] + info.jsonFields))
        case .toolCallStarted(let info):
            .object(JSONObject([("type", "tool_call_started")] + info.jsonFields))
        case .toolCallFinished(let outcome):
            .object(JSONObject([("type", "tool_call_finished")] + outcome.call.jsonFields + [
                ("status", .string(outcome.status.rawValue)),
                ("duration_s", .number(outcome.duration.inSeconds)),
                ("output_preview", .string(outcome.outputPreview)),
            ]))
        case .budgetUpdate(let snapshot):
            .object(JSONObject([("type", "budget_update")] + snapshot.jsonFields))
        case .fallbackUsed(let reason):
            ["type": "fallback_used", "reason": .string(reason)]
        case .modelRetry(let retry):
            .object(JSONObject([
                ("type", "model_retry"),
                ("attempt", .integer(retry.failedAttempt)),
                ("max_retries", retry.maxRetries.map { .integer($0) } ?? .null),
                ("delay_s", .number(retry.delay.duration.inSeconds)),
                ("status", retry.error.status.map { .integer($0) } ?? .null),
                ("message", .string(retry.error.message)),
                ("line", .string(retry.progressLine)),
            ]))
        case .modelSwitched(let change):
            .object(JSONObject([
                ("type", "model_switch"), ("from", .string(change.from)), ("to", .string(change.to)),
                ("code", .string(change.reason.code.rawValue)), ("status", change.reason.status.map { .integer($0) } ?? .null),
                ("message", .string(change.reason.message)), ("line", .string(change.progressLine)),
            ]))
        case .rateLimitWait(let wait):
            ["type": "rate_limit_wait", "model": .string(wait.model), "delay_s": .number(wait.delay.inSeconds), "line": .string(wait.progressLine)]
        case .finished(let result):
            .object(JSONObject([("type", "finished")] + result.jsonFields))
        case .childRun(let child):
            child.json
        case .mapProgress(let event):
            event.json
        case .joinDecided(let event):
            event.json
        }
    }
}

extension ToolCallInfo {
    var jsonFields: [(String, JSONValue)] {
        [("id", .string(id)), ("tool", .string(toolName)), ("arguments_preview", .string(argumentsPreview))]
    }
}

extension TokenUsage {
    /// `{"input_tokens": …, "output_tokens": …}`, plus `cached_input_tokens` and
    /// `cache_write_input_tokens` when not zero, and `estimated: true` when some counts are estimates.
    public var json: JSONValue { .object(JSONObject(jsonFields)) }

    var jsonFields: [(String, JSONValue)] {
        var fields: [(String, JSONValue)] = [("input_tokens", .integer(inputTokens)), ("output_tokens", .integer(outputTokens))]
        if cachedInputTokens > 0 { fields.append(("cached_input_tokens", .integer(cachedInputTokens))) }
        if cacheCreationInputTokens > 0 { fields.append(("cache_write_input_tokens", .integer(cacheCreationInputTokens))) }
        if isEstimated { fields.append(("estimated", true)) }
        return fields
    }
}

extension BudgetSnapshot {
    var jsonFields: [(String, JSONValue)] {
        func optional<T>(_ value: T?, _ transform: (T) -> JSONValue) -> JSONValue { value.map(transform) ?? .null }
        let left: JSONValue = [
            "usd": optional(usdLeft) { .number($0) },
            "input_tokens": optional(inputTokensLeft) { .integer($0) },
            "output_tokens": optional(outputTokensLeft) { .integer($0) },
            "time_s": optional(timeLeft) { .number($0.inSeconds) },
            "turns": optional(turnsLeft) { .integer($0) },
            "tool_calls": optional(toolCallsLeft) { .integer($0) },
        ]
        let spent = JSONValue.object(JSONObject(
            [("usd", .number(costUSD))] + usage.jsonFields
                + [("time_s", .number(elapsed.inSeconds)), ("turns", .integer(turns)), ("tool_calls", .integer(toolCalls))]
        ))
        return [("spent", spent), ("left", left)]
    }

    /// The snapshot as JSON: `{"spent": {...}, "left": {...}}` (a `null` left value means no cap).
    public var json: JSONValue { .object(JSONObject(jsonFields)) }
}

extension StopReason {
    /// `{"code": …, "message": …}`.
    public var json: JSONValue { ["code": .string(code.rawValue), "message": .string(description)] }
}

extension RunResult {
    var jsonFields: [(String, JSONValue)] {
        let calls: [JSONValue] = calls.map { call in
            [
                "id": .string(call.callID),
                "tool": .string(call.toolName),
                "turn": .integer(call.turn),
                "status": .string(call.status.rawValue),
                "queued_s": .number(call.queued.inSeconds),
                "started_s": call.started.map { .number($0.inSeconds) } ?? .null,
                "finished_s": .number(call.finished.inSeconds),
            ]
        }
        let turns: [JSONValue] = turnTimings.map { turn in
            [
                "turn": .integer(turn.turn),
                "model_s": .number(turn.modelTime.inSeconds),
                "fan_out_wall_s": .number(turn.fanOutWallTime.inSeconds),
                "sum_of_calls_s": .number(turn.sumOfCallTimes.inSeconds),
                "tool_calls": .integer(turn.toolCalls),
            ]
        }
        return [
            ("answer", .string(answer)),
            ("stop_reason", .string(stopReason.code.rawValue)),
            ("stop_message", .string(stopReason.description)),
            ("usage", usage.json),
            ("cost_usd", .number(costUSD)),
            ("turns", .integer(self.turns)),
            ("tool_calls", .integer(toolCalls)),
            ("wall_time_s", .number(wallTime.inSeconds)),
            ("fallback_reason", fallbackReason.map { .string($0) } ?? .null),
        ] + (modelSwitches.isEmpty ? [] : [
            ("model_switches", .array(modelSwitches.map { change in
                ["from": .string(change.from), "to": .string(change.to), "code": .string(change.reason.code.rawValue), "message": .string(change.reason.message)]
            })),
        ]) + [
            ("calls", .array(calls)),
            ("turn_timings", .array(turns)),
        ]
    }

    /// The result as a JSON object (the fields of the `finished` event, without `type`).
    public var json: JSONValue { .object(JSONObject(jsonFields)) }
}
