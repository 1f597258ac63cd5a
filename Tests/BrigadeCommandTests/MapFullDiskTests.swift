import Brigade
import BrigadeTesting
import Foundation
import Testing

/// `brigade map --out` on a full disk: map results that cannot be saved are cut off whole and named,
/// a report that cannot be written fails the command naming the file, and a re-run maps exactly the
/// chunks whose results are not on disk (docs/workers.md). The disk fills through the file-size limit
/// (`ulimit -f`, `EFBIG`), as in BatchFullDiskTests.
@Suite("brigade map on a full disk", .timeLimit(.minutes(3)))
struct MapFullDiskTests {
    @Test func unsavedChunksAreNamedCutOffWholeAndMappedAgainOnTheRerun() async throws {
        try await withFakeModelServer { server in
            let every = (1...10).map { String(format: "c%04d", $0) }
            // The reduce's answer is longer than the limit, so the report cannot be written either.
            let longAnswer = "Paragraphs found in [\(every.joined(separator: ", "))]. " + String(repeating: "Details. ", count: 200)
            server.respond { request in
                guard let chunk = MapResumeTests.chunkID(request) else { return .text(longAnswer) }
                return .text("paragraph of \(chunk)")
            }
            let folder = try TemporaryFolder()
            try folder.writeFakeModelConfig(server)
            try folder.write("input.txt", (1...10).map { "Paragraph number \($0)." }.joined(separator: "\n\n"))
            let map = ["map", "input.txt", "--brief", "List the paragraph numbers.", "--chunk-tokens", "5", "--concurrency", "10", "--out", "report.md"]
            let env = ["FAKE_KEY": "k"]
            // 2 blocks of 512 bytes: room for a few of the ten result lines.
            let limited = try await Brigade.run(
                ["sh", "-c", "ulimit -f 2; exec \"$0\" \"$@\"", Brigade.path] + map, in: folder.path, environment: env, executable: "/bin/sh")
            #expect(limited.status == 1, "\(limited.standardError)")
            #expect(limited.standardError.contains(
                "brigade map: cannot save map results to report.md.map.jsonl: File too large; a re-run maps the chunks not saved again"),
                "\(limited.standardError)")
            #expect(limited.standardError.contains("brigade: cannot write report.md: "), "\(limited.standardError)")
            #expect(limited.standardError.contains("File too large"))
            #expect(!FileManager.default.fileExists(atPath: folder.path + "/report.md"))

            // Whole lines only: the line that did not fit was cut off.
            let text = try String(contentsOfFile: folder.path + "/report.md.map.jsonl", encoding: .utf8)
            #expect(text.isEmpty || text.hasSuffix("\n"))
            let saved = try ndjsonLines(text).compactMap { $0["chunk"]?.stringValue }
            #expect(saved.count > 0 && saved.count < every.count, "\(saved)")
            let firstRun = server.requests.count
            #expect(firstRun == every.count + 1, "every chunk and the reduce ran")

            let rerun = try await Brigade.run(map, in: folder.path, environment: env)
            #expect(rerun.status == 0, "\(rerun.standardError)")
            #expect(!rerun.standardError.contains("cannot save"))
            let resent = server.requests.dropFirst(firstRun).compactMap(MapResumeTests.chunkID)
            #expect(resent.sorted() == every.filter { !saved.contains($0) }, "exactly the chunks not saved are mapped again")
            let report = try String(contentsOfFile: folder.path + "/report.md", encoding: .utf8)
            #expect(report.hasPrefix(longAnswer))
        }
    }
}
