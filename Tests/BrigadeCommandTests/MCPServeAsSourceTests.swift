import Brigade
import Foundation
import Logging
import Testing

/// Brigade's own MCP client using `brigade mcp serve` — the built binary, a real child process over a
/// temporary folder with its own tools — as an `mcp_servers:` entry: the "small Swift MCP server"
/// peer of the MCP tests.
@Suite("brigade mcp serve as an mcp_servers entry", .timeLimit(.minutes(2)))
struct MCPServeAsSourceTests {
    /// A folder whose `brigade mcp serve` offers `stamp` (waits at a gate, then prints when it started
    /// and ended) and `shout`; and a client folder whose config.yaml declares that server.
    static func write(server: borrowing TemporaryFolder, client: borrowing TemporaryFolder, gate: String) throws {
        try server.write("config.yaml", "routing: static\n")
        try server.write("tools/stamp.yaml", """
            name: stamp
            description: Announces itself, waits for the test's go, prints its start and end times.
            kind: command
            parameters: {type: object, properties: {tag: {type: string}}, required: [tag]}
            command:
              argv: [sh, -c, 'start=$(date +%s.%N); echo "$1" > "$0/started"; read -r line < "$0/go"; echo "{\\"tag\\":\\"$1\\",\\"start\\":$start,\\"end\\":$(date +%s.%N)}"', "\(gate)", "{{tag}}"]
            policy: {timeout: 30s}
            """)
        try server.write("tools/shout.yaml", """
            name: shout
            description: Echoes a text.
            kind: command
            command: {argv: [echo, "shout:", "{{text}}"]}
            parameters: {type: object, properties: {text: {type: string}}, required: [text]}
            """)
        try client.write("config.yaml", """
            routing: static
            mcp_servers:
              inner:
                command: \(Brigade.path)
                args: [--config, \(server.path)/config.yaml, mcp, serve, --no-routes]
                cwd: \(server.path)
                tool_prefix: b_
                timeout: 30s
            """)
    }

    @Test("lists the served tools, calls one, and runs two calls at once (their own timestamps overlap)")
    func listCallAndParallel() async throws {
        let gateFolder = try TemporaryFolder()
        let gate = try ScriptGate(in: gateFolder.path)
        let server = try TemporaryFolder()
        let client = try TemporaryFolder()
        try Self.write(server: server, client: client, gate: gateFolder.path)
        let workspace = try Workspace.load(configPath: client.path + "/config.yaml", currentDirectory: client.path)
        let source = try #require(workspace.mcpServers.first)
        await source.prepare()
        #expect(source.status.state == "running", "\(source.status)")
        #expect(source.serverInfo?.hasPrefix("brigade") == true)
        #expect(source.currentTools.map(\.spec.name).sorted() == ["b_shout", "b_stamp"])

        let dispatcher = Dispatcher(registry: workspace.registry, configuration: workspace.agentConfiguration().dispatch, logger: Logger(label: "test"))
        let shouted = await dispatcher.dispatch([ToolCall(id: "s", name: "b_shout", rawArguments: #"{"text":"hi"}"#)])
        #expect(shouted.map(\.status) == [.ok])
        #expect(shouted.first?.output == "shout: hi")
        let invalid = await dispatcher.dispatch([ToolCall(id: "i", name: "b_shout", rawArguments: #"{"text":3}"#)])
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
        #expect(starts.max()! < ends.min()!, "the calls did not overlap: starts \(starts), ends \(ends)")
        #expect(source.status.state == "stopped")
    }
}
