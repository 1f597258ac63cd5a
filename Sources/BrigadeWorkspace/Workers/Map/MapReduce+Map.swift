import BrigadeCore
import BrigadeSync

extension MapReduce {
    /// Every chunk's result, in chunk order: reused from the results file when an earlier run
    /// finished it with the same fingerprint, else from a worker (saved as soon as it finishes);
    /// and why some could not be saved, if so (``MapResultsFile/failure``).
    func map(
        _ chunks: [MapChunk], ledger: BudgetLedger, onProgress: @escaping @Sendable (MapProgress) -> Void
    ) async throws(MapError) -> (results: [MapResult], unsaved: String?) {
        let earlier = configuration.resultsPath.map { MapResultsFile.finished(at: $0) } ?? [:]
        let file = try configuration.resultsPath.map { path throws(MapError) in try MapResultsFile(path: path) }
        defer { file?.close() }
        var results = [MapResult?](repeating: nil, count: chunks.count)
        var pending: [Int] = []
        for (index, chunk) in chunks.enumerated() {
            let print = fingerprint(for: chunk)
            if let done = earlier[chunk.id], done.status == .ok, done.fingerprint == print { results[index] = done } else { pending.append(index) }
        }
        let reused = chunks.count - pending.count
        let counts = LockedState((done: reused, failed: 0))
        let slots = AsyncSemaphore(permits: configuration.concurrency)
        await withTaskGroup(of: (Int, MapResult?).self) { group in
            for index in pending {
                group.addTask {
                    let result = try? await slots.withPermit { await self.work(on: chunks[index], ledger: ledger) }
                    guard let result else { return (index, nil) }  // cancelled before it ran
                    file?.append(result)
                    let (done, failed) = counts.withLock { counts in
                        if result.status == .ok { counts.done += 1 } else { counts.failed += 1 }
                        return (counts.done, counts.failed)
                    }
                    onProgress(MapProgress(phase: .map, done: done, failed: failed, total: chunks.count, reused: reused, costUSD: ledger.budget.costUSD))
                    return (index, result)
                }
            }
            for await (index, result) in group { results[index] = result }
        }
        let all = zip(chunks, results).map { chunk, result in
            result ?? MapResult(chunkID: chunk.id, position: chunk.position, status: .failed, output: "", error: "cancelled before it ran", fingerprint: fingerprint(for: chunk))
        }
        return (all, file?.failure)
    }

    func fingerprint(for chunk: MapChunk) -> String {
        mapFingerprint([configuration.mapPrompt, configuration.brief, configuration.outputSchema?.jsonString ?? "", chunk.source, chunk.text])
    }

    /// The worker's request: the brief, then the chunk with its position, then the output shape.
    func request(for chunk: MapChunk) -> String {
        var text = "# Brief\n\(configuration.brief)\n\n# Chunk \(chunk.id) — \(chunk.source) lines \(chunk.startLine)-\(chunk.endLine)\n\(chunk.text)\n"
        if let schema = configuration.outputSchema {
            text += "\n# Answer\nAnswer with JSON only (no prose, no code fence), matching this JSON Schema:\n\(schema.jsonString)\n"
        }
        return text
    }

    /// One chunk: the worker's answer, checked against the output schema with one retry.
    func work(on chunk: MapChunk, ledger: BudgetLedger) async -> MapResult {
        let print = fingerprint(for: chunk)
        func failed(_ error: String) -> MapResult {
            MapResult(chunkID: chunk.id, position: chunk.position, status: .failed, output: "", error: error, fingerprint: print)
        }
        let request = request(for: chunk)
        var answer: String
        switch await ask(request, system: configuration.mapPrompt, ledger: ledger) {
        case .success(let text): answer = text
        case .failure(let error): return failed(error.message)
        }
        guard let schema = configuration.outputSchema else {
            return MapResult(chunkID: chunk.id, position: chunk.position, status: .ok, output: answer, fingerprint: print)
        }
        var problem = Self.check(answer, against: schema)
        if let first = problem {
            let retry = request + "\nYour previous answer was:\n\(answer)\nIt is not valid: \(first). Answer again with JSON only, matching the schema.\n"
            switch await ask(retry, system: configuration.mapPrompt, ledger: ledger) {
            case .success(let text): answer = text
            case .failure(let error): return failed("the answer did not match the schema (\(first)); the retry failed: \(error.message)")
            }
            problem = Self.check(answer, against: schema)
            if let second = problem { return failed("the answer did not match the schema after a retry: \(second)") }
        }
        let value = Self.json(in: answer)
        return MapResult(chunkID: chunk.id, position: chunk.position, status: .ok, output: value?.jsonString ?? answer, fingerprint: print)
    }

    /// `nil` when `answer` holds JSON matching `schema`; else what is wrong.
    static func check(_ answer: String, against schema: JSONValue) -> String? {
        guard let value = json(in: answer) else { return "it is not JSON" }
        let violations = JSONSchemaValidator.validate(value, against: schema)
        return violations.isEmpty ? nil : violations.prefix(3).map(\.description).joined(separator: "; ")
    }

    /// The JSON value of an answer, tolerating a code fence or text around one object or array.
    static func json(in answer: String) -> JSONValue? {
        let trimmed = answer.trimmingWhitespaceAndNewlines()
        if let value = try? JSONValue(parsing: trimmed) { return value }
        guard let open = trimmed.firstIndex(where: { $0 == "{" || $0 == "[" }),
            let close = trimmed.lastIndex(where: { $0 == "}" || $0 == "]" }), open < close
        else { return nil }
        return try? JSONValue(parsing: String(trimmed[open...close]))
    }
}
