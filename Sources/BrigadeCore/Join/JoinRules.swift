/// The rule half of a ``JoinPolicy``: the disagreement test and the merge without a judge. Pure.
enum JoinRules {
    /// Whether the successful branches disagree under `policy.compare`.
    static func disagree(_ branches: [JoinBranch], policy: JoinPolicy) -> Bool {
        let answers = branches.compactMap(\.answer)
        guard answers.count > 1 else { return false }
        if !policy.compare.isEmpty {
            let objects = answers.map(jsonObject)
            if objects.allSatisfy({ $0 != nil }) {
                let keys = objects.map { object in policy.compare.map { object?[$0]?.jsonString ?? "null" } }
                return Set(keys).count > 1
            }
        }
        return Set(answers.map(normalized)).count > 1
    }

    /// The rules' answer: JSON objects merged field by field by precedence (arrays deduplicated),
    /// JSON arrays concatenated and deduplicated, else the first successful branch by the precedence
    /// of `answer` (or branch order). Every disagreement found is a ``JoinConflict`` of the outcome,
    /// with whose value was kept.
    static func merge(_ branches: [JoinBranch], policy: JoinPolicy) -> JoinOutcome {
        let successful = branches.filter { $0.answer != nil }
        let failed = branches.filter { $0.answer == nil }
        guard let first = successful.first else {
            return JoinOutcome(answer: "No branch answered.", winner: nil, reason: "no branch succeeded", judged: false, failed: failed)
        }
        let labels = successful.map(\.label)
        let objects = successful.map { jsonObject($0.answer ?? "") }
        if successful.count > 1, objects.allSatisfy({ $0 != nil }) {
            var merged = JSONObject()
            var sources: [String] = []
            var conflicts: [JoinConflict] = []
            var keys: [String] = []
            for object in objects { for (key, _) in object! where !keys.contains(key) { keys.append(key) } }
            for key in keys {
                let order = (policy.precedence[key] ?? []).filter(labels.contains) + labels
                let holders = order.compactMap { label in labels.firstIndex(of: label).flatMap { index in objects[index]?[key].map { (label, $0) } } }
                guard let (label, value) = holders.first else { continue }
                if case .array = value {
                    let (items, found) = dedup(holders.flatMap { holder in (holder.1.arrayValue ?? []).map { (holder.0, $0) } }, keys: policy.dedupKeys, field: key)
                    merged[key] = .array(items)
                    conflicts += found
                    sources.append("\(key) ← all")
                } else {
                    merged[key] = value
                    sources.append("\(key) ← \(label)")
                    let values = labels.compactMap { branch in holders.first { $0.0 == branch }.map { JoinConflict.Value(branch: branch, value: $0.1.jsonString) } }
                    if policy.compare.isEmpty || policy.compare.contains(key), Set(values.map(\.value)).count > 1 {
                        conflicts.append(JoinConflict(field: key, values: values, chosen: label))
                    }
                }
            }
            return JoinOutcome(
                answer: JSONValue.object(merged).jsonString, winner: nil, reason: "fields merged by precedence (\(sources.joined(separator: ", ")))",
                judged: false, failed: failed, conflicts: conflicts)
        }
        let arrays = successful.map { (try? JSONValue(parsing: $0.answer ?? ""))?.arrayValue }
        if successful.count > 1, arrays.allSatisfy({ $0 != nil }) {
            let (items, conflicts) = dedup(zip(labels, arrays).flatMap { label, items in (items ?? []).map { (label, $0) } }, keys: policy.dedupKeys, field: "items")
            return JoinOutcome(
                answer: JSONValue.array(items).jsonString, winner: nil, reason: "lists joined and deduplicated (\(items.count) items)", judged: false,
                failed: failed, conflicts: conflicts)
        }
        let preferred = (policy.precedence["answer"] ?? []).first { label in successful.contains { $0.label == label } }
        let winner = successful.first { $0.label == preferred } ?? first
        let reason = preferred == nil ? "the first branch that answered" : "first by precedence"
        var conflicts: [JoinConflict] = []
        if Set(successful.map { normalized($0.answer ?? "") }).count > 1 {
            let values = successful.map { JoinConflict.Value(branch: $0.label, value: "\"\(Preview.line($0.answer ?? "", limit: 60))\"") }
            conflicts.append(JoinConflict(field: "answer", values: values, chosen: winner.label))
        }
        return JoinOutcome(answer: winner.answer ?? "", winner: winner.label, reason: reason, judged: false, failed: failed, conflicts: conflicts)
    }

    /// `items` (each with the branch it came from) without repeats: items with equal values at `keys`
    /// (whole items when `keys` is empty) are one, the first kept. Items that share a key but differ
    /// otherwise are conflicts (`field[name="Termini"]`), the first branch's kept.
    static func dedup(_ items: [(branch: String, item: JSONValue)], keys: [String], field: String) -> ([JSONValue], [JoinConflict]) {
        var index: [String: Int] = [:]
        var kept: [JSONValue] = []
        var holders: [[JoinConflict.Value]] = []
        for (branch, item) in items {
            let key = keys.isEmpty ? item.jsonString : keys.map { item[$0]?.jsonString ?? "null" }.joined(separator: "\u{1F}")
            if let position = index[key] {
                if item != kept[position], !holders[position].contains(where: { $0.value == item.jsonString }) {
                    holders[position].append(JoinConflict.Value(branch: branch, value: item.jsonString))
                }
                continue
            }
            index[key] = kept.count
            kept.append(item)
            holders.append([JoinConflict.Value(branch: branch, value: item.jsonString)])
        }
        let conflicts = zip(kept, holders).filter { $0.1.count > 1 }.map { item, values in
            let key = keys.map { "\($0)=\(item[$0]?.jsonString ?? "null")" }.joined(separator: ",")
            return JoinConflict(field: "\(field)[\(key)]", values: values, chosen: values[0].branch)
        }
        return (kept, conflicts)
    }

    static func jsonObject(_ text: String) -> JSONObject? {
        (try? JSONValue(parsing: text.trimmingWhitespaceAndNewlines()))?.objectValue
    }

    static func normalized(_ text: String) -> String {
        text.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
