import BrigadeSync
import Synchronization
import Brigade
import Logging

/// The NDJSON protocol of `brigade run --json` (docs/protocol.md): requests in, events out.
///
/// Runs go on at once, up to `maxConcurrentRuns` (later ones wait for a free slot, in no promised
/// order); runs of one session go one after the other, in the order they arrived. Every accepted run
/// ends with exactly one `finished` event. Lines that cannot be accepted give an `error` event and
/// the server goes on. At end of input, the runs in flight finish and `serve` returns.
///
/// Every run goes through one ``Agent``: the tool-call scheduler (`max_parallel_calls`, each tool's
/// `max_concurrency`, "always" approvals) is shared by all the runs of the process.
struct ProtocolServer: Sendable {
    let workspace: Workspace
    let agent: Agent
    /// `--mode`; `nil` takes the workspace's default.
    let defaultMode: RoutingMode?
    let maxConcurrentRuns: Int
    let logger: Logger
    let output: ProtocolOutput
    let broker: ApprovalBroker
    let slots: AsyncSemaphore
    let table: RunTable

    init(
        workspace: Workspace, defaultMode: RoutingMode?, maxConcurrentRuns: Int, store: RunStore? = nil, logger: Logger,
        output: ProtocolOutput = ProtocolOutput()
    ) {
        self.workspace = workspace
        self.agent = workspace.makeAgent(routing: defaultMode, store: store, traceExporter: TraceExport.exporter(for: workspace), logger: logger)
        self.table = RunTable(makeSession: { [workspace] in workspace.makeSession() }, makeSessionBudget: { [workspace] in workspace.makeSessionBudget() })
        self.defaultMode = defaultMode
        self.maxConcurrentRuns = max(1, maxConcurrentRuns)
        self.logger = logger
        self.output = output
        self.broker = ApprovalBroker(output: output)
        self.slots = AsyncSemaphore(permits: max(1, maxConcurrentRuns))
    }

    /// Serves `lines` until they end (or the task is cancelled), then waits for the runs in flight.
    func serve(_ lines: AsyncStream<InputLine>) async {
        emitReady()
        await withDiscardingTaskGroup { group in
            for await line in lines {
                switch line {
                case .tooLong(let bytes, let number):
                    output.emit(ProtocolFailure("line_too_long", "the line has \(bytes) bytes; the limit is \(RunCommand.maxLineBytes)"), line: number)
                case .text(let text, let number):
                    if text.allSatisfy(\.isWhitespace) { continue }
                    handle(text, line: number, group: &group)
                }
            }
            // No answer can come any more: deny what waits for one, so every run can end.
            broker.close()
        }
    }

    private func handle(_ text: String, line: Int, group: inout DiscardingTaskGroup) {
        switch ProtocolRequest.parse(text) {
        case .failure(let failure):
            output.emit(failure, line: line)
        case .success(.run(let request)):
            var parent: RunTracker?
            if let parentRunID = request.parentRunID {
                parent = table.run(withRunID: parentRunID)
                guard parent != nil else {
                    output.emit(ProtocolFailure("unknown_parent", "no run with run_id \"\(parentRunID)\" is in flight", id: request.id), line: line)
                    return
                }
            }
            let tracker = RunTracker(id: request.id, parentRunID: request.parentRunID, parent: parent)
            guard let place = table.admit(tracker, session: request.session) else {
                output.emit(ProtocolFailure("duplicate_id", "a run with id \(request.id.jsonString) is still in flight", id: request.id), line: line)
                return
            }
            group.addTask { await execute(tracker: tracker, place: place) { await perform(request, tracker: tracker, place: place) } }
        case .success(.approval(let requestID, let decision)):
            if !broker.answer(requestID, with: decision) {
                output.emit(ProtocolFailure("unknown_request_id", "no approval request \"\(requestID)\" is waiting (unknown, already answered, or its run ended)"), line: line)
            }
        case .success(.cancel(let id)):
            guard let tracker = table.run(id) else {
                output.emit(ProtocolFailure("unknown_id", "no run with id \(id.jsonString) is in flight", id: id), line: line)
                return
            }
            tracker.cancellation.fire()
        case .success(.resume(let request)):
            admitResume(request, line: line, group: &group)
        }
    }

    /// Runs one request (`body`) until it finishes or a `cancel` for it arrives, then lets its session's next run go.
    func execute(tracker: RunTracker, place: RunTable.Place, _ body: @escaping @Sendable () async -> Void) async {
        await withTaskGroup(of: Void.self) { race in
            race.addTask { await tracker.cancellation.wait() }
            race.addTask { await body() }
            await race.next()
            race.cancelAll()
        }
        // The session's next run starts only when every earlier run of it has ended.
        await place.previous?.waitIgnoringCancellation()
        place.done.fire()
    }

    private func perform(_ request: RunRequest, tracker: RunTracker, place: RunTable.Place) async {
        await place.previous?.wait()
        guard await acquireSlot(for: tracker) else { return }
        defer { slots.release() }

        var built = RunOptions(
            limits: request.limits.applied(to: agent.configuration.limits),
            routing: request.mode,
            approval: request.deferApproval ? PauseApprovalPolicy() : broker.policy(for: tracker),
            session: place.session,
            // A child run spends from its parent run's budget (which spends from the parent's session's).
            parentBudget: tracker.parent?.ledger ?? place.budget,
            runID: tracker.runID,
            parentRunID: tracker.parentRunID,
            source: "protocol"
        )
        built.outputSchema = request.outputSchema
        built.budgetOpened = { [tracker] ledger in tracker.ledger = ledger }
        let options = built
        do throws(InvalidRunOptions) {
            _ = try await agent.run(request.prompt, options: options) { event in forward(event, of: tracker) }
        } catch {
            // The request's limits were checked when it was parsed; this is a last guard.
            finish(tracker, with: .finished(RunResult(answer: "", stopReason: .error(error.description))))
        }
    }

    /// Takes one of the `--max-concurrent-runs` slots (release it when done); `false`, after writing
    /// the run's `finished` event, when the run was cancelled first.
    func acquireSlot(for tracker: RunTracker) async -> Bool {
        var acquired = false
        if !Task.isCancelled {
            do {
                try await slots.acquire()
                acquired = true
            } catch {}
        }
        guard acquired, !Task.isCancelled else {
            if acquired { slots.release() }
            finish(tracker, with: .finished(RunResult(answer: "", stopReason: .cancelled)))
            return false
        }
        return true
    }

    /// Writes one event of a run; its `finished` event ends the run in the table.
    func forward(_ event: AgentEvent, of tracker: RunTracker) {
        if case .finished = event {
            finish(tracker, with: event)
            return
        }
        output.emit(event, run: tracker)
        if case .toolCallQueued(let info) = event { tracker.markQueuedWritten(info.id) }
    }

    /// Writes a run's `finished` event — after taking the run out of the table, so that a client
    /// reacting to `finished` may reuse the id at once.
    func finish(_ tracker: RunTracker, with event: AgentEvent) {
        table.remove(tracker)
        output.emit(event, run: tracker)
    }

    private func emitReady() {
        output.emit("ready", [
            ("tools", .array(workspace.registry.names.map { .string($0) })),
            ("routing", .string((defaultMode ?? workspace.defaultRouting).rawValue)),
            ("model", workspace.model.map { .string($0.displayName) } ?? .null),
            ("model_unavailable_reason", workspace.modelUnavailableReason.map { .string($0) } ?? .null),
            ("max_concurrent_runs", .integer(maxConcurrentRuns)),
        ])
    }
}

/// The runs in flight by id, and the sessions by name with the last run queued on each.
final class RunTable: Sendable {
    /// Where a run stands: its session, the run of that session before it, and the signal it fires when done.
    struct Place: Sendable {
        var session: AgentSession?
        /// The session's `budget.session_*` ledger, shared by its runs.
        var budget: BudgetLedger?
        var previous: OneShotSignal?
        var done: OneShotSignal
    }

    private struct State {
        var runs: [String: RunTracker] = [:]
        var sessions: [String: AgentSession] = [:]
        var budgets: [String: BudgetLedger] = [:]
        var lastRunOfSession: [String: OneShotSignal] = [:]
    }

    private let state = Mutex(State())
    private let makeSession: @Sendable () -> AgentSession
    private let makeSessionBudget: @Sendable () -> BudgetLedger?

    /// - Parameters:
    ///   - makeSession: a new session, with config.yaml's bound on its conversation.
    ///   - makeSessionBudget: a new session's ledger over config.yaml's session caps, or `nil`.
    init(makeSession: @escaping @Sendable () -> AgentSession = { AgentSession() }, makeSessionBudget: @escaping @Sendable () -> BudgetLedger? = { nil }) {
        self.makeSession = makeSession
        self.makeSessionBudget = makeSessionBudget
    }

    /// Registers a run; `nil` when a run with the same id is in flight.
    func admit(_ tracker: RunTracker, session name: String?) -> Place? {
        state.withLock { state in
            guard state.runs[tracker.key] == nil else { return nil }
            state.runs[tracker.key] = tracker
            let done = OneShotSignal()
            guard let name else { return Place(session: nil, budget: nil, previous: nil, done: done) }
            let session = state.sessions[name] ?? makeSession()
            state.sessions[name] = session
            if state.budgets[name] == nil, let budget = makeSessionBudget() {
                state.budgets[name] = budget
            }
            let previous = state.lastRunOfSession[name]
            state.lastRunOfSession[name] = done
            return Place(session: session, budget: state.budgets[name], previous: previous, done: done)
        }
    }

    /// Whether a run with Brigade's id `runID` is in flight.
    func isInFlight(_ runID: RunID) -> Bool {
        run(withRunID: runID) != nil
    }

    /// The run in flight with Brigade's id `runID`.
    func run(withRunID runID: RunID) -> RunTracker? {
        state.withLock { $0.runs.values.first { $0.runID == runID } }
    }

    func run(_ id: JSONValue) -> RunTracker? {
        state.withLock { $0.runs[id.jsonString] }
    }

    func remove(_ tracker: RunTracker) {
        state.withLock { state in
            if state.runs[tracker.key] === tracker { state.runs[tracker.key] = nil }
        }
    }
}
