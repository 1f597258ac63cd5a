import Brigade
import Testing
import BrigadeTesting

@Suite("Command tool load-time checks", .timeLimit(.minutes(1)))
struct CommandToolConfigTests {
    let folder: TemporaryFolder
    let parameters: JSONValue = ["type": "object", "properties": ["path": ["type": "string"], "n": ["type": "integer"]]]

    init() throws {
        folder = try TemporaryFolder()
        try folder.write("scripts/ok.sh", "#!/bin/bash\necho ok\n", executable: true)
        try folder.write("scripts/plain.sh", "#!/bin/bash\necho ok\n", executable: false)
    }

    func error(_ argv: [String], cwd: Located<String>? = nil) -> ConfigError? {
        do {
            _ = try CommandToolExecutor(
                CommandToolConfig(argv: located(argv), cwd: cwd), spec: commandSpec(parameters: parameters), baseDirectory: folder.path)
            return nil
        } catch {
            return error
        }
    }

    @Test func validDeclarationsLoad() async throws {
        #expect(error(["scripts/ok.sh", "{{path}}", "--n={{ n }}"]) == nil)
        #expect(error(["git", "log"]) == nil)
        let tool = try CommandToolExecutor(
            CommandToolConfig(argv: located(["scripts/ok.sh"])), spec: commandSpec(parameters: parameters), baseDirectory: folder.path)
        #expect(tool.programPath == folder.path + "/scripts/ok.sh")
        #expect(try await tool.call([:], context: context).text == "ok")
    }

    @Test func unknownPlaceholderIsReportedWhereItIsWritten() {
        let failure = error(["git", "log", "-n{{count}}"])
        #expect(failure?.message == "placeholder `{{count}}` names no parameter of tool 't' (parameters: n, path)")
        #expect(failure?.location == SourceLocation(file: "test.yaml", line: 3, column: 9))
    }

    @Test func malformedPlaceholders() {
        #expect(error(["git", "{{path"])?.message == "unclosed placeholder `{{path`")
        #expect(error(["git", "{{1x}}"])?.message.hasPrefix("invalid placeholder `{{1x}}`") == true)
        #expect(error(["git", "{{}}"])?.message.hasPrefix("invalid placeholder") == true)
    }

    @Test func programProblems() {
        #expect(error(["{{path}}"])?.message == "the program (first argv element) must be a fixed name or path, not a template")
        #expect(error(["scripts/missing.sh"])?.message.hasPrefix("program 'scripts/missing.sh' does not exist") == true)
        #expect(error(["scripts/plain.sh"])?.message.hasPrefix("program 'scripts/plain.sh' is not an executable file") == true)
        #expect(error(["scripts"])?.message == "program 'scripts' was not found in PATH")
        #expect(error(["no-such-program-brigade"])?.message == "program 'no-such-program-brigade' was not found in PATH")
        #expect(error(["no-such-program-brigade"])?.location == SourceLocation(file: "test.yaml", line: 3, column: 7))
        #expect(error([])?.message == "`argv` must name a program")
    }

    @Test func missingWorkingDirectory() {
        let cwd = Located("/no/such/dir", at: SourceLocation(file: "t.yaml", line: 9, column: 8))
        let failure = error(["ls"], cwd: cwd)
        #expect(failure?.message == "working directory '/no/such/dir' does not exist or is not a directory")
        #expect(failure?.location == cwd.location)
    }
}
