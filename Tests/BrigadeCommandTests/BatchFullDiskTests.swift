import Brigade
import BrigadeTesting
import Foundation
import Testing

/// A results file that cannot grow stops `brigade batch` cleanly, and running the batch again resumes
/// exactly the items whose lines are not on disk (docs/batch.md, "A full disk").
///
/// The disk fills for real through the file-size limit (`ulimit -f`, `RLIMIT_FSIZE`): a write that
/// reaches it takes what fits and the next fails with `EFBIG`, as a full disk fails with `ENOSPC` or
/// a quota with `EDQUOT` — the same path through the results writer. A small tmpfs would give
/// `ENOSPC` itself, but mounting one needs privileges (or user namespaces) that a CI container may
/// not grant; the limit needs none.
@Suite("Batch on a full disk", .timeLimit(.minutes(3)))
struct BatchFullDiskTests {
    static let count = 60

    /// A folder whose static route answers "say hello" through an `echo` tool; no run store, so the
    /// results file (and the summary) are the only files the batch writes.
    static func workspace() throws -> TemporaryFolder {
        let folder = try TemporaryFolder()
        try folder.write("config.yaml", "routing: static\nstore: off\n")
        try folder.writeGreetingRoute()
        try folder.write("in.jsonl", (0..<count).map { "{\"id\": \"item-\($0)\", \"prompt\": \"say hello \($0)\"}" }.joined(separator: "\n") + "\n")
        return folder
    }

    @Test func aResultsFileThatCannotGrowStopsTheBatchAndTheResumeRunsExactlyTheRest() async throws {
        let folder = try Self.workspace()
        let arguments = ["batch", "in.jsonl", "--out", "out.jsonl", "--concurrency", "1", "--summary", "summary.json"]
        // 16 blocks of 512 bytes: room for about 25 of the 60 result lines.
        let limited = try await Brigade.run(
            ["sh", "-c", "ulimit -f 16; exec \"$0\" \"$@\"", Brigade.path] + arguments, in: folder.path, executable: "/bin/sh")
        #expect(limited.status == 74, "\(limited.standardError)")
        #expect(limited.standardError.contains("brigade: cannot write out.jsonl: File too large; the batch stopped."), "\(limited.standardError)")
        #expect(limited.standardError.contains("stopped by write_failed"), "\(limited.standardError)")

        // The file holds only whole lines (the failed group's part was cut off), and exactly the items
        // the summary counts as recorded.
        let text = try String(contentsOfFile: folder.path + "/out.jsonl", encoding: .utf8)
        #expect(text.utf8.count <= 16 * 512)
        #expect(text.hasSuffix("\n"))
        let first = try ndjsonLines(text)
        #expect(first.count > 0 && first.count < Self.count, "\(first.count) lines")
        #expect(first.allSatisfy { $0["status"] == "ok" })
        let summary = try JSONValue(parsing: String(contentsOfFile: folder.path + "/summary.json", encoding: .utf8))
        #expect(summary["stopped_by"] == "write_failed")
        #expect(summary["ok"] == .integer(first.count))
        #expect(summary["not_started"] == .integer(Self.count - first.count))
        #expect(limited.standardError.contains("The \(first.count) items recorded are on disk; the \(Self.count - first.count) others run"))

        let resumed = try await Brigade.run(arguments, in: folder.path)
        #expect(resumed.status == 0, "\(resumed.standardError)")
        let all = try ndjsonLines(try String(contentsOfFile: folder.path + "/out.jsonl", encoding: .utf8))
        #expect(Array(all.prefix(first.count)) == first, "the recorded lines stay as they were")
        let ids = all.compactMap { $0["id"]?.stringValue }
        #expect(ids.count == Self.count && Set(ids) == Set((0..<Self.count).map { "item-\($0)" }))
        #expect(all.allSatisfy { $0["status"] == "ok" })
        let second = try JSONValue(parsing: String(contentsOfFile: folder.path + "/summary.json", encoding: .utf8))
        #expect(second["resumed"] == .integer(first.count))
        #expect(second["ran"] == .integer(Self.count - first.count))
        #expect(second["stopped_by"] == .null)
    }
}
