import Foundation
import Testing

import Brigade
import BrigadeTesting
@testable import BrigadeCore
@testable import BrigadeWorkspace

private let file = "/srv/tools/demo.yaml"

private func tools(_ text: String, environment: [String: String] = [:]) throws -> [ToolDeclaration] {
    try RegistryLoader.parse(text, file: file, environment: environment)
}

private func tool(_ text: String, environment: [String: String] = [:]) throws -> ToolDeclaration {
    let all = try tools(text, environment: environment)
    try #require(all.count == 1)
    return all[0]
}

private func at(_ line: Int, _ column: Int, _ path: String = file) -> Brigade.SourceLocation {
    Brigade.SourceLocation(file: path, line: line, column: column)
}

@Suite("Registry loader", .timeLimit(.minutes(1)))
struct RegistryLoaderTests {
    @Test func commandToolWithEveryField() throws {
        let declaration = try tool("""
            name: git_recent_commits
            description: Recent commits of the git repository in the working directory.
            kind: command
            parameters:
              type: object
              properties:
                count: {type: integer, minimum: 1, maximum: 100, default: 10}
              additionalProperties: false
            command:
              argv: [git, log, "-n", "{{count}}", --date=short, "--pretty=format:%h %ad %an %s", 10]
              stdin: arguments
              cwd: ${REPO:-.}
              env_allowlist: [GIT_DIR]
              env: {LC_ALL: C, PAGER: "${PAGER_CMD}", DEPTH: 3}
              success_exit_codes: [0, 1]
              include_stderr: true
            policy:
              timeout: 5s
              max_concurrency: 4
              retries: 2
              idempotent: true
              confirm: true
              cost_usd: 0.001
              max_output_bytes: 1000
            """, environment: ["PAGER_CMD": "cat"])
        #expect(declaration.spec.name == "git_recent_commits")
        #expect(declaration.spec.description == "Recent commits of the git repository in the working directory.")
        #expect(declaration.spec.location == at(1, 1))
        #expect(declaration.baseDirectory == "/srv/tools")
        #expect(declaration.spec.parameters == [
            "type": "object",
            "properties": ["count": ["type": "integer", "minimum": 1, "maximum": 100, "default": 10]],
            "additionalProperties": false,
        ])
        #expect(declaration.spec.policy == ToolPolicy(
            timeout: .seconds(5), maxConcurrency: 4, retries: 2, idempotent: true, confirm: true,
            costUSD: 0.001, maxOutputBytes: 1000))
        guard case .command(let command) = declaration.kind else {
            Issue.record("expected a command tool")
            return
        }
        #expect(command.argv.map(\.value) == [
            "git", "log", "-n", "{{count}}", "--date=short", "--pretty=format:%h %ad %an %s", "10",
        ])
        #expect(command.argv[0].location == at(10, 10))
        #expect(command.argv[3].location == at(10, 26))
        #expect(command.stdinArguments)
        #expect(command.cwd == Located(".", at: at(12, 8)))
        #expect(command.envAllowlist == ["GIT_DIR"])
        #expect(command.env == ["LC_ALL": "C", "PAGER": "cat", "DEPTH": "3"])
        #expect(command.successExitCodes == [0, 1])
        #expect(command.includeStderr)
    }

    @Test func commandDefaults() throws {
        let declaration = try tool("name: date\ndescription: The date.\nkind: command\ncommand: {argv: [date]}\n")
        #expect(declaration.spec.parameters == ["type": "object", "properties": [:]])
        #expect(declaration.spec.policy == ToolPolicy())
        #expect(declaration.kind == .command(CommandToolConfig(argv: [Located("date", at: at(4, 18))])))
    }

    @Test func httpTool() throws {
        let declaration = try tool("""
            name: weather
            description: Current weather for a city.
            kind: http
            parameters:
              type: object
              properties:
                city: {type: string}
                q: {type: string}
              required: [city]
            http:
              method: post
              url: "https://api.example.com/weather?city={{city}}"
              headers: {Authorization: "Bearer ${WEATHER_KEY}", X-Count: 2}
              body: {query: "{{q}}", key: "${WEATHER_KEY}", n: 3, tags: [a, "${WEATHER_KEY}"]}
              max_response_bytes: 2048
              accept_status: [404]
            """, environment: ["WEATHER_KEY": "k1"])
        guard case .http(let http) = declaration.kind else {
            Issue.record("expected an http tool")
            return
        }
        #expect(http.method == "POST")
        #expect(http.url == Located("https://api.example.com/weather?city={{city}}", at: at(12, 8)))
        #expect(http.headers == ["Authorization": "Bearer k1", "X-Count": "2"])
        #expect(http.body == ["query": "{{q}}", "key": "k1", "n": 3, "tags": ["a", "k1"]])
        #expect(http.maxResponseBytes == 2048)
        #expect(http.acceptStatus == [404])
        let minimal = try tool("name: ping\ndescription: d\nkind: http\nhttp: {url: 'http://127.0.0.1:1/x'}\n")
        #expect(minimal.kind == .http(HTTPToolConfig(url: Located("http://127.0.0.1:1/x", at: at(4, 13)))))
    }

    @Test func builtinTool() throws {
        let declaration = try tool("""
            name: read
            description: Read a file.
            kind: builtin
            parameters: {type: object, properties: {path: {type: string}}, required: [path]}
            builtin:
              function: read_file
              roots: [".", "${DATA:-/var/data}"]
            """)
        #expect(declaration.kind == .builtin(BuiltinToolConfig(
            builtin: Located("read_file", at: at(6, 13)), roots: [".", "/var/data"])))
        let clock = try tool("name: now\ndescription: Time.\nkind: builtin\nbuiltin: {function: current_time}\n")
        #expect(clock.kind == .builtin(BuiltinToolConfig(builtin: Located("current_time", at: at(4, 21)))))
    }

    @Test func aToolsListInOneFile() throws {
        let all = try tools("""
            tools:
              - name: one
                description: First.
                kind: builtin
                builtin: {function: current_time}
              - name: two
                description: Second.
                kind: command
                command: {argv: [echo, hi]}
            """)
        #expect(all.map(\.spec.name) == ["one", "two"])
        #expect(all[1].spec.location == at(6, 5))
        let error = configError { _ = try tools("tools:\n  - name: x\n    description: d\n    kind: command\n") }
        #expect(error?.message == "tool `x`: `kind: command` needs a `command:` section")
        #expect(error?.location == at(2, 5))
        let extra = configError { _ = try tools("tools: []\nname: x\n") }
        #expect(extra?.message.contains("unknown key `name` at the top level") == true)
        let nested = configError { _ = try tools("tools:\n  - name: x\n    kind: builtin\n    description: d\n    builtin: {function: now}\n") }
        #expect(nested?.message.hasPrefix("`tools[0].builtin.function`: unknown value `now`") == true)
        #expect(try tools("tools: []\n").isEmpty)
        #expect(try tools("# empty\n").isEmpty)
    }

    @Test(arguments: ["has space", "dots.not.allowed", "ünïcode", String(repeating: "x", count: 65), "''"])
    func badNames(name: String) {
        let error = configError { _ = try tools("name: \(name)\ndescription: d\nkind: builtin\nbuiltin: {function: list_dir}\n") }
        #expect(error?.message.contains("is not a valid tool name") == true)
        #expect(error?.location == at(1, 7))
    }

    @Test func nameMustBeAString() {
        let error = configError { _ = try tools("name: 42\ndescription: d\nkind: builtin\nbuiltin: {function: list_dir}\n") }
        #expect(error?.message == "`name`: expected string, got integer `42`")
    }

    @Test func retriesNeedIdempotent() {
        let error = configError { _ = try tools("""
            name: charge
            description: Charge a card.
            kind: http
            http: {url: "https://pay.example.com/charge", method: POST}
            policy:
              retries: 3
            """) }
        #expect(error?.message == "`policy.retries`: retries need `idempotent: true` (a retried call may run twice)")
        #expect(error?.location == at(6, 12))
        #expect(configError { _ = try tools("name: x\ndescription: d\nkind: builtin\nbuiltin: {function: list_dir}\npolicy: {retries: 2, idempotent: false}\n") } != nil)
    }

    @Test func aSectionForAnotherKindIsAnError() {
        let error = configError { _ = try tools("""
            name: weather
            description: d
            kind: http
            http: {url: "https://example.com"}
            command: {argv: [curl]}
            """) }
        #expect(error?.message == "tool `weather`: a `command:` section does not belong to a `kind: http` tool")
        #expect(error?.location == at(5, 1))
        let kind = configError { _ = try tools("name: x\ndescription: d\nkind: shell\n") }
        #expect(kind?.message == "`kind`: unknown value `shell`; expected one of `command`, `http`, `builtin`, `agent`")
        let missing = configError { _ = try tools("name: x\nkind: builtin\nbuiltin: {function: list_dir}\n") }
        #expect(missing?.message == "missing required key `description`")
    }

    @Test func unknownKeysSuggestEverywhere() {
        #expect(configError { _ = try tools("name: x\ndescripton: d\n") }?.message == "unknown key `descripton` at the top level; did you mean `description`?")
        let argv = configError { _ = try tools("name: x\ndescription: d\nkind: command\ncommand: {args: [ls]}\n") }
        #expect(argv?.message == "unknown key `args` in `command`; did you mean `argv`?")
        #expect(argv?.location == at(4, 11))
        #expect(configError { _ = try tools("name: x\ndescription: d\nkind: builtin\nbuiltin: {function: list_dir}\npolicy: {time_out: 5s}\n") }?.message
            == "unknown key `time_out` in `policy`; did you mean `timeout`?")
    }

    @Test func parametersMustBeAPlausibleObjectSchema() throws {
        func check(_ parameters: String) -> ConfigError? {
            configError { _ = try tools("name: x\ndescription: d\nkind: builtin\nbuiltin: {function: list_dir}\nparameters: \(parameters)\n") }
        }
        #expect(check("{type: string}")?.message == "`parameters.type`: tool parameters must be a schema with `type: object`")
        #expect(check("{properties: {}}")?.message == "missing required key `parameters.type`")
        #expect(check("[1]")?.message == "`parameters`: expected mapping, got sequence")
        #expect(check("{type: object, properties: {a: string}}")?.message
            == "`parameters.properties.a`: expected a property schema (mapping), got string `string`")
        #expect(check("{type: object, properties: {a: {type: int}}}")?.message
            == "`parameters.properties.a.type`: unknown value `int`; did you mean `integer`?")
        #expect(check("{type: object, properties: {city: {type: string}}, required: [cty]}")?.message
            == "`parameters.required[0]`: required property `cty` is not declared in `properties`; did you mean `city`?")
        #expect(check("{type: object, properties: {a: {type: array, items: [1]}}}") != nil)
        #expect(check("{type: object, additionalProperties: maybe}") != nil)
        let nullable = try tools("name: x\ndescription: d\nkind: builtin\nbuiltin: {function: list_dir}\nparameters: {type: object, properties: {a: {type: [string, 'null']}}}\n")
        #expect(nullable.first?.spec.parameters["properties"]?["a"]?["type"] == ["string", "null"])
    }

    @Test func kindSpecificChecks() {
        func command(_ section: String) -> ConfigError? {
            configError { _ = try tools("name: x\ndescription: d\nkind: command\ncommand: \(section)\n") }
        }
        #expect(command("{argv: []}")?.message == "`command.argv`: must name at least the program")
        #expect(command("{argv: ['{{program}}', x]}")?.message == "`command.argv[0]`: the program cannot come from an argument")
        #expect(command("{argv: [ls, [a]]}")?.message == "`command.argv[1]`: expected scalar, got sequence")
        #expect(command("{argv: [ls], stdin: json}")?.message.contains("unknown value `json`") == true)
        #expect(command("{argv: [ls], env_allowlist: [BAD-NAME]}")?.message.contains("not a valid environment variable name") == true)
        #expect(command("{argv: [ls], env: {1X: y}}")?.location == at(4, 29))
        #expect(command("{argv: [ls], success_exit_codes: [256]}")?.message.contains("between 0 and 255") == true)
        #expect(command("{argv: [ls], success_exit_codes: []}")?.message.contains("at least one exit code") == true)
        #expect(command("{argv: [ls], include_stderr: yes}")?.message.contains("YAML 1.2 booleans") == true)
        #expect(command("{argv: [ls], env: {TOKEN: '${UNSET_TOKEN}'}}")?.message.contains("`UNSET_TOKEN` is not set") == true)
        func http(_ section: String) -> ConfigError? {
            configError { _ = try tools("name: x\ndescription: d\nkind: http\nhttp: \(section)\n") }
        }
        #expect(http("{url: '{{host}}/x'}")?.message.contains("must start with http:// or https://") == true)
        #expect(http("{url: 'ftp://x'}") != nil)
        #expect(http("{url: 'https://x', method: GETT}")?.message.contains("did you mean `GET`?") == true)
        #expect(http("{url: 'https://x', headers: {'Bad Header': v}}")?.message.contains("not a valid header name") == true)
        #expect(http("{url: 'https://x', headers: {X-A: \"a\\nb\"}}")?.message.contains("line breaks") == true)
        #expect(http("{url: 'https://x', accept_status: [99]}") != nil)
        #expect(http("{method: GET}")?.message == "missing required key `http.url`")
        #expect(configError { _ = try tools("name: x\ndescription: d\nkind: builtin\nbuiltin: {function: current_time, roots: [.]}\n") }?.message
            == "`builtin.roots`: `roots` applies only to `read_file`, `list_dir` and `map`")
        #expect(configError { _ = try tools("name: x\ndescription: '  '\nkind: builtin\nbuiltin: {function: list_dir}\n") }?.message
            == "`description`: must not be empty")
        // Blank beyond ASCII (an ideographic space, a no-break space) is still empty; text after a blank is not.
        #expect(configError { _ = try tools("name: x\ndescription: \"\u{3000}\\u00a0\"\nkind: builtin\nbuiltin: {function: list_dir}\n") }?.message
            == "`description`: must not be empty")
        #expect((try? tools("name: x\ndescription: ' \u{e9}t\u{e9}'\nkind: builtin\nbuiltin: {function: list_dir}\n"))?.first?.spec.description == " \u{e9}t\u{e9}")
    }

    @Test func aFileMustHoldAMapping() {
        #expect(configError { _ = try tools("- name: x\n") }?.message.contains("holds one tool mapping, or `tools:`") == true)
        #expect(configError { _ = try tools("just text\n") } != nil)
    }
}

@Suite("Registry loader directories", .timeLimit(.minutes(1)))
struct RegistryLoaderDirectoryTests {
    private func builtin(_ name: String) -> String {
        "name: \(name)\ndescription: Tool \(name).\nkind: builtin\nbuiltin: {function: current_time}\n"
    }

    @Test func loadsYamlAndYmlInSortedOrder() throws {
        let directory = try ConfigTempDirectory()
        try directory.write("tools/b.yml", builtin("bravo"))
        try directory.write("tools/a.yaml", "tools:\n  - \(builtin("alpha1").replacingOccurrences(of: "\n", with: "\n    "))\n  - \(builtin("alpha2").replacingOccurrences(of: "\n", with: "\n    "))")
        try directory.write("tools/c.yaml", "# nothing here yet\n")
        try directory.write("tools/notes.txt", "name: ignored\n")
        try directory.write("tools/.hidden.yaml", "not: [valid\n")
        let folder = try directory.makeDirectory("tools/folder.yaml")
        // A link to a folder is skipped like the folder (the entry's type says "link": it is followed).
        try FileManager.default.createSymbolicLink(atPath: directory.path + "/tools/linked-folder.yaml", withDestinationPath: folder)
        // A link to a tool file is loaded.
        let target = try directory.write("elsewhere/d.yaml", builtin("delta"))
        try FileManager.default.createSymbolicLink(atPath: directory.path + "/tools/d.yaml", withDestinationPath: target)
        let loaded = try RegistryLoader.load(directory: directory.path + "/tools", environment: [:])
        #expect(loaded.map(\.spec.name) == ["alpha1", "alpha2", "bravo", "delta"])
        #expect(loaded[2].spec.location == Brigade.SourceLocation(file: directory.path + "/tools/b.yml", line: 1, column: 1))
        #expect(loaded.allSatisfy { $0.baseDirectory == directory.path + "/tools" })
    }

    @Test func duplicateNamesAcrossFilesNameBothPlaces() throws {
        let directory = try ConfigTempDirectory()
        try directory.write("tools/one.yaml", builtin("clock"))
        try directory.write("tools/two.yaml", "\n\n" + builtin("clock"))
        let error = configError { _ = try RegistryLoader.load(directory: directory.path + "/tools", environment: [:]) }
        #expect(error?.message == "duplicate tool name `clock` (first declared at \(directory.path)/tools/one.yaml:1:1)")
        #expect(error?.location == Brigade.SourceLocation(file: directory.path + "/tools/two.yaml", line: 3, column: 1))
        let inOneFile = configError { _ = try RegistryLoader.parse("tools:\n  - \(builtin("x").replacingOccurrences(of: "\n", with: "\n    "))\n  - \(builtin("x").replacingOccurrences(of: "\n", with: "\n    "))", file: "/t/x.yaml", environment: [:]) }
        #expect(inOneFile?.message.contains("duplicate tool name `x` (first declared at /t/x.yaml:2:5)") == true)
    }

    @Test func errorsNameTheFile() throws {
        let directory = try ConfigTempDirectory()
        try directory.write("tools/good.yaml", builtin("good"))
        try directory.write("tools/zbad.yaml", "name: bad\ndescription: d\nkind: builtin\nbuiltin:\n\tfunction: list_dir\n")
        let syntax = configError { _ = try RegistryLoader.load(directory: directory.path + "/tools", environment: [:]) }
        #expect(syntax?.location == Brigade.SourceLocation(file: directory.path + "/tools/zbad.yaml", line: 5, column: 1))
        try FileManager.default.removeItem(atPath: directory.path + "/tools/zbad.yaml")
        try FileManager.default.createSymbolicLink(atPath: directory.path + "/tools/link.yaml", withDestinationPath: directory.path + "/gone.yaml")
        let unreadable = configError { _ = try RegistryLoader.load(directory: directory.path + "/tools", environment: [:]) }
        #expect(unreadable?.message == "cannot read \(directory.path)/tools/link.yaml: no such file or directory")
        #expect(unreadable?.location?.file == directory.path + "/tools/link.yaml")
    }

    @Test func missingDirectoryIsAnError() throws {
        let directory = try ConfigTempDirectory()
        let error = configError { _ = try RegistryLoader.load(directory: directory.path + "/none", environment: [:]) }
        #expect(error?.message == "tools directory \(directory.path)/none does not exist")
        let file = try directory.write("plain", "")
        #expect(configError { _ = try RegistryLoader.load(directory: file, environment: [:]) }?.message.contains("is not a directory") == true)
    }

    @Test func loadsAThousandTools() async throws {
        try await offThePool {
            let directory = try ConfigTempDirectory()
            for index in 0..<1000 {
                let name = String(format: "tool_%04d", index)
                try directory.write("tools/\(name).yaml", """
                    name: \(name)
                    description: Generated tool number \(index).
                    kind: command
                    parameters:
                      type: object
                      properties:
                        n: {type: integer, minimum: 0}
                      required: [n]
                    command:
                      argv: [echo, "\(index)", "{{n}}"]
                    policy: {timeout: \(index % 60 + 1)s}
                    """)
            }
            let loaded = try RegistryLoader.load(directory: directory.path + "/tools", environment: [:])
            #expect(loaded.count == 1000)
            #expect(loaded.map(\.spec.name) == (0..<1000).map { String(format: "tool_%04d", $0) })
            #expect(loaded[999].spec.policy.timeout == .seconds(40))
            guard case .command(let command) = loaded[123].kind else {
                Issue.record("expected a command tool")
                return
            }
            #expect(command.argv.map(\.value) == ["echo", "123", "{{n}}"])
            #expect(Set(loaded.map(\.spec.name)).count == 1000)
            _ = try ToolRegistry(loaded.map { Tool(spec: $0.spec, executor: EchoExecutor()) })
        }
    }
}

/// Stands in for a real executor when only registration is under test.
private struct EchoExecutor: ToolExecutor {
    func call(_ arguments: JSONValue, context: ToolContext) async throws -> ToolOutput {
        ToolOutput(text: arguments.jsonString)
    }
}
