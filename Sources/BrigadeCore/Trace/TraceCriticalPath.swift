#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Marks what a run waited for: walking back from the child that ended last, each step takes the
/// child that ended last before the current one started (the model call before a fan-out, the
/// previous turn), and descends into each — so in a fan-out only the call the join waited for (the
/// slowest) is marked, and inside a sub-agent, its own critical path.
enum TraceCriticalPath {
    static func mark(_ spans: inout [TraceSpan], now: Date) {
        guard !spans.isEmpty else { return }
        var children: [String: [Int]] = [:]
        for (position, span) in spans.enumerated() where span.kind != .budget {
            if let parent = span.parentID { children[parent, default: []].append(position) }
        }
        var pending = [0]
        while let position = pending.popLast() {
            spans[position].isCritical = true
            let kids = children[spans[position].id] ?? []
            func end(_ i: Int) -> Date { spans[i].end ?? now }
            guard var current = kids.max(by: { (end($0), $0) < (end($1), $1) }) else { continue }
            pending.append(current)
            while let previous = kids.filter({ end($0) <= spans[current].start && $0 != current })
                .max(by: { (end($0), $0) < (end($1), $1) }) {
                // Only strictly earlier spans: a sibling starting at the same instant is parallel.
                guard spans[previous].start < spans[current].start else { break }
                pending.append(previous)
                current = previous
            }
        }
    }
}
