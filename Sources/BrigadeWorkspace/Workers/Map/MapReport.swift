import BrigadeCore

/// The outcome of a map-reduce: the reduced answer, the produced artifact, and what failed.
public struct MapReport: Sendable {
    public var chunks: [MapChunk]
    public var results: [MapResult]
    public var reduction: MapReduction
    /// The artifact of the produce step, if there was one.
    public var produced: String?
    public var usage: TokenUsage
    public var costUSD: Double
    /// Why some map results could not be saved to the results file (a full disk, a quota …), naming
    /// the file and the system's reason; a re-run maps those chunks again. `nil` when all were saved.
    public var unsavedResults: String?

    public var failed: [MapResult] { results.filter { $0.status == .failed } }

    /// The answer, then a summary: chunk counts, every failed chunk with its position and error, the
    /// chunks the reduce could not take in, and the source position of every chunk the answer cites.
    public var text: String {
        var lines = [reduction.answer, "", "---"]
        let ok = results.count - failed.count
        lines.append("Chunks: \(chunks.count) (\(ok) mapped, \(failed.count) failed) · reduce levels: \(reduction.levels)")
        if !failed.isEmpty {
            lines.append("Failed chunks:")
            for result in failed { lines.append("- \(result.chunkID) (\(result.position)): \(result.error ?? "failed")") }
        }
        if !reduction.notReduced.isEmpty {
            lines.append("Not reduced (\(reduction.notReducedReason ?? "failed")): \(reduction.notReduced.joined(separator: ", "))")
        }
        let cited = citedChunks
        if !cited.isEmpty {
            lines.append("Sources:")
            for chunk in cited { lines.append("- \(chunk.id): \(chunk.position)") }
        }
        return lines.joined(separator: "\n")
    }

    /// The chunks whose ids (`c0001`) appear in the answer, in chunk order.
    public var citedChunks: [MapChunk] {
        let answer = reduction.answer
        return chunks.filter { answer.contains($0.id) }
    }
}

/// The produce step: a Mustache template over the report, or a model call given the report.
public enum MapProduce: Sendable {
    /// Rendered with `answer`, `brief`, `chunks` (count), `failed` (`id`, `position`, `error`) and
    /// `sources` (`id`, `position`).
    case template(JoinTemplate)
    /// A system prompt; the worker reads the brief and the report and writes the artifact.
    case prompt(String)
}

extension MapReduce {
    func produce(_ produce: MapProduce, report: MapReport, ledger: BudgetLedger) async -> String {
        switch produce {
        case .template(let template):
            let context: [String: Any] = [
                "answer": report.reduction.answer,
                "brief": configuration.brief,
                "chunks": report.chunks.count,
                "failed": report.failed.map { ["id": $0.chunkID, "position": $0.position, "error": $0.error ?? ""] },
                "sources": report.citedChunks.map { ["id": $0.id, "position": $0.position] },
            ]
            return template.render(context)
        case .prompt(let system):
            switch await ask("# Brief\n\(configuration.brief)\n\n# Report\n\(report.text)\n", system: system, ledger: ledger) {
            case .success(let text): return text
            case .failure(let failure): return "The produce step failed (\(failure.message)); the report follows.\n\n" + report.text
            }
        }
    }
}
