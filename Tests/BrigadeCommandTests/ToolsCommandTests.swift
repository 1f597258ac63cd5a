import Foundation
import Testing
import BrigadeTesting

@Suite("brigade tools and routes", .timeLimit(.minutes(2)))
struct ToolsCommandTests {
    func check(_ files: [String: String], sourceLocation: SourceLocation = #_sourceLocation) async throws -> Brigade.Outcome {
        let folder = try TemporaryFolder()
        for (name, text) in files { try folder.write(name, text) }
        return try await Brigade.run(["tools", "check"], in: folder.path)
    }

    static let goodTool = "name: hello\ndescription: Says hello.\nkind: command\ncommand:\n  argv: [echo, hello]\n"

    @Test func checkPassesOnTheShippedConfiguration() async throws {
        let outcome = try await Brigade.run(["tools", "check", "--config", Brigade.repositoryRoot + "/config.yaml"], in: Brigade.repositoryRoot)
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.standardOutput.contains("12 tools, 9 routes"))
    }

    @Test func oneToolIsSingular() async throws {
        let outcome = try await check(["config.yaml": "routing: static\n", "tools/hello.yaml": Self.goodTool])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.standardOutput.contains(": 1 tool, 0 routes, model"), "\(outcome.standardOutput)")
    }

    @Test func unknownConfigKeyGetsFileLineColumnAndASuggestion() async throws {
        let outcome = try await check(["config.yaml": "limits:\n  max_turn: 3\n", "tools/hello.yaml": Self.goodTool])
        #expect(outcome.status == 2)
        #expect(outcome.standardError.contains("config.yaml:2:3: error: unknown key `max_turn` in `limits`; did you mean `max_turns`?"), "\(outcome.standardError)")
    }

    @Test func wrongTypeInConfig() async throws {
        let outcome = try await check(["config.yaml": "limits:\n  max_turns: many\n"])
        #expect(outcome.status == 2)
        #expect(outcome.standardError.contains("config.yaml:2:14: error: `limits.max_turns`: expected integer, got string `many`"), "\(outcome.standardError)")
    }

    @Test func malformedToolYAML() async throws {
        let outcome = try await check(["config.yaml": "routing: static\n", "tools/bad.yaml": "name: x\ndescription: 'unclosed\n"])
        #expect(outcome.status == 2)
        #expect(outcome.standardError.contains("tools/bad.yaml:"), "\(outcome.standardError)")
        #expect(outcome.standardError.contains("error:"))
        #expect(!outcome.standardError.contains("Fatal error"))
    }

    @Test func duplicateToolNamesNameBothPlaces() async throws {
        let outcome = try await check(["config.yaml": "routing: static\n", "tools/a.yaml": Self.goodTool, "tools/b.yaml": Self.goodTool])
        #expect(outcome.status == 2)
        #expect(outcome.standardError.contains("tools/b.yaml:1:1: error: duplicate tool name `hello` (first declared at "), "\(outcome.standardError)")
    }

    @Test func missingScriptIsReported() async throws {
        let outcome = try await check(["config.yaml": "routing: static\n", "tools/a.yaml": "name: s\ndescription: d\nkind: command\ncommand:\n  argv: [./scripts/nope.sh]\n"])
        #expect(outcome.status == 2)
        #expect(outcome.standardError.contains("tools/a.yaml:5:10: error:"), "\(outcome.standardError)")
        #expect(outcome.standardError.contains("nope.sh"))
    }

    @Test func routeNamingAnUnknownToolIsRejected() async throws {
        let outcome = try await check([
            "config.yaml": "routing: static\n", "tools/a.yaml": Self.goodTool,
            "routes/r.yaml": "name: r\nmatch: {keywords: [hi]}\ncalls:\n  - tool: helo\njoin: model\n",
        ])
        #expect(outcome.status == 2)
        #expect(outcome.standardError.contains("routes/r.yaml:4:11: error: `calls[0].tool`: unknown tool `helo`; did you mean `hello`?"), "\(outcome.standardError)")
    }

    @Test func callRunsOneToolAndValidatesArguments() async throws {
        let root = Brigade.repositoryRoot
        let ok = try await Brigade.run(["tools", "call", "--config", root + "/config.yaml", "current_time"], in: root)
        #expect(ok.status == 0, "\(ok.standardError)")
        #expect(ok.standardOutput.contains("20"))
        let bad = try await Brigade.run(["tools", "call", "--config", root + "/config.yaml", "largest_files", "--args", #"{"count": "ten"}"#], in: root)
        #expect(bad.status == 1)
        #expect(bad.standardOutput.contains("`count`: expected integer, got string"), "\(bad.standardOutput)")
        let unknown = try await Brigade.run(["tools", "call", "--config", root + "/config.yaml", "nope"], in: root)
        #expect(unknown.status == 2)
    }

    @Test func routesTestExplainsTheMatch() async throws {
        let root = Brigade.repositoryRoot
        let outcome = try await Brigade.run(["routes", "test", "--config", root + "/config.yaml", "show the top 3 largest files"], in: root)
        #expect(outcome.status == 0)
        #expect(outcome.standardOutput.contains("hybrid (with a model): match: largest_files (score 1.00 ≥ 0.80)"), "\(outcome.standardOutput)")
        #expect(outcome.standardOutput.contains("static (no model): match: largest_files"))
        #expect(outcome.standardOutput.contains(#"captures: count="3""#))
        #expect(outcome.standardOutput.contains("covered: top, largest, files; missed: none"))
        let none = try await Brigade.run(["routes", "test", "--config", root + "/config.yaml", "bake a cake"], in: root)
        #expect(none.status == 1)
        #expect(none.standardOutput.contains("hybrid (with a model): no route matches — the model answers"))
        #expect(none.standardOutput.contains("static (no model): no route matches"))
        #expect(none.standardOutput.contains("no keyword or pattern present: ") && none.standardOutput.contains("repo_brief"))
    }

    @Test func routesTestShowsEachModesDecision() async throws {
        let root = Brigade.repositoryRoot
        // Shares a word with the memory route but is not its job: the model answers in hybrid; static takes the loose match.
        let outcome = try await Brigade.run(["routes", "test", "--config", root + "/config.yaml", "is 16 GB of RAM enough for Xcode?"], in: root)
        #expect(outcome.status == 0)
        let text = outcome.standardOutput
        #expect(text.contains("hybrid (with a model): no route matches — the model answers"), "\(text)")
        #expect(text.contains("static (no model): match: memory (score 0.75 ≥ 0.40)"))
        #expect(text.contains("memory: score 0.75 = coverage 0.75 × intent 1.00; hybrid no (score 0.75 < 0.80); static yes"))
        #expect(text.contains("covered: gb, ram, enough; missed: xcode"))
        let stolen = try await Brigade.run(["routes", "test", "--config", root + "/config.yaml", "summarize how error handling works in this project"], in: root)
        #expect(stolen.standardOutput.contains("hybrid (with a model): no route matches — the model answers"), "\(stolen.standardOutput)")
        #expect(stolen.standardOutput.contains("repo_brief: score 0.40"))
        #expect(stolen.standardOutput.contains("hybrid no (negative words 'how', 'error', 'handling', 'works')"))
    }

    /// The issue's case: `seq 1 100000` (588,895 bytes) under a 200-byte cap is cut once, and the note
    /// gives the size of the whole output — not "200 of 232" (the first cut measured by a second).
    @Test func theTruncationNoteGivesTheTrueSizeOfTheWholeOutput() async throws {
        let folder = try TemporaryFolder()
        try folder.write("tools/numbers.yaml", """
            name: numbers
            description: Counts.
            kind: command
            command: {argv: [seq, 1, 100000]}
            policy: {max_output_bytes: 200}
            """)
        let outcome = try await Brigade.run(["tools", "call", "numbers"], in: folder.path)
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.standardOutput.hasSuffix("\n[output truncated: 200 of 588895 bytes shown]\n"), "\(outcome.standardOutput)")
        #expect(outcome.standardOutput.components(separatedBy: "[output truncated").count == 2)
        #expect(outcome.standardOutput.hasPrefix("1\n2\n3\n"))
    }
}
