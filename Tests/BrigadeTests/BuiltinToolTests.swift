import Brigade
import Foundation
import Testing

import BrigadeTesting
#if canImport(Glibc)
import Glibc
#endif

/// A root folder with files, plus a secret next to it that must stay unreachable.
final class FileSandbox {
    let outer: TemporaryFolder
    let root: String
    let secret: String

    init() throws {
        outer = try TemporaryFolder()
        root = try outer.makeDirectory("root")
        secret = try outer.write("secret.txt", "TOP SECRET\n")
        try outer.write("root/notes.txt", "hello\nworld\n")
        try outer.write("root/docs/guide.md", "# Guide\n")
        try outer.write("root/docs/deep/a/b/c.txt", "deep\n")
        try outer.write("root/.git/HEAD", "ref: refs/heads/main\n")
        try outer.write("root/empty.txt", "")
        try Data([0x89, 0x50, 0x4E, 0x47, 0x00, 0x01, 0x02]).write(to: URL(fileURLWithPath: root + "/image.png"))
        symlink(secret, root + "/escape-file")
        symlink(outer.path, root + "/escape-dir")
        symlink("notes.txt", root + "/inside-link")
    }

    func roots() throws -> FileRoots { try FileRoots([root]) }
}

@Suite("Builtin tools", .timeLimit(.minutes(1)))
struct BuiltinToolTests {
    let box: FileSandbox
    let read: ReadFileExecutor
    let list: ListDirectoryExecutor

    init() throws {
        box = try FileSandbox()
        read = ReadFileExecutor(roots: try box.roots(), maxOutputBytes: 64 * 1024)
        list = ListDirectoryExecutor(roots: try box.roots(), maxOutputBytes: 64 * 1024)
    }

    @Test func readsFilesInsideTheRoot() async throws {
        #expect(try await read.call(["path": "notes.txt"], context: context) == ToolOutput(text: "hello\nworld\n"))
        #expect(try await read.call(["path": .string(box.root + "/docs/guide.md")], context: context).text == "# Guide\n")
        #expect(try await read.call(["path": "docs/../notes.txt"], context: context).text == "hello\nworld\n")
        #expect(try await read.call(["path": "inside-link"], context: context).text == "hello\nworld\n")
        #expect(try await read.call(["path": "empty.txt"], context: context).text == "(empty file)")
    }

    @Test(arguments: ["../secret.txt", "docs/../../secret.txt", "/etc/passwd", "escape-file", "escape-dir/secret.txt", "/", ".."])
    func escapesAreRefused(_ path: String) async throws {
        let output = try await read.call(["path": .string(path)], context: context)
        #expect(output.isError)
        #expect(!output.text.contains("TOP SECRET"))
        #expect(output.text.contains("outside the allowed folders") || output.text.contains("is a directory"))
        let listing = try await list.call(["path": .string(path)], context: context)
        #expect(listing.isError)
    }

    @Test func symlinkEscapesNameTheLink() async throws {
        let output = try await read.call(["path": "escape-file"], context: context)
        #expect(output == ToolOutput(text: "`escape-file` leads outside the allowed folders through a symbolic link", isError: true))
    }

    @Test func missingAndSpecialFiles() async throws {
        #expect(try await read.call(["path": "nope.txt"], context: context) == ToolOutput(text: "`nope.txt`: no such file or directory", isError: true))
        #expect(try await read.call(["path": "docs"], context: context) == ToolOutput(text: "`docs` is a directory; use list_dir", isError: true))
        mkfifo(box.root + "/pipe", 0o600)
        #expect(try await read.call(["path": "pipe"], context: context) == ToolOutput(text: "`pipe` is not a regular file", isError: true))
        #expect(try await read.call([:], context: context).isError)
    }

    @Test func binaryFilesAreDescribed() async throws {
        let output = try await read.call(["path": "image.png"], context: context)
        #expect(output == ToolOutput(text: "`image.png` looks like a binary file (7 bytes); read_file shows text only", isError: true))
    }

    @Test func rangesAndContinuation() async throws {
        try box.outer.write("root/long.txt", String(repeating: "abcdefghij", count: 10))
        let first = try await read.call(["path": "long.txt", "max_bytes": 30], context: context)
        #expect(first.text == "abcdefghijabcdefghijabcdefghij\n[bytes 0–29 of 100; continue with offset=30]")
        let last = try await read.call(["path": "long.txt", "offset": 90, "max_bytes": 30], context: context)
        #expect(last.text == "abcdefghij\n[bytes 90–99 of 100]")
        let past = try await read.call(["path": "long.txt", "offset": 100], context: context)
        #expect(past == ToolOutput(text: "offset 100 is past the end of `long.txt` (100 bytes)", isError: true))
    }

    @Test func rangesNeverSplitCharacters() async throws {
        try box.outer.write("root/accents.txt", "ééééé")  // 10 bytes
        let head = try await read.call(["path": "accents.txt", "max_bytes": 3], context: context)
        #expect(head.text == "é\n[bytes 0–1 of 10; continue with offset=2]")
        let middle = try await read.call(["path": "accents.txt", "offset": 3, "max_bytes": 4], context: context)
        #expect(middle.text == "é\n[bytes 4–5 of 10; continue with offset=6]")
    }

    @Test func readingIsCappedByTheToolLimit() async throws {
        try box.outer.write("root/big.txt", String(repeating: "x", count: 5000))
        let small = ReadFileExecutor(roots: try box.roots(), maxOutputBytes: 1000)
        let output = try await small.call(["path": "big.txt", "max_bytes": 999_999], context: context)
        #expect(output.text == String(repeating: "x", count: 1000) + "\n[bytes 0–999 of 5000; continue with offset=1000]")
    }

    @Test func listsOneLevelWithTypesAndSizes() async throws {
        let output = try await list.call([:], context: context)
        #expect(output.text == """
            ./ — 8 entries
            .git/
            docs/
            empty.txt  (0 B)
            escape-dir -> \(box.outer.path)
            escape-file -> \(box.secret)
            image.png  (7 B)
            inside-link -> notes.txt
            notes.txt  (12 B)
            """)
    }

    @Test func listsRecursivelyWithinDepthWithoutExpandingGit() async throws {
        let output = try await list.call(["path": "docs", "recursive": true, "max_depth": 2], context: context)
        #expect(output.text == """
            docs/ — 3 entries (depth 2)
            deep/
            deep/a/
            guide.md  (8 B)
            """)
        let top = try await list.call(["recursive": true], context: context)
        #expect(top.text.contains("\n.git/  (not expanded)\n"))
        #expect(top.text.contains("\ndocs/deep/a/\n"))
        #expect(!top.text.contains("c.txt"))
        #expect(!top.text.contains("TOP SECRET"))
        #expect(!top.text.contains("secret.txt  ("))
    }

    @Test func listingIsCapped() async throws {
        let many = try box.outer.makeDirectory("root/many")
        for index in 0..<30 { try box.outer.write("root/many/f\(index < 10 ? "0" : "")\(index)", "") }
        let capped = ListDirectoryExecutor(roots: try box.roots(), maxOutputBytes: 64 * 1024, maxEntries: 10)
        let output = try await capped.call(["path": .string(many)], context: context)
        #expect(output.text.hasPrefix("many/ — 30 entries\nf00  (0 B)"))
        #expect(output.text.hasSuffix("f09  (0 B)\n[20 more entries not shown]"))
    }

    @Test func fileRootsMustExist() {
        #expect(throws: ConfigError("root '/no/such/root' does not exist or is not a directory")) {
            try FileRoots(["/no/such/root"])
        }
    }

    @Test func currentTimeInANamedZone() async throws {
        let clock = CurrentTimeExecutor()
        let output = try await clock.call(["timezone": "Asia/Kolkata"], context: context)
        let lines = output.text.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0].contains("+05:30 (Asia/Kolkata, "))
        #expect(lines[1].hasPrefix("UTC: ") && lines[1].hasSuffix("Z"))
        // Both lines name the same instant.
        let formatter = ISO8601DateFormatter()
        let local = try #require(formatter.date(from: String(lines[0].prefix(25))))
        let utc = try #require(formatter.date(from: String(lines[1].dropFirst(5))))
        #expect(local == utc)
        #expect(abs(utc.timeIntervalSinceNow) < 3600)
    }

    @Test func unknownZoneIsAnError() async throws {
        let output = try await CurrentTimeExecutor().call(["timezone": "Mars/Olympus"], context: context)
        #expect(output.isError)
        #expect(output.text.hasPrefix("unknown time zone \"Mars/Olympus\""))
    }
}
