/// What ``BatchMerge/merge(_:into:input:)`` found and wrote.
package struct BatchMergeReport: Sendable, Hashable, CustomStringConvertible {
    /// Lines written to the merged file (one per id).
    public var written: Int
    public var ok: Int
    public var failed: Int
    public var skipped: Int
    /// Ids found more than once across (or within) the shard files, with `file:line` of each. The
    /// merged file keeps one line per id: the best status (ok, then failed, then skipped), first found.
    public var duplicates: [BatchDuplicateID]
    /// Ids of the input that no shard file holds, in input order (empty without an input).
    public var missing: [BatchItemID]
    /// Ids the shard files hold that the input does not (empty without an input).
    public var unexpected: [BatchItemID]
    /// Torn last lines of shard files, left out of the merge (the shard files are not changed).
    public var tornLines: [BatchRepair]

    /// `true` when every input item has exactly one line and nothing was torn.
    public var isClean: Bool { duplicates.isEmpty && missing.isEmpty && unexpected.isEmpty && tornLines.isEmpty }

    public var description: String {
        var lines = ["merged \(written) results: \(ok) ok, \(failed) failed, \(skipped) skipped"]
        func list(_ ids: [BatchItemID]) -> String {
            ids.prefix(20).map(\.description).joined(separator: ", ") + (ids.count > 20 ? ", … (\(ids.count - 20) more)" : "")
        }
        if !duplicates.isEmpty {
            lines.append("\(duplicates.count) duplicated id\(duplicates.count == 1 ? "" : "s"):")
            lines += duplicates.prefix(20).map { "  \($0)" }
            if duplicates.count > 20 { lines.append("  … (\(duplicates.count - 20) more)") }
        }
        if !missing.isEmpty { lines.append("\(missing.count) missing id\(missing.count == 1 ? "" : "s"): \(list(missing))") }
        if !unexpected.isEmpty { lines.append("\(unexpected.count) id\(unexpected.count == 1 ? "" : "s") not in the input: \(list(unexpected))") }
        lines += tornLines.map { "left out a torn last line \($0.line) of \($0.path) (\($0.reason))" }
        return lines.joined(separator: "\n")
    }
}

/// Merges the results files of the shards of a batch into one.
package enum BatchMerge {
    /// Reads every shard's results file, keeps one line per id, and writes them to `outputPath`
    /// atomically (a temporary file renamed into place). Lines are copied byte for byte.
    ///
    /// - Parameters:
    ///   - shardPaths: The shards' results files.
    ///   - outputPath: The merged file; replaced if it exists (it may be one of the shard files).
    ///   - input: The batch input, to report missing and unexpected ids and to order the output as
    ///     the input; without it, lines keep the order of the files.
    /// - Returns: What was merged, with duplicates, missing ids and torn lines. These are reported, not thrown.
    /// - Throws: ``BatchError`` with code `io` (a file cannot be read or written), `corruptResults` (a
    ///   line other than a torn last one is not a result), or `invalidOption` (no shard files).
    public static func merge(_ shardPaths: [String], into outputPath: String, input: BatchInput? = nil) throws(BatchError) -> BatchMergeReport {
        guard !shardPaths.isEmpty else { throw BatchError(.invalidOption, "merge needs at least one shard results file") }
        var best: [BatchItemID: (record: BatchRecord, bytes: ArraySlice<UInt8>)] = [:]
        var locations: [BatchItemID: [String]] = [:]
        var order: [BatchItemID] = []
        var torn: [BatchRepair] = []
        for path in shardPaths {
            guard let bytes = try BatchFile.readFile(path) else { throw BatchError(.io, "cannot read \(path): no such file", path: path) }
            let scan = try BatchResultsScan(bytes, path: path)
            if let cut = scan.torn {
                torn.append(BatchRepair(path: path, line: cut.line, removedBytes: bytes.count - scan.goodLength, reason: cut.reason))
            }
            for line in scan.lines {
                let id = line.record.id
                locations[id, default: []].append("\(path):\(line.number)")
                if let kept = best[id] {
                    if rank(line.record.status) < rank(kept.record.status) { best[id] = (line.record, line.bytes) }
                } else {
                    best[id] = (line.record, line.bytes)
                    order.append(id)
                }
            }
        }
        var report = BatchMergeReport(written: 0, ok: 0, failed: 0, skipped: 0, duplicates: [], missing: [], unexpected: [], tornLines: torn)
        report.duplicates = order.compactMap { id in
            guard let at = locations[id], at.count > 1 else { return nil }
            return BatchDuplicateID(id: id, locations: at)
        }
        if let input {
            let inputIDs = input.entries.map(\.id)
            let known = Set(inputIDs)
            report.missing = inputIDs.filter { best[$0] == nil }
            report.unexpected = order.filter { !known.contains($0) }
            order = inputIDs.filter { best[$0] != nil } + report.unexpected
        }
        var output: [UInt8] = []
        for id in order {
            guard let kept = best[id] else { continue }
            output.append(contentsOf: kept.bytes)
            report.written += 1
            switch kept.record.status {
            case .ok: report.ok += 1
            case .failed: report.failed += 1
            case .skipped: report.skipped += 1
            }
        }
        try BatchFile.replace(outputPath, with: output)
        return report
    }

    /// Lower is better when one id has several lines.
    static func rank(_ status: BatchItemStatus) -> Int {
        switch status {
        case .ok: 0
        case .failed: 1
        case .skipped: 2
        }
    }
}
