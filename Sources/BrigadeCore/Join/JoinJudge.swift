/// The judge half of a ``JoinPolicy``: asked only when the branches disagree, as a child run of the
/// calling run (its budget carved from the caller's, its events nested); when it fails — no answer,
/// not the JSON asked for, a winner that is no branch — the rules decide and the outcome says so.
package enum JoinJudge {
    struct Verdict {
        var winner: String
        var reason: String
        var answer: String?
    }

    /// Joins `branches` under `policy` and reports the decision into the caller's stream
    /// (``AgentEvent/joinDecided(_:)``, under `callID`).
    /// - Parameter judgeUnavailable: why the judge cannot be asked (no model; the model just failed),
    ///   so that the rules decide and say why; `nil`: it is asked when the branches disagree.
    package static func join(
        _ branches: [JoinBranch], policy: JoinPolicy, request: String, caller: CallingRun, callID: String, judgeUnavailable: String? = nil
    ) async -> JoinOutcome {
        let outcome = await decide(branches, policy: policy, request: request, caller: caller, callID: callID, judgeUnavailable: judgeUnavailable)
        caller.emit(.joinDecided(JoinDecisionEvent(callID: callID, branches: branches.map(\.label), outcome: outcome)))
        return outcome
    }

    private static func decide(
        _ branches: [JoinBranch], policy: JoinPolicy, request: String, caller: CallingRun, callID: String, judgeUnavailable: String?
    ) async -> JoinOutcome {
        let successful = branches.filter { $0.answer != nil }
        let failed = branches.filter { $0.answer == nil }
        if let first = successful.first, !JoinRules.disagree(branches, policy: policy) {
            let reason = successful.count == 1 ? "the only branch that answered" : "all \(successful.count) branches agreed"
            return JoinOutcome(answer: first.answer ?? "", winner: successful.count == 1 ? first.label : nil, reason: reason, judged: false, failed: failed)
        }
        guard policy.judge != nil, successful.count > 1 else { return JoinRules.merge(branches, policy: policy) }
        let ruled = JoinRules.merge(branches, policy: policy)
        let verdict = if let judgeUnavailable { Result<Verdict, Failure>.failure(Failure(message: judgeUnavailable)) } else {
            await ask(successful, policy: policy, request: request, caller: caller, callID: callID)
        }
        switch verdict {
        case .success(let verdict):
            let winning = successful.first { $0.label == verdict.winner }?.answer ?? ""
            let conflicts = ruled.conflicts.map { conflict in
                JoinConflict(field: conflict.field, values: conflict.values, chosen: verdict.answer == nil ? verdict.winner : nil)
            }
            return JoinOutcome(
                answer: verdict.answer ?? winning, winner: verdict.winner, reason: verdict.reason, judged: true, failed: failed, conflicts: conflicts)
        case .failure(let failure):
            var outcome = ruled
            outcome.judgeFailure = failure.message
            return outcome
        }
    }

    struct Failure: Error {
        var message: String
    }

    static func ask(_ branches: [JoinBranch], policy: JoinPolicy, request: String, caller: CallingRun, callID: String) async -> Result<Verdict, Failure> {
        let labels = branches.map(\.label)
        var prompt = "Request: \(request)\n\nThese answers to it disagree. Pick the best one, or combine them.\n"
        for branch in branches { prompt += "\n### \(branch.label)\n\(branch.answer ?? "")\n" }
        prompt += "\nReply with one JSON object only: {\"winner\": one of \(labels.map { "\"\($0)\"" }.joined(separator: ", ")), "
            + "\"reason\": why, in one sentence, \"answer\": the final answer (omit it to use the winner's as it is)}"
        guard let model = caller.model ?? caller.agent.configuration.model else { return .failure(Failure(message: "there is no model to ask")) }
        let judgeID = RunID()
        // It needs one model turn and calls no tools. A turn is admitted while the run has a turn and a
        // call to spare (else it is a synthesis call), so it holds two turns and one call of the
        // caller's — not all the calls the caller has left. Money and tokens are carved from the
        // caller's: its share when the caller asks several judges at once.
        var options = RunOptions(
            limits: caller.ledger.share(Budget.Limits(maxTurns: 2, maxCallsPerRun: 1), ways: caller.batchSize), routing: .model, approval: caller.approval,
            systemPrompt: policy.judgeText, tools: [], parentBudget: caller.ledger, runID: judgeID, parentRunID: caller.runID)
        options.model = model
        let result: RunResult
        do throws(InvalidRunOptions) {
            result = try await caller.agent.run(prompt, options: options) { event in caller.forward(event, of: judgeID, callID: callID) }
        } catch {
            return .failure(Failure(message: error.message))
        }
        guard result.stopReason.code == .finished else {
            let refused = result.stopReason.code.rawValue.hasPrefix("budget_") && result.turns == 0
            return .failure(Failure(message: refused ? "the budget has no room for it (\(result.stopReason.code))" : "it stopped with \(result.stopReason.code)"))
        }
        return parse(result.answer, labels: labels)
    }

    /// The verdict in the judge's answer: the outermost `{…}` of its text, with a known `winner` and
    /// a `reason`.
    static func parse(_ text: String, labels: [String]) -> Result<Verdict, Failure> {
        guard let open = text.firstIndex(of: "{"), let close = text.lastIndex(of: "}"), open < close,
            let object = (try? JSONValue(parsing: String(text[open...close])))?.objectValue
        else {
            return .failure(Failure(message: "its answer is not a JSON object: `\(Preview.line(text, limit: 80))`"))
        }
        guard let winner = object["winner"]?.stringValue, labels.contains(winner) else {
            return .failure(Failure(message: "its `winner` is not one of \(labels.joined(separator: ", "))"))
        }
        guard let reason = object["reason"]?.stringValue, !reason.isEmpty else {
            return .failure(Failure(message: "it gave no `reason`"))
        }
        let answer = object["answer"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        return .success(Verdict(winner: winner, reason: reason, answer: answer))
    }
}
