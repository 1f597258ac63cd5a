/// A stored run to continue: its conversation at the last checkpoint, what it spent, and how each
/// call of its last turn is settled (``RunStore/claim(_:idempotentTools:)`` decides).
struct ResumePoint: Sendable {
    /// How one call of the interrupted or paused turn gets its result.
    enum Settlement: Sendable, Hashable {
        /// Its result is known (it finished, was denied, or cannot be run again): no call is made.
        case kept(status: ToolCallStatus, output: String)
        /// Run it now: approved, or idempotent and cut off mid-run.
        case run
    }

    var runID: RunID
    var parentRunID: RunID?
    var prompt: String
    var options: JSONValue
    var source: String
    var conversationID: String?
    /// The conversation at the last checkpoint.
    var messages: [ChatMessage]
    var usage: TokenUsage
    var costUSD: Double
    var turns: Int
    var toolCalls: Int
    /// By call id, for the calls of the last assistant message.
    var settlements: [String: Settlement]
    /// Events already stored (the resumed run numbers on from there).
    var eventsRecorded: Int
}

extension RunLoop {
    /// Continues a stored run: settles the calls of its last turn — keeping finished results, running
    /// approved and interrupted idempotent calls, reporting interrupted others — then the loop goes on.
    mutating func continueResumed(_ resume: ResumePoint) async -> LoopEnd {
        messages = resume.messages
        ledger.restore(usage: resume.usage, costUSD: resume.costUSD, turns: resume.turns, toolCalls: resume.toolCalls)
        guard case .assistant(_, let calls)? = messages.last, !calls.isEmpty else { return await loop() }
        let toRun = calls.filter { resume.settlements[$0.id] == .run || resume.settlements[$0.id] == nil }
        // Every call to run now was approved (or was running when the run stopped, so approved then).
        let ran = toRun.isEmpty ? [] : await dispatch(toRun, approval: ApproveAllApprovalPolicy())
        let now = configuration.clock.now
        var settled: [DispatchedCall] = []
        for (position, call) in calls.enumerated() {
            if let done = ran.first(where: { $0.call.id == call.id }) {
                settled.append(done)
            } else if case .kept(let status, let output)? = resume.settlements[call.id] {
                let kept = DispatchedCall(call: call, status: status, output: output, queuedAt: now, startedAt: nil, finishedAt: now)
                recorder?.callFinished(kept, turn: resume.turns, position: position)
                settled.append(kept)
            }
        }
        messages.append(.toolResults(settled.map(\.resultMessage)))
        recorder?.checkpoint(messages: messages, budget: ledger.snapshot())
        emitBudgetUpdate()
        return await loop()
    }
}
