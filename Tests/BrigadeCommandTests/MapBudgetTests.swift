import Brigade
import BrigadeTesting
import Testing

/// `brigade map` takes the same global budget options as `brigade batch` (`GlobalBudgetOptions`).
@Suite("brigade map global budget", .timeLimit(.minutes(2)))
struct MapBudgetTests {
    /// An input-token budget too small for any map call: no worker reaches the model, every chunk fails.
    @Test func anInputTokenBudgetTooSmallForAnyCallStopsEveryWorker() async throws {
        try await withFakeModelServer { server in
            server.respond { _ in .text("a summary") }
            let folder = try TemporaryFolder()
            try folder.writeFakeModelConfig(server)
            try folder.write("input.txt", (1...3).map { "Paragraph \($0). " + String(repeating: "word ", count: 300) }.joined(separator: "\n\n"))
            let map = try await Brigade.run(
                ["map", "input.txt", "--brief", "Summarise.", "--chunk-tokens", "400", "--budget-input-tokens", "1", "--json"],
                in: folder.path, environment: ["FAKE_KEY": "k"])
            #expect(map.status == 1, "\(map.standardError)")
            let report = try #require(try ndjsonLines(map.standardOutput).last)
            let chunks = try #require(report["chunks"]?.intValue)
            #expect(chunks >= 2)
            #expect(report["failed"]?.arrayValue?.count == chunks, "\(report)")
            #expect(server.requestCount == 0)
        }
    }
}
