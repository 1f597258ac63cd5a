import Foundation
import Subprocess
import Testing

import Brigade
@testable import BrigadeWorkspace

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Streamable HTTP MCP servers for the tests: Tests/MCPPeers/http_peer_server.py (FastMCP, the
/// official Python SDK) and raw_http_server.py (misbehaving on purpose), each on a port of 127.0.0.1.
enum MCPHTTPPeers {
    struct DidNotStart: Error, CustomStringConvertible {
        var script: String
        var description: String { "\(script) ended without printing its port" }
    }

    /// Runs `script` with `arguments` until `body` returns, then kills it; `body` gets the port it listens on.
    static func with<Result: Sendable>(
        _ script: String, _ arguments: [String], _ body: (Int) async throws -> Result
    ) async throws -> Result {
        let python = try MCPPeers.requirePython()
        let run = try await Subprocess.run(
            .path(FilePath(python)), arguments: Arguments([MCPPeers.folder + "/" + script] + arguments),
            input: .none, output: .sequence, error: .discarded
        ) { execution in
            var port: Int?
            for try await line in execution.standardOutput.strings() where line.hasPrefix("port ") {
                port = Int(line.dropFirst("port ".count).trimmingCharacters(in: .whitespacesAndNewlines))
                break
            }
            guard let port else { throw DidNotStart(script: script) }
            do {
                let result = try await body(port)
                try? execution.send(signal: .kill)
                return result
            } catch {
                try? execution.send(signal: .kill)
                throw error
            }
        }
        return run.closureResult
    }

    /// The FastMCP peer named `name` over Streamable HTTP (answers as SSE streams, or plain JSON).
    static func withPeer<Result: Sendable>(
        _ name: String, port: Int = 0, json: Bool = false, _ body: (Int) async throws -> Result
    ) async throws -> Result {
        try await with("http_peer_server.py", [name, String(port)] + (json ? ["json"] : []), body)
    }

    /// An MCP server config for the endpoint on `port`.
    static func server(_ name: String, port: Int, configure: (inout MCPServerConfig) -> Void = { _ in }) -> MCPServer {
        var config = MCPServerConfig.http(name: name, url: "http://127.0.0.1:\(port)/mcp")
        configure(&config)
        return MCPServer(config, logger: .quiet)
    }
}
