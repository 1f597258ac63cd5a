import Foundation
import Logging
import Testing

import Brigade
@testable import BrigadeCore
@testable import BrigadeWorkspace

/// The MCP servers the tests talk to: Tests/MCPPeers/*.py, run by the Python of the virtualenv that
/// scripts/mcp-test-peers makes (scripts/install-deps runs it).
enum MCPPeers {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let folder = packageRoot + "/Tests/MCPPeers"
    static let python = packageRoot + "/.build-mcp/venv/bin/python"

    struct Missing: Error, CustomStringConvertible {
        var description: String {
            "the MCP test peers are not installed: \(MCPPeers.python) is missing — run scripts/mcp-test-peers (scripts/install-deps does)"
        }
    }

    /// The venv's python; fails the test, saying how to install it, when it is missing.
    static func requirePython() throws -> String {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            Issue.record(Missing())
            throw Missing()
        }
        return python
    }

    /// A FastMCP server (the official Python SDK) named `name`.
    static func peer(_ name: String, prefix: String = "", configure: (inout MCPServerConfig) -> Void = { _ in }) throws -> MCPServer {
        var config = MCPServerConfig(name: name, command: try requirePython(), args: [folder + "/peer_server.py", name], toolPrefix: prefix)
        configure(&config)
        return MCPServer(config, logger: .quiet)
    }

    /// A hand-written misbehaving server (see raw_server.py).
    static func raw(_ mode: String, configure: (inout MCPServerConfig) -> Void = { _ in }) throws -> MCPServer {
        var config = MCPServerConfig(name: "raw_" + mode, command: try requirePython(), args: [folder + "/raw_server.py", mode])
        configure(&config)
        return MCPServer(config, logger: .quiet)
    }

    static func dispatcher(_ servers: MCPServer..., timeout: Duration = .seconds(30)) -> Dispatcher {
        var registry = ToolRegistry()
        for server in servers { registry.add(server) }
        return Dispatcher(registry: registry, configuration: Dispatcher.Configuration(defaultTimeout: timeout), logger: .quiet)
    }
}

extension DispatchedCall {
    var json: JSONValue? { try? JSONValue(parsing: output) }
}
