import Brigade
import BrigadeTesting
import Foundation
import Testing

/// The provider settings of a profile in `brigade config show`, and a fallback switch in `ask`'s summary.
@Suite("brigade: provider settings", .timeLimit(.minutes(2)))
struct ProviderSettingsCommandTests {
    @Test func configShowNamesTheChainTheLimitsToolChoiceAndCaching() async throws {
        let folder = try TemporaryFolder()
        try folder.write("config.yaml", """
            model: claude
            models:
              claude:
                provider: anthropic
                model: claude-haiku-4-5
                fallback: local
                requests_per_minute: 50
                max_concurrent_requests: 4
                tool_choice: required
                prompt_caching: {conversation: false}
              local:
                base_url: http://127.0.0.1:1/v1
                model: llama
                api_key_env: null
            """)
        // A profile of the chain without its key is a load error naming the variable.
        let missing = try await Brigade.run(["config", "show"], in: folder.path)
        #expect(missing.status == 2)
        #expect(missing.standardError.contains("$ANTHROPIC_API_KEY"), "\(missing.standardError)")
        let outcome = try await Brigade.run(["config", "show"], in: folder.path, environment: ["ANTHROPIC_API_KEY": "sk-ant-x"])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let text = outcome.standardOutput
        for expected in ["model.fallback: claude → local", "model.requests_per_minute: 50", "model.max_concurrent_requests: 4",
                         "model.tool_choice: required", "model.prompt_caching: system, tools"] {
            #expect(text.contains(expected), "missing \(expected) in:\n\(text)")
        }
    }

    @Test func askNamesTheSwitchInItsSummary() async throws {
        try await withFakeModelServer { first in
            try await withFakeModelServer { second in
                first.enqueue(.fault(.serverError))
                second.enqueue(.text("from the second", usage: TokenUsage(inputTokens: 10, outputTokens: 5)))
                let folder = try TemporaryFolder()
                try folder.write("config.yaml", """
                    models:
                      a: {base_url: \(first.openAIBaseURL), model: a, api_key_env: null, max_retries: 0}
                      b: {base_url: \(second.openAIBaseURL), model: b, api_key_env: null}
                    routing: model
                    """)
                let outcome = try await Brigade.run(["ask", "-m", "a,b", "hi"], in: folder.path)
                #expect(outcome.status == 0, "\(outcome.standardError)")
                #expect(outcome.standardOutput == "from the second\n")
                #expect(outcome.standardError.contains("model a unavailable ("), "\(outcome.standardError)")
                #expect(outcome.standardError.contains("switched a → b (server_error)"), "\(outcome.standardError)")
            }
        }
    }
}
