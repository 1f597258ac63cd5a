import ArgumentParser
import Brigade

struct RoutesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "routes",
        abstract: "List the static routes, or test which one a request matches and why.",
        subcommands: [List.self, Test.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the routes with their fan-out.")
        @OptionGroup var workspaceOptions: WorkspaceOptions

        func run() async throws {
            let workspace = try workspaceOptions.loadWorkspace()
            if workspace.routes.isEmpty { print("no routes (add them in \(workspace.config.paths.routes.value))") }
            for route in workspace.routes.routes {
                print("\(route.name): \(route.description)")
                print("  calls: \(route.calls.map(Self.describe).joined(separator: ", "))")
                if let rules = route.joinRules { print("  join rules: \(rules.branches.joined(separator: ", ")) — \(Self.describe(rules.policy))") }
                if let example = route.examples.first { print("  e.g. \"\(example)\"") }
            }
        }

        /// `label=tool`, `×3 (judge pick.md)` for variants.
        static func describe(_ call: RouteCall) -> String {
            var text = call.label == call.tool ? call.tool : "\(call.label)=\(call.tool)"
            if call.variants > 1 { text += " ×\(call.variants) (\(describe(call.join ?? JoinPolicy())))" }
            return text
        }

        /// `precedence, dedup by name, then judge judge.md` — what decides when branches disagree.
        static func describe(_ policy: JoinPolicy) -> String {
            var rules: [String] = []
            if !policy.precedence.isEmpty { rules.append("precedence of " + policy.precedence.keys.sorted().joined(separator: ", ")) }
            if !policy.dedupKeys.isEmpty { rules.append("dedup by " + policy.dedupKeys.joined(separator: ", ")) }
            if !policy.compare.isEmpty { rules.append("compared on " + policy.compare.joined(separator: ", ")) }
            if rules.isEmpty { rules.append("branch order") }
            return rules.joined(separator: ", ") + (policy.judge.map { ", then judge \($0.value)" } ?? ", no judge")
        }
    }

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show which route takes PROMPT in each mode (hybrid: precise, static: loose), with scores and why.",
            discussion: "Exits with 1 when no route takes the request in either mode."
        )
        @OptionGroup var workspaceOptions: WorkspaceOptions
        @Argument(help: "The request to test.")
        var prompt: String

        func run() async throws {
            let workspace = try workspaceOptions.loadWorkspace()
            var matchedAny = false
            for (mode, meaning) in [(RoutingMode.hybrid, "with a model"), (.static, "no model")] {
                let evaluations = workspace.routes.evaluate(prompt, mode: mode)
                print("\(mode.rawValue) (\(meaning)): ", terminator: "")
                guard let best = evaluations.first?.match else {
                    print(mode == .static ? "no route matches" : "no route matches — the model answers")
                    continue
                }
                matchedAny = true
                print("match: \(best.route.name) (score \(RouteScore.format(best.score)) ≥ \(RouteScore.format(best.route.thresholds.threshold(for: mode))))")
                if !best.captures.isEmpty {
                    print("  captures: " + best.captures.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }.joined(separator: ", "))
                }
                print("  calls: \(best.route.calls.map(\.tool).joined(separator: ", "))")
            }
            print("routes, best first:")
            var untouched: [String] = []
            for evaluation in workspace.routes.evaluate(prompt, mode: .hybrid) {
                let score = evaluation.score
                guard score.pattern != nil || !score.keywordHits.isEmpty else {
                    untouched.append(evaluation.route.name)
                    continue
                }
                let verdicts = [RoutingMode.hybrid, .static].map { mode in
                    let verdict = score.verdict(for: mode, thresholds: evaluation.route.thresholds)
                    return "\(mode.rawValue) \(verdict.accepted ? "yes" : "no") (\(verdict.reason))"
                }
                print("  \(evaluation.route.name): score \(RouteScore.format(score.score)) = coverage \(RouteScore.format(score.coverage)) × intent \(RouteScore.format(score.intent)); " + verdicts.joined(separator: "; "))
                let details = evaluation.reasons.filter { !$0.hasPrefix("score ") && !$0.hasPrefix("missing keyword") && !$0.hasPrefix("negative word") }
                print("    " + details.joined(separator: "; "))
            }
            if !untouched.isEmpty { print("  no keyword or pattern present: \(untouched.joined(separator: ", "))") }
            if !matchedAny { throw ExitCode(1) }
        }
    }
}
