import BrigadeTesting
import Foundation
import Testing

/// `brigade batch --concurrency N` keeps N requests in flight even past the shared HTTP client's 32
/// connections per host (an HTTP/1.1 server needs one connection per request in flight).
@Suite("Batch connections", .timeLimit(.minutes(3)))
struct BatchConnectionTests {
    /// 40 items at concurrency 40: every answer is held until all 40 requests are at the server at
    /// once (the server gives up after a minute and answers with an error naming how many came).
    @Test func fortyItemsAtConcurrencyFortyAreAllInFlightAtOnce() async throws {
        try await withFakeModelServer { server in
            for i in 0..<40 { server.enqueue(FakeTurn.text("answer \(i)").gathering(40)) }
            let folder = try ExitCodeTests.workspace(server)
            try folder.write("in.jsonl", (0..<40).map { "{\"id\": \"i\($0)\", \"prompt\": \"question \($0)\"}" }.joined(separator: "\n") + "\n")
            let outcome = try await Brigade.run(
                ["batch", "in.jsonl", "--out", "out.jsonl", "--concurrency", "40", "--mode", "model"],
                in: folder.path, environment: ["FAKE_KEY": "k"])
            #expect(outcome.status == 0, "\(outcome.standardError)")
            #expect(server.requests.count == 40)
            #expect(server.maxConcurrentRequests == 40)
            let lines = try String(contentsOfFile: folder.path + "/out.jsonl", encoding: .utf8).split(separator: "\n")
            #expect(lines.count == 40)
            #expect(lines.allSatisfy { $0.contains("\"status\":\"ok\"") })
        }
    }
}
