import Brigade
import CurlHTTP
import Foundation
import Subprocess
import Testing
import BrigadeTesting

/// The package's `tools/` folder.
let shippedToolsDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("tools").path

/// Runs git (no shell) in `directory`; throws on failure. Asynchronous: a blocking wait for the child
/// would hold one of the cooperative pool's two threads while every other test waits.
func git(_ arguments: [String], in directory: String) async throws {
    let result = try await Subprocess.run(
        .name("git"),
        arguments: Arguments(["-c", "user.name=Test Author", "-c", "user.email=test@example.com", "-c", "init.defaultBranch=main"] + arguments),
        workingDirectory: .init(directory),
        output: .discarded,
        error: .string(limit: 65536)
    )
    guard result.terminationStatus.isSuccess else {
        Issue.record("git \(arguments) failed: \(result.standardError)")
        throw POSIXError(.EINVAL)
    }
}

/// A small git repository with known contents, plus a folder that is not a repository.
final class RepositoryFixture: Sendable {
    let folder: TemporaryFolder
    let repository: String
    let plainFolder: String

    init() async throws {
        folder = try TemporaryFolder()
        repository = try folder.makeDirectory("demo")
        try folder.write("demo/Sources/app.swift", "// TODO: a\n// TODO: b\nlet x = 1 // FIXME\n")
        try folder.write("demo/README.md", "# Demo\nTODO: docs\nTODOS are not markers\n")
        try folder.write("demo/scripts/run.sh", "echo XXX\n")
        try folder.write("demo/Makefile", "all:\n\ttrue\n")
        try Data((0..<5000).map { UInt8($0 % 7) }).write(to: URL(fileURLWithPath: repository + "/big.bin"))
        try await git(["init", "-q"], in: repository)
        try await git(["add", "README.md"], in: repository)
        try await git(["commit", "-q", "-m", "first commit"], in: repository)
        try await git(["add", "Sources", "Makefile"], in: repository)
        try await git(["commit", "-q", "-m", "second commit"], in: repository)
        try await git(["add", "."], in: repository)
        try await git(["commit", "-q", "-m", "third commit"], in: repository)
        try folder.write("demo/untracked.txt", "TODO untracked\n")
        plainFolder = try folder.makeDirectory("plain")
        try folder.write("plain/a.txt", "TODO one\nFIXME two\n")
        try folder.write("plain/.build/gen.txt", "TODO generated\n")
    }
}

@Suite("Shipped tools", .timeLimit(.minutes(2)))
struct ShippedToolsTests {
    let declarations: [ToolDeclaration]
    let fixture: RepositoryFixture
    let client = HTTPClient()

    init() async throws {
        declarations = try RegistryLoader.load(directory: shippedToolsDirectory, environment: ProcessInfo.processInfo.environment)
        fixture = try await RepositoryFixture()
    }

    /// The shipped tool, working in `directory` (its `cwd` for commands, its only root for file builtins).
    func tool(_ name: String, in directory: String? = nil, allowPrivateNetworks: Bool = false) throws -> Tool {
        var declaration = try #require(declarations.first { $0.spec.name == name })
        if allowPrivateNetworks, case .http(var config) = declaration.kind {
            config.allowPrivateNetworks = true
            declaration.kind = .http(config)
        }
        if let directory {
            switch declaration.kind {
            case .command(var config):
                config.cwd = Located(directory)
                declaration.kind = .command(config)
            case .builtin(var config):
                config.roots = [directory]
                declaration.kind = .builtin(config)
            case .http, .agent:
                break
            }
        }
        return try ToolFactory.makeTool(declaration, httpClient: client)
    }

    func run(_ name: String, _ arguments: JSONValue = [:], in directory: String? = nil) async throws -> ToolOutput {
        let tool = try tool(name, in: directory)
        let violations = JSONSchemaValidator.validate(arguments, against: tool.spec.parameters)
        #expect(violations.isEmpty, "\(violations)")
        return try await tool.executor.call(arguments, context: context)
    }

    @Test func everyShippedFileLoadsIntoARegistry() throws {
        let registry = try ToolFactory.makeRegistry(declarations, httpClient: client)
        #expect(Set(registry.names) == [
            "current_time", "disk_usage", "git_recent_commits", "http_get", "largest_files", "lines_by_language", "list_dir",
            "memory_usage", "read_file", "system_load", "todo_count", "top_processes",
        ])
        for spec in registry.specs {
            #expect(JSONSchemaValidator.validateSchema(spec.parameters).isEmpty, "\(spec.name)")
            #expect(spec.policy.timeout != nil, "\(spec.name) has no timeout")
            #expect(JSONSchemaValidator.validate([:], against: spec.parameters).isEmpty || spec.name == "read_file" || spec.name == "http_get")
        }
    }

    @Test func shippedScriptsAreExecutableAndStrict() throws {
        let scripts = try FileManager.default.contentsOfDirectory(atPath: shippedToolsDirectory + "/scripts").filter { $0.hasSuffix(".sh") }
        #expect(scripts.count >= 8)
        for script in scripts where script != "common.sh" {
            let path = shippedToolsDirectory + "/scripts/" + script
            #expect(FileManager.default.isExecutableFile(atPath: path), "\(script)")
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text.hasPrefix("#!/usr/bin/env bash\n"), "\(script)")
            #expect(text.contains("\nset -euo pipefail\n"), "\(script)")
        }
    }

    @Test func gitRecentCommits() async throws {
        let output = try await run("git_recent_commits", ["count": 2], in: fixture.repository)
        let lines = output.text.split(separator: "\n")
        #expect(lines.first == "branch main, 3 commits in total; the latest 2:")
        #expect(lines.count == 3)
        #expect(lines[1].hasSuffix(" Test Author: third commit"))
        #expect(lines[2].hasSuffix(" Test Author: second commit"))
        let all = try await run("git_recent_commits", in: fixture.repository)
        #expect(all.text.hasPrefix("branch main, 3 commits in total; the latest 3:"))
    }

    @Test(arguments: ["git_recent_commits", "lines_by_language", "largest_files"])
    func repositoryToolsOutsideARepositoryFailClearly(_ name: String) async throws {
        let output = try await run(name, in: fixture.plainFolder)
        #expect(output.isError)
        #expect(output.text == "exit code 2\nnot inside a git repository (working directory: \(fixture.plainFolder))")
    }

    @Test func todoCountInARepository() async throws {
        let output = try await run("todo_count", in: fixture.repository)
        #expect(output.text == """
            5 markers (TODO 3, FIXME 1, XXX 1) on lines of 3 files, in tracked files of demo
            files with the most marker lines:
                 3  Sources/app.swift
                 1  README.md
                 1  scripts/run.sh
            """)
        let top = try await run("todo_count", ["top": 1], in: fixture.repository + "/Sources")
        #expect(top.text.hasSuffix("lines:\n     3  Sources/app.swift"))
    }

    @Test func todoCountOutsideARepositorySkipsBuildFolders() async throws {
        let output = try await run("todo_count", in: fixture.plainFolder)
        #expect(output.text == """
            2 markers (FIXME 1, TODO 1) on lines of 1 file, in files under \(fixture.plainFolder) (not a git repository)
            files with the most marker lines:
                 2  a.txt
            """)
    }

    /// "1 commit", "1 file": singular where the count is one.
    @Test func oneIsSingular() async throws {
        let single = try fixture.folder.makeDirectory("single")
        try fixture.folder.write("single/notes.txt", "TODO: one\n")
        try await git(["init", "-q", "-b", "main"], in: single)
        try await git(["add", "."], in: single)
        try await git(["commit", "-q", "-m", "only commit"], in: single)
        #expect(try await run("git_recent_commits", in: single).text.hasPrefix("branch main, 1 commit in total; the latest 1:"))
        #expect(try await run("todo_count", in: single).text.hasPrefix("1 marker (TODO 1) on lines of 1 file, in"))
        #expect(try await run("largest_files", in: single).text.hasPrefix("the 1 largest of 1 tracked file in single ("))
        #expect(try await run("lines_by_language", in: single).text.hasPrefix("1 line in 1 tracked text file of single, by language:"))
    }

    @Test func linesByLanguage() async throws {
        let output = try await run("lines_by_language", in: fixture.repository)
        #expect(output.text == """
            9 lines in 4 tracked text files of demo, by language:
            Markdown                    3 lines      1 file   33.3%
            Swift                       3 lines      1 file   33.3%
            Make                        2 lines      1 file   22.2%
            Shell                       1 line       1 file   11.1%
            """)
        let top = try await run("lines_by_language", ["top": 2], in: fixture.repository)
        #expect(top.text.hasSuffix("(2 more languages not shown)"))
        let three = try await run("lines_by_language", ["top": 3], in: fixture.repository)
        #expect(three.text.hasSuffix("(1 more language not shown)"))
    }

    @Test func largestFiles() async throws {
        let output = try await run("largest_files", ["count": 2], in: fixture.repository)
        let lines = output.text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first?.hasPrefix("the 2 largest of 5 tracked files in demo (") == true)
        #expect(lines.count == 3)
        #expect(lines[1] == " 4.9KiB  big.bin")
        #expect(lines[2] == "    41B  Sources/app.swift")
    }

    @Test func diskUsage() async throws {
        let output = try await run("disk_usage")
        #expect(output.text.hasPrefix("Filesystem "))
        #expect(output.text.split(separator: "\n").contains { $0.hasSuffix(" /") })
        let one = try await run("disk_usage", ["path": .string(fixture.repository)], in: fixture.repository)
        #expect(one.text.split(separator: "\n").count == 2)
        let inside = try await run("disk_usage", ["path": "Sources"], in: fixture.repository)
        #expect(inside.text.split(separator: "\n").count == 2, "\(inside)")
        let root = try await run("disk_usage", ["path": "/"], in: fixture.repository)
        #expect(root.text.split(separator: "\n").count == 2, "\(root)")
        let missing = try await run("disk_usage", ["path": "no/such/place"], in: fixture.repository)
        #expect(missing == ToolOutput(text: "exit code 2\nno such file or directory: no/such/place", isError: true))
        let hostile = try await run("disk_usage", ["path": "--version"])
        #expect(hostile.isError)
    }

    /// Outside the working directory, only mount points are answered: an existing path and a missing
    /// one get the same refusal, so the tool does not tell the model which paths exist.
    @Test func diskUsageDoesNotTellWhetherAPathOutsideExists() async throws {
        let existing = try await run("disk_usage", ["path": "/etc/hostname"], in: fixture.repository)
        let missing = try await run("disk_usage", ["path": "/etc/no-such-file"], in: fixture.repository)
        let escaping = try await run("disk_usage", ["path": "../../etc/hostname"], in: fixture.repository)
        #expect(existing == ToolOutput(text: "exit code 2\nrefused: /etc/hostname is neither a mount point nor inside the working directory", isError: true))
        #expect(missing == ToolOutput(text: "exit code 2\nrefused: /etc/no-such-file is neither a mount point nor inside the working directory", isError: true))
        #expect(escaping.isError && escaping.text.hasPrefix("exit code 2\nrefused: ../../etc/hostname"), "\(escaping)")
    }

    @Test func memoryUsage() async throws {
        let output = try await run("memory_usage")
        let first = try #require(output.text.split(separator: "\n").first)
        #expect(first.hasPrefix("memory: ") && first.contains(" used of ") && first.hasSuffix(" available"))
        #expect(output.text.contains("\nswap: "))
        #expect(output.text.contains("\nMem: "))
    }

    @Test func systemLoad() async throws {
        let output = try await run("system_load")
        let lines = output.text.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix("load average: ") && lines[0].contains(" CPUs; the 1-minute load is "))
        #expect(lines[1].hasPrefix("up "))
        #expect(lines[2].hasPrefix("processes: "))
    }

    @Test func topProcesses() async throws {
        let output = try await run("top_processes", ["sort_by": "memory", "count": 3])
        let lines = output.text.split(separator: "\n")
        #expect(lines.count == 5)
        #expect(lines[0].hasPrefix("top 3 of ") && lines[0].hasSuffix(" processes by memory:"))
        #expect(lines[1].contains("PID") && lines[1].contains("COMMAND"))
        let byCPU = try await run("top_processes")
        #expect(byCPU.text.split(separator: "\n").count == 12)
        #expect(JSONSchemaValidator.validate(["sort_by": "disk"], against: try tool("top_processes").spec.parameters).map(\.description)
            == ["`sort_by`: must be one of \"cpu\", \"memory\""])
    }

    @Test func fileBuiltinsStayInTheirRoot() async throws {
        let read = try await run("read_file", ["path": "README.md"], in: fixture.repository)
        #expect(read.text == "# Demo\nTODO: docs\nTODOS are not markers\n")
        let escape = try await run("read_file", ["path": "../plain/a.txt"], in: fixture.repository)
        #expect(escape.isError)
        let list = try await run("list_dir", ["path": "Sources"], in: fixture.repository)
        #expect(list.text == "Sources/ — 1 entry\napp.swift  (41 B)")
        let defaultRoot = try tool("read_file")
        #expect(defaultRoot.spec.parameters["required"] == ["path"])
    }

    @Test func currentTime() async throws {
        let output = try await run("current_time", ["timezone": "UTC"])
        #expect(output.text.contains("Z (UTC, "))
    }

    @Test func httpGet() async throws {
        let server = try ToolTestServer()
        let shipped = try tool("http_get")
        let tool = try tool("http_get", allowPrivateNetworks: true)
        try await server.run { base in
            // As shipped, the model cannot make it fetch from this machine (issue 18, SSRF).
            let refused = try await shipped.executor.call(["url": .string(base + "/html")], context: context)
            #expect(refused.isError && refused.text.contains("loopback"), "\(refused.text)")
            let page = try await tool.executor.call(["url": .string(base + "/html")], context: context)
            #expect(page.text.hasPrefix("Title: Hi & bye"))
            let missing = try await tool.executor.call(["url": .string(base + "/status/404")], context: context)
            #expect(missing.isError)
            #expect(missing.text.hasPrefix("HTTP 404 Not Found\nboom 404"))
        }
        let local = try await tool.executor.call(["url": "file:///etc/passwd"], context: context)
        #expect(local.isError)
        #expect(JSONSchemaValidator.validate(["url": "file:///etc/passwd"], against: tool.spec.parameters).count == 1)
    }
}
