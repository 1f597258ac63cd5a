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
    /// of `answer` (or branch order).
    static func merge(_ branches: [JoinBranch], policy: JoinPolicy) -> JoinOutcome {
        let successful = branches.filter { $0.answer != nil }
        let failed = branches.filter { $0.answer == nil }
        guard let first = successful.first else {
            return JoinOutcome(answer: "No branch answered.", winner: nil, reason: "no branch succeeded", judged: false, failed: failed)
        }
        let objects = successful.map { jsonObject($0.answer ?? "") }
        if successful.count > 1, objects.allSatisfy({ $0 != nil }) {
            var merged = JSONObject()
            var sources: [String] = []
            let labels = successful.map(\.label)
            var keys: [String] = []
            for object in objects { for (key, _) in object! where !keys.contains(key) { keys.append(key) } }
            for key in keys {
                let order = (policy.precedence[key] ?? []).filter(labels.contains) + labels
                let holders = order.compactMap { label in labels.firstIndex(of: label).flatMap { index in objects[index]?[key].map { (label, $0) } } }
                guard let (label, value) = holders.first else { continue }
                if case .array = value {
                    merged[key] = .array(dedup(holders.flatMap { $0.1.arrayValue ?? [] }, keys: policy.dedupKeys))
                    sources.append("\(key) ← all")
                } else {
                    merged[key] = value
                    sources.append("\(key) ← \(label)")
                }
            }
            return JoinOutcome(answer: JSONValue.object(merged).jsonString, winner: nil, reason: "fields merged by precedence (\(sources.joined(separator: ", ")))", judged: false, failed: failed)
        }
        let arrays = successful.map { (try? JSONValue(parsing: $0.answer ?? ""))?.arrayValue }
        if successful.count > 1, arrays.allSatisfy({ $0 != nil }) {
            let items = dedup(arrays.flatMap { $0 ?? [] }, keys: policy.dedupKeys)
            return JoinOutcome(answer: JSONValue.array(items).jsonString, winner: nil, reason: "lists joined and deduplicated (\(items.count) items)", judged: false, failed: failed)
        }
        let preferred = (policy.precedence["answer"] ?? []).first { label in successful.contains { $0.label == label } }
        let winner = successful.first { $0.label == preferred } ?? first
        let reason = preferred == nil ? "the first branch that answered" : "first by precedence"
        return JoinOutcome(answer: winner.answer ?? "", winner: winner.label, reason: reason, judged: false, failed: failed)
    }

    static func dedup(_ items: [JSONValue], keys: [String]) -> [JSONValue] {
        var seen: Set<String> = []
        return items.filter { item in
            let key = keys.isEmpty ? item.jsonString : keys.map { item[$0]?.jsonString ?? "null" }.joined(separator: "\u{1F}")
            return seen.insert(key).inserted
        }
    }

    static func jsonObject(_ text: String) -> JSONObject? {
        (try? JSONValue(parsing: text.trimmingCharacters(in: .whitespacesAndNewlines)))?.objectValue
    }

    static func normalized(_ text: String) -> String {
        text.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
