import Testing
import Brigade
@testable import BrigadeBatch

@Suite("Batch sharding and merge", .timeLimit(.minutes(1)))
struct BatchShardTests {
    @Test func fnv1a64MatchesTheReferenceVectors() {
        #expect(BatchShard.fnv1a64("") == 0xcbf2_9ce4_8422_2325)
        #expect(BatchShard.fnv1a64("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(BatchShard.fnv1a64("foobar") == 0x8594_4171_f739_67e8)
    }

    @Test func everyItemIsInExactlyOneShardAndTheAssignmentIsStable() throws {
        let ids = (0..<1000).map { BatchItemID("id-\($0)") } + (0..<1000).map { BatchItemID($0) }
        for count in [1, 2, 7, 64] {
            let shards = try (0..<count).map { try BatchShard(index: $0, count: count) }
            var sizes = [Int](repeating: 0, count: count)
            for id in ids {
                let owners = shards.filter { $0.contains(id) }
                #expect(owners.count == 1, "\(id) in \(owners.count) of \(count) shards")
                if let owner = owners.first { sizes[owner.index] += 1 }
            }
            if count == 7 { #expect(sizes.allSatisfy { $0 > 200 && $0 < 380 }, "uneven shards: \(sizes)") }
        }
        // Stable across runs and machines: fixed assignments.
        let four = try (0..<4).map { try BatchShard(index: $0, count: 4) }
        #expect(four.firstIndex { $0.contains(BatchItemID("a")) } == Int(0xaf63_dc4c_8601_ec8c as UInt64 % 4))
        #expect(four.firstIndex { $0.contains(BatchItemID(7)) } == four.firstIndex { $0.contains(BatchItemID("7")) })
    }

    @Test(arguments: ["3", "1/0", "4/4", "-1/4", "a/b", "1/2/3", ""])
    func badShardSpecsAreRefused(spec: String) {
        #expect(throws: BatchError.self) { try BatchShard(parsing: spec) }
    }

    @Test func shardSpecParses() throws {
        let shard = try BatchShard(parsing: "2/5")
        #expect(shard.index == 2 && shard.count == 5 && shard.description == "2/5")
    }

    func runShards(_ count: Int, text: String, in directory: BatchTempDirectory) async throws -> [String] {
        let input = try BatchInput(parsing: Array(text.utf8))
        var paths: [String] = []
        for index in 0..<count {
            let path = directory.file("shard-\(index).jsonl")
            let configuration = BatchConfiguration(concurrency: 2, shard: try BatchShard(index: index, count: count))
            let summary = try await BatchEngine(runner: BatchFakeRunner(), configuration: configuration).run(input, resultsPath: path)
            #expect(summary.total == input.entries(in: configuration.shard).count)
            paths.append(path)
        }
        return paths
    }

    @Test func shardRunsCoverTheInputAndMergeCleanly() async throws {
        let directory = BatchTempDirectory()
        let text = batchInputText(60)
        let input = try BatchInput(parsing: Array(text.utf8))
        let paths = try await runShards(3, text: text, in: directory)
        let sizes = try paths.map { try directory.records(String($0.split(separator: "/").last ?? "")).count }
        #expect(sizes.reduce(0, +) == 60 && sizes.allSatisfy { $0 > 0 })

        let report = try BatchMerge.merge(paths, into: directory.file("merged.jsonl"), input: input)
        #expect(report.isClean && report.written == 60 && report.ok == 60)
        let merged = try directory.records("merged.jsonl")
        #expect(merged.map(\.id) == input.entries.map(\.id), "merged in input order")
    }

    @Test func mergeReportsDuplicatesMissingUnexpectedAndTornLines() async throws {
        let directory = BatchTempDirectory()
        let text = batchInputText(12)
        let input = try BatchInput(parsing: Array(text.utf8))
        let paths = try await runShards(2, text: text, in: directory)
        // Move one line of shard 0 into shard 1 as well (duplicate), drop another (missing),
        // add an id the input lacks, and leave a torn tail.
        let zero = directory.read("shard-0.jsonl").split(separator: "\n").map(String.init)
        let one = directory.read("shard-1.jsonl")
        let duplicated = try BatchRecord(parsing: Array(zero[0].utf8)).id
        let dropped = try BatchRecord(parsing: Array(zero[1].utf8)).id
        let stranger = BatchRecord(id: BatchItemID("stranger"), status: .ok, stopReason: "completed").jsonLine
        _ = directory.write("shard-0.jsonl", ([zero[0]] + zero[2...]).joined(separator: "\n") + "\n")
        _ = directory.write("shard-1.jsonl", one + zero[0] + "\n" + stranger + "{\"id\": \"item-")

        let report = try BatchMerge.merge(paths, into: directory.file("merged.jsonl"), input: input)
        #expect(!report.isClean)
        #expect(report.duplicates.map(\.id) == [duplicated])
        #expect(report.duplicates.first?.locations.count == 2)
        #expect(report.missing == [dropped])
        #expect(report.unexpected == [BatchItemID("stranger")])
        #expect(report.tornLines.map(\.path) == [paths[1]])
        #expect(report.written == 12)
        let merged = try directory.records("merged.jsonl")
        #expect(Set(merged.map(\.id)).count == merged.count)
        #expect(report.description.contains("1 missing id: \(dropped)"))
    }

    @Test func mergePrefersOkOverFailedOverSkipped() throws {
        let directory = BatchTempDirectory()
        let id = BatchItemID("x")
        let a = directory.write("a.jsonl", BatchRecord(id: id, status: .skipped, stopReason: "budget").jsonLine)
        let b = directory.write("b.jsonl", BatchRecord(id: id, status: .failed, stopReason: "error", error: "e").jsonLine)
        let c = directory.write("c.jsonl", BatchRecord(id: id, status: .ok, answer: "yes", stopReason: "completed").jsonLine)
        let report = try BatchMerge.merge([a, b, c], into: directory.file("m.jsonl"))
        #expect(report.written == 1 && report.ok == 1 && report.duplicates.first?.locations.count == 3)
        #expect(try directory.records("m.jsonl").first?.answer == "yes")
    }

    @Test func mergeOfAMissingFileIsAnIOError() throws {
        let directory = BatchTempDirectory()
        let error = try #require(throws: BatchError.self) {
            try BatchMerge.merge([directory.file("absent.jsonl")], into: directory.file("m.jsonl"))
        }
        #expect(error.code == .io)
    }
}
