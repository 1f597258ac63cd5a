import Brigade
@testable import BrigadeCore
@testable import BrigadeWorkspace
import BrigadeTesting
import Foundation
import Testing

/// What the store records beyond a plain run: sub-agents' child runs, a resumed run's own limits, and
/// the secrets of MCP servers' configuration.
@Suite("Run store: child runs, resumed limits, MCP secrets", .timeLimit(.minutes(1)))
struct StoreRecordingTests {
    @Test func aSubAgentsChildRunIsRecordedWithItsParentRunID() async throws {
        let folder = try TemporaryFolder()
        let store = try RunStore(configuration: RunStore.Configuration(path: folder.path + "/runs.sqlite"))
        let registry = try WorkerTestSupport.registry("""
            tools:
              - name: researcher
                description: Looks a fact up.
                kind: agent
                agent: {prompt: researcher.md, limits: {max_turns: 2}}
            """, prompts: ["researcher.md": "You research."])
        let model = ScriptedModelClient([
            .toolCalls([call("researcher", #"{"task":"population of Paris"}"#, id: "call_r")]),
            .answer("Paris has 2.1 million people."),
            .answer("About 2.1 million."),
        ])
        var configuration = Agent.Configuration(model: model)
        configuration.store = store
        let agent = Agent(registry: registry, configuration: configuration, logger: .quiet)
        let result = try await agent.run("How many people live in Paris?", options: RunOptions(source: "test"))
        #expect(result.stopReason == .finished && result.answer == "About 2.1 million.")
        #expect(await store.flush() == nil)

        let parentID = try #require(result.runID)
        let runs = try store.runs()
        #expect(runs.count == 2)
        let child = try #require(runs.first { $0.id != parentID })
        #expect(child.parentRunID == parentID)
        #expect(child.prompt == "population of Paris")
        #expect(child.state == .finished && child.answer == "Paris has 2.1 million people.")
        #expect(runs.first { $0.id == parentID }?.parentRunID == nil)
        let parent = try store.record(of: parentID)
        #expect(parent.calls.map(\.result) == ["Paris has 2.1 million people."])
        // `brigade log` lists the parent alone, with its child counted; the record names the child.
        let topLevel = try store.runs(RunStore.RunQuery(topLevelOnly: true))
        #expect(topLevel.map(\.id) == [parentID])
        #expect(topLevel.first?.childRuns == 1)
        #expect(parent.childRunIDs == [child.id])
        #expect(try store.record(of: child.id).childRunIDs.isEmpty)
        // The parent's spend holds the child's: `log cost` counts the parent alone.
        #expect(try store.costByModel().map(\.runs) == [1])
    }

    @Test func aResumedRunKeepsItsSynthesisReserve() async throws {
        let folder = try TemporaryFolder()
        let store = try RunStore(configuration: RunStore.Configuration(path: folder.path + "/runs.sqlite"))
        let deploy = Tool(name: "deploy", description: "Deploys.", parameters: ["type": "object"], policy: ToolPolicy(confirm: true)) { _, _ in
            ToolOutput(text: "deployed")
        }
        func agent(_ model: ScriptedModelClient) throws -> Agent {
            var configuration = try makeAgent(model, tools: [deploy], maxOutputTokens: 4096).configuration
            configuration.store = store
            configuration.dispatch.approval = PauseApprovalPolicy()
            return Agent(registry: try ToolRegistry([deploy]), configuration: configuration, logger: .quiet)
        }
        // 1000 output tokens with 40 % kept for the synthesis: a tool turn may ask for 600 − what was spent.
        let limits = Budget.Limits(outputTokens: 1000, synthesisReserve: 0.4, minimumOutputTokens: 50)
        let first = ScriptedModelClient([.toolCalls([call("deploy", id: "d")], usage: TokenUsage(inputTokens: 10, outputTokens: 100))])
        let paused = try await agent(first).run("ship it", options: RunOptions(limits: limits))
        #expect(paused.stopReason == .awaitingApproval)
        #expect(first.requests.map(\.maxOutputTokens) == [600])
        let runID = try #require(paused.runID)
        #expect(try await store.decide(runID, .approve).isEmpty)

        // The resuming agent's own limits have the default reserve (0.15): the stored 0.4 must win.
        let second = ScriptedModelClient([.answer("Shipped.", usage: TokenUsage(inputTokens: 10, outputTokens: 10))])
        let resumed = try await agent(second).resume(runID)
        #expect(resumed.stopReason == .finished)
        #expect(second.requests.map(\.maxOutputTokens) == [500])
        let options = try store.record(of: runID).options
        #expect(options["limits"]?["synthesis_reserve"]?.doubleValue == 0.4)
    }

    @Test func mcpServersEnvAndArgsSecretsAreRedactedInTheStore() async throws {
        let directory = try ConfigTempDirectory()
        try directory.write("config.yaml", """
            mcp_servers:
              files:
                command: /bin/cat
                args: ["--token=${ARG_TOKEN}"]
                env: {API_TOKEN: "${MCP_TOKEN}", LEVEL: debug}
            """)
        let token = "mcp-token-0123456789abcdef"
        let argToken = "arg-token-fedcba9876543210"
        let environment = [
            "HOME": directory.path + "/home", "XDG_CONFIG_HOME": directory.path + "/xdg", "XDG_STATE_HOME": directory.path + "/state",
            "MCP_TOKEN": token, "ARG_TOKEN": argToken,
        ]
        let workspace = try Workspace.load(configPath: directory.path + "/config.yaml", environment: environment, currentDirectory: directory.path)
        #expect(workspace.secrets.contains(token) && workspace.secrets.contains(argToken))
        #expect(!workspace.secrets.contains("debug"))
        #expect(workspace.config.mcpServers.first?.secrets == [token, argToken])
        let store = try #require(try workspace.openStore(environment: environment))

        let echo = TestTools.echo()
        let model = ScriptedModelClient([.toolCalls([call("echo", #"{"text":"\#(token)"}"#, id: "e")]), .answer("the key is \(argToken)")])
        var configuration = try makeAgent(model, tools: [echo]).configuration
        configuration.store = store
        let agent = Agent(registry: try ToolRegistry([echo]), configuration: configuration, logger: .quiet)
        let result = try await agent.run("use \(token) and \(argToken)", options: RunOptions(systemPrompt: "Token: \(token)"))
        #expect(await store.flush() == nil)
        let record = try store.record(of: try #require(result.runID))
        let stored = [record.run.prompt, record.run.answer ?? "", record.options.jsonString, record.calls.map(\.arguments).joined(),
                      record.calls.map(\.result).joined(), record.events.map(\.jsonString).joined(), record.messages.map { "\($0.json.jsonString)" }.joined()]
        #expect(stored.allSatisfy { !$0.contains(token) && !$0.contains(argToken) })
        #expect(record.run.prompt == "use [redacted] and [redacted]")
        #expect(record.options["system_prompt"]?.stringValue == "Token: [redacted]")
    }

    /// A command tool's `env: {TOKEN: "${…}"}` value is a secret like an http tool's header: the store
    /// never keeps it, whether the model, the tool's output or the options carry it.
    @Test func commandToolsEnvSecretsAreRedactedInTheStore() async throws {
        let directory = try ConfigTempDirectory()
        try directory.write("config.yaml", "routing: model\n")
        try directory.write("tools/show_token.yaml", """
            name: show_token
            description: Prints the deploy token.
            kind: command
            command:
              argv: [/bin/sh, -c, 'printf "token=%s" "$DEPLOY_TOKEN"']
              env: {DEPLOY_TOKEN: "${CMD_TOKEN}", MODE: plain-value-kept}
            """)
        let token = "cmd-token-0123456789abcdef"
        let environment = [
            "HOME": directory.path + "/home", "XDG_CONFIG_HOME": directory.path + "/xdg", "XDG_STATE_HOME": directory.path + "/state",
            "CMD_TOKEN": token,
        ]
        let workspace = try Workspace.load(configPath: directory.path + "/config.yaml", environment: environment, currentDirectory: directory.path)
        #expect(workspace.secrets.contains(token))
        #expect(!workspace.secrets.contains("plain-value-kept"))
        let store = try #require(try workspace.openStore(environment: environment))

        let model = ScriptedModelClient([.toolCalls([call("show_token", "{}", id: "t")]), .answer("it is \(token)")])
        var configuration = try makeAgent(model).configuration
        configuration.store = store
        let agent = Agent(registry: workspace.registry, configuration: configuration, logger: .quiet)
        let result = try await agent.run("show \(token)", options: RunOptions(systemPrompt: "Token: \(token)"))
        #expect(await store.flush() == nil)
        let record = try store.record(of: try #require(result.runID))
        #expect(record.calls.map(\.result) == ["token=[redacted]"])
        let stored = [record.run.prompt, record.run.answer ?? "", record.options.jsonString, record.calls.map(\.result).joined(),
                      record.events.map(\.jsonString).joined(), record.messages.map { "\($0.json.jsonString)" }.joined()]
        #expect(stored.allSatisfy { !$0.contains(token) })
        #expect(record.options["system_prompt"]?.stringValue == "Token: [redacted]")
    }
}
