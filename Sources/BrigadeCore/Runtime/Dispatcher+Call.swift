import BrigadeSync
/// How the work of one admitted call ended.
private struct CallEnd: Sendable {
    var status: ToolCallStatus
    var output: String
    var refusedBy: Budget.Limit? = nil
    /// The executor cut the output to the cap itself (see ``ToolOutput/isCapped``).
    var isCapped = false
    /// When the executor was started; `nil` for a call that never started.
    var startedAt: ContinuousClock.Instant? = nil
}

extension Dispatcher {
    /// Runs one admitted call: approval, slots, then the executor under its timeout — all of it bounded
    /// by the batch's deadline.
    func run(
        _ prepared: PreparedCall,
        queuedAt: ContinuousClock.Instant,
        deadline: ContinuousClock.Instant?,
        budget: BudgetLedger?,
        approval: any ApprovalPolicy,
        onEvent: @escaping @Sendable (AgentEvent) -> Void
    ) async -> DispatchedCall {
        let clock = configuration.clock
        let outcome: TimeLimitOutcome<CallEnd>
        let started: ContinuousClock.Instant?
        if deadline == nil {
            // No batch deadline: the call's own timeout (in `invoke`) is the only limit, and the
            // start time comes back with the call's end.
            let end = await work(prepared, startedAt: nil, deadline: nil, budget: budget, approval: approval, onEvent: onEvent)
            outcome = .finished(end)
            started = end.startedAt
        } else {
            // The work may be cut off at the deadline: its start time is kept where this task sees it.
            let startedAt = LockedState<ContinuousClock.Instant?>(nil)
            outcome = await withTimeLimit(deadline, clock: clock) {
                await self.work(prepared, startedAt: startedAt, deadline: deadline, budget: budget, approval: approval, onEvent: onEvent)
            }
            started = startedAt.value
        }
        let end: CallEnd
        switch outcome {
        case .finished(let finished):
            end = finished
        case .deadlinePassed:
            if let started {
                end = CallEnd(status: .timeout, output: "timed out after \((clock.now - started).plainSecondsText) s: the run's time budget ran out")
            } else {
                end = CallEnd(status: .notRun, output: "not run: the run's time budget ran out while the call waited to start", refusedBy: .wallTime)
            }
        }
        let maxBytes = prepared.tool.spec.policy.maxOutputBytes ?? configuration.defaultMaxOutputBytes
        let cut = (end.status == .ok || end.status == .error) && !end.isCapped
        let output = cut ? Preview.truncated(end.output, maxBytes: maxBytes) : end.output
        return finished(prepared.call, end.status, output, queuedAt: queuedAt, startedAt: started, refusedBy: end.refusedBy, onEvent: onEvent)
    }

    private func work(
        _ prepared: PreparedCall,
        startedAt: LockedState<ContinuousClock.Instant?>?,
        deadline: ContinuousClock.Instant?,
        budget: BudgetLedger?,
        approval: any ApprovalPolicy,
        onEvent: @escaping @Sendable (AgentEvent) -> Void
    ) async -> CallEnd {
        let policy = prepared.tool.spec.policy
        if policy.confirm {
            let verdict = await approve(prepared, policy: approval)
            if Task.isCancelled { return CallEnd(status: .cancelled, output: "cancelled before it ran") }
            switch verdict {
            case .approved:
                break
            case .denied:
                budget?.refundToolCall(costUSD: policy.costUSD)
                return CallEnd(status: .denied, output: "denied: tool \(prepared.tool.name) needs approval")
            case .paused:
                budget?.refundToolCall(costUSD: policy.costUSD)
                return CallEnd(status: .awaitingApproval, output: "awaiting approval: tool \(prepared.tool.name) needs a decision")
            }
        }
        do {
            return try await withSlots(for: prepared.tool) {
                let start = self.configuration.clock.now
                // A slot freed by a call cancelled at the deadline must not start another call.
                if let deadline, start >= deadline {
                    return CallEnd(status: .notRun, output: "not run: the run's time budget ran out while the call waited to start", refusedBy: .wallTime)
                }
                if Task.isCancelled { return CallEnd(status: .cancelled, output: "cancelled before it ran") }
                startedAt?.withLock { $0 = start }
                onEvent(.toolCallStarted(ToolCallInfo(prepared.call)))
                var end = await self.invoke(prepared, deadline: deadline)
                end.startedAt = start
                return end
            }
        } catch {
            return CallEnd(status: .cancelled, output: "cancelled before it ran")
        }
    }

    /// The executor, raced against the call's timeout (retries of idempotent tools happen inside their
    /// executor — `RetryingExecutor` — within this one timeout).
    private func invoke(_ prepared: PreparedCall, deadline: ContinuousClock.Instant?) async -> CallEnd {
        let timeout = prepared.tool.spec.policy.timeout ?? configuration.defaultTimeout
        let executor = prepared.tool.executor
        let arguments = prepared.arguments
        let context = ToolContext(callID: prepared.call.id)
        let clock = configuration.clock
        // What the call needs first (an MCP server's start) has its own limit, not the call's timeout.
        if deadline == nil {
            await executor.prepareCall()
        } else {
            _ = await withTimeLimit(deadline, clock: clock) { await executor.prepareCall() }
        }
        let start = clock.now
        let callDeadline = start + timeout
        // This task runs this one call only (see `dispatch`): the timeout cancels it rather than a
        // child task made for the race.
        let limit = Self.earliest(callDeadline, deadline) ?? callDeadline
        let outcome = await withTimeLimitCancellingCallingTask(limit, clock: clock) { () async -> Result<ToolOutput, any Error> in
            do {
                return .success(try await executor.call(arguments, context: context))
            } catch {
                return .failure(error)
            }
        }
        switch outcome {
        case .finished where Task.isCancelled:
            return CallEnd(status: .cancelled, output: "cancelled")
        case .finished(.success(let output)):
            return CallEnd(status: output.isError ? .error : .ok, output: output.text, isCapped: output.isCapped)
        case .finished(.failure(let error)):
            return CallEnd(status: .error, output: "error: \(error)")
        case .deadlinePassed:
            if let deadline, deadline <= callDeadline {
                return CallEnd(status: .timeout, output: "timed out after \((clock.now - start).plainSecondsText) s: the run's time budget ran out")
            }
            return CallEnd(status: .timeout, output: "timed out after \(timeout.plainSecondsText) s")
        }
    }

    /// Asks the approval policy, one request at a time, remembering "always" per tool.
    private enum ApprovalVerdict: Sendable { case approved, denied, paused }

    private func approve(_ prepared: PreparedCall, policy: any ApprovalPolicy) async -> ApprovalVerdict {
        let name = prepared.tool.name
        if alwaysApproved.withLock({ $0.contains(name) }) { return .approved }
        do {
            return try await approvalGate.withPermit {
                if alwaysApproved.withLock({ $0.contains(name) }) { return .approved }
                let request = ApprovalRequest(call: prepared.call, spec: prepared.tool.spec, arguments: prepared.arguments)
                switch await policy.decide(request) {
                case .approve:
                    return .approved
                case .deny:
                    return .denied
                case .approveAlways:
                    alwaysApproved.withLock { _ = $0.insert(name) }
                    return .approved
                case .pause:
                    return .paused
                }
            }
        } catch {
            return .denied
        }
    }

    /// Runs `body` holding a slot of the tool or its ``ToolPolicy/concurrencyGroup`` (when it limits its
    /// concurrency) and a global slot —
    /// always in that order, so waiting for a global slot never holds another tool's slot.
    /// - Throws: `CancellationError` when cancelled while waiting.
    private func withSlots<T>(for tool: Tool, _ body: () async -> T) async throws -> T {
        let key = tool.spec.policy.concurrencyGroup ?? tool.name
        let toolSlots: AsyncSemaphore? = tool.spec.policy.maxConcurrency.map { limit in
            self.toolSlots.withLock { slots in
                if let existing = slots[key] { return existing }
                let created = AsyncSemaphore(permits: limit)
                slots[key] = created
                return created
            }
        }
        let global = tool.spec.policy.holdsParallelSlot ? parallelSlots : nil
        if let toolSlots {
            return try await toolSlots.withPermit {
                try await Self.withPermit(of: global, body)
            }
        }
        return try await Self.withPermit(of: global, body)
    }

    private static func withPermit<T>(of semaphore: AsyncSemaphore?, _ body: () async -> T) async throws -> T {
        guard let semaphore else { return await body() }
        return try await semaphore.withPermit { await body() }
    }
}
