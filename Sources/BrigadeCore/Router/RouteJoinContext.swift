/// What one call of a route's fan-out gave, as the join sees it.
package struct RouteCallOutcome: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable {
        case ok, error, timeout, notRun, denied
    }

    public var label: String
    public var tool: String
    public var status: Status
    /// The tool's output, or the error text for a failed call.
    public var output: String
    public var duration: Duration?
    /// The outcomes of each variant of a call with `variants:` (empty otherwise).
    public var variants: [RouteCallOutcome] = []
    /// How the variants became this outcome (`nil` without variants).
    public var join: JoinOutcome?

    public init(label: String, tool: String, status: Status, output: String, duration: Duration? = nil) {
        self.label = label
        self.tool = tool
        self.status = status
        self.output = output
        self.duration = duration
    }

    public var succeeded: Bool { status == .ok }

    /// Why there is no result, in a few words: "timed out after 5 s", "error: exit code 2".
    public var missingReason: String {
        let firstLine = output.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? ""
        switch status {
        case .ok: return ""
        case .timeout: return firstLine.isEmpty ? "timed out" : firstLine
        case .notRun: return firstLine.isEmpty ? "not run" : firstLine
        case .denied: return firstLine.isEmpty ? "denied" : firstLine
        // A tool's own "error: …" (a sub-agent's, an executor's) is not prefixed twice.
        case .error: return firstLine.isEmpty ? "error" : firstLine.hasPrefix("error:") ? firstLine : "error: " + firstLine
        }
    }

    /// The output for the join: the result, or the explicit marker `unavailable (REASON)`.
    public var joinOutput: String {
        if succeeded {
            let trimmed = output.trimmingWhitespaceAndNewlines()
            return trimmed.isEmpty ? "(no output)" : trimmed
        }
        return "unavailable (\(missingReason))"
    }
}

enum RouteJoinContext {
    /// The Mustache context for a route's join (see ``JoinTemplate``); `joined`: what the route's join
    /// rules made of its calls (`join.*`).
    static func make(route: Route, prompt: String, captures: [String: String], outcomes: [RouteCallOutcome], joined: JoinOutcome? = nil) -> [String: Any] {
        var calls: [String: Any] = [:]
        var list: [[String: Any]] = []
        var missing: [[String: Any]] = []
        for outcome in outcomes {
            var entry: [String: Any] = [
                "label": outcome.label,
                "tool": outcome.tool,
                "ok": outcome.succeeded,
                "status": outcome.status.rawValue,
                "output": outcome.joinOutput,
                "duration": outcome.duration.map(\.secondsText) ?? "n/a",
            ]
            if !outcome.succeeded {
                entry["error"] = outcome.missingReason
                missing.append(["label": outcome.label, "tool": outcome.tool, "reason": outcome.missingReason])
            }
            if let join = outcome.join {
                entry["join"] = Self.join(join)
                entry["winner"] = join.winner ?? ""
                entry["reason"] = join.reason
                entry["variants"] = outcome.variants.enumerated().map { offset, variant -> [String: Any] in
                    ["label": "variant_\(offset + 1)", "ok": variant.succeeded, "status": variant.status.rawValue, "output": variant.joinOutput]
                }
            }
            calls[outcome.label] = entry
            list.append(entry)
        }
        var context: [String: Any] = [
            "prompt": prompt,
            "route": route.name,
            "captures": captures,
            "calls": calls,
            "results": list,
            "missing": missing,
            "complete": missing.isEmpty,
        ]
        if let joined { context["join"] = join(joined) }
        return context
    }

    /// A join's outcome for a template: `answer`, `winner`, `reason`, `judged`, `judge_failure`,
    /// `conflict` (true when the branches disagreed), `conflicts` (`field`, `values` of `branch` and
    /// `value`, `chosen`, `text`), `failed` (`label`, `reason`), `note` (`[join: …]`) and `text`.
    static func join(_ outcome: JoinOutcome) -> [String: Any] {
        [
            "answer": outcome.answer,
            "winner": outcome.winner ?? "",
            "reason": outcome.reason,
            "judged": outcome.judged,
            "judge_failure": outcome.judgeFailure ?? "",
            "conflict": !outcome.conflicts.isEmpty,
            "conflicts": outcome.conflicts.map { conflict -> [String: Any] in
                [
                    "field": conflict.field, "chosen": conflict.chosen ?? "", "text": conflict.description,
                    "values": conflict.values.map { ["branch": $0.branch, "value": $0.value] },
                ]
            },
            "failed": outcome.failed.map { ["label": $0.label, "reason": $0.failure ?? "no answer"] },
            "note": outcome.note,
            "text": outcome.text,
        ]
    }

    /// Labels of required calls that gave no result.
    static func missingRequired(route: Route, outcomes: [RouteCallOutcome]) -> [RouteCallOutcome] {
        outcomes.filter { route.requires.contains($0.label) && !$0.succeeded }
    }

    /// `true` when every call the route depends on gave nothing: those it `requires`, or all of its
    /// calls when it requires none.
    static func allRequiredFailed(route: Route, outcomes: [RouteCallOutcome]) -> Bool {
        let required = route.requires.isEmpty ? outcomes : outcomes.filter { route.requires.contains($0.label) }
        return !required.isEmpty && required.allSatisfy { !$0.succeeded }
    }

    /// The answer when there is no template to render (`join: model` without a model): one section per call.
    static func plainList(route: Route, outcomes: [RouteCallOutcome]) -> String {
        var text = ""
        for outcome in outcomes {
            text += "## \(outcome.label)\n\(outcome.joinOutput)\n\n"
        }
        return text.trimmingWhitespaceAndNewlines()
    }
}
