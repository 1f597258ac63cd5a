import Foundation
import Testing

import Brigade
@testable import BrigadeCore
@testable import BrigadeWorkspace

@Suite("MCP client against misbehaving servers", .serialized, .timeLimit(.minutes(2)))
struct MCPBadServerTests {
    @Test("a server that never answers initialize: a clear timeout error")
    func silent() async throws {
        let server = try MCPPeers.raw("silent") { $0.startupTimeout = .milliseconds(500) }
        await server.prepare()
        let status = server.status
        await server.shutdown()
        #expect(status.state == "failed")
        #expect(status.failure?.contains("did not answer `initialize` within 0.5 s") == true, "\(status.failure ?? "")")
    }

    @Test("a server that exits at once: its exit code and stderr in the error")
    func exitsAtOnce() async throws {
        let server = try MCPPeers.raw("exit")
        let dispatcher = MCPPeers.dispatcher(server)
        let results = await dispatcher.dispatch([ToolCall(id: "1", name: "good", rawArguments: "{}")])
        let status = server.status
        await server.shutdown()
        #expect(results[0].status == .error)
        #expect(results[0].output.contains("unknown tool"))
        #expect(status.failure?.contains("exited with code 2") == true, "\(status.failure ?? "")")
        #expect(status.failure?.contains("giving up at once") == true)
    }

    @Test("lines on stdout that are not JSON-RPC are skipped")
    func garbage() async throws {
        let server = try MCPPeers.raw("garbage")
        let dispatcher = MCPPeers.dispatcher(server)
        let results = await dispatcher.dispatch([ToolCall(id: "1", name: "good", rawArguments: #"{"x":1}"#)])
        await server.shutdown()
        #expect(results[0].status == .ok, "\(results[0].output)")
        #expect(results[0].output == #"good: {"x": 1}"#)
    }

    @Test("tools with invalid input schemas are skipped with a warning naming each")
    func invalidSchemas() async throws {
        let server = try MCPPeers.raw("badschema")
        await server.prepare()
        let tools = server.currentTools.map(\.name)
        let warnings = server.status.warnings
        await server.shutdown()
        #expect(tools == ["good"])
        #expect(warnings.count == 3)
        for name in ["not_object", "bad_type", "no_schema"] {
            #expect(warnings.contains { $0.contains("`\(name)`") && $0.contains("invalid inputSchema") }, "\(warnings)")
        }
    }

    @Test("requests Brigade does not support get a JSON-RPC error; ping is answered")
    func unsupportedRequests() async throws {
        let server = try MCPPeers.raw("asks")
        let output = try await server.callTool("answer", arguments: [:])
        await server.shutdown()
        let replies = try #require(try JSONValue(parsing: output.text).arrayValue)
        let sampling = replies.first { $0["id"]?.stringValue == "s1" }
        let ping = replies.first { $0["id"]?.stringValue == "s2" }
        #expect(sampling?["error"]?["code"]?.intValue == -32601)
        #expect(ping?["result"] == [:])
    }

    @Test("config.yaml's mcp_servers section: keys, defaults and errors at file:line:col")
    func configSection() throws {
        let yaml = """
            mcp_servers:
              files:
                command: python3
                args: [server.py, "--root", "${HOME}"]
                env_allowlist: [TOKEN]
                tool_prefix: fs_
                exclude: [delete]
                timeout: 5s
                max_concurrency: 3
                confirm: true
                cost_usd: 0.001
            """
        let config = try BrigadeConfig.parse(yaml, file: "/tmp/x/config.yaml", environment: ["HOME": "/home/me"])
        let server = try #require(config.mcpServers.first)
        #expect(server.name == "files" && server.command == "python3")
        #expect(server.args == ["server.py", "--root", "/home/me"])
        #expect(server.toolPrefix == "fs_" && server.exclude == ["delete"] && server.offers("read") && !server.offers("delete"))
        #expect(server.policy.timeout == .seconds(5) && server.policy.maxConcurrency == 3 && server.policy.confirm)
        #expect(server.policy.concurrencyGroup == "mcp:files")
        #expect(throws: ConfigError.self) {
            try BrigadeConfig.parse("mcp_servers:\n  files:\n    comand: x\n", file: "/tmp/x/config.yaml", environment: [:])
        }
    }
}
