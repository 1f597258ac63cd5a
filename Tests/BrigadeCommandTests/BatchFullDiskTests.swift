import Brigade
import BrigadeTesting
import Foundation
import Testing

/// A results file that cannot grow stops `brigade batch` cleanly, and running the batch again resumes
/// exactly the items whose lines are not on disk (docs/batch.md, "A full disk").
///
/// Twice: through the file-size limit (`ulimit -f`, `RLIMIT_FSIZE`: a write that reaches it takes what
/// fits and the next fails with `EFBIG`, as a full disk fails with `ENOSPC` — the same path through
/// the results writer), which needs no privileges and so runs in any CI; and on a real full tmpfs
/// (`ENOSPC`), mounted in a user and mount namespace where the machine allows one (a container may
/// not: that test is then skipped, saying so).
@Suite("Batch on a full disk", .timeLimit(.minutes(3)))
struct BatchFullDiskTests {
    static let count = 60

    /// A folder whose static route answers "say hello" through an `echo` tool; no run store, so the
    /// results file (and the summary) are the only files the batch writes.
    static func workspace() throws -> TemporaryFolder {
        let folder = try TemporaryFolder()
        try folder.write("config.yaml", "routing: static\nstore: off\n")
        try folder.writeGreetingRoute()
        try FileManager.default.createDirectory(atPath: folder.path + "/disk", withIntermediateDirectories: true)
        try folder.write("in.jsonl", (0..<count).map { "{\"id\": \"item-\($0)\", \"prompt\": \"say hello \($0)\"}" }.joined(separator: "\n") + "\n")
        return folder
    }

    /// What one run left: its exit status, stderr, the results file and the summary file.
    struct Run {
        var status: Int32
        var standardError: String
        var results: String
        var summary: JSONValue
    }

    /// The first run stopped on the full disk with `reason`; the second, with room again, finished the
    /// batch by running exactly the items the first left without a line.
    func expectStoppedThenResumed(_ first: Run, _ second: Run, reason: String, room: Int) throws {
        #expect(first.status == 74, "\(first.standardError)")
        #expect(first.standardError.contains("brigade: cannot write \(Self.results): \(reason); the batch stopped."), "\(first.standardError)")
        #expect(first.standardError.contains("stopped by write_failed"), "\(first.standardError)")
        // The file holds only whole lines (the failed group's part was cut off), and exactly the items
        // the summary counts as recorded.
        #expect(first.results.utf8.count <= room)
        #expect(first.results.hasSuffix("\n"))
        let recorded = try ndjsonLines(first.results)
        #expect(recorded.count > 0 && recorded.count < Self.count, "\(recorded.count) lines")
        #expect(recorded.allSatisfy { $0["status"] == "ok" })
        #expect(first.summary["stopped_by"] == "write_failed")
        #expect(first.summary["ok"] == .integer(recorded.count))
        #expect(first.summary["not_started"] == .integer(Self.count - recorded.count))
        #expect(first.standardError.contains("The \(recorded.count) items recorded are on disk; the \(Self.count - recorded.count) others run"))

        #expect(second.status == 0, "\(second.standardError)")
        let all = try ndjsonLines(second.results)
        #expect(Array(all.prefix(recorded.count)) == recorded, "the recorded lines stay as they were")
        let ids = all.compactMap { $0["id"]?.stringValue }
        #expect(ids.count == Self.count && Set(ids) == Set((0..<Self.count).map { "item-\($0)" }))
        #expect(all.allSatisfy { $0["status"] == "ok" })
        #expect(second.summary["resumed"] == .integer(recorded.count))
        #expect(second.summary["ran"] == .integer(Self.count - recorded.count))
        #expect(second.summary["stopped_by"] == .null)
    }

    static let results = "disk/out.jsonl"
    static let arguments = ["batch", "in.jsonl", "--out", results, "--concurrency", "1", "--summary", "summary.json"]

    static func read(_ folder: TemporaryFolder, _ outcome: Brigade.Outcome) throws -> Run {
        Run(
            status: outcome.status, standardError: outcome.standardError,
            results: try String(contentsOfFile: folder.path + "/" + results, encoding: .utf8),
            summary: try JSONValue(parsing: String(contentsOfFile: folder.path + "/summary.json", encoding: .utf8)))
    }

    /// The file-size limit: runs everywhere, unprivileged.
    @Test func aResultsFileThatCannotGrowStopsTheBatchAndTheResumeRunsExactlyTheRest() async throws {
        let folder = try Self.workspace()
        // 16 blocks of 512 bytes: room for about 25 of the 60 result lines.
        let limited = try await Brigade.run(
            ["sh", "-c", "ulimit -f 16; exec \"$0\" \"$@\"", Brigade.path] + Self.arguments, in: folder.path, executable: "/bin/sh")
        let first = try Self.read(folder, limited)
        let second = try Self.read(folder, try await Brigade.run(Self.arguments, in: folder.path))
        try expectStoppedThenResumed(first, second, reason: "File too large", room: 16 * 512)
    }

    /// A real full disk: a 64 KiB tmpfs in a mount namespace of the test's own, filled but for 8 KiB;
    /// the second run comes after the filler is removed. The tmpfs goes with the namespace, so the
    /// script copies out what each run left.
    @Test(.enabled("needs `unshare -rm` (user and mount namespaces) to mount a tmpfs", MountNamespace.isAvailable))
    func aFullTmpfsStopsTheBatchWithENOSPCAndFreeingSpaceResumesIt() async throws {
        let folder = try Self.workspace()
        let script = """
            set -e
            mount -t tmpfs -o size=64k tmpfs disk
            head -c 57344 /dev/zero > disk/filler
            status=0; "$0" "$@" 2> first.err || status=$?
            echo $status > first.status
            cp disk/out.jsonl first.jsonl; cp summary.json first.summary.json
            rm disk/filler
            status=0; "$0" "$@" 2> second.err || status=$?
            echo $status > second.status
            cp disk/out.jsonl second.jsonl; cp summary.json second.summary.json
            """
        let namespace = try await MountNamespace.run(script, Brigade.path, Self.arguments, in: folder.path)
        #expect(namespace.status == 0, "\(namespace.standardError)")
        func copied(_ run: String) throws -> Run {
            func text(_ suffix: String) throws -> String { try String(contentsOfFile: "\(folder.path)/\(run).\(suffix)", encoding: .utf8) }
            return Run(
                status: try #require(Int32(try text("status").trimmingCharacters(in: .whitespacesAndNewlines))),
                standardError: try text("err"), results: try text("jsonl"), summary: try JSONValue(parsing: try text("summary.json")))
        }
        try expectStoppedThenResumed(try copied("first"), try copied("second"), reason: "No space left on device", room: 8192)
    }
}
