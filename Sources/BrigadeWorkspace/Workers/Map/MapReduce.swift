import BrigadeCore
import BrigadeSync

/// Map-reduce-produce over long input: the sources are cut into chunks (``MapChunker``), a map
/// prompt runs on every chunk in parallel (at most ``Configuration/concurrency`` at once) with the
/// global brief beside each chunk, the partial results are reduced — hierarchically when they do not
/// fit one call — into one report that keeps the chunk ids (and so the source positions) of its
/// findings, and an optional produce step renders an artifact. Every worker is a child run of the
/// agent with a budget carved from the map's. See docs/workers.md.
///
/// ```swift
/// var configuration = MapReduce.Configuration(brief: "List every obligation of the tenant.")
/// configuration.resultsPath = "report.md.map.jsonl"   // resumable
/// let report = try await MapReduce(agent: agent, configuration: configuration).run(sources)
/// print(report.text)
/// ```
public struct MapReduce: Sendable {
    public struct Configuration: Sendable {
        /// The goal, shared definitions, what to extract and in which shape: sent beside every chunk.
        public var brief: String
        /// The map worker's system prompt.
        public var mapPrompt: String
        /// The reduce worker's system prompt.
        public var reducePrompt: String
        /// A JSON Schema each map answer must match (checked; one retry with the violations).
        public var outputSchema: JSONValue?
        public var chunker: MapChunker
        /// Map (and reduce) workers at once. Default 16.
        public var concurrency: Int
        /// The most a reduce call may read (partials + brief, bytes / 4); more partials are reduced in
        /// groups first, level by level. Default 6000.
        public var reduceInputTokens: Int
        /// The model's context in tokens, if known: a chunk that cannot fit with the brief is refused
        /// before anything runs.
        public var contextTokens: Int?
        /// Renders the artifact from the report; `nil`: no produce step.
        public var produce: MapProduce?
        /// Where map results are saved as they finish (JSON lines); a re-run skips the chunks done.
        public var resultsPath: String?
        /// The whole map-reduce's budget (`nil`: no cap of its own; a parent budget still applies).
        public var limits: Budget.Limits
        /// The run the workers' runs name as their parent when no calling run does (`brigade map`
        /// records one for the whole job); `nil`: none.
        public var parentRunID: RunID?

        public static let defaultMapPrompt = """
            You read one chunk of a longer input. Do what the brief asks, for this chunk only, using only its text. \
            If the chunk has nothing the brief asks for, say "nothing relevant".
            """
        public static let defaultReducePrompt = """
            You merge partial results, each headed by the chunk ids it came from in brackets (e.g. [c0003]). Merge, \
            deduplicate and group them into one answer to the brief. After each finding, keep the chunk ids that \
            support it in brackets. Do not invent findings.
            """

        public init(
            brief: String,
            mapPrompt: String = Configuration.defaultMapPrompt,
            reducePrompt: String = Configuration.defaultReducePrompt,
            outputSchema: JSONValue? = nil,
            chunker: MapChunker = MapChunker(),
            concurrency: Int = 16,
            reduceInputTokens: Int = 6000,
            contextTokens: Int? = nil,
            produce: MapProduce? = nil,
            resultsPath: String? = nil,
            limits: Budget.Limits = Budget.Limits(maxTurns: nil, maxCallsPerRun: nil, maxCallsPerTurn: nil, synthesisReserve: 0)
        ) {
            self.brief = brief
            self.mapPrompt = mapPrompt
            self.reducePrompt = reducePrompt
            self.outputSchema = outputSchema
            self.chunker = chunker
            self.concurrency = max(1, concurrency)
            self.reduceInputTokens = max(100, reduceInputTokens)
            self.contextTokens = contextTokens
            self.produce = produce
            self.resultsPath = resultsPath
            self.limits = limits
        }
    }

    public let agent: Agent
    public let configuration: Configuration
    /// The run and the tool call (the `map` builtin's) that started this map-reduce: each worker is a
    /// child of that run and its events nest under the call, as a sub-agent's do. `nil`: workers
    /// are runs of their own (`brigade map`, the Swift API).
    var parent: (caller: CallingRun, callID: String)?

    public init(agent: Agent, configuration: Configuration) {
        self.agent = agent
        self.configuration = configuration
    }

    /// Maps, reduces and produces.
    ///
    /// - Parameters:
    ///   - sources: the input (``MapInput`` reads files, folders and stdin).
    ///   - parentBudget: a ledger the map's budget is carved from (a calling run's); `nil`: its own.
    ///   - onProgress: each chunk done or failed, each reduce level, the produce step.
    /// - Returns: the report; failed chunks and what could not be reduced are named in it.
    /// - Throws: ``MapError`` before anything runs: empty input, a chunk too large for the context,
    ///   a results file that cannot be opened. The workers' failures are never thrown.
    public func run(
        _ sources: [MapSource], parentBudget: BudgetLedger? = nil, onProgress: @escaping @Sendable (MapProgress) -> Void = { _ in }
    ) async throws(MapError) -> MapReport {
        let chunks = configuration.chunker.chunks(of: sources)
        guard !chunks.isEmpty else { throw MapError("empty input: nothing to map (\(sources.isEmpty ? "no sources" : "the sources have no text"))") }
        try checkContext(chunks)
        let ledger: BudgetLedger
        switch parentBudget?.openChild(requesting: configuration.limits) {
        case .success(let child)?: ledger = child
        case .failure(let refusal)?: throw MapError("no budget left for the map (\(refusal.limit.stopReason.code))")
        case nil: ledger = BudgetLedger(limits: configuration.limits, pricing: agent.configuration.pricing, clock: agent.configuration.clock)
        }
        defer { ledger.close() }

        let (results, unsaved) = try await map(chunks, ledger: ledger, onProgress: onProgress)
        let reduced = await reduce(results, chunks: chunks, ledger: ledger, onProgress: onProgress)
        var report = MapReport(chunks: chunks, results: results, reduction: reduced, usage: ledger.budget.usage, costUSD: ledger.budget.costUSD)
        report.unsavedResults = unsaved
        if let produce = configuration.produce {
            onProgress(MapProgress(phase: .produce, done: 0, failed: 0, total: 1, reused: 0, costUSD: ledger.budget.costUSD))
            report.produced = await self.produce(produce, report: report, ledger: ledger)
        }
        report.usage = ledger.budget.usage
        report.costUSD = ledger.budget.costUSD
        return report
    }

    private func checkContext(_ chunks: [MapChunk]) throws(MapError) {
        guard let context = configuration.contextTokens, let largest = chunks.max(by: { $0.estimatedTokens < $1.estimatedTokens }) else { return }
        let overhead = (configuration.brief.utf8.count + configuration.mapPrompt.utf8.count + (configuration.outputSchema?.jsonString.utf8.count ?? 0) + 3) / 4
        if largest.estimatedTokens + overhead > context {
            throw MapError(
                "chunk \(largest.id) (\(largest.position)) needs about \(largest.estimatedTokens + overhead) tokens with the brief and prompt, "
                    + "more than the model's context of \(context); use smaller chunks")
        }
    }

    /// One worker: a child run with `system` as its prompt, no tools, two turns, a share of the budget
    /// (recorded with source `map` when the agent has a run store). It holds one tool call of room (it
    /// has no tools, but a model turn needs room for a call): under a capped parent, a worker asking
    /// for all the calls left would hold them and its siblings would be refused. The room is returned unspent.
    func ask(_ request: String, system: String, ledger: BudgetLedger) async -> Result<String, WorkerFailure> {
        let limits = ledger.share(Budget.Limits(maxTurns: 2, maxCallsPerRun: 1, maxCallsPerTurn: nil), ways: configuration.concurrency)
        let workerID = RunID()
        let options = RunOptions(
            limits: limits, routing: .model, systemPrompt: system, tools: [], parentBudget: ledger, runID: workerID,
            parentRunID: parent?.caller.runID ?? configuration.parentRunID, source: "map")
        let parent = parent
        do throws(InvalidRunOptions) {
            let result = try await agent.run(request, options: options) { event in parent?.caller.forward(event, of: workerID, callID: parent?.callID ?? "") }
            if result.stopReason.code == .finished { return .success(result.answer) }
            return .failure(WorkerFailure(message: "\(result.stopReason.code): \(result.stopReason)", stopReason: result.stopReason))
        } catch {
            return .failure(WorkerFailure(message: error.message, stopReason: nil))
        }
    }
}

/// Why a worker gave no answer.
struct WorkerFailure: Error {
    var message: String
    var stopReason: StopReason?
}
