/// A route's variants and join rules inside a run: the calls of a `variants: N` step run N times in
/// the same fan-out, and their results — then the calls under the route's join rules — are joined by
/// ``JoinJudge`` (rules first, a judge child run only when branches disagree). See docs/routes.md.
extension RunLoop {
    /// The tool calls of a route's fan-out: one per call, or one per variant (`route_0_subject_v2`).
    func routeToolCalls(_ route: Route, captures: [String: String]) -> [ToolCall] {
        var calls: [ToolCall] = []
        for (index, routeCall) in route.calls.enumerated() {
            let schema = agent.registry.tool(named: routeCall.tool)?.spec.parameters
            let arguments = RouteArguments.render(routeCall.arguments, captures: captures, schema: schema).jsonString
            let id = "route_\(index)_\(routeCall.label)"
            if routeCall.variants == 1 {
                calls.append(ToolCall(id: id, name: routeCall.tool, rawArguments: arguments))
            } else {
                for variant in 1...routeCall.variants {
                    calls.append(ToolCall(id: "\(id)_v\(variant)", name: routeCall.tool, rawArguments: arguments))
                }
            }
        }
        return calls
    }

    /// This run as the caller of its route's judges: they are child runs of it, like sub-agents,
    /// carved from its ledger, their events nested. `batchSize` judges may run at once.
    func callingRun(batchSize: Int) -> CallingRun {
        let outer = CallingRun.current
        return CallingRun(
            agent: agent, ledger: ledger, runID: runID, approval: settings.approval, emit: emit,
            depth: outer?.depth ?? 0, chain: outer?.chain ?? [], batchSize: max(1, batchSize), model: settings.model)
    }

    /// Why a route's judge cannot be asked in this run (`nil`: it can).
    func routeJudgeUnavailable(isFallback: Bool) -> String? {
        if runModel == nil { return "there is no model to ask" }
        if isFallback { return "not asked: the route answers because the model could not" }
        return nil
    }

    /// One outcome per route call: a call with variants is the join of its variants (their judges run
    /// at once, each with its share of the budget).
    func routeOutcomes(_ route: Route, dispatched: [DispatchedCall], isFallback: Bool) async -> [RouteCallOutcome] {
        var groups: [(index: Int, call: RouteCall, results: [DispatchedCall])] = []
        var position = 0
        for (index, routeCall) in route.calls.enumerated() {
            groups.append((index, routeCall, Array(dispatched[position..<min(dispatched.count, position + routeCall.variants)])))
            position += routeCall.variants
        }
        let judged = groups.filter { $0.call.variants > 1 && $0.call.join?.judge != nil }.count
        let caller = callingRun(batchSize: judged)
        let judgeUnavailable = routeJudgeUnavailable(isFallback: isFallback)
        let prompt = prompt
        return await withTaskGroup(of: (Int, RouteCallOutcome).self) { group in
            for (index, routeCall, results) in groups {
                group.addTask {
                    let outcomes = results.map { RouteCallOutcome(routeCall, $0) }
                    guard routeCall.variants > 1 else { return (index, outcomes.first ?? RouteCallOutcome(label: routeCall.label, tool: routeCall.tool, status: .notRun, output: "not run")) }
                    let branches = outcomes.enumerated().map { offset, outcome in outcome.branch(label: "variant_\(offset + 1)") }
                    // The judge reads what the variants were asked, beside the user's request.
                    let request = prompt + "\n\nEach answer is a run of `\(routeCall.tool)` with \(results.first?.call.rawArguments ?? "{}")."
                    let joined = await JoinJudge.join(
                        branches, policy: routeCall.join ?? JoinPolicy(), request: request, caller: caller, callID: "route_\(index)_\(routeCall.label)",
                        judgeUnavailable: judgeUnavailable)
                    return (index, RouteCallOutcome(joining: outcomes, into: joined, call: routeCall))
                }
            }
            var outcomes: [(Int, RouteCallOutcome)] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    /// The route's join rules over its call outcomes; `nil` when it has none.
    func joinRoute(_ route: Route, outcomes: [RouteCallOutcome], isFallback: Bool) async -> JoinOutcome? {
        guard let rules = route.joinRules else { return nil }
        let branches = rules.branches.compactMap { label in outcomes.first { $0.label == label } }.map { $0.branch(label: $0.label) }
        return await JoinJudge.join(
            branches, policy: rules.policy, request: prompt, caller: callingRun(batchSize: 1), callID: "route_join",
            judgeUnavailable: routeJudgeUnavailable(isFallback: isFallback))
    }
}

extension RouteCallOutcome {
    /// This outcome as a branch of a join: its answer, or why it has none.
    func branch(label: String) -> JoinBranch {
        JoinBranch(label: label, answer: succeeded ? joinOutput : nil, failure: succeeded ? nil : missingReason)
    }

    init(_ routeCall: RouteCall, _ result: DispatchedCall) {
        self.init(
            label: routeCall.label, tool: routeCall.tool, status: Status(result.status), output: result.output,
            duration: result.startedAt == nil ? nil : result.duration)
    }

    /// A call's outcome made of its variants' and their join: the joined answer when one answered,
    /// else the first variant's status with every variant's reason.
    init(joining variants: [RouteCallOutcome], into joined: JoinOutcome, call: RouteCall) {
        let answered = variants.contains { $0.succeeded }
        let reasons = variants.enumerated().map { "variant_\($0.offset + 1): \($0.element.missingReason)" }.joined(separator: "; ")
        self.init(
            label: call.label, tool: call.tool, status: answered ? .ok : variants.first?.status ?? .notRun,
            output: answered ? joined.answer : "all \(variants.count) variants failed (\(reasons))",
            duration: variants.compactMap(\.duration).max())
        self.variants = variants
        self.join = joined
    }
}
