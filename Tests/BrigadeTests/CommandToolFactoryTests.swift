import BrigadeSync
import Brigade
import CurlHTTP
import Testing

/// Fails `failures` times (error result or throw), then succeeds; counts calls.
private struct FlakyExecutor: ToolExecutor {
    enum Failure { case result, thrown }
    let failures: Int
    let failure: Failure
    let calls = LockedState(0)

    func call(_ arguments: JSONValue, context: ToolContext) async throws -> ToolOutput {
        let attempt = calls.withLock { $0 += 1; return $0 }
        guard attempt > failures else {
            switch failure {
            case .result: return ToolOutput(text: "failure \(attempt)", isError: true)
            case .thrown: throw ConfigError("thrown \(attempt)")
            }
        }
        return ToolOutput(text: "ok after \(attempt)")
    }
}

/// Cancels its own task on the first call, then reports failure; a retry would call it again.
private struct SelfCancellingExecutor: ToolExecutor {
    let calls = LockedState(0)
    func call(_ arguments: JSONValue, context: ToolContext) async throws -> ToolOutput {
        calls.withLock { $0 += 1 }
        withUnsafeCurrentTask { $0?.cancel() }
        return ToolOutput(text: "interrupted", isError: true)
    }
}

@Suite("Tool factory and retries", .timeLimit(.minutes(1)))
struct CommandToolFactoryTests {
    func declaration(_ kind: ToolKind, name: String = "t", parameters: JSONValue = ["type": "object", "properties": [:]], policy: ToolPolicy = ToolPolicy()) -> ToolDeclaration {
        ToolDeclaration(
            spec: ToolSpec(name: name, description: "d", parameters: parameters, policy: policy, location: SourceLocation(file: "t.yaml", line: 1, column: 1)),
            kind: kind, baseDirectory: "/")
    }

    func failure(_ declaration: ToolDeclaration, client: HTTPClient? = nil) -> ConfigError? {
        do {
            _ = try ToolFactory.makeTool(declaration, httpClient: client)
            return nil
        } catch { return error }
    }

    let echo = ToolKind.command(CommandToolConfig(argv: [Located("echo"), Located("{{word}}")]))
    let wordParameters: JSONValue = ["type": "object", "properties": ["word": ["type": "string"]]]

    @Test func commandToolsAreBuiltAndRun() async throws {
        let tool = try ToolFactory.makeTool(declaration(echo, parameters: wordParameters), httpClient: nil)
        #expect(try await tool.executor.call(["word": "hi"], context: context).text == "hi")
        #expect(tool.executor is CommandToolExecutor)
    }

    @Test func declarationProblems() {
        #expect(failure(declaration(echo, name: "bad name", parameters: wordParameters))?.message == "tool name 'bad name' must be 1 to 64 letters, digits, '_' or '-'")
        #expect(failure(declaration(echo, parameters: ["type": "array"]))?.message == "`parameters` of tool 't' must be a JSON Schema with `type: object`")
        #expect(failure(declaration(echo, parameters: ["type": "object", "properties": ["word": ["type": "text"]]]))?.message
            == "`parameters` of tool 't': `properties.word.type`: unknown type \"text\" (known: string, number, integer, boolean, array, object, null)")
        #expect(failure(declaration(echo, parameters: wordParameters, policy: ToolPolicy(retries: 2)))?.message
            == "tool 't' has `retries` but is not marked `idempotent: true`")
        #expect(failure(declaration(echo))?.message == "placeholder `{{word}}` names no parameter of tool 't' (it declares none)")
        let http = ToolKind.http(HTTPToolConfig(url: Located("https://example.com/")))
        #expect(failure(declaration(http))?.message == "tool 't' is an http tool, but no HTTP client was given")
    }

    @Test func builtinsTakeTheirOwnParameters() throws {
        let clock = ToolKind.builtin(BuiltinToolConfig(builtin: Located("current_time")))
        let tool = try ToolFactory.makeTool(declaration(clock), httpClient: nil)
        #expect(tool.spec.parameters == BuiltinFunction.currentTime.parameters(maxOutputBytes: 65536))
        let custom = failure(declaration(clock, parameters: ["type": "object", "properties": ["zone": ["type": "string"]]]))
        #expect(custom?.message == "builtin 'current_time' defines its own parameters; remove `parameters` from tool 't'")
        let unknown = ToolKind.builtin(BuiltinToolConfig(builtin: Located("rm_rf", at: SourceLocation(file: "t.yaml", line: 4, column: 13))))
        #expect(failure(declaration(unknown)) == ConfigError(
            "unknown builtin function 'rm_rf' (known: read_file, list_dir, current_time, map)", at: SourceLocation(file: "t.yaml", line: 4, column: 13)))
        let badRoot = ToolKind.builtin(BuiltinToolConfig(builtin: Located("read_file"), roots: ["/no/such/root"]))
        #expect(failure(declaration(badRoot))?.message == "root '/no/such/root' does not exist or is not a directory")
    }

    @Test func retriesWrapTheExecutor() throws {
        let tool = try ToolFactory.makeTool(
            declaration(echo, parameters: wordParameters, policy: ToolPolicy(retries: 2, idempotent: true)), httpClient: nil)
        let retrying = try #require(tool.executor as? RetryingExecutor)
        #expect(retrying.retries == 2)
    }

    @Test func registriesRejectDuplicates() {
        let clock = ToolKind.builtin(BuiltinToolConfig(builtin: Located("current_time")))
        #expect(throws: ConfigError.self) {
            try ToolFactory.makeRegistry([declaration(clock, name: "a"), declaration(clock, name: "a")], httpClient: nil)
        }
    }

    @Test func loaderAndFactoryReportTemplateErrorsAtTheirPlace() throws {
        let yaml = """
            name: greet
            description: Greets.
            kind: command
            parameters:
              type: object
              properties: {name: {type: string}}
            command:
              argv: [echo, "hello", "{{nmae}}"]
            """
        let declarations = try RegistryLoader.parse(yaml, file: "/tmp/greet.yaml", environment: [:])
        #expect(throws: ConfigError("placeholder `{{nmae}}` names no parameter of tool 'greet' (parameters: name)",
                                    at: SourceLocation(file: "/tmp/greet.yaml", line: 8, column: 25))) {
            try ToolFactory.makeRegistry(declarations, httpClient: nil)
        }
    }

    @Test func retryingStopsAtTheFirstSuccess() async throws {
        let flaky = FlakyExecutor(failures: 2, failure: .result)
        let output = try await RetryingExecutor(flaky, retries: 3, backoff: .zero).call([:], context: context)
        #expect(output == ToolOutput(text: "ok after 3"))
        #expect(flaky.calls.withLock { $0 } == 3)
    }

    @Test func retryingGivesUpWithTheLastFailure() async throws {
        let results = FlakyExecutor(failures: 5, failure: .result)
        #expect(try await RetryingExecutor(results, retries: 2, backoff: .zero).call([:], context: context)
            == ToolOutput(text: "failure 3\n[failed after 3 attempts]", isError: true))
        let thrown = FlakyExecutor(failures: 5, failure: .thrown)
        await #expect(throws: ConfigError("thrown 2")) {
            try await RetryingExecutor(thrown, retries: 1, backoff: .zero).call([:], context: context)
        }
        let recovers = FlakyExecutor(failures: 1, failure: .thrown)
        #expect(try await RetryingExecutor(recovers, retries: 1, backoff: .zero).call([:], context: context).text == "ok after 2")
    }

    @Test func cancellationIsNeverRetried() async throws {
        let executor = SelfCancellingExecutor()
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await #expect(throws: CancellationError.self) {
                    try await RetryingExecutor(executor, retries: 5, backoff: .zero).call([:], context: context)
                }
            }
        }
        #expect(executor.calls.withLock { $0 } == 1)
    }
}
