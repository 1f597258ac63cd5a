import Brigade
import BrigadeTesting
import Foundation
import Testing

@Suite("brigade config, init and -m", .timeLimit(.minutes(2)))
struct ConfigCommandTests {
    @Test func configShowNamesTheLayersAndWhereEachValueCameFrom() async throws {
        let home = try TemporaryFolder()
        try home.write("xdg/brigade/config.yaml", "limits:\n  max_turns: 3\n  tool_timeout: 9s\nrouting: static\n")
        try home.write("repo/.brigade/config.yaml", "# project\nlimits:\n  max_turns: 5\n")
        try home.write("cli.yaml", "budget: {wall_seconds: 20}\n")
        try FileManager.default.createDirectory(atPath: home.path + "/repo/src", withIntermediateDirectories: true)
        let outcome = try await Brigade.run(
            ["config", "show", "--config", home.path + "/cli.yaml"], in: home.path + "/repo/src",
            environment: ["XDG_CONFIG_HOME": home.path + "/xdg"])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let lines = outcome.standardOutput.split(separator: "\n").map(String.init)
        func line(_ key: String) -> String { lines.first { $0.hasPrefix(key + ":") } ?? "(no \(key) line)" }
        #expect(line("limits.max_turns").hasPrefix("limits.max_turns: 5 "))
        #expect(line("limits.max_turns").hasSuffix("# \(home.path)/repo/.brigade/config.yaml:3"))
        #expect(line("limits.tool_timeout").hasSuffix("# \(home.path)/xdg/brigade/config.yaml:3"))
        #expect(line("routing").hasSuffix("# \(home.path)/xdg/brigade/config.yaml:4"))
        #expect(line("budget.wall_seconds").hasPrefix("budget.wall_seconds: 20s "))
        #expect(line("budget.wall_seconds").hasSuffix("# \(home.path)/cli.yaml:1"))
        #expect(line("limits.max_parallel_calls").hasSuffix("# built-in default"))
        let layers = lines.filter { $0.hasPrefix("  ") && !$0.hasPrefix("    ") }
        #expect(layers.count == 4, "\(lines)")
        #expect(layers.dropFirst().map { $0.split(separator: " ").first.map(String.init) ?? "" } == ["user", "project", "--config"])
    }

    @Test func initWritesAWorkingStarterAndNeverOverwrites() async throws {
        let folder = try TemporaryFolder()
        let environment = ["XDG_CONFIG_HOME": folder.path + "/no-xdg"]
        let first = try await Brigade.run(["init", "project"], in: folder.path, environment: environment)
        #expect(first.status == 1 || first.status == 2)  // no such folder yet
        try FileManager.default.createDirectory(atPath: folder.path + "/project", withIntermediateDirectories: true)
        let created = try await Brigade.run(["init", "project"], in: folder.path, environment: environment)
        #expect(created.status == 0, "\(created.standardError)")
        for file in ["config.yaml", "tools/git_status.yaml", "routes/git_status.yaml"] {
            #expect(FileManager.default.fileExists(atPath: folder.path + "/project/.brigade/" + file), "\(file)")
        }
        // The starter loads: its tool and route pass the checks, from the project folder.
        let check = try await Brigade.run(["tools", "check"], in: folder.path + "/project", environment: environment)
        #expect(check.status == 0, "\(check.standardError)")
        #expect(check.standardOutput.contains("1 tool, 1 route,"), "\(check.standardOutput)")

        try folder.write("project/.brigade/config.yaml", "routing: static # mine\n")
        let again = try await Brigade.run(["init", "project"], in: folder.path, environment: environment)
        #expect(again.status == 2)
        #expect(again.standardError.contains("already exists; `brigade init` never overwrites"), "\(again.standardError)")
        let kept = try String(contentsOfFile: folder.path + "/project/.brigade/config.yaml", encoding: .utf8)
        #expect(kept == "routing: static # mine\n")
    }

    @Test func dashMChoosesAProfileAndAnUnknownOneIsAUsageError() async throws {
        try await withFakeModelServer { server in
            server.enqueue(.text("from the second model", usage: TokenUsage(inputTokens: 10, outputTokens: 5)))
            let folder = try TemporaryFolder()
            try folder.write("config.yaml", """
                model: first
                models:
                  first:
                    base_url: \(server.openAIBaseURL)
                    model: first-model
                    api_key_env: FAKE_KEY
                    price: {input_per_million: 1, output_per_million: 1}
                  second:
                    base_url: \(server.openAIBaseURL)
                    model: second-model
                    api_key_env: FAKE_KEY
                    aliases: [two]
                    price: {input_per_million: 1, output_per_million: 1}
                  unpriced:
                    base_url: \(server.openAIBaseURL)
                    model: local-llama
                    api_key_env: null
                budget:
                  usd: 0.5
                routing: model
                """)
            let chosen = try await Brigade.run(["ask", "-m", "two", "hello"], in: folder.path, environment: ["FAKE_KEY": "k"])
            #expect(chosen.status == 0, "\(chosen.standardError)")
            #expect(chosen.standardOutput == "from the second model\n")
            #expect(server.requests.map(\.model) == ["second-model"])

            let unknown = try await Brigade.run(["ask", "--model", "thrid", "hello"], in: folder.path, environment: ["FAKE_KEY": "k"])
            #expect(unknown.status == 2)
            #expect(unknown.standardError.contains("unknown model profile `thrid`; the profiles are: first, second (two), unpriced"), "\(unknown.standardError)")

            let unpriced = try await Brigade.run(["tools", "check", "-m", "unpriced"], in: folder.path)
            #expect(unpriced.status == 2)
            #expect(unpriced.standardError.contains("config.yaml:19:8: error: `budget.usd` is set, but the model `local-llama` (openai) has no price"), "\(unpriced.standardError)")
            #expect(server.requests.count == 1)

            let check = try await Brigade.run(["tools", "check", "-m", "second"], in: folder.path, environment: ["FAKE_KEY": "k"])
            #expect(check.standardOutput.contains("price: $1 input, $1 output per million tokens (price: at \(folder.path)/config.yaml:13)"), "\(check.standardOutput)")
        }
    }

    @Test func theSameBudgetWithATablePricedModelLoadsAndNamesTheTable() async throws {
        let folder = try TemporaryFolder()
        try folder.write("config.yaml", "model: {model: gpt-4o-mini}\nbudget: {usd: 0.01}\n")
        let outcome = try await Brigade.run(["tools", "check"], in: folder.path)
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.standardOutput.contains("price: $0.15 input, $0.075 cached input, $0.6 output per million tokens (Brigade's price table of \(PriceTable.date))"), "\(outcome.standardOutput)")
    }

    @Test func aBatchUSDBudgetOnAnUnpricedModelIsAUsageError() async throws {
        let folder = try TemporaryFolder()
        try folder.write("config.yaml", "model: {model: local-llama, base_url: 'http://127.0.0.1:9/v1', api_key_env: null}\nrouting: model\n")
        try folder.write("in.jsonl", #"{"id": "a", "prompt": "hello"}"# + "\n")
        for option in ["--budget-usd", "--item-usd"] {
            let outcome = try await Brigade.run(["batch", "in.jsonl", "--out", "out.jsonl", option, "0.01"], in: folder.path)
            #expect(outcome.status == 2, "\(outcome.standardError)")
            #expect(outcome.standardError.contains("\(option) is set, but the model `local-llama` has no price"), "\(outcome.standardError)")
            #expect(!FileManager.default.fileExists(atPath: folder.path + "/out.jsonl"))
        }
        let unbudgeted = try await Brigade.run(["batch", "in.jsonl", "--out", "out.jsonl", "--budget-input-tokens", "100", "--mode", "static"], in: folder.path)
        #expect(unbudgeted.status != 2, "\(unbudgeted.standardError)")
    }
}
