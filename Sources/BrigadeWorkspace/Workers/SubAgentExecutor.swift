import BrigadeCore

/// Runs a `kind: agent` tool: each call is a child run of the calling run (``CallingRun``) — on the
/// same agent (its scheduler, caps and approval memory), with the tool's prompt, tools, model and
/// limits, and a budget carved from the caller's, so it can never spend more than its slice; what it
/// does not spend returns, what it spends rolls up. The child's events are forwarded into the
/// caller's stream, nested under the call. The answer is the tool's result; a child that fails, runs
/// out of its slice or gets none is an error result naming why, and the caller goes on.
struct SubAgentExecutor: ToolExecutor {
    let name: String
    let config: AgentToolConfig
    /// The model of `config.model`, or why it cannot be used; `nil` runs on the caller's model.
    let model: SubAgentModel?
    /// `true` when the tool's parameters are the default `{task}` ones.
    let usesTaskArgument: Bool

    func call(_ arguments: JSONValue, context: ToolContext) async throws -> ToolOutput {
        guard let caller = CallingRun.current else {
            return ToolOutput(text: "error: sub-agent `\(name)` runs only inside an agent run", isError: true)
        }
        if caller.depth >= config.maxDepth {
            let path = (caller.chain + [name]).joined(separator: " → ")
            return ToolOutput(
                text: "error: sub-agent `\(name)` not run: it would be \(caller.depth + 1) sub-agents deep and its limit is \(config.maxDepth) (\(path))",
                isError: true)
        }
        let agent: Agent
        switch model {
        case .client(let client)?: agent = caller.agent.replacingModel(client)
        case .unavailable(let reason)?: return ToolOutput(text: "error: sub-agent `\(name)` not run: \(reason)", isError: true)
        case nil: agent = caller.agent
        }
        let request = SubAgentRequest(config: config, usesTaskArgument: usesTaskArgument).text(for: arguments)
        let inner = caller.entering(name)
        guard config.variants > 1 else {
            switch await runChild(request, on: agent, caller: caller, inner: inner, callID: context.callID) {
            case .success(let result): return Self.output(of: result, name: name)
            case .failure(let error): return ToolOutput(text: "error: sub-agent `\(name)` not run: \(error.message)", isError: true)
            }
        }
        // Variants: all at once, each with its own slice; then the join (the judge only on disagreement).
        let branches = await withTaskGroup(of: (Int, JoinBranch).self) { group in
            for index in 1...config.variants {
                group.addTask {
                    let label = "variant_\(index)"
                    switch await runChild(request, on: agent, caller: caller, inner: inner, callID: context.callID) {
                    case .success(let result):
                        let output = Self.output(of: result, name: name)
                        return (index, JoinBranch(label: label, answer: output.isError ? nil : output.text, failure: output.isError ? output.text : nil))
                    case .failure(let error):
                        return (index, JoinBranch(label: label, answer: nil, failure: error.message))
                    }
                }
            }
            var branches: [(Int, JoinBranch)] = []
            for await branch in group { branches.append(branch) }
            return branches.sorted { $0.0 < $1.0 }.map(\.1)
        }
        let outcome = await CallingRun.$current.withValue(inner) {
            await JoinJudge.join(branches, policy: config.join ?? JoinPolicy(), request: request, caller: caller, callID: context.callID)
        }
        return ToolOutput(text: outcome.text, isError: outcome.failed.count == branches.count)
    }

    /// One child run of this tool, nested one level below `caller`.
    private func runChild(_ request: String, on agent: Agent, caller: CallingRun, inner: CallingRun, callID: String) async -> Result<RunResult, InvalidRunOptions> {
        let childID = RunID()
        let options = RunOptions(
            limits: caller.ledger.share(config.limits, ways: caller.batchSize * (config.variants + (config.join?.judge == nil || config.variants == 1 ? 0 : 1))),
            routing: .model, approval: caller.approval, systemPrompt: config.promptText,
            tools: config.tools, parentBudget: caller.ledger, runID: childID, parentRunID: caller.runID)
        return await CallingRun.$current.withValue(inner) { () async -> Result<RunResult, InvalidRunOptions> in
            do throws(InvalidRunOptions) {
                return .success(try await agent.run(request, options: options) { event in caller.forward(event, of: childID, callID: callID) })
            } catch {
                return .failure(error)
            }
        }
    }

    /// The answer of a finished child; a clear error for any other end.
    static func output(of result: RunResult, name: String) -> ToolOutput {
        if result.stopReason.code == .finished { return ToolOutput(text: result.answer) }
        if result.stopReason.code == .cancelled { return ToolOutput(text: "error: sub-agent `\(name)` was cancelled", isError: true) }
        let isBudget = result.stopReason.code.rawValue.hasPrefix("budget_") || result.stopReason.code == .maxTurns
        if isBudget, result.turns == 0, result.toolCalls == 0 {
            return ToolOutput(text: "error: sub-agent `\(name)` not run: the budget has no room left for it (\(result.stopReason.code))", isError: true)
        }
        var text = isBudget
            ? "error: sub-agent `\(name)` ran out of its budget slice (\(result.stopReason.code): \(result.stopReason))"
            : "error: sub-agent `\(name)` failed (\(result.stopReason.code): \(result.stopReason))"
        let partial = result.answer.trimmingWhitespaceAndNewlines()
        // On its own lines, so the first line (what a route's join and `ask` show) ends with the reason.
        if !partial.isEmpty { text += "\nIts partial answer:\n" + partial }
        return ToolOutput(text: text, isError: true)
    }
}

/// The model a sub-agent tool names by profile: a client, or why there is none (an unknown profile is
/// a load error; a missing API key only fails the calls).
public enum SubAgentModel: Sendable {
    case client(any ModelClient)
    case unavailable(String)
}

/// The child's user message made from a call's arguments.
struct SubAgentRequest {
    let config: AgentToolConfig
    let usesTaskArgument: Bool

    func text(for arguments: JSONValue) -> String {
        if let input = config.input, let template = try? PlaceholderTemplate(parsing: input.value) {
            let rendered = template.render { name in
                guard let value = arguments[name] else { return "" }
                return value.stringValue ?? value.jsonString
            }
            if let rendered { return rendered }
        }
        if usesTaskArgument, let task = arguments["task"]?.stringValue { return task }
        return arguments.jsonString
    }
}
