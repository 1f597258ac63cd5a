import Foundation
import Testing

import Brigade
@testable import BrigadeCore
@testable import BrigadeWorkspace

@Suite("MCP client against misbehaving Streamable HTTP servers", .serialized, .timeLimit(.minutes(2)))
struct MCPHTTPBadServerTests {
    /// Starts the server of `mode` (raw_http_server.py) and reports how its start failed.
    func startFailure(_ mode: String) async throws -> String {
        try await MCPHTTPPeers.with("raw_http_server.py", [mode]) { port in
            let server = MCPHTTPPeers.server("raw_" + mode, port: port) { $0.startupTimeout = .seconds(20) }
            await server.prepare()
            let status = server.status
            await server.shutdown()
            #expect(status.state == "failed")
            return status.failure ?? ""
        }
    }

    /// Calls the tool `stream` of the server of `mode`, which answers it badly.
    func streamCall(_ mode: String, timeout: Duration = .seconds(20)) async throws -> DispatchedCall {
        try await MCPHTTPPeers.with("raw_http_server.py", [mode]) { port in
            let server = MCPHTTPPeers.server("raw_" + mode, port: port) { $0.timeout = timeout }
            let results = await MCPPeers.dispatcher(server).dispatch([call("stream", id: "1")])
            await server.shutdown()
            return results[0]
        }
    }

    @Test("nothing listening: the start fails naming the address")
    func refused() async throws {
        let refused = try RefusedPort()
        let server = MCPHTTPPeers.server("gone", port: Int(refused.port))
        await server.prepare()
        let failure = server.status.failure ?? ""
        await server.shutdown()
        #expect(failure.contains("failed to initialize: could not be reached at \(refused.url)/mcp"), "\(failure)")
    }

    @Test("an HTML page instead of MCP: the Content-Type and the start of the page")
    func html() async throws {
        let failure = try await startFailure("html")
        #expect(failure.contains("answered with Content-Type `text/html`, not JSON or an event stream"), "\(failure)")
        #expect(failure.contains("Welcome to nginx!"), "\(failure)")
    }

    @Test("a JSON content type with a body that is not JSON")
    func garbage() async throws {
        let failure = try await startFailure("garbage")
        #expect(failure.contains("answered with a body that is not JSON: `this is not json at all`"), "\(failure)")
    }

    @Test("a redirect is not followed")
    func redirect() async throws {
        let failure = try await startFailure("redirect")
        #expect(failure.contains("answered HTTP 302 (redirects are not followed"), "\(failure)")
    }

    @Test("an event stream of notifications without end: the call times out")
    func endlessEvents() async throws {
        let result = try await streamCall("endless_events", timeout: .milliseconds(500))
        #expect(result.status == .timeout, "\(result.output)")
        #expect(result.output.contains("timed out after 0.5 s"))
    }

    @Test("an SSE line without end: an error at the message cap")
    func endlessLine() async throws {
        let result = try await streamCall("endless_line")
        #expect(result.status == .error, "\(result.output)")
        #expect(result.output.contains("sent an answer past the \(MCPServer.maxMessageBytes)-byte limit of a message"), "\(result.output)")
    }

    @Test("a JSON body without end: an error at the message cap")
    func endlessJSON() async throws {
        let result = try await streamCall("endless_json")
        #expect(result.status == .error, "\(result.output)")
        #expect(result.output.contains("sent an answer past the \(MCPServer.maxMessageBytes)-byte limit of a message"), "\(result.output)")
    }

    @Test("config: url servers take headers, not command keys; both or neither is an error")
    func configSection() throws {
        func parse(_ body: String) throws -> BrigadeConfig {
            try BrigadeConfig.parse("mcp_servers:\n  web:\n" + body, file: "/tmp/x/config.yaml", environment: [:])
        }
        let config = try parse("    url: https://mcp.example.com/mcp\n    headers: { X-Team: blue }\n    tool_prefix: web_\n    max_concurrency: 2\n")
        let server = try #require(config.mcpServers.first)
        #expect(server.isHTTP && server.url == "https://mcp.example.com/mcp" && server.headers == ["X-Team": "blue"])
        #expect(server.toolPrefix == "web_" && server.policy.maxConcurrency == 2)
        let problems = [
            ("    url: https://a/mcp\n    command: x\n", "not both"),
            ("    url: https://a/mcp\n    args: [x]\n", "`args` is for `command` servers"),
            ("    command: x\n    headers: { A: b }\n", "`headers` is for servers with a `url`"),
            ("    url: ftp://a/mcp\n", "must be an http:// or https:// URL"),
            ("    url: https://user:pw@a/mcp\n", "must not carry a user name or password"),
            ("    timeout: 5s\n", "needs `command` (a stdio server) or `url`"),
        ]
        for (body, message) in problems {
            let error = #expect(throws: ConfigError.self) { try parse(body) }
            #expect(error?.description.contains(message) == true, "\(body): \(String(describing: error))")
        }
    }
}
