import Brigade
import BrigadeTesting
import Foundation
import Testing

/// A workspace loaded from files, with an in-process Swift tool registered beside its YAML tools.
@Suite("Embedding: Workspace with Swift tools", .timeLimit(.minutes(1)))
struct WorkspaceEmbeddingTests {
    /// The YAML command tool and the Swift tool can only finish if they run at the same time: the
    /// command tells the Swift tool it has started through one named pipe, then waits for the Swift
    /// tool's answer on another. Run one after the other, they would wait for each other until their
    /// 20 s timeouts and the test would fail. (The timeouts only bound that failure: generous, so a
    /// loaded machine that is slow to start the script cannot make the parallel run fail.)
    @Test func aSwiftToolRunsInParallelWithAYAMLCommandTool() async throws {
        let folder = try TemporaryFolder()
        let started = try folder.makeFIFO("started")
        let reply = try folder.makeFIFO("reply")
        let script = try folder.write("handshake.sh", """
            #!/bin/sh
            echo started > "$1"
            read -r answer < "$2"
            echo "command got $answer"
            """, executable: true)
        try folder.write("config.yaml", "routing: model\n")
        try folder.write("tools/handshake.yaml", """
            name: handshake
            description: Says it started, then waits for an answer.
            kind: command
            command:
              argv: [\(script), \(started), \(reply)]
            policy: {timeout: 20s}
            """)

        var workspace = try Workspace.load(configPath: folder.path + "/config.yaml", environment: [:], currentDirectory: folder.path)
        try workspace.register(Tool(name: "answer", description: "Answers the handshake.", policy: ToolPolicy(timeout: .seconds(20))) { _, _ in
            let heard = await readLine(fromFIFO: started) ?? "nothing"
            let wrote = await writeLine("go", toFIFO: reply)
            return ToolOutput(text: "swift heard \(heard), wrote: \(wrote)")
        })
        #expect(workspace.registry.names == ["handshake", "answer"])

        let model = ScriptedModelClient([
            .toolCalls([call("handshake", id: "yaml"), call("answer", id: "swift")]),
            .answer("Both answered."),
        ])
        var configuration = workspace.agentConfiguration(routing: .model)
        configuration.model = model
        let agent = Agent(registry: workspace.registry, configuration: configuration, logger: .quiet)
        let recorder = EventRecorder()
        let result = await agent.run("shake hands", onEvent: recorder.record)

        #expect(result.stopReason == .finished)
        #expect(result.answer == "Both answered.")
        #expect(recorder.finishedCalls.map(\.status) == [.ok, .ok])
        let results = try #require(model.requests.last).lastResults
        #expect(results["yaml"]?.content == "command got go")
        #expect(results["swift"]?.content == "swift heard started, wrote: true")

        // The timeline shows the overlap too: each call started before the other finished.
        let timings = Dictionary(result.calls.map { ($0.callID, $0) }, uniquingKeysWith: { first, _ in first })
        let yaml = try #require(timings["yaml"]), swift = try #require(timings["swift"])
        let yamlStart = try #require(yaml.started), swiftStart = try #require(swift.started)
        #expect(yamlStart < swift.finished && swiftStart < yaml.finished)
        #expect(result.turnTimings.first?.toolCalls == 2)
    }

    @Test func registeringATakenNameIsAnErrorNamingTheFirstDeclaration() throws {
        let folder = try TemporaryFolder()
        try folder.write("config.yaml", "")
        let file = try folder.write("tools/clock.yaml", "name: clock\ndescription: The time.\nkind: builtin\nbuiltin: {function: current_time}\n")
        var workspace = try Workspace.load(configPath: folder.path + "/config.yaml", environment: [:], currentDirectory: folder.path)

        let error = #expect(throws: ConfigError.self) {
            try workspace.register(Tool(name: "clock", description: "Another clock.") { _, _ in ToolOutput(text: "noon") })
        }
        #expect(error?.description.contains("duplicate tool name 'clock'") == true)
        #expect(error?.description.contains(file) == true)
        #expect(workspace.registry.names == ["clock"])
    }

    /// The host decides `confirm: true` calls with its own policy; the request carries the validated arguments.
    @Test func theHostsApprovalPolicyDecidesConfirmedCalls() async throws {
        let folder = try TemporaryFolder()
        try folder.write("config.yaml", "routing: model\n")
        var workspace = try Workspace.load(configPath: folder.path + "/config.yaml", environment: [:], currentDirectory: folder.path)
        let schema: JSONValue = ["type": "object", "properties": ["amount": ["type": "integer"]], "required": ["amount"]]
        try workspace.register(Tool(name: "pay", description: "Pays.", parameters: schema, policy: ToolPolicy(confirm: true)) { arguments, _ in
            ToolOutput(text: "paid \(arguments["amount"]?.intValue ?? 0)")
        })
        let asked = SharedList<String>()
        let approval = ClosureApprovalPolicy { request in
            asked.append("\(request.spec.name) \(request.arguments["amount"]?.intValue ?? -1)")
            return request.arguments["amount"]?.intValue ?? 0 <= 10 ? .approve : .deny
        }
        var configuration = workspace.agentConfiguration(routing: .model, approval: approval)
        configuration.model = ScriptedModelClient([
            .toolCalls([call("pay", #"{"amount": 5}"#, id: "small"), call("pay", #"{"amount": 500}"#, id: "large")]),
            .answer("Paid the small one."),
        ])
        let agent = Agent(registry: workspace.registry, configuration: configuration, logger: .quiet)
        let result = await agent.respond("pay both")

        #expect(result.calls.map(\.status) == [.ok, .denied])
        #expect(asked.all.sorted() == ["pay 5", "pay 500"])
    }
}
