import Brigade
import BrigadeTesting
import Foundation
import Testing

/// `brigade map` records every map and reduce call as a run of its own (source `map`).
@Suite("brigade map and the run store", .timeLimit(.minutes(2)))
struct MapStoreTests {
    @Test func everyMapAndReduceCallIsRecorded() async throws {
        try await withFakeModelServer { server in
            server.respond { _ in .text("a summary") }
            let folder = try TemporaryFolder()
            try folder.writeFakeModelConfig(server)
            try folder.write("input.txt", (1...3).map { "Paragraph \($0). " + String(repeating: "word ", count: 300) }.joined(separator: "\n\n"))
            let map = try await Brigade.run(["map", "input.txt", "--brief", "Summarise.", "--chunk-tokens", "400", "--json"], in: folder.path,
                                            environment: ["FAKE_KEY": "k"])
            #expect(map.status == 0, "\(map.standardError)")
            #expect(!map.standardError.contains("not recorded"), "\(map.standardError)")
            let report = try #require(try ndjsonLines(map.standardOutput).last)
            let chunks = try #require(report["chunks"]?.intValue)
            #expect(chunks >= 2)

            let log = try await Brigade.run(["log", "--json", "--limit", "100"], in: folder.path)
            #expect(log.status == 0, "\(log.standardError)")
            let runs = try ndjsonLines(log.standardOutput)
            // One run per chunk and at least one reduce, all finished, all from `map`.
            #expect(runs.count >= chunks + 1, "\(runs)")
            #expect(runs.allSatisfy { $0["source"]?.stringValue == "map" && $0["state"]?.stringValue == "finished" }, "\(runs)")
        }
    }
}
