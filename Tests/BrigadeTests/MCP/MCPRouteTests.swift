import Foundation
import Logging
import Testing

import Brigade
@testable import BrigadeCore
@testable import BrigadeWorkspace

@Suite("Routes that call the tools of MCP servers", .serialized, .timeLimit(.minutes(2)))
struct MCPRouteTests {
    static let yaml = """
        name: sum
        match:
          patterns: ['add (?<a>\\d+) and (?<b>\\d+)']
        calls:
          - label: sum
            tool: m_add
            arguments: {a: "{{a}}", b: "{{b}}"}
          - label: hello
            tool: m_echo
            arguments: {text: hello}
        join: model
        """

    @Test("a route may name an MCP server's tool (prefix and filters decide); others stay unknown")
    func loading() throws {
        let server = MCPServerConfig(name: "math", command: "python3", toolPrefix: "m_", exclude: ["crash"])
        let routes = try RouteLoader.parse(Self.yaml, file: "/r/routes/sum.yaml", tools: [:], promptsDirectory: "/r/prompts", mcpServers: [server])
        #expect(routes.routes.first?.calls.map(\.tool) == ["m_add", "m_echo"])
        for name in ["m_crash", "add", "x_add"] {
            let yaml = Self.yaml.replacingOccurrences(of: "tool: m_add", with: "tool: \(name)")
            let error = #expect(throws: ConfigError.self) {
                try RouteLoader.parse(yaml, file: "/r/routes/sum.yaml", tools: [:], promptsDirectory: "/r/prompts", mcpServers: [server])
            }
            #expect(error?.description.contains("unknown tool `\(name)`") == true, "\(String(describing: error))")
        }
        #expect(throws: ConfigError.self) {
            try RouteLoader.parse(Self.yaml, file: "/r/routes/sum.yaml", tools: [:], promptsDirectory: "/r/prompts")
        }
    }

    @Test("a static route runs an MCP tool: the server starts, captures are coerced to its schema")
    func running() async throws {
        let server = try MCPPeers.peer("math", prefix: "m_")
        var registry = ToolRegistry()
        registry.add(server)
        let template = try JoinTemplate(text: "sum: {{calls.sum.output}}; {{calls.hello.output}}", file: "t.mustache")
        var route = try #require(RouteLoader.parse(Self.yaml, file: "/r/routes/sum.yaml", tools: [:], promptsDirectory: "/r/prompts", mcpServers: [server.config]).routes.first)
        route.join = .template(template)
        let agent = Agent(registry: registry, configuration: Agent.Configuration(model: nil, routes: RouteSet([route]), routing: .static), logger: Logger(label: "test"))
        let result = await agent.run("please add 2 and 40")
        await server.shutdown()
        #expect(result.answer == "sum: 42; math: hello", "\(result.answer)")
        #expect(result.toolCalls == 2)
    }
}
