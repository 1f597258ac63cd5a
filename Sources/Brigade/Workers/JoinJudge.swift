/// The judge half of a ``JoinPolicy``: asked only when the branches disagree, as a child run of the
/// calling run (its budget carved from the caller's, its events nested); when it fails — no answer,
/// not the JSON asked for, a winner that is no branch — the rules decide and the outcome says so.
enum JoinJudge {
    struct Verdict {
        var winner: String
        var reason: String
        var answer: String?
    }

    static func join(_ branches: [JoinBranch], policy: JoinPolicy, request: String, caller: CallingRun, callID: String) async -> JoinOutcome {
        let successful = branches.filter { $0.answer != nil }
        let failed = branches.filter { $0.answer == nil }
        if let first = successful.first, !JoinRules.disagree(branches, policy: policy) {
            let reason = successful.count == 1 ? "the only branch that answered" : "all \(successful.count) branches agreed"
            return JoinOutcome(answer: first.answer ?? "", winner: successful.count == 1 ? first.label : nil, reason: reason, judged: false, failed: failed)
        }
        guard policy.judge != nil, successful.count > 1 else { return JoinRules.merge(branches, policy: policy) }
        switch await ask(successful, policy: policy, request: request, caller: caller, callID: callID) {
        case .success(let verdict):
            let winning = successful.first { $0.label == verdict.winner }?.answer ?? ""
            return JoinOutcome(answer: verdict.answer ?? winning, winner: verdict.winner, reason: verdict.reason, judged: true, failed: failed)
        case .failure(let failure):
            var outcome = JoinRules.merge(branches, policy: policy)
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
        let judgeID = RunID()
        let options = RunOptions(
            limits: Budget.Limits(maxTurns: 2, maxCallsPerRun: nil), routing: .model, approval: caller.approval,
            systemPrompt: policy.judgeText, tools: [], parentBudget: caller.ledger, runID: judgeID, parentRunID: caller.runID)
        let result: RunResult
        do throws(InvalidRunOptions) {
            result = try await caller.agent.run(prompt, options: options) { event in caller.forward(event, of: judgeID, callID: callID) }
        } catch {
            return .failure(Failure(message: error.message))
        }
        guard result.stopReason.code == .finished else { return .failure(Failure(message: "it stopped with \(result.stopReason.code)")) }
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
