import BrigadeTesting
import CurlHTTP
import Foundation
import Synchronization
import Testing
import Brigade
@testable import BrigadeCore
@testable import BrigadeWorkspace

/// Map-reduce over the fake model server.
@Suite("Map-reduce", .timeLimit(.minutes(3)))
struct MapReduceTests {
    static let brief = "BRIEF: list every deadline with its date."

    /// `count` paragraphs (about 10 tokens each), one per chunk at 15 tokens.
    static func source(paragraphs count: Int) -> MapSource {
        MapSource(name: "contract.md", text: (1...count).map { "Clause \($0): the tenant pays by day \($0)." }.joined(separator: "\n\n"))
    }

    static func isMap(_ request: FakeModelRequest) -> Bool { request.systemText == MapReduce.Configuration.defaultMapPrompt }
    static func isReduce(_ request: FakeModelRequest) -> Bool { request.systemText == MapReduce.Configuration.defaultReducePrompt }
    static func chunkID(_ request: FakeModelRequest) -> String? {
        guard let text = request.lastUserText, let range = text.range(of: "# Chunk ") else { return nil }
        return String(text[range.upperBound...].prefix(5))
    }

    func mapReduce(_ server: FakeModelServer, _ http: HTTPClient, _ configure: (inout MapReduce.Configuration) -> Void = { _ in }) -> MapReduce {
        var configuration = MapReduce.Configuration(brief: Self.brief, chunker: MapChunker(maxTokens: 15), concurrency: 8)
        configure(&configuration)
        let agent = WorkerTestSupport.agent(try! ToolRegistry([]), WorkerTestSupport.client(server, http))
        return MapReduce(agent: agent, configuration: configuration)
    }

    /// 500 chunks with a cap of 8: the first 8 requests are held until all 8 are at the server (the
    /// cap is reached), the server never sees more than 8 at once, and every map request carries the brief.
    @Test func fiveHundredChunksMapUnderTheCapWithTheBriefInEveryRequest() async throws {
        try await withFakeModelServer { server in
            let maps = Mutex(0)
            server.respond { request in
                if Self.isMap(request) {
                    let n = maps.withLock { count -> Int in count += 1; return count }
                    let turn = FakeTurn.text("deadline in \(Self.chunkID(request) ?? "?")")
                    return n <= 8 ? turn.gathering(8) : turn
                }
                return .text("merged deadlines [c0001]")
            }
            let http = HTTPClient()
            let report = try await mapReduce(server, http) { $0.reduceInputTokens = 100_000 }.run([Self.source(paragraphs: 500)])
            let mapRequests = server.requests.filter(Self.isMap)
            #expect(report.chunks.count == 500)
            #expect(report.failed.isEmpty)
            #expect(mapRequests.count == 500)
            #expect(server.maxConcurrentRequests == 8)
            #expect(mapRequests.allSatisfy { $0.lastUserText?.hasPrefix("# Brief\n" + Self.brief) == true })
            #expect(Set(mapRequests.compactMap(Self.chunkID)).count == 500)
            #expect(report.reduction.levels == 1)
            #expect(report.text.contains("- c0001: contract.md:1-1"))
            await http.shutdown()
        }
    }

    @Test func partialsThatDoNotFitAreReducedLevelByLevel() async throws {
        try await withFakeModelServer { server in
            server.respond { request in
                if Self.isMap(request) { return .text("deadline of \(Self.chunkID(request) ?? "?"): day N, with a long explanation to take room") }
                return .text("merged: " + String(repeating: "x", count: 40))
            }
            let http = HTTPClient()
            let report = try await mapReduce(server, http) { $0.reduceInputTokens = 300 }.run([Self.source(paragraphs: 40)])
            let reduces = server.requests.filter(Self.isReduce)
            #expect(report.reduction.levels >= 2)
            #expect(reduces.count > 2)
            #expect(!report.reduction.isPartial)
            // The last reduce read the first level's results, each headed by the chunks it covers.
            #expect(reduces.last?.lastUserText?.contains("[level 1: c0001") == true)
            #expect(reduces.allSatisfy { $0.lastUserText?.hasPrefix("# Brief\n" + Self.brief) == true })
            await http.shutdown()
        }
    }

    @Test func aChunkFailingTheSchemaTwiceIsNamedInTheReport() async throws {
        try await withFakeModelServer { server in
            server.respond { request in
                if Self.isMap(request) { return .text(Self.chunkID(request) == "c0003" ? "twelve" : #"{"count": 1}"#) }
                return .text("merged")
            }
            let http = HTTPClient()
            let schema: JSONValue = ["type": "object", "properties": ["count": ["type": "integer"]], "required": ["count"]]
            let report = try await mapReduce(server, http) { $0.outputSchema = schema }.run([Self.source(paragraphs: 5)])
            #expect(report.failed.map(\.chunkID) == ["c0003"])
            #expect(report.text.contains("- c0003 (contract.md:5-5): the answer did not match the schema after a retry: it is not JSON"))
            let third = server.requests.filter { Self.chunkID($0) == "c0003" }
            #expect(third.count == 2)
            #expect(third.last?.lastUserText?.contains("It is not valid: it is not JSON.") == true)
            #expect(third.first?.lastUserText?.contains(#""required":["count"]"#) == true)
            await http.shutdown()
        }
    }

    /// The first run is stopped (cancelled) once 5 chunks are done; the results file then also gets a
    /// torn line, as a kill leaves it. The re-run asks only for the chunks not finished.
    @Test func aRerunAfterAStopSkipsTheFinishedChunks() async throws {
        try await withFakeModelServer { server in
            server.respond { request in Self.isMap(request) ? .text("found in \(Self.chunkID(request) ?? "?")") : .text("merged") }
            let http = HTTPClient()
            let folder = try ConfigTempDirectory()
            let path = folder.path + "/report.map.jsonl"
            let mapReduce = mapReduce(server, http) { $0.resultsPath = path; $0.concurrency = 1 }
            let fiveDone = Latch()
            let first = Task {
                try await mapReduce.run([Self.source(paragraphs: 20)]) { progress in if progress.done >= 5 { fiveDone.open() } }
            }
            try await fiveDone.wait()
            first.cancel()
            _ = await first.result
            let saved = MapResultsFile.finished(at: path).values.filter { $0.status == .ok }.map(\.chunkID)
            #expect(saved.count >= 5 && saved.count < 20)
            let handle = try #require(FileHandle(forWritingAtPath: path))
            handle.seekToEndOfFile()
            handle.write(Data(#"{"chunk": "c0019", "sta"#.utf8))
            try handle.close()

            let before = server.requests.filter(Self.isMap).count
            let report = try await mapReduce.run([Self.source(paragraphs: 20)])
            let rerun = server.requests.filter(Self.isMap).dropFirst(before).compactMap(Self.chunkID)
            #expect(report.failed.isEmpty)
            #expect(rerun.count == 20 - saved.count)
            #expect(Set(rerun).isDisjoint(with: saved))
            await http.shutdown()
        }
    }

    @Test func badInputIsRefusedBeforeAnythingRuns() async throws {
        try await withFakeModelServer { server in
            let http = HTTPClient()
            let folder = try ConfigTempDirectory()
            let mapReduce = mapReduce(server, http) { $0.contextTokens = 40 }
            await #expect(throws: MapError("empty input: nothing to map (the sources have no text)")) {
                try await mapReduce.run([MapSource(name: "empty.md", text: "")])
            }
            let tooBig = await #expect(throws: MapError.self) { try await mapReduce.run([Self.source(paragraphs: 2)]) }
            #expect(tooBig?.message.hasPrefix("chunk c0001 (contract.md:1-1) needs about") == true)
            let binary = folder.path + "/image.bin"
            _ = FileManager.default.createFile(atPath: binary, contents: Data([0x89, 0x50, 0x00, 0x01]))
            #expect(throws: MapError("\(binary) is binary (not UTF-8 text); it cannot be mapped")) { try MapInput.load([binary]) }
            try folder.write("docs/a.md", "text")
            _ = FileManager.default.createFile(atPath: folder.path + "/docs/b.bin", contents: Data([0, 1, 2]))
            let loaded = try MapInput.load([folder.path + "/docs"])
            #expect(loaded.sources.map(\.text) == ["text"])
            #expect(loaded.skipped.count == 1)
            #expect(server.requestCount == 0)
            await http.shutdown()
        }
    }

    /// The map's input-token cap leaves no room for the reduce: the answer is what was mapped, and
    /// the report says the reduce did not finish and why.
    @Test func aReduceOverBudgetAnswersFromWhatWasReducedAndSaysWhatWasNot() async throws {
        try await withFakeModelServer { server in
            server.respond { request in
                Self.isMap(request)
                    ? .text("deadline in \(Self.chunkID(request) ?? "?")", usage: TokenUsage(inputTokens: 100, outputTokens: 5))
                    : .text("merged", usage: TokenUsage(inputTokens: 100, outputTokens: 5))
            }
            let http = HTTPClient()
            let mapReduce = mapReduce(server, http) {
                $0.limits = Budget.Limits(inputTokens: 1050, maxTurns: nil, maxCallsPerRun: nil, maxCallsPerTurn: nil, synthesisReserve: 0)
                $0.concurrency = 1
            }
            let report = try await mapReduce.run([Self.source(paragraphs: 10)])
            #expect(report.reduction.isPartial)
            #expect(report.reduction.answer.hasPrefix("The last reduce did not finish (budget_tokens"))
            // Every chunk that mapped is in the answer; one the budget refused is named as failed.
            let mapped = report.results.filter { $0.status == .ok }
            #expect(mapped.count >= 5)
            #expect(mapped.allSatisfy { report.reduction.answer.contains("[\($0.chunkID) \($0.position)]\ndeadline in \($0.chunkID)") })
            #expect(report.failed.allSatisfy { report.text.contains("- \($0.chunkID) (\($0.position)): budget_tokens") })
            #expect(server.requests.filter(Self.isReduce).isEmpty)
            await http.shutdown()
        }
    }
}
