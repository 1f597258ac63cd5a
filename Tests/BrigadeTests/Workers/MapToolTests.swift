import BrigadeTesting
import CurlHTTP
import Foundation
import Testing
import Brigade
@testable import BrigadeCore
@testable import BrigadeWorkspace

/// The `map` builtin: a model maps a brief over files under the tool's roots; the map-reduce runs as
/// a child of the calling run, reports progress into its event stream, and its spend rolls up.
@Suite("The map builtin", .timeLimit(.minutes(2)))
struct MapToolTests {
    static let brief = "BRIEF: list every deadline with its date."

    /// A folder `work/` with `docs/a.md` (3 clauses), `docs/b.md` (2), a hidden file, a binary file,
    /// and a `secret.txt` beside `work/` (outside the root).
    static func makeFolder() throws -> String {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("brigade-map-tool-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: base + "/work/docs", withIntermediateDirectories: true)
        func clauses(_ range: ClosedRange<Int>) -> String { range.map { "Clause \($0): the tenant pays by day \($0)." }.joined(separator: "\n\n") }
        try clauses(1...3).write(toFile: base + "/work/docs/a.md", atomically: true, encoding: .utf8)
        try clauses(4...5).write(toFile: base + "/work/docs/b.md", atomically: true, encoding: .utf8)
        try "Clause 99: hidden.".write(toFile: base + "/work/docs/.hidden.md", atomically: true, encoding: .utf8)
        try Data([0x50, 0x00, 0x01]).write(to: URL(fileURLWithPath: base + "/work/docs/image.bin"))
        try "Clause 0: secret.".write(toFile: base + "/secret.txt", atomically: true, encoding: .utf8)
        return base
    }

    static func registry(root: String) throws -> ToolRegistry {
        try WorkerTestSupport.registry(
            """
            tools:
              - name: map
                description: Map-reduce over files.
                kind: builtin
                builtin: {function: map, roots: ["\(root)"]}
            """, prompts: [:])
    }

    @Test func aModelMapsFilesUnderTheRootAndReadsTheReport() async throws {
        let base = try Self.makeFolder()
        defer { try? FileManager.default.removeItem(atPath: base) }
        try await withFakeModelServer { server in
            let usage = TokenUsage(inputTokens: 10, outputTokens: 1)
            server.respond { request in
                if request.systemText == MapReduce.Configuration.defaultMapPrompt {
                    return .text("deadline in \(MapReduceTests.chunkID(request) ?? "?")", usage: usage)
                }
                if request.systemText == MapReduce.Configuration.defaultReducePrompt {
                    return .text("Deadlines: day 1 [c0001], day 5 [c0002]", usage: usage)
                }
                if request.trailingToolResults.isEmpty {
                    return .toolCalls([
                        FakeToolCall(name: "map", json: ["paths": ["docs"], "brief": .string(Self.brief), "chunk_tokens": 50], id: "call_map"),
                        FakeToolCall(name: "map", json: ["paths": ["../secret.txt"], "brief": "anything"], id: "call_out"),
                    ], usage: usage)
                }
                return .text("Read the report.", usage: usage)
            }
            let http = HTTPClient()
            let agent = WorkerTestSupport.agent(try Self.registry(root: base + "/work"), WorkerTestSupport.client(server, http), maxParallelCalls: 4)
            let recorder = EventRecorder()
            let result = try await agent.run("When must the tenant pay?", options: RunOptions(), onEvent: recorder.record)
            #expect(result.stopReason == .finished)

            // Both files were mapped (one chunk each at 50 tokens), each beside the brief; hidden and
            // binary files were not read, nor the file outside the root.
            let maps = server.requests.filter { $0.systemText == MapReduce.Configuration.defaultMapPrompt }
            #expect(maps.count == 2)
            #expect(maps.allSatisfy { $0.lastUserText?.hasPrefix("# Brief\n" + Self.brief) == true })
            #expect(!server.requests.contains { $0.bodyText.contains("Clause 99") || $0.bodyText.contains("Clause 0:") })
            // The report is the tool result: the answer, the counts, the sources with file positions.
            let results = try #require(server.requests.last).trailingToolResults
            let report = try #require(results.first { $0.callID == "call_map" }).content
            #expect(report.hasPrefix("Deadlines: day 1 [c0001], day 5 [c0002]"))
            #expect(report.contains("Chunks: 2 (2 mapped, 0 failed)"), "\(report)")
            #expect(report.contains("c0001: docs/a.md:1-5") && report.contains("c0002: docs/b.md:1-3"))
            #expect(report.contains("Skipped:") && report.contains("image.bin"))
            // A path outside the root is refused like read_file refuses it.
            let refused = try #require(results.first { $0.callID == "call_out" }).content
            #expect(refused.contains("outside the allowed folders"))

            // Progress went into the run's stream, under the call, before the call ended.
            let progress = recorder.events.compactMap { event -> MapProgressEvent? in if case .mapProgress(let p) = event { p } else { nil } }
            #expect(progress.allSatisfy { $0.callID == "call_map" })
            let lastMap = try #require(progress.last { $0.progress.phase == .map })
            #expect(lastMap.progress.done == 2 && lastMap.progress.total == 2 && lastMap.progress.failed == 0)
            #expect(progress.contains { $0.progress.phase == .reduce })
            let lastProgress = try #require(recorder.events.lastIndex { if case .mapProgress = $0 { true } else { false } })
            let callEnd = try #require(recorder.events.firstIndex { if case .toolCallFinished(let o) = $0, o.call.id == "call_map" { true } else { false } })
            #expect(lastProgress < callEnd)
            // Each worker's events nest under the call, as a sub-agent's do: 2 maps and 1 reduce, each a
            // child run of this run that ends before the call does.
            let children = recorder.events.compactMap(\.childRunEvent)
            #expect(children.allSatisfy { $0.parentCallID == "call_map" && $0.depth == 1 && $0.event.parentRunID == result.runID })
            let workerEnds = children.filter { if case .finished = $0.event.event { true } else { false } }
            #expect(workerEnds.count == 3 && Set(workerEnds.map(\.event.runID)).count == 3)
            #expect(workerEnds.allSatisfy { $0.json["type"]?.stringValue == "child_finished" })
            let lastChild = try #require(recorder.events.lastIndex { $0.childRunEvent != nil })
            #expect(lastChild < callEnd)
            let line = AgentEvent.mapProgress(lastMap).json
            #expect(line["type"]?.stringValue == "map_progress" && line["call_id"]?.stringValue == "call_map" && line["done"]?.intValue == 2)
            // The workers' spend rolls up into the run: 2 parent turns + 2 maps + 1 reduce.
            #expect(server.requests.count == 5)
            #expect(result.usage == TokenUsage(inputTokens: 50, outputTokens: 5))
            await http.shutdown()
        }
    }

    /// The map's budget is carved from the caller's: the run may spend 80 output tokens, its first turn
    /// takes 30 and it keeps its synthesis reserve, so what is left for the map is too little for a
    /// worker's turn. No worker reaches the model, every chunk is named as failed with the budget
    /// that stopped it, the run still answers, and its total stays within its cap.
    @Test func theMapCannotSpendMoreThanTheCallerHasLeft() async throws {
        let base = try Self.makeFolder()
        defer { try? FileManager.default.removeItem(atPath: base) }
        try await withFakeModelServer { server in
            server.respond { request in
                let usage = TokenUsage(inputTokens: 10, outputTokens: min(30, request.maxTokens ?? 30))
                if request.systemText == MapReduce.Configuration.defaultMapPrompt || request.systemText == MapReduce.Configuration.defaultReducePrompt {
                    return .text("finding", usage: usage)
                }
                if request.trailingToolResults.isEmpty {
                    return .toolCalls([FakeToolCall(name: "map", json: ["paths": ["docs"], "brief": .string(Self.brief), "chunk_tokens": 50], id: "call_map")], usage: usage)
                }
                return .text("Answered with what the map found.", usage: usage)
            }
            let http = HTTPClient()
            let agent = WorkerTestSupport.agent(
                try Self.registry(root: base + "/work"), WorkerTestSupport.client(server, http), limits: Budget.Limits(outputTokens: 80, minimumOutputTokens: 10), maxParallelCalls: 1)
            let result = try await agent.run("When must the tenant pay?", options: RunOptions(), onEvent: { _ in })
            #expect(result.stopReason == .finished && result.answer == "Answered with what the map found.")
            let report = try #require(server.requests.last?.trailingToolResults.first).content
            #expect(report.contains("Chunks: 2 (0 mapped, 2 failed)"), "\(report)")
            #expect(report.contains("- c0001 (docs/a.md:1-5): budget_tokens") && report.contains("- c0002 (docs/b.md:1-3): budget_tokens"))
            #expect(server.requests.allSatisfy { $0.systemText == "You plan." }, "no worker reached the model")
            #expect(result.usage.outputTokens <= 80)
            await http.shutdown()
        }
    }
}
