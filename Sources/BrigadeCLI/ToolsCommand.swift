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

struct ToolsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tools",
        abstract: "List, check and call the tools of the registry.",
        subcommands: [List.self, Check.self, Call.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the tools with their kind and description.")
        @OptionGroup var workspaceOptions: WorkspaceOptions
        @Flag(name: .long, help: "Print the tools as JSON (name, description, parameters, policy).")
        var json = false

        func run() async throws {
            let workspace = try workspaceOptions.loadWorkspace()
            // MCP servers start to list their tools, and end before the command does.
            await workspace.registry.prepareSources()
            await workspace.shutdown()
            let servers = workspace.registry.serverNamesByTool
            if json {
                let tools = workspace.registry.specs.map { spec -> JSONValue in
                    var entry: JSONObject = ["name": .string(spec.name), "description": .string(spec.description), "parameters": spec.parameters]
                    if let server = servers[spec.name] { entry["mcp_server"] = .string(server) }
                    return .object(entry)
                }
                print(JSONValue.array(tools).prettyJSONString)
                return
            }
            let width = workspace.registry.names.map(\.count).max() ?? 0
            for spec in workspace.registry.specs {
                var flags: [String] = []
                if let server = servers[spec.name] { flags.append("mcp: \(server)") }
                if spec.policy.confirm { flags.append("confirm") }
                if let timeout = spec.policy.timeout { flags.append("timeout \(timeout.secondsText)") }
                if spec.policy.costUSD > 0 { flags.append(String(printf: "$%.4f/call", spec.policy.costUSD)) }
                let padded = spec.name.padded(toLength: width)
                let description = spec.description.split(separator: "\n").first.map(String.init) ?? ""
                print("\(padded)  \(description)\(flags.isEmpty ? "" : " [\(flags.joined(separator: ", "))]")")
            }
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate config.yaml, the tools, the routes and their templates; exit 2 with file:line:col on the first error.")
        @OptionGroup var workspaceOptions: WorkspaceOptions

        func run() async throws {
            let workspace = try workspaceOptions.loadWorkspace()
            let file = workspace.config.file ?? "(defaults, no config file)"
            let model = workspace.model?.displayName ?? "none (\(workspace.modelUnavailableReason ?? "not configured"))"
            print("ok: \(file): \(Terminal.count(workspace.registry.tools.count, "tool")), \(Terminal.count(workspace.routes.routes.count, "route")), model \(model), routing \(workspace.defaultRouting.rawValue)")
            if let settings = workspace.config.model {
                let price = settings.price.map(ConfigReport.describe) ?? "none"
                print("price: \(price) (\(settings.priceSource?.description ?? "not in Brigade's price table of \(PriceTable.date)"))")
            }
            for override in workspace.overrides { print("override: \(override)") }
            guard !workspace.mcpServers.isEmpty else { return }
            await workspace.registry.prepareSources()
            var failed = false
            for server in workspace.mcpServers {
                let status = server.status
                if let failure = status.failure {
                    failed = true
                    print("mcp server \(server.config.name): failed: \(failure)")
                } else {
                    let names = server.currentTools.map(\.name)
                    let info = server.serverInfo.map { " (\($0))" } ?? ""
                    print("mcp server \(server.config.name)\(info): \(Terminal.count(names.count, "tool")): \(names.joined(separator: ", "))")
                }
                for warning in status.warnings { print("mcp server \(server.config.name): warning: \(warning)") }
            }
            await workspace.shutdown()
            if failed { throw ExitCode(1) }
        }
    }

    struct Call: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate arguments and run one tool; print its result (exit 1 when the tool fails).")
        @OptionGroup var workspaceOptions: WorkspaceOptions
        @Flag(name: .long, help: "Approve the call when the tool needs confirmation.")
        var yes = false
        @Option(name: .long, help: "The arguments as a JSON object.")
        var args: String = "{}"
        @Argument(help: "The tool's name.")
        var name: String

        func run() async throws {
            let workspace = try workspaceOptions.loadWorkspace()
            if workspace.registry.tool(named: name) == nil { await workspace.registry.prepareSources() }
            guard workspace.registry.tool(named: name) != nil else {
                await workspace.shutdown()
                throw CLIFailure.usage("unknown tool `\(ControlCharacters.escaped(name))`; the tools are: \(workspace.registry.names.joined(separator: ", "))")
            }
            let logger = CLILogger.make(verbose: workspaceOptions.verbose)
            let approval: any ApprovalPolicy = yes ? ApproveAllApprovalPolicy() : DenyAllApprovalPolicy()
            let dispatcher = Dispatcher(
                registry: workspace.registry,
                configuration: workspace.agentConfiguration(approval: approval).dispatch,
                logger: logger
            )
            let call = ToolCall(id: "cli", name: name, rawArguments: args)
            let results = await withInterruptCancellation { await dispatcher.dispatch([call]) }
            await workspace.shutdown()
            guard let result = results.first else { throw CLIFailure.runtime("no result") }
            // On a terminal the output's control characters are shown escaped; piped, it is exact.
            print(Terminal.standardOutput.isTTY ? ControlCharacters.escaped(result.output, lineBreaks: .kept) : result.output)
            Terminal.standardError.write("\(result.status.rawValue) in \(result.duration.secondsText)\n")
            if result.status != .ok { throw ExitCode(1) }
        }
    }
}
