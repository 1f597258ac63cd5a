import Brigade
import BrigadeTesting
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `brigade map` killed (SIGKILL) after some chunks finished, then run again: the server's recorded
/// requests show that the finished chunks were not sent again, and the report is complete.
@Suite("brigade map resumes after a kill", .timeLimit(.minutes(3)))
struct MapResumeTests {
    /// The chunk id a map request is for (`# Chunk c0003 — …`), or `nil` for a reduce request.
    static func chunkID(_ request: FakeModelRequest) -> String? {
        guard let text = request.lastUserText, let range = text.range(of: "# Chunk ") else { return nil }
        return String(text[range.upperBound...].prefix(5))
    }

    /// The complete lines of the results file (a line without its newline is not counted).
    static func finishedChunks(_ path: String) -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        let text = String(decoding: data, as: UTF8.self)
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().compactMap { line in
            (try? JSONValue(parsing: String(line)))?["chunk"]?.stringValue
        }
    }

    @Test func aRerunAfterAKillSkipsTheFinishedChunksAndReportsThemAll() async throws {
        try await withFakeModelServer { server in
            // First run: c0001–c0004 are answered, every other chunk hangs until the server stops,
            // so the kill always lands on a running map with exactly those four results saved.
            let hangTheRest = Mutex(true)
            server.respond { request in
                guard let chunk = Self.chunkID(request) else {
                    let cited = (1...10).map { String(format: "c%04d", $0) }.filter { request.lastUserText?.contains("[\($0) ") == true }
                    return .text("Paragraphs found in [\(cited.joined(separator: ", "))]")
                }
                if hangTheRest.withLock({ $0 }), !["c0001", "c0002", "c0003", "c0004"].contains(chunk) { return .fault(.hang) }
                return .text("paragraph of \(chunk)")
            }
            let folder = try TemporaryFolder()
            try folder.writeFakeModelConfig(server)
            try folder.write("input.txt", (1...10).map { "Paragraph number \($0)." }.joined(separator: "\n\n"))
            let results = folder.path + "/report.md.map.jsonl"
            let map = ["map", "input.txt", "--brief", "List the paragraph numbers.", "--chunk-tokens", "5", "--concurrency", "10", "--out", "report.md", "--json"]
            let env = ["FAKE_KEY": "k"]
            // sh writes its pid and execs brigade, so the pid is brigade's.
            let script = #"echo $$ > "$0/pid"; exec "$@""#
            let wrapped = ["sh", "-c", script, folder.path, Brigade.path] + map

            async let killed = Brigade.run(wrapped, in: folder.path, environment: env, executable: "/bin/sh")
            var finished: [String] = []
            for _ in 0..<6000 where finished.count < 4 {
                try await Task.sleep(for: .milliseconds(10))
                finished = Self.finishedChunks(results)
            }
            #expect(Set(finished) == ["c0001", "c0002", "c0003", "c0004"])
            let pid = try #require(Int32((try String(contentsOfFile: folder.path + "/pid", encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines)))
            kill(pid, SIGKILL)
            #expect(try await killed.status == 137)
            let firstRun = server.requests
            #expect(firstRun.allSatisfy { Self.chunkID($0) != nil }, "no reduce before the kill")
            // A kill in the middle of a write leaves a torn last line; the re-run must not glue its
            // first result onto it.
            let handle = try #require(FileHandle(forWritingAtPath: results))
            handle.seekToEndOfFile()
            handle.write(Data(#"{"chunk":"c0005","position":"input.txt:9-9","status":"ok","outp"#.utf8))
            try handle.close()

            hangTheRest.withLock { $0 = false }
            let rerun = try await Brigade.run(map, in: folder.path, environment: env)
            #expect(rerun.status == 0, "\(rerun.standardError)")
            let secondRun = server.requests.dropFirst(firstRun.count)
            let resent = secondRun.compactMap(Self.chunkID)
            #expect(resent.sorted() == (5...10).map { String(format: "c%04d", $0) }, "only the unfinished chunks are sent again")
            #expect(secondRun.filter { Self.chunkID($0) == nil }.count == 1)
            let report = try #require(try ndjsonLines(rerun.standardOutput).last)
            #expect(report["type"]?.stringValue == "map_report" && report["chunks"] == .integer(10))
            #expect(report["failed"]?.arrayValue?.isEmpty == true && report["partial"] == .bool(false))
            let every = (1...10).map { String(format: "c%04d", $0) }
            #expect(report["answer"]?.stringValue == "Paragraphs found in [\(every.joined(separator: ", "))]")
            #expect(rerun.standardOutput.contains(#""reused":4"#), "the progress counts the reused chunks")

            // The file holds every chunk once more on whole lines: a third run maps nothing.
            #expect(Set(Self.finishedChunks(results)) == Set(every))
            let third = try await Brigade.run(map, in: folder.path, environment: env)
            #expect(third.status == 0, "\(third.standardError)")
            let thirdRun = server.requests.dropFirst(firstRun.count + secondRun.count)
            #expect(thirdRun.count == 1 && thirdRun.allSatisfy { Self.chunkID($0) == nil }, "\(thirdRun.compactMap(Self.chunkID))")
        }
    }
}
