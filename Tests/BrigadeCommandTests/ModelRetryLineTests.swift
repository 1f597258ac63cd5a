import Brigade
import BrigadeTesting
import Foundation
import Testing

/// A model retry is a progress line in `brigade ask` and a `model_retry` event in `--json`.
@Suite("Model retries are shown", .timeLimit(.minutes(1)))
struct ModelRetryLineTests {
    @Test func aRetryIsAProgressLineThenTheAnswerComes() async throws {
        try await withFakeModelServer { server in
            server.enqueue(
                .fault(.status(503, message: "busy", headers: ["retry-after-ms": "10"])),
                .fault(.status(429, message: "slow down", headers: ["retry-after-ms": "1500"])),
                .text("Here it is.")
            )
            let folder = try TemporaryFolder()
            try folder.write("config.yaml", """
                model: {provider: openai, base_url: "\(server.openAIBaseURL)", model: fake, api_key_env: FAKE_KEY, max_retries: 4}
                routing: model
                """)
            let outcome = try await Brigade.run(["ask", "--json", "hello?"], in: folder.path, environment: ["FAKE_KEY": "k"])
            #expect(outcome.status == 0, "\(outcome.standardError)")
            let events = try outcome.standardOutput.split(separator: "\n").map { try JSONValue(parsing: String($0)) }
            let retries = events.filter { $0["type"] == "model_retry" }
            #expect(retries.map { $0["line"]?.stringValue } == [
                "model server busy, retrying in 10 ms (1/4)",
                "model server rate limit, retrying in 1.5 s (2/4)",
            ])
            #expect(retries.first?["status"] == 503 && retries.first?["max_retries"] == 4)
            #expect(events.last?["answer"] == "Here it is.")
        }
    }

    @Test func thePlainOutputPrintsTheLine() async throws {
        try await withFakeModelServer { server in
            server.enqueue(.fault(.status(502, message: "bad gateway", headers: ["retry-after-ms": "20"])), .text("Fine."))
            let folder = try TemporaryFolder()
            try folder.write("config.yaml", """
                model: {provider: openai, base_url: "\(server.openAIBaseURL)", model: fake, api_key_env: FAKE_KEY, max_retries: 2}
                routing: model
                """)
            let outcome = try await Brigade.run(["ask", "hello?"], in: folder.path, environment: ["FAKE_KEY": "k"])
            #expect(outcome.status == 0, "\(outcome.standardError)")
            #expect(outcome.standardError.contains("model server busy, retrying in 20 ms (1/2)\n"), "\(outcome.standardError)")
            #expect(outcome.standardOutput == "Fine.\n")
        }
    }
}
