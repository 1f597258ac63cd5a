import Brigade
import BrigadeTesting
import Foundation
import Testing

/// `brigade ask` and `brigade batch` exit with codes a script can branch on (README, docs/runtime.md):
/// 0 answered, 1 runtime failure, 2 usage or configuration, 3 no answer, 4 cut short, 130 cancelled
/// (the last is driven through a terminal in BrigadeCLITests).
@Suite("Exit codes", .timeLimit(.minutes(2)))
struct ExitCodeTests {
    /// A folder whose model is the fake server (key in $FAKE_KEY, no retries), with an `echo` tool and
    /// a `greeting` route that serves "say hello".
    static func workspace(_ server: FakeModelServer, extraConfig: String = "") throws -> TemporaryFolder {
        let folder = try TemporaryFolder()
        try folder.write("config.yaml", """
            model:
              provider: openai
              base_url: \(server.openAIBaseURL)
              model: fake
              api_key_env: FAKE_KEY
              max_retries: 0
            routing: model
            \(extraConfig)
            """)
        try folder.writeGreetingRoute()
        return folder
    }

    @Test func modelUnavailableWithNothingToFallBackToIsNoAnswer() async throws {
        try await withFakeModelServer { server in
            server.enqueue(.fault(.status(503, message: "overloaded")))
            let folder = try Self.workspace(server)
            let outcome = try await Brigade.run(["ask", "what is the meaning of life?"], in: folder.path, environment: ["FAKE_KEY": "k"])
            #expect(outcome.status == 3, "\(outcome.standardError)")
            #expect(outcome.standardError.contains("stop: model_unavailable"))
            #expect(outcome.standardOutput.contains("No answer could be composed"))
            // The server is named by its host and API, not as "OpenAI".
            let host = server.openAIBaseURL.replacingOccurrences(of: "http://", with: "").split(separator: "/")[0]
            #expect(outcome.standardOutput.contains("\(host) (OpenAI-compatible API) server error"), "\(outcome.standardOutput)")
            #expect(!outcome.standardOutput.contains("OpenAI server error"))
        }
    }

    @Test func modelUnavailableAnsweredByARouteIsAnAnswer() async throws {
        try await withFakeModelServer { server in
            server.enqueue(.fault(.status(503, message: "overloaded")))
            let folder = try Self.workspace(server)
            let outcome = try await Brigade.run(["ask", "say hello"], in: folder.path, environment: ["FAKE_KEY": "k"])
            #expect(outcome.status == 0, "\(outcome.standardError)")
            #expect(outcome.standardOutput.contains("route says: hello from the tool"))
            #expect(outcome.standardError.contains("stop: model_unavailable"))
        }
    }

    @Test func theTurnLimitCutsTheAnswerShort() async throws {
        try await withFakeModelServer { server in
            server.enqueue(
                .toolCalls([FakeToolCall(name: "hello", json: [:])]),
                .text("From what I have: hello.")
            )
            let folder = try Self.workspace(server, extraConfig: "limits: {max_turns: 2}")
            let outcome = try await Brigade.run(["ask", "greet me twice"], in: folder.path, environment: ["FAKE_KEY": "k"])
            #expect(outcome.status == 4, "\(outcome.standardError)")
            #expect(outcome.standardOutput.contains("From what I have: hello."))
            #expect(outcome.standardError.contains("stop: max_turns"))
        }
    }

    @Test func aFinishedAnswerIsZero() async throws {
        try await withFakeModelServer { server in
            server.enqueue(.text("Forty-two."))
            let folder = try Self.workspace(server)
            let outcome = try await Brigade.run(["ask", "what is the meaning of life?"], in: folder.path, environment: ["FAKE_KEY": "k"])
            #expect(outcome.status == 0, "\(outcome.standardError)")
            #expect(outcome.standardOutput == "Forty-two.\n")
        }
    }

    @Test func aConfigurationErrorIsTwo() async throws {
        let folder = try TemporaryFolder()
        try folder.write("config.yaml", "routing: sometimes\n")
        let outcome = try await Brigade.run(["ask", "hi"], in: folder.path)
        #expect(outcome.status == 2)
        #expect(outcome.standardError.contains("config.yaml:1:"))
    }

    /// The scenario: a batch run without the key records `model_unavailable` items as failed
    /// and exits 1; with the key, `--retry-failed` runs exactly those items again.
    @Test func batchItemsThatDidNotFinishFailAndRetryFailedRunsExactlyThem() async throws {
        try await withFakeModelServer { server in
            let folder = try Self.workspace(server)
            try folder.write("in.jsonl", """
                {"id": "routed", "prompt": "say hello", "mode": "static"}
                {"id": "m1", "prompt": "first question"}
                {"id": "m2", "prompt": "second question"}

                """)
            let arguments = ["batch", "in.jsonl", "--out", "out.jsonl", "--concurrency", "1", "--mode", "model"]
            let first = try await Brigade.run(arguments, in: folder.path)
            #expect(first.status == 1, "\(first.standardError)")
            let records = try Self.records(folder.path + "/out.jsonl")
            #expect(records["routed"]?["status"] == "ok" && records["routed"]?["stop_reason"] == "finished")
            for id in ["m1", "m2"] {
                #expect(records[id]?["status"] == "failed", "\(id): \(String(describing: records[id]))")
                #expect(records[id]?["stop_reason"] == "model_unavailable")
            }
            #expect(server.requests.isEmpty)

            server.enqueue(.text("answer one"), .text("answer two"))
            let second = try await Brigade.run(arguments + ["--retry-failed"], in: folder.path, environment: ["FAKE_KEY": "k"])
            #expect(second.status == 0, "\(second.standardError)")
            #expect(server.requests.count == 2)
            let retried = try Self.records(folder.path + "/out.jsonl")
            #expect(retried.count == 3)
            #expect(retried["routed"] == records["routed"])
            #expect(Set(["m1", "m2"].compactMap { retried[$0]?["answer"]?.stringValue }) == ["answer one", "answer two"])
            #expect(["m1", "m2"].allSatisfy { retried[$0]?["status"] == "ok" })

            // Nothing left to retry: a third run runs nothing and exits 0.
            let third = try await Brigade.run(arguments + ["--retry-failed"], in: folder.path, environment: ["FAKE_KEY": "k"])
            #expect(third.status == 0)
            #expect(server.requests.count == 2)
        }
    }

    static func records(_ path: String) throws -> [String: JSONValue] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var records: [String: JSONValue] = [:]
        for line in text.split(separator: "\n") {
            let record = try JSONValue(parsing: String(line))
            if let id = record["id"]?.stringValue { records[id] = record }
        }
        return records
    }
}
