import BrigadeCore
import BrigadeSync

/// What the reduce made of the map results.
public struct MapReduction: Sendable, Hashable {
    /// The reduced answer, or — when the reduce could not finish — what was reduced so far.
    public var answer: String
    /// Reduce levels run (1: one call read every partial).
    public var levels: Int
    /// Chunks whose results are not in the answer because their reduce failed, with why.
    public var notReduced: [String]
    public var notReducedReason: String?
    /// The last reduce call did not finish.
    public var isPartial: Bool
}

extension MapReduce {
    /// Partial results and the chunk ids they stand for.
    struct ReduceItem: Sendable {
        var text: String
        var chunkIDs: [String]
        var tokens: Int { (text.utf8.count + 3) / 4 }
    }

    /// Reduces the successful map results: in one call when they fit ``Configuration/reduceInputTokens``,
    /// else group by group (in parallel), level by level, until they do. A group whose reduce fails
    /// (e.g. the budget ran out) is left out and named; the answer is built from what was reduced.
    func reduce(_ results: [MapResult], chunks: [MapChunk], ledger: BudgetLedger, onProgress: @escaping @Sendable (MapProgress) -> Void) async -> MapReduction {
        var items = results.filter { $0.status == .ok }.map { ReduceItem(text: "[\($0.chunkID) \($0.position)]\n\($0.output)", chunkIDs: [$0.chunkID]) }
        guard !items.isEmpty else {
            return MapReduction(answer: "No chunk was mapped successfully, so there is nothing to reduce.", levels: 0, notReduced: [], isPartial: true)
        }
        let room = max(50, configuration.reduceInputTokens - (configuration.brief.utf8.count + configuration.reducePrompt.utf8.count + 3) / 4)
        var level = 0
        var notReduced: [String] = []
        var reason: String?
        while true {
            level += 1
            let groups = Self.groups(items, room: room)
            if groups.count <= 1 || groups.count == items.count || level > 8 {
                onProgress(MapProgress(phase: .reduce, done: 0, failed: 0, total: 1, reused: 0, costUSD: ledger.budget.costUSD, level: level))
                switch await ask(reduceRequest(items), system: configuration.reducePrompt, ledger: ledger) {
                case .success(let answer):
                    return MapReduction(answer: answer, levels: level, notReduced: notReduced, notReducedReason: reason, isPartial: false)
                case .failure(let failure):
                    let partial = items.map(\.text).joined(separator: "\n\n")
                    return MapReduction(
                        answer: "The last reduce did not finish (\(failure.message)); here is what was reduced so far:\n\n" + partial,
                        levels: level, notReduced: notReduced, notReducedReason: reason ?? failure.message, isPartial: true)
                }
            }
            let currentLevel = level
            let slots = AsyncSemaphore(permits: configuration.concurrency)
            let reducedGroups = await withTaskGroup(of: (Int, ReduceItem?, String?).self) { group in
                for (index, members) in groups.enumerated() {
                    group.addTask {
                        if members.count == 1 { return (index, members[0], nil) }
                        let ids = members.flatMap(\.chunkIDs)
                        let outcome = try? await slots.withPermit { await ask(reduceRequest(members), system: configuration.reducePrompt, ledger: ledger) }
                        switch outcome {
                        case .success(let text)?: return (index, ReduceItem(text: "[level \(currentLevel): \(Self.span(ids))]\n\(text)", chunkIDs: ids), nil)
                        case .failure(let failure)?: return (index, nil, failure.message)
                        case nil: return (index, nil, "cancelled")
                        }
                    }
                }
                var out: [(Int, ReduceItem?, String?)] = []
                for await item in group {
                    out.append(item)
                    onProgress(MapProgress(phase: .reduce, done: out.count, failed: out.filter { $0.1 == nil }.count, total: groups.count, reused: 0, costUSD: ledger.budget.costUSD, level: currentLevel))
                }
                return out.sorted { $0.0 < $1.0 }
            }
            var next: [ReduceItem] = []
            for (index, item, failure) in reducedGroups {
                if let item { next.append(item) } else {
                    notReduced += groups[index].flatMap(\.chunkIDs)
                    reason = reason ?? failure
                }
            }
            guard !next.isEmpty else {
                return MapReduction(answer: "No reduce call finished (\(reason ?? "unknown")).", levels: level, notReduced: notReduced, notReducedReason: reason, isPartial: true)
            }
            items = next
        }
    }

    func reduceRequest(_ items: [ReduceItem]) -> String {
        "# Brief\n\(configuration.brief)\n\n# Partial results\n" + items.map(\.text).joined(separator: "\n\n") + "\n"
    }

    /// Items packed in order into groups of at most `room` tokens (an item alone may exceed it).
    static func groups(_ items: [ReduceItem], room: Int) -> [[ReduceItem]] {
        var groups: [[ReduceItem]] = []
        var current: [ReduceItem] = []
        var tokens = 0
        for item in items {
            if !current.isEmpty, tokens + item.tokens > room {
                groups.append(current)
                current = []
                tokens = 0
            }
            current.append(item)
            tokens += item.tokens
        }
        if !current.isEmpty { groups.append(current) }
        return groups
    }

    /// `c0001…c0040` or `c0003, c0007` for a few.
    static func span(_ ids: [String]) -> String {
        ids.count <= 3 ? ids.joined(separator: ", ") : "\(ids.first!)…\(ids.last!) (\(ids.count) chunks)"
    }
}
