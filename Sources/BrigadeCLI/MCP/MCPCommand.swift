import ArgumentParser
import Brigade
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import Logging

struct MCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Brigade as an MCP server.",
        subcommands: [Serve.self]
    )

    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve the registry's tools and each route as MCP tools over stdio (docs/mcp.md).",
            discussion: """
                Reads JSON-RPC from standard input and answers on standard output; nothing else is written \
                there. A route is exposed as `route_NAME` with one optional `request` argument: its fan-out \
                runs in parallel and the joined answer comes back. Tools marked `confirm: true` are left out \
                unless --allow-confirm (then the MCP client's own approval is the confirmation).
                """
        )
        @OptionGroup var workspaceOptions: WorkspaceOptions
        @Flag(name: .long, help: "Expose `confirm: true` tools too, and run their calls without asking.")
        var allowConfirm = false
        @Flag(name: .long, help: "Do not expose the routes.")
        var noRoutes = false

        func run() async throws {
            let workspace = try await workspaceOptions.startWorkspace()
            let logger = Logger(label: "brigade") { _ in SwiftLogNoOpLogHandler() }
            // The routes' runs are recorded (source `mcp`); single tool calls are not runs, so without
            // routes the store is not even opened.
            let store = noRoutes ? nil : try StoreAccess.openForRecording(workspace, options: workspaceOptions)
            let server = MCPStdioServer(workspace: workspace, allowConfirm: allowConfirm, exposeRoutes: !noRoutes, store: store, logger: logger)
            let lines = InputLines.stream(from: STDIN_FILENO, maxLineBytes: 16 << 20)
            await withInterruptCancellation { await server.serve(lines) }
            await workspace.shutdown()
            try await StoreAccess.finish(store, workspace: workspace)
        }
    }
}
