import Brigade
import Foundation
import Logging
import Testing
import BrigadeTesting

/// Brigade's own MCP client using `brigade mcp serve` — the built binary, a real child process over a
/// temporary folder with its own tools — as an `mcp_servers:` entry: the "small Swift MCP server"
/// peer of the MCP tests.
@Suite("brigade mcp serve as an mcp_servers entry", .timeLimit(.minutes(2)))
struct MCPServeAsSourceTests {
    /// A folder whose `brigade mcp serve` offers `stamp` (waits at a gate, then prints when it started
    /// and ended) and `shout`; and a client folder whose config.yaml declares that server.
    static func write(
        server: borrowing TemporaryFolder, client: borrowing TemporaryFolder, gate: String
    ) throws {
        try server.write("config.yaml", "routing: static\n")
        try server.write(
            "tools/stamp.yaml",
            """
            name: stamp
            description: Announces itself, waits for the test's go, prints its start and end times.
            kind: command
            parameters: {type: object, properties: {tag: {type: string}}, required: [tag]}
            command:
              argv: [sh, -c, 'start=$(date +%s.%N); echo "$1" > "$0/started"; read -r line < "$0/go"; echo "{\\"tag\\":\\"$1\\",\\"start\\":$start,\\"end\\":$(date +%s.%N)}"', "\(gate)", "{{tag}}"]
            policy: {timeout: 30s}
            """)
        try server.write(
            "tools/shout.yaml",
            """
            name: shout
            description: Echoes a text.
            kind: command
            command: {argv: [echo, "shout:", "{{text}}"]}
            parameters: {type: object, properties: {text: {type: string}}, required: [text]}
            """)
        try server.write(
            "tools/hold.yaml",
            """
            name: hold
            description: Announces itself and waits for the test's go; one at a time.
            kind: command
            parameters: {type: object, properties: {tag: {type: string}}, required: [tag]}
            command:
              argv: [sh, -c, 'echo "$1" > "$0/started"; read -r line < "$0/go"; echo "$1 held"', "\(gate)", "{{tag}}"]
            policy: {timeout: 120s, max_concurrency: 1}
            """)
        try client.write(
            "config.yaml",
            """
            routing: static
            mcp_servers:
              inner:
            \(entry(serving: server.path, indent: "    "))
                tool_prefix: b_
                timeout: 120s
            """)
    }

    /// The lines of an `mcp_servers:` entry that runs `brigade mcp serve` over `folder`, with no user layer.
    static func entry(serving folder: String, indent: String) -> String {
        """
        \(indent)command: \(Brigade.path)
        \(indent)args: [--config, \(folder)/config.yaml, mcp, serve, --no-routes]
        \(indent)cwd: \(folder)
        \(indent)\(noUserLayer)
        """
    }

    /// The `env:` of an entry that runs `brigade`: the server inherits `HOME` (so `~/.config/brigade/`)
    /// but not `XDG_CONFIG_HOME`, which this points at the tests' empty folder.
    static var noUserLayer: String { "env: {XDG_CONFIG_HOME: \(HermeticEnvironment.emptyConfigHome)}" }

    /// Runs `body` with a client workspace over a served folder (see ``write(server:client:gate:)``),
    /// a dispatcher over its registry, and the gate of the served tools.
    static func withServedTools(_ body: (Workspace, Dispatcher, ScriptGate) async throws -> Void)
        async throws
    {
        let gateFolder = try TemporaryFolder()
        let gate = try ScriptGate(in: gateFolder.path)
        let server = try TemporaryFolder()
        let client = try TemporaryFolder()
        try write(server: server, client: client, gate: gateFolder.path)
        let workspace = try Workspace.load(
            configPath: client.path + "/config.yaml", environment: HermeticEnvironment.inherited(), currentDirectory: client.path)
        let dispatcher = Dispatcher(
            registry: workspace.registry, configuration: workspace.agentConfiguration().dispatch,
            logger: Logger(label: "test"))
        try await body(workspace, dispatcher, gate)
    }

    @Test(
        "lists the served tools, calls one, and runs two calls at once (their own timestamps overlap)")
    func listCallAndParallel() async throws {
        try await Self.withServedTools { workspace, dispatcher, gate in
            let source = try #require(workspace.mcpServers.first)
            await source.prepare()
            #expect(source.status.state == "running", "\(source.status)")
            #expect(source.serverInfo?.hasPrefix("brigade") == true)
            #expect(source.currentTools.map(\.spec.name).sorted() == ["b_hold", "b_shout", "b_stamp"])

            let shouted = await dispatcher.dispatch([
                ToolCall(id: "s", name: "b_shout", rawArguments: #"{"text":"hi"}"#)
            ])
            #expect(shouted.map(\.status) == [.ok])
            #expect(shouted.first?.output == "shout: hi")
            let invalid = await dispatcher.dispatch([
                ToolCall(id: "i", name: "b_shout", rawArguments: #"{"text":3}"#)
            ])
            #expect(invalid.first?.status == .error)
            #expect(invalid.first?.output.contains("do not match its parameters") == true)

            // Both calls must be running inside the served process at once before either may finish.
            async let stamped = dispatcher.dispatch([
                ToolCall(id: "1", name: "b_stamp", rawArguments: #"{"tag":"one"}"#),
                ToolCall(id: "2", name: "b_stamp", rawArguments: #"{"tag":"two"}"#),
            ])
            let announced = await gate.announcements(2)
            gate.release(2)
            let results = await stamped
            await workspace.shutdown()
            #expect(announced.sorted() == ["one", "two"])
            #expect(results.map(\.status) == [.ok, .ok], "\(results.map(\.output))")
            let reports = try results.map { try JSONValue(parsing: $0.output) }
            #expect(reports.map { $0["tag"]?.stringValue } == ["one", "two"])
            let starts = reports.compactMap { $0["start"]?.doubleValue }
            let ends = reports.compactMap { $0["end"]?.doubleValue }
            try #require(starts.count == 2 && ends.count == 2)
            #expect(
                starts.max()! < ends.min()!, "the calls did not overlap: starts \(starts), ends \(ends)")
            #expect(source.status.state == "stopped")
        }
    }

    @Test(
        "a call cancelled on the client is cancelled in the served process (notifications/cancelled)")
    func cancellationReachesTheServedCall() async throws {
        try await Self.withServedTools { workspace, dispatcher, gate in
            // Started first, so the served process's start-up is not inside the gate's wait.
            let source = try #require(workspace.mcpServers.first)
            await source.prepare()
            let first = Task {
                await dispatcher.dispatch([
                    ToolCall(id: "1", name: "b_hold", rawArguments: #"{"tag":"one"}"#)
                ])
            }
            let announcedFirst = await gate.announcements(1, timeout: .seconds(90))
            first.cancel()
            let cancelled = await first.value
            // `hold` runs one call at a time in the served process and the first never got its go: the
            // second can start only when the cancellation ended the first there.
            async let second = dispatcher.dispatch([
                ToolCall(id: "2", name: "b_hold", rawArguments: #"{"tag":"two"}"#)
            ])
            let announcedSecond = await gate.announcements(1, timeout: .seconds(90))
            gate.release(1)
            let results = await second
            await workspace.shutdown()
            #expect(announcedFirst == ["one"], "the first call never started: \(cancelled.map(\.output))")
            #expect(cancelled.first?.status != .ok, "\(cancelled.map(\.output))")
            #expect(announcedSecond == ["two"])
            #expect(results.map(\.status) == [.ok], "\(results.map(\.output))")
            #expect(results.first?.output == "two held")
        }
    }

    @Test(
        "eager: true starts a server with the runtime; a lazy one is not started by a command that needs no tools"
    )
    func eagerStart() async throws {
        let server = try TemporaryFolder()
        let client = try TemporaryFolder()
        try server.write("config.yaml", "routing: static\n")
        // Each server leaves a mark when it is spawned, then becomes `brigade mcp serve`.
        func entry(_ name: String, eager: Bool) -> String {
            """
              \(name):
                command: sh
                args: [-c, 'echo up > "$0/\(name)-started"; exec "$1" --config "$2/config.yaml" --no-store mcp serve', \(client.path), \(Brigade.path), \(server.path)]
                cwd: \(server.path)
                tool_prefix: \(name)_
                eager: \(eager)
                \(Self.noUserLayer)
            """
        }
        try client.write(
            "config.yaml",
            "routing: static\nmcp_servers:\n" + entry("early", eager: true) + "\n"
                + entry("late", eager: false) + "\n")
        // `brigade run` with nothing on stdin starts its runtime, runs nothing, and shuts down.
        let outcome = try await Brigade.run(
            ["run", "--json", "--config", client.path + "/config.yaml"], in: client.path)
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(FileManager.default.fileExists(atPath: client.path + "/early-started"))
        #expect(!FileManager.default.fileExists(atPath: client.path + "/late-started"))
    }
}
