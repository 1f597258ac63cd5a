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
                print("  calls: \(route.calls.map { $0.label == $0.tool ? $0.tool : "\($0.label)=\($0.tool)" }.joined(separator: ", "))")
                if let example = route.examples.first { print("  e.g. \"\(example)\"") }
            }
        }
    }

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show which route matches PROMPT, with which captures, and why.")
        @OptionGroup var workspaceOptions: WorkspaceOptions
        @Argument(help: "The request to test.")
        var prompt: String

        func run() async throws {
            let workspace = try workspaceOptions.loadWorkspace()
            let evaluations = workspace.routes.evaluate(prompt)
            if let best = evaluations.first?.match {
                print("match: \(best.route.name)")
                print("  why: \(best.reason)")
                if !best.captures.isEmpty {
                    print("  captures: " + best.captures.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }.joined(separator: ", "))
                }
                print("  calls: \(best.route.calls.map(\.tool).joined(separator: ", "))")
            } else {
                print("no route matches")
            }
            for evaluation in evaluations.dropFirst(evaluations.first?.match == nil ? 0 : 1) {
                let verdict = evaluation.match == nil ? "no" : "also matches (lower rank)"
                print("  \(evaluation.route.name): \(verdict) — \(evaluation.reasons.joined(separator: "; "))")
            }
            if evaluations.first?.match == nil { throw ExitCode(1) }
        }
    }
}
