import Brigade
import BrigadeTesting
import Foundation
import Testing

@Suite("brigade ask", .timeLimit(.minutes(2)))
struct AskCommandTests {
    /// The README's main command: offline, no API key, a real brief of a real repository.
    @Test func briefOfARepositoryOfflineWithTheShippedRegistry() async throws {
        let repo = try TemporaryFolder()
        try repo.write("main.py", "# TODO: first\nprint('hello')\n# FIXME: second\n")
        try repo.write("lib/util.swift", "let x = 1\n")
        try await git(["init", "-q"], in: repo.path)
        try await git(["add", "."], in: repo.path)
        try await git(["commit", "-q", "-m", "a distinctive commit message"], in: repo.path)

        let outcome = try await Brigade.run(["ask", "--config", Brigade.repositoryRoot + "/config.yaml", "brief me on this repository"], in: repo.path)
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.standardOutput.contains("# Repository brief"))
        #expect(outcome.standardOutput.contains("a distinctive commit message"))
        #expect(outcome.standardOutput.contains("Python"))
        #expect(outcome.standardOutput.contains("main.py"))
        #expect(!outcome.standardOutput.contains("unavailable"), "\(outcome.standardOutput)")
        #expect(outcome.standardError.contains("no API key in $OPENAI_API_KEY"))
        #expect(outcome.standardError.contains("route repo_brief"))
        for tool in ["git_recent_commits", "todo_count", "lines_by_language", "largest_files"] {
            #expect(outcome.standardError.contains("✓ \(tool) ok"), "\(tool): \(outcome.standardError)")
        }
        #expect(outcome.standardError.contains("4 calls · fan-out"))
        #expect(outcome.standardError.contains("stop: finished"))
    }

    @Test func outsideARepositoryTheBriefNamesWhatIsMissing() async throws {
        let folder = try TemporaryFolder()
        let outcome = try await Brigade.run(["ask", "--config", Brigade.repositoryRoot + "/config.yaml", "brief me on this repository"], in: folder.path)
        // The one call the brief requires failed: there is no answer (exit 3), only what is missing.
        #expect(outcome.status == 3)
        #expect(outcome.standardError.contains("stop: route_failed"))
        #expect(outcome.standardOutput.contains("Incomplete answer — missing what it depends on: commits: unavailable (error:"), "\(outcome.standardOutput)")
    }

    @Test func staticModeWithoutAMatchSaysWhatTheRouterCanDo() async throws {
        let folder = try TemporaryFolder()
        let outcome = try await Brigade.run(["ask", "--config", Brigade.repositoryRoot + "/config.yaml", "write me a sonnet"], in: folder.path)
        // No answer (exit 3); what it can do instead is on stdout.
        #expect(outcome.status == 3)
        #expect(outcome.standardError.contains("stop: no_route"))
        #expect(outcome.standardOutput.contains("repo_brief"))
        #expect(outcome.standardOutput.contains("health_check"))
    }

    /// Model mode against the fake model server: the model asks for three tools at once, then answers.
    @Test func modelModeRunsTheTurnsCallsAtOnceAndPrintsTheSummary() async throws {
        try await withFakeModelServer { server in
            server.enqueue(
                .toolCalls([
                    FakeToolCall(name: "slow", json: ["tag": "a"]),
                    FakeToolCall(name: "slow", json: ["tag": "b"]),
                    FakeToolCall(name: "slow", json: ["tag": "c"]),
                ], text: "Looking.", usage: TokenUsage(inputTokens: 100, outputTokens: 20)),
                .text("Done: a, b and c.", usage: TokenUsage(inputTokens: 300, outputTokens: 10))
            )
            let folder = try TemporaryFolder()
            try folder.writeFakeModelConfig(server)
            // Each call announces itself, then waits until the test has heard all three: only a parallel
            // fan-out can finish.
            let gate = try ScriptGate(in: folder.path)
            try folder.write("tools/slow.yaml", """
                name: slow
                description: Waits for its two siblings.
                kind: command
                parameters: {type: object, properties: {tag: {type: string}}, required: [tag]}
                command:
                  argv: [sh, -c, 'echo "$1" > "$0/started"; read -r line < "$0/go"; echo "$1 done"', "\(gate.directory)", "{{tag}}"]
                policy: {timeout: 20s}
                """)
            async let running = Brigade.run(["ask", "what happened?"], in: folder.path, environment: ["FAKE_KEY": "k"])
            let announced = await gate.announcements(3)
            gate.release(3)
            let outcome = try await running
            #expect(announced.sorted() == ["a", "b", "c"])
            #expect(outcome.status == 0, "\(outcome.standardError)")
            #expect(outcome.standardOutput == "Looking.\nDone: a, b and c.\n")
            #expect(outcome.standardError.contains("3 calls · fan-out"))
            #expect(outcome.standardError.contains("400 in, 30 out"))
            #expect(outcome.standardError.contains("$0.0005"))
            let second = try #require(server.requests.dropFirst().first)
            #expect(second.bodyText.contains("a done"))
        }
    }

    @Test func jsonPrintsEveryEventAsOneJSONLine() async throws {
        let folder = try TemporaryFolder()
        let outcome = try await Brigade.run(["ask", "--json", "--config", Brigade.repositoryRoot + "/config.yaml", "run a health check"], in: folder.path)
        #expect(outcome.status == 0)
        let lines = outcome.standardOutput.split(separator: "\n")
        let events = try lines.map { try JSONValue(parsing: String($0)) }
        let types = events.map { $0["type"]?.stringValue ?? "?" }
        // Every line names the run; a run of `ask` has no parent.
        let runIDs = Set(events.map { $0["run_id"]?.stringValue ?? "" })
        #expect(runIDs.count == 1 && runIDs.first?.hasPrefix("run_") == true)
        #expect(events.allSatisfy { $0["parent_run_id"] == .null })
        #expect(types.first == "route_matched")
        #expect(types.last == "finished")
        #expect(types.filter { $0 == "tool_call_finished" }.count == 4)
    }

    @Test func aBadModeIsAUsageError() async throws {
        let folder = try TemporaryFolder()
        let outcome = try await Brigade.run(["ask", "--mode", "sometimes", "hi"], in: folder.path)
        #expect(outcome.status == 2)
    }
}
