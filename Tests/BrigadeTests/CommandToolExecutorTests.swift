import Brigade
import Foundation
import Testing

import BrigadeTesting
#if canImport(Glibc)
import Glibc
#endif

private let printArgv = """
    #!/usr/bin/env python3
    import json, sys
    print(json.dumps(sys.argv[1:]))
    """

@Suite("Command tool executor", .timeLimit(.minutes(1)))
struct CommandToolExecutorTests {
    let folder: TemporaryFolder
    let argvScript: String

    init() throws {
        folder = try TemporaryFolder()
        argvScript = try folder.write("argv.py", printArgv, executable: true)
    }

    let parameters: JSONValue = [
        "type": "object",
        "properties": [
            "name": ["type": "string"],
            "count": ["type": "integer", "default": 3],
            "flag": ["type": "boolean"],
            "ratio": ["type": "number"],
            "tags": ["type": "array"],
            "opt": ["type": "string"],
        ],
    ]

    func argvTool(_ argv: [String]) throws -> CommandToolExecutor {
        try CommandToolExecutor(
            CommandToolConfig(argv: located([argvScript] + argv)),
            spec: commandSpec(parameters: parameters),
            baseDirectory: folder.path
        )
    }

    func receivedArgv(_ tool: CommandToolExecutor, _ arguments: JSONValue) async throws -> [String] {
        let output = try await tool.call(arguments, context: context)
        #expect(!output.isError, "\(output.text)")
        return try JSONDecoder().decode([String].self, from: Data(output.text.utf8))
    }

    @Test(arguments: [
        "; rm -rf /", "$(id)", "`id`", "a b  c", "'single' \"double\"", "line1\nline2", "*", "--flag", "", "${HOME}", "| cat",
        "ünïcödé 😀",
    ])
    func hostileValuesArriveVerbatimAsOneElement(_ value: String) async throws {
        // After `--`, a value starting with `-` is allowed (see optionInjectionIsRefused).
        let tool = try argvTool(["--", "{{name}}", "--name={{name}}", "x{{name}}y"])
        let argv = try await receivedArgv(tool, ["name": .string(value)])
        #expect(argv == ["--", value, "--name=" + value, "x" + value + "y", ])
    }

    @Test func valuesAreFormattedAndAbsentOptionalElementsDropped() async throws {
        let tool = try argvTool(["-n", "{{count}}", "--flag={{flag}}", "{{ratio}}", "{{tags}}", "{{opt}}", "--opt={{opt}}", "end"])
        let argv = try await receivedArgv(tool, ["flag": true, "ratio": 2.5, "tags": ["a", 1]])
        #expect(argv == ["-n", "3", "--flag=true", "2.5", "[\"a\",1]", "end"])
        let explicit = try await receivedArgv(tool, ["count": 10, "opt": "o", "flag": .null])
        #expect(explicit == ["-n", "10", "o", "--opt=o", "end"])
    }

    /// `word_count` with `{"path": "--version"}` ran `wc --version`: a value that would start an
    /// argv element with `-` is refused unless `--` comes first or the parameter allows it.
    @Test func optionInjectionIsRefused() async throws {
        let tool = try argvTool(["{{name}}", "--name={{name}}"])
        let refused = try await tool.call(["name": "--version"], context: context)
        #expect(refused == ToolOutput(text: #"`name` must not start with `-` (the program would read "--version" as an option)"#, isError: true))
        #expect(try await tool.call(["name": "-"], context: context).isError)
        #expect(try await receivedArgv(tool, ["name": "plain-value"]) == ["plain-value", "--name=plain-value"])
        #expect(try await receivedArgv(try argvTool(["--name={{name}}"]), ["name": "--version"]) == ["--name=--version"])

        let count = try argvTool(["{{count}}"])
        #expect(try await count.call(["count": -5], context: context).isError)
        let allowed = try CommandToolExecutor(
            CommandToolConfig(argv: located([argvScript, "{{count}}"]), allowLeadingDash: ["count"]),
            spec: commandSpec(parameters: parameters), baseDirectory: folder.path
        )
        #expect(try await receivedArgv(allowed, ["count": -5]) == ["-5"])
        #expect(throws: ConfigError.self) {
            try CommandToolExecutor(CommandToolConfig(argv: located([argvScript]), allowLeadingDash: ["nope"]), spec: commandSpec(parameters: parameters), baseDirectory: folder.path)
        }
    }

    @Test func nulBytesAreRefused() async throws {
        let tool = try argvTool(["{{name}}"])
        let output = try await tool.call(["name": "a\u{0}b"], context: context)
        #expect(output.isError)
        #expect(output.text.contains("NUL"))
    }

    @Test func standardInputCarriesTheArgumentsAsJSON() async throws {
        let tool = try CommandToolExecutor(
            CommandToolConfig(argv: located(["cat"]), stdinArguments: true),
            spec: commandSpec(parameters: parameters),
            baseDirectory: folder.path
        )
        let output = try await tool.call(["name": "x; y", "tags": ["$(id)"]], context: context)
        #expect(try JSONValue(parsing: output.text) == ["name": "x; y", "tags": ["$(id)"], "count": 3])
    }

    @Test func withoutStdinArgumentsTheChildSeesEndOfInput() async throws {
        let tool = try CommandToolExecutor(
            CommandToolConfig(argv: located(["cat"])), spec: commandSpec(parameters: parameters), baseDirectory: folder.path)
        let output = try await tool.call([:], context: context)
        #expect(output == ToolOutput(text: "(no output)"))
    }

    @Test func environmentIsTheAllowlistPlusFixedEntries() async throws {
        setenv("BRIGADE_TEST_SECRET", "hunter2", 1)
        setenv("BRIGADE_TEST_ALLOWED", "yes", 1)
        let tool = try CommandToolExecutor(
            CommandToolConfig(argv: located(["env"]), envAllowlist: ["BRIGADE_TEST_ALLOWED"], env: ["FIXED": "1", "PATH": "/usr/bin:/bin"]),
            spec: commandSpec(parameters: parameters),
            baseDirectory: folder.path
        )
        let lines = Set(try await tool.call([:], context: context).text.split(separator: "\n").map(String.init))
        #expect(lines.contains("BRIGADE_TEST_ALLOWED=yes"))
        #expect(lines.contains("FIXED=1"))
        #expect(lines.contains("PATH=/usr/bin:/bin"))
        #expect(!lines.contains { $0.hasPrefix("BRIGADE_TEST_SECRET") })
        let names = Set(lines.map { String($0.prefix { $0 != "=" }) })
        #expect(names.isSubset(of: ["BRIGADE_TEST_ALLOWED", "FIXED", "PATH", "HOME", "LANG", "LC_ALL", "TZ"]))
    }

    @Test func workingDirectoryIsApplied() async throws {
        let sub = try folder.makeDirectory("sub")
        let tool = try CommandToolExecutor(
            CommandToolConfig(argv: located(["pwd"]), cwd: Located(sub)), spec: commandSpec(parameters: [:]), baseDirectory: "/")
        #expect(try await tool.call([:], context: context).text == sub)
    }

    @Test func exitCodesDecideSuccess() async throws {
        let script = try folder.write("fail.sh", "#!/bin/bash\necho partial\necho 'something broke' >&2\nexit \"$1\"\n", executable: true)
        let spec = commandSpec(parameters: ["properties": ["code": ["type": "integer"]]])
        let strict = try CommandToolExecutor(CommandToolConfig(argv: located([script, "{{code}}"])), spec: spec, baseDirectory: "/")
        let failed = try await strict.call(["code": 3], context: context)
        #expect(failed == ToolOutput(text: "exit code 3\nsomething broke\n[stdout]\npartial", isError: true))
        #expect(try await strict.call(["code": 0], context: context) == ToolOutput(text: "partial"))

        let lenient = try CommandToolExecutor(
            CommandToolConfig(argv: located([script, "{{code}}"]), successExitCodes: [0, 1], includeStderr: true),
            spec: spec, baseDirectory: "/")
        #expect(try await lenient.call(["code": 1], context: context) == ToolOutput(text: "partial\n[stderr]\nsomething broke"))
    }

    @Test func deathBySignalIsAnError() async throws {
        let script = try folder.write("die.sh", "#!/bin/bash\nkill -KILL $$\n", executable: true)
        let tool = try CommandToolExecutor(CommandToolConfig(argv: located([script])), spec: commandSpec(parameters: [:]), baseDirectory: "/")
        #expect(try await tool.call([:], context: context) == ToolOutput(text: "terminated by signal 9 (SIGKILL)", isError: true))
    }

    @Test func outputIsCappedWhileBothStreamsKeepDraining() async throws {
        // 1 MiB on each stream: a reader that stopped reading either one would deadlock the child.
        let script = try folder.write(
            "flood.py",
            "#!/usr/bin/env python3\nimport sys\nfor i in range(16384):\n    sys.stdout.write('o' * 63 + '\\n')\n    sys.stderr.write('e' * 63 + '\\n')\nsys.stderr.write('LAST')\n",
            executable: true)
        let tool = try CommandToolExecutor(
            CommandToolConfig(argv: located([script]), includeStderr: true),
            spec: commandSpec(parameters: [:], maxOutputBytes: 1000), baseDirectory: "/")
        let output = try await tool.call([:], context: context)
        #expect(!output.isError)
        let parts = output.text.components(separatedBy: "\n[stderr]\n")
        #expect(parts.count == 2)
        #expect(parts[0].hasSuffix("\n[output truncated: 1000 of 1048576 bytes shown]"))
        #expect(parts[0].utf8.count == 1000 + "\n[output truncated: 1000 of 1048576 bytes shown]".utf8.count)
        #expect(output.isCapped)
        #expect(parts[1].hasPrefix("[stderr truncated: last 1000 of 1048580 bytes]"))
        #expect(parts[1].hasSuffix("LAST"))
    }

    @Test func outputCapNeverSplitsACharacter() async throws {
        let script = try folder.write("utf.py", "#!/usr/bin/env python3\nprint('é' * 100)\n", executable: true)
        let tool = try CommandToolExecutor(
            CommandToolConfig(argv: located([script])), spec: commandSpec(parameters: [:], maxOutputBytes: 11), baseDirectory: "/")
        #expect(try await tool.call([:], context: context).text == "ééééé\n[output truncated: 10 of 201 bytes shown]")
    }

    @Test func aProgramThatCannotStartIsAnErrorResult() async throws {
        let script = try folder.write("gone.sh", "#!/bin/bash\necho hi\n", executable: true)
        let tool = try CommandToolExecutor(CommandToolConfig(argv: located([script])), spec: commandSpec(parameters: [:]), baseDirectory: "/")
        try FileManager.default.removeItem(atPath: script)
        let output = try await tool.call([:], context: context)
        #expect(output.isError)
        #expect(output.text.hasPrefix("exit code 127\ncould not start \(script)"))
    }
}
