import Foundation
import Testing

import Brigade
@testable import BrigadeCore
@testable import BrigadeWorkspace
import BrigadeTesting

@Suite("MCP client over Streamable HTTP against the Python SDK", .serialized, .timeLimit(.minutes(2)))
struct MCPHTTPClientTests {
    @Test("calls of one turn run at once over HTTP, and max_concurrency caps them", arguments: [false, true])
    func parallelUnderCap(json: Bool) async throws {
        try await MCPHTTPPeers.withPeer("parallel", json: json) { port in
            let server = MCPHTTPPeers.server("parallel", port: port) { $0.maxConcurrency = 2 }
            let dispatcher = MCPPeers.dispatcher(server)
            let temporary = try TemporaryFolder(prefix: "brigade-mcp-")
            let folder = temporary.path
            let met = await dispatcher.dispatch([
                call("rendezvous", #"{"folder":"\#(folder)","me":"a","peer":"b"}"#, id: "1"),
                call("rendezvous", #"{"folder":"\#(folder)","me":"b","peer":"a"}"#, id: "2"),
            ])
            let probes = await dispatcher.dispatch((1...6).map { call("probe", #"{"target":2}"#, id: "p\($0)") })
            await server.shutdown()
            #expect(met.map(\.status) == [.ok, .ok], "\(met.map(\.output))")
            let reports = met.compactMap(\.json)
            #expect(reports.count == 2 && reports.allSatisfy { $0["met"]?.boolValue == true }, "\(met.map(\.output))")
            let peaks = probes.compactMap { $0.json?["peak"]?.intValue }
            #expect(peaks.count == 6, "\(probes.map(\.output))")
            #expect(peaks.max() == 2, "peaks \(peaks)")
        }
    }

    @Test("the session id and the protocol version go with every request after initialize")
    func sessionHeaders() async throws {
        try await MCPHTTPPeers.withPeer("session") { port in
            let server = MCPHTTPPeers.server("session", port: port)
            let first = try await server.callTool("transport_headers", arguments: [:]).text
            let second = try await server.callTool("transport_headers", arguments: [:]).text
            await server.shutdown()
            #expect(first.contains("mcp-protocol-version=2025-06-18"), "\(first)")
            #expect(first.contains("accept=application/json, text/event-stream"), "\(first)")
            let session = try #require(first.split(separator: " | ").first { $0.hasPrefix("mcp-session-id=") })
            #expect(session.count > "mcp-session-id=".count + 8, "\(first)")
            #expect(first == second, "the session changed between calls: \(first) vs \(second)")
        }
    }

    @Test("shutdown ends the session on the server with DELETE")
    func shutdownDeletesSession() async throws {
        try await MCPHTTPPeers.withPeer("sessions") { port in
            let first = MCPHTTPPeers.server("first", port: port)
            let second = MCPHTTPPeers.server("second", port: port)
            let both = try await first.callTool("open_sessions", arguments: ["at_most": 100]).text
            #expect(try await second.callTool("open_sessions", arguments: ["at_most": 100]).text == "2")
            await first.shutdown()
            let after = try await second.callTool("open_sessions", arguments: ["at_most": 1]).text
            await second.shutdown()
            #expect(both == "1")
            #expect(after == "1", "the first session was not deleted")
        }
    }

    @Test("list_changed in a call's own SSE stream, and on the GET stream, makes Brigade list again")
    func listChanged() async throws {
        try await MCPHTTPPeers.withPeer("growing") { port in
            let server = MCPHTTPPeers.server("growing", port: port)
            let dispatcher = MCPPeers.dispatcher(server)
            let added = await dispatcher.dispatch([call("add_late_tool_in_stream", id: "1")])
            #expect(added[0].output == "added")
            await server.waitForToolListings(2)
            let late = await dispatcher.dispatch([call("late", id: "2")])
            #expect(late[0].output == "late tool ran", "\(late[0].output)")
            let elsewhere = await dispatcher.dispatch([call("add_tool_elsewhere", id: "3")])
            #expect(elsewhere[0].output == "added elsewhere")
            await server.waitForToolListings(3)
            let later = await dispatcher.dispatch([call("later", id: "4")])
            await server.shutdown()
            #expect(later[0].output == "later tool ran", "\(later[0].output)")
        }
    }

    @Test("a timed-out call is cancelled on the server with notifications/cancelled")
    func timeoutCancels() async throws {
        try await MCPHTTPPeers.withPeer("slow") { port in
            let server = MCPHTTPPeers.server("slow", port: port) { $0.timeout = .milliseconds(300) }
            let dispatcher = MCPPeers.dispatcher(server)
            await server.prepare()
            let results = await dispatcher.dispatch([call("hang", id: "h")])
            #expect(results.map(\.status) == [.timeout])
            let count = try await server.callTool("cancellations", arguments: ["at_least": 1])
            await server.shutdown()
            #expect(count.text == "1")
        }
    }

    @Test("a server killed mid-call: a clear error; while it is down, another; back up, a new session")
    func killedMidCall() async throws {
        let (port, server, before) = try await MCPHTTPPeers.withPeer("fragile") { port in
            let server = MCPHTTPPeers.server("fragile", port: port)
            let before = try await server.callTool("transport_headers", arguments: [:]).text
            let crashed = await MCPPeers.dispatcher(server).dispatch([call("crash", id: "1")])
            #expect(crashed[0].status == .error)
            #expect(crashed[0].output.contains("MCP server 'fragile'"), "\(crashed[0].output)")
            return (port, server, before)
        }
        let dispatcher = MCPPeers.dispatcher(server)
        let down = await dispatcher.dispatch([call("pid", id: "2")])
        #expect(down[0].status == .error)
        #expect(down[0].output.contains("MCP server 'fragile' could not be reached at http://127.0.0.1:\(port)/mcp"), "\(down[0].output)")
        try await MCPHTTPPeers.withPeer("fragile", port: port) { _ in
            let back = await dispatcher.dispatch([call("transport_headers", id: "3")])
            await server.shutdown()
            #expect(back[0].status == .ok, "\(back[0].output)")
            #expect(back[0].output.contains("mcp-session-id="))
            #expect(back[0].output != before, "the call did not run in a new session")
        }
    }

    @Test("a header's ${ENV} secret reaches the server and is redacted from results and errors")
    func headerSecret() async throws {
        let secret = "tok-" + UUID().uuidString
        let yaml = """
            mcp_servers:
              keyed:
                url: http://127.0.0.1:1/mcp
                headers: { Authorization: "Bearer ${MCP_TEST_TOKEN}" }
            """
        let parsed = try BrigadeConfig.parse(yaml, file: "/tmp/x/config.yaml", environment: ["MCP_TEST_TOKEN": secret])
        var config = try #require(parsed.mcpServers.first)
        #expect(config.headers == ["Authorization": "Bearer \(secret)"] && config.secrets == [secret])
        try await MCPHTTPPeers.withPeer("keyed") { port in
            config.url = "http://127.0.0.1:\(port)/mcp"
            let server = MCPServer(config, logger: .quiet)
            let results = await MCPPeers.dispatcher(server).dispatch([
                call("secret_reversed", id: "1"), call("secret_echo", id: "2"), call("secret_fail", id: "3"),
            ])
            await server.shutdown()
            #expect(String(results[0].output.reversed()) == "Bearer \(secret)", "the server did not get the header: \(results[0].output)")
            #expect(results[1].output == "you sent: Bearer [redacted]", "\(results[1].output)")
            #expect(results[2].status == .error)
            #expect(results[2].output.contains("rejected credentials Bearer [redacted]"), "\(results[2].output)")
            #expect(!results.contains { $0.output.contains(secret) || $0.output.contains(secret.dropFirst(6).prefix(10)) })
        }
        let missing = #expect(throws: ConfigError.self) {
            try BrigadeConfig.parse(yaml, file: "/tmp/x/config.yaml", environment: [:])
        }
        #expect(missing?.description.contains("MCP_TEST_TOKEN") == true, "\(String(describing: missing))")
    }
}
