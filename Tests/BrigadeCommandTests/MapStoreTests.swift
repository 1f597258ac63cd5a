import Brigade
import BrigadeTesting
import Foundation
import Testing

/// `brigade map` records the job as one run and every map and reduce call as a child run of it (source `map`).
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

            // `brigade log` shows the job as one run; its map and reduce calls are its child runs.
            let log = try await Brigade.run(["log", "--json", "--limit", "100"], in: folder.path)
            #expect(log.status == 0, "\(log.standardError)")
            let jobs = try ndjsonLines(log.standardOutput)
            #expect(jobs.count == 1, "\(jobs)")
            let job = try #require(jobs.first)
            let jobID = try #require(job["id"]?.stringValue)
            #expect(job["source"]?.stringValue == "map" && job["state"]?.stringValue == "finished" && job["prompt"]?.stringValue == "Summarise.")
            #expect(job["answer"]?.stringValue == "a summary")
            #expect((job["usage"]?["input_tokens"]?.intValue ?? 0) > 0)

            let all = try await Brigade.run(["log", "--all", "--json", "--limit", "100"], in: folder.path)
            let runs = try ndjsonLines(all.standardOutput).filter { $0["id"]?.stringValue != jobID }
            // One run per chunk and at least one reduce, all finished, all from `map`, all the job's children.
            #expect(runs.count >= chunks + 1, "\(runs)")
            #expect(job["child_runs"]?.intValue == runs.count)
            #expect(runs.allSatisfy { $0["source"]?.stringValue == "map" && $0["state"]?.stringValue == "finished" }, "\(runs)")
            #expect(runs.allSatisfy { $0["parent_run_id"]?.stringValue == jobID }, "\(runs)")
            let text = try await Brigade.run(["log", "--all"], in: folder.path)
            #expect(text.standardOutput.contains("(child of \(jobID))"))
            let show = try await Brigade.run(["log", "show", jobID], in: folder.path)
            #expect(show.standardOutput.contains("child runs (`brigade log show ID`):"), "\(show.standardOutput)")
            #expect(runs.allSatisfy { show.standardOutput.contains("  " + ($0["id"]?.stringValue ?? "?")) })
        }
    }
}
