import Brigade
import BrigadeTesting
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Durable runs through the `brigade` binary: a run paused for approval in one process and approved
/// from another; a run killed (SIGKILL) mid-fan-out and resumed, with the tools' own marker files
/// showing what ran again; two processes resuming one run.
@Suite("Durable runs", .timeLimit(.minutes(3)))
struct DurableRunTests {
    /// A command tool that appends a line to DIR/NAME.count each time it runs, then runs `rest`.
    func counterTool(_ name: String, directory: String, rest: String = "", policy: String = "{timeout: 60s}") -> String {
        """
        name: \(name)
        description: Counts its runs.
        kind: command
        parameters: {type: object, properties: {}}
        command:
          argv: [sh, -c, 'echo run >> "$0/\(name).count"; \(rest) echo \(name) done', "\(directory)"]
        policy: \(policy)
        """
    }

    func runs(_ directory: String, _ name: String) -> Int {
        (try? String(contentsOfFile: directory + "/" + name + ".count", encoding: .utf8))?.split(separator: "\n").count ?? 0
    }

    @Test func aRunPausedForApprovalIsApprovedFromAnotherProcess() async throws {
        try await withFakeModelServer { server in
            server.enqueue(.toolCalls([FakeToolCall(name: "deploy", id: "call_deploy"), FakeToolCall(name: "check", id: "call_check")],
                                      usage: TokenUsage(inputTokens: 100, outputTokens: 10)))
            server.enqueue(.text("Deployed and checked.", usage: TokenUsage(inputTokens: 200, outputTokens: 20)))
            let folder = try TemporaryFolder()
            try folder.writeFakeModelConfig(server)
            try folder.write("tools/deploy.yaml", counterTool("deploy", directory: folder.path, policy: "{timeout: 60s, confirm: true}"))
            try folder.write("tools/check.yaml", counterTool("check", directory: folder.path))
            let env = ["FAKE_KEY": "k"]

            let paused = try await Brigade.run(["ask", "--detach", "deploy it"], in: folder.path, environment: env)
            #expect(paused.status == 5, "\(paused.standardError)")
            #expect(paused.standardError.contains("awaits approval of call_deploy (deploy)"), "\(paused.standardError)")
            #expect(runs(folder.path, "deploy") == 0 && runs(folder.path, "check") == 1)
            let listed = try ndjsonLines(try await Brigade.run(["runs", "list", "--state", "awaiting_approval", "--json"], in: folder.path).standardOutput)
            #expect(listed.count == 1)
            let id = try #require(listed.first?["id"]?.stringValue)
            #expect(paused.standardError.contains("brigade approve \(id)"))

            let unknown = try await Brigade.run(["approve", id, "call_nope"], in: folder.path, environment: env)
            #expect(unknown.status == 2)
            #expect(unknown.standardError.contains("has no call `call_nope` awaiting approval (awaiting: call_deploy)"))

            let approved = try await Brigade.run(["approve", id], in: folder.path, environment: env)
            #expect(approved.status == 0, "\(approved.standardError)")
            #expect(approved.standardOutput.contains("Deployed and checked."))
            // The approved call ran once; the call that had finished was not run again.
            #expect(runs(folder.path, "deploy") == 1 && runs(folder.path, "check") == 1)
            let second = try #require(server.requests.last)
            #expect(server.requests.count == 2)
            #expect(second.bodyText.contains("deploy done") && second.bodyText.contains("check done"))

            // Spend continues: the record holds both model calls.
            let record = try JSONValue(parsing: try await Brigade.run(["log", "show", "--json", id], in: folder.path).standardOutput)
            #expect(record["usage"]?["input_tokens"] == .integer(300))
            #expect(record["state"]?.stringValue == "finished" && record["stop_reason"]?.stringValue == "finished")

            let again = try await Brigade.run(["approve", id], in: folder.path, environment: env)
            #expect(again.status == 2)
            #expect(again.standardError.contains("run `\(id)` is not awaiting approval (it is finished)"))
        }
    }

    @Test func aRunKilledMidFanOutResumesWithoutRunningAnythingTwiceThatShouldNot() async throws {
        try await withFakeModelServer { server in
            server.enqueue(.toolCalls([FakeToolCall(name: "idem"), FakeToolCall(name: "nonidem"), FakeToolCall(name: "fast")],
                                      usage: TokenUsage(inputTokens: 100, outputTokens: 10)))
            server.enqueue(.text("Resumed and answered.", usage: TokenUsage(inputTokens: 200, outputTokens: 20)))
            let folder = try TemporaryFolder()
            try folder.writeFakeModelConfig(server)
            let gate = try ScriptGate(in: folder.path)
            // The slow ones announce brigade's pid (their parent) and wait; once the test has killed it,
            // a run again returns at once.
            let wait = #"[ -e "$0/killed" ] && { echo again; exit 0; }; echo "$PPID" > "$0/started"; read -r line < "$0/go";"#
            try folder.write("tools/idem.yaml", counterTool("idem", directory: folder.path, rest: wait, policy: "{timeout: 60s, idempotent: true}"))
            try folder.write("tools/nonidem.yaml", counterTool("nonidem", directory: folder.path, rest: wait))
            try folder.write("tools/fast.yaml", counterTool("fast", directory: folder.path))
            let env = ["FAKE_KEY": "k"]

            async let killed = Brigade.run(["ask", "fan out"], in: folder.path, environment: env)
            let announced = await gate.announcements(2)
            let pid = try #require(announced.first.flatMap { Int32($0) })
            #expect(announced.count == 2 && Set(announced).count == 1)
            // The finished call is committed (batched, so within moments) before the kill.
            let store = try RunStore(configuration: RunStore.Configuration(path: folder.path + "/.state/brigade/runs.sqlite"))
            for _ in 0..<500 {
                if let run = try store.runs().first, try store.record(of: run.id).calls.contains(where: { $0.tool == "fast" }) { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            kill(pid, SIGKILL)
            #expect(try await killed.status == 137)
            _ = FileManager.default.createFile(atPath: folder.path + "/killed", contents: Data())
            gate.release(2)

            let interrupted = try ndjsonLines(try await Brigade.run(["runs", "list", "--state", "interrupted", "--json"], in: folder.path).standardOutput)
            let id = try #require(interrupted.first?["id"]?.stringValue)
            #expect(interrupted.count == 1)

            // Two processes resume it at once: one continues it, the other is told.
            let path = folder.path
            let outcomes = try await withThrowingTaskGroup(of: Brigade.Outcome.self) { group in
                for _ in 0..<2 { group.addTask { try await Brigade.run(["runs", "resume", id], in: path, environment: env) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let winners = outcomes.filter { $0.status == 0 }
            #expect(winners.count == 1, "\(outcomes.map(\.standardError))")
            #expect(winners.first?.standardOutput.contains("Resumed and answered.") == true)
            let loser = try #require(outcomes.first { $0.status != 0 })
            #expect(loser.standardError.contains("is being continued by another process") || loser.standardError.contains("cannot be resumed: it is finished"),
                    "\(loser.standardError)")

            // The tools' own markers: the idempotent call ran again, the others did not.
            #expect(runs(folder.path, "idem") == 2)
            #expect(runs(folder.path, "nonidem") == 1)
            #expect(runs(folder.path, "fast") == 1)
            #expect(server.requests.count == 2)
            let resumed = try #require(server.requests.last).bodyText
            #expect(resumed.contains("again") && resumed.contains("fast done"))
            #expect(resumed.contains("interrupted: the run stopped while this call was running"))
            let record = try JSONValue(parsing: try await Brigade.run(["log", "show", "--json", id], in: folder.path).standardOutput)
            #expect(record["usage"]?["input_tokens"] == .integer(300))
            #expect(record["state"]?.stringValue == "finished")
        }
    }
}
