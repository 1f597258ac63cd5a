import Foundation
import Subprocess
import Testing
import BrigadeTesting

/// `brigade mcp serve` driven by the official Python SDK's client (Tests/MCPPeers/serve_client.py,
/// run by the virtualenv python that scripts/mcp-test-peers installs).
@Suite("brigade mcp serve", .timeLimit(.minutes(2)))
struct MCPServeTests {
    static let python = Brigade.repositoryRoot + "/.build-mcp/venv/bin/python"

    static func workspace() throws -> TemporaryFolder {
        let folder = try TemporaryFolder()
        try folder.write("config.yaml", "routing: static\n")
        try folder.write("tools/shout.yaml", """
            name: shout
            description: Echoes a text.
            kind: command
            command: {argv: [echo, "shout:", "{{text}}"]}
            parameters: {type: object, properties: {text: {type: string}}, required: [text]}
            """)
        try folder.write("tools/wipe.yaml", """
            name: wipe
            description: Needs confirmation.
            kind: command
            command: {argv: [echo, wiped]}
            policy: {confirm: true}
            """)
        try folder.write("routes/pair.yaml", """
            name: pair
            description: Two shouts at once.
            match:
              keywords: [pair]
              vocabulary: [say, a]
              examples: [a pair]
            calls:
              - {label: left, tool: shout, arguments: {text: left}}
              - {label: right, tool: shout, arguments: {text: right}}
            join: pair.mustache
            """)
        try folder.write("prompts/pair.mustache", "{{calls.left.output}} + {{calls.right.output}}\n")
        return folder
    }

    func serve(_ folder: borrowing TemporaryFolder, _ extra: [String] = []) async throws -> JSONValueView {
        guard FileManager.default.isExecutableFile(atPath: Self.python) else {
            Issue.record("the MCP test peers are not installed: \(Self.python) is missing — run scripts/mcp-test-peers (scripts/install-deps does)")
            throw CancellationError()
        }
        let result = try await Subprocess.run(
            .path(.init(Self.python)),
            arguments: Arguments([Brigade.repositoryRoot + "/Tests/MCPPeers/serve_client.py", Brigade.path, folder.path] + extra),
            output: .string(limit: 1 << 20),
            error: .string(limit: 1 << 20)
        )
        let output = result.standardOutput
        #expect(result.terminationStatus.isSuccess, "stderr: \(result.standardError)")
        let object = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
        return JSONValueView(object: try #require(object, "not JSON: \(output)"))
    }

    @Test("the Python SDK's client lists tools, calls a tool and calls a route (its fan-out joined)")
    func listCallAndRoute() async throws {
        let folder = try Self.workspace()
        let seen = try await serve(folder)
        #expect(seen.string("server") == "brigade")
        #expect(seen.strings("tools") == ["route_pair", "shout"], "a confirm tool is not listed")
        #expect(seen.result("tool") == ("shout: hello", false))
        #expect(seen.result("bad").isError && seen.result("bad").text.contains("do not match its parameters"))
        #expect(seen.result("hidden").isError && seen.result("hidden").text.contains("unknown tool"))
        let routes = seen.results("routes")
        #expect(routes.count == 2)
        for route in routes {
            #expect(route.text == "shout: left + shout: right", "\(route)")
            #expect(!route.isError)
        }
        // The routes' runs are recorded in the folder's store (source `mcp`); single tool calls are not runs.
        let log = try await Brigade.run(["log", "--json"], in: folder.path)
        #expect(log.status == 0, "\(log.standardError)")
        let runs = try ndjsonLines(log.standardOutput)
        #expect(runs.count == 2 && runs.allSatisfy { $0["source"]?.stringValue == "mcp" && $0["tool_calls"]?.intValue == 2 }, "\(runs)")
    }

    @Test("--allow-confirm exposes confirm: true tools and runs them")
    func allowConfirm() async throws {
        let folder = try Self.workspace()
        let seen = try await serve(folder, ["--allow-confirm"])
        #expect(seen.strings("tools") == ["route_pair", "shout", "wipe"])
        #expect(seen.result("hidden") == ("wiped", false))
    }
}

/// Reads the client's JSON report.
struct JSONValueView {
    var object: [String: Any]

    func string(_ key: String) -> String? { object[key] as? String }
    func strings(_ key: String) -> [String] { object[key] as? [String] ?? [] }
    func result(_ key: String) -> (text: String, isError: Bool) { Self.result(object[key]) }
    func results(_ key: String) -> [(text: String, isError: Bool)] { (object[key] as? [Any] ?? []).map(Self.result) }

    static func result(_ value: Any?) -> (text: String, isError: Bool) {
        let entry = value as? [String: Any] ?? [:]
        return (entry["text"] as? String ?? "", entry["isError"] as? Bool ?? false)
    }
}
