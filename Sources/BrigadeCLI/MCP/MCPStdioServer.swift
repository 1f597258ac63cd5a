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
import Synchronization

/// `brigade mcp serve`: answers an MCP client on stdin/stdout. Tools calls run concurrently (each in
/// a child task of ``serve(_:)``) through one dispatcher, so the tools' caps and the parallel-call cap
/// hold across the client's calls; routes run as static runs of an agent over the same registry.
final class MCPStdioServer: Sendable {
    let workspace: Workspace
    let allowConfirm: Bool
    let exposeRoutes: Bool
    let dispatcher: Dispatcher
    let logger: Logger
    /// Where the routes' runs are recorded; `nil` records nothing.
    let store: RunStore?
    private let output = Mutex<Void>(())
    /// The `tools/call` requests running, by request id, for `notifications/cancelled`.
    let calls = MCPRunningCalls()

    static let routePrefix = "route_"

    init(workspace: Workspace, allowConfirm: Bool, exposeRoutes: Bool, store: RunStore? = nil, logger: Logger) {
        self.workspace = workspace
        self.store = store
        self.allowConfirm = allowConfirm
        self.exposeRoutes = exposeRoutes
        self.logger = logger
        let approval: any ApprovalPolicy = allowConfirm ? ApproveAllApprovalPolicy() : DenyAllApprovalPolicy()
        dispatcher = Dispatcher(registry: workspace.registry, configuration: workspace.agentConfiguration(approval: approval).dispatch, logger: logger)
    }

    /// Answers every message until the input ends; waits for calls still running.
    func serve(_ lines: AsyncStream<InputLine>) async {
        await withTaskGroup(of: Void.self) { group in
            for await line in lines {
                switch line {
                case .tooLong(let bytes, _):
                    send(.failure(id: .null, error: .parseError("a message of \(bytes) bytes is over the limit")))
                case .text(let text, _):
                    guard !text.allSatisfy(\.isWhitespace) else { continue }
                    switch JSONRPCMessage.decode(line: Array(text.utf8)) {
                    case .failure(let error):
                        send(.failure(id: .null, error: error))
                    case .success(.request(let id, "tools/call", let params)):
                        let cancellation = calls.register(id)
                        group.addTask {
                            let answer = await self.cancellable(cancellation) { await self.callTool(id: id, params: params) }
                            self.calls.finish(id)
                            // A cancelled request gets no answer (the MCP cancellation rules).
                            if let answer { self.send(answer) }
                        }
                    case .success(.request(let id, let method, let params)):
                        send(await answer(id: id, method: method, params: params))
                    case .success(.notification("notifications/cancelled", let params)):
                        if let id = params?["requestId"] { calls.cancel(id) }
                    case .success(.notification), .success(.response), .success(.failure):
                        continue  // initialized, stray answers
                    }
                }
            }
        }
    }

    /// Runs `work` until it ends or the client cancels its request; `nil` when cancelled.
    private func cancellable(_ cancellation: AsyncStream<Void>, _ work: @escaping @Sendable () async -> JSONRPCMessage) async -> JSONRPCMessage? {
        await withTaskGroup(of: JSONRPCMessage?.self) { race in
            race.addTask { await work() }
            race.addTask {
                for await _ in cancellation { break }
                return nil
            }
            let first = await race.next() ?? nil
            race.cancelAll()
            return first
        }
    }

    private func answer(id: JSONValue, method: String, params: JSONValue?) async -> JSONRPCMessage {
        switch method {
        case "initialize":
            let version = params?["protocolVersion"]?.stringValue ?? "2025-06-18"
            return .response(id: id, result: [
                "protocolVersion": .string(version),
                "capabilities": ["tools": ["listChanged": false]],
                "serverInfo": ["name": "brigade", "version": .string(BrigadeVersion.semantic)],
            ])
        case "ping":
            return .response(id: id, result: [:])
        case "tools/list":
            await workspace.registry.prepareSources()
            return .response(id: id, result: ["tools": .array(exposedTools())])
        default:
            return .failure(id: id, error: .methodNotFound(method))
        }
    }

    func exposedTools() -> [JSONValue] {
        var tools: [JSONValue] = workspace.registry.specs.filter { allowConfirm || !$0.policy.confirm }.map { spec in
            ["name": .string(spec.name), "description": .string(spec.description), "inputSchema": spec.parameters]
        }
        if exposeRoutes {
            for route in workspace.routes.routes {
                let example = route.examples.first.map { " Example request: \"\($0)\"." } ?? ""
                tools.append([
                    "name": .string(Self.routePrefix + route.name),
                    "description": .string("Runs the route `\(route.name)`: \(route.description) Its calls run in parallel and their results are joined.\(example)"),
                    "inputSchema": [
                        "type": "object",
                        "properties": ["request": ["type": "string", "description": "The request in words (captures such as counts come from it); default: the route's first example."]],
                    ],
                ])
            }
        }
        return tools
    }

    private func callTool(id: JSONValue, params: JSONValue?) async -> JSONRPCMessage {
        guard let name = params?["name"]?.stringValue else { return .failure(id: id, error: .invalidParams("`name` is missing")) }
        let arguments = params?["arguments"] ?? [:]
        if exposeRoutes, name.hasPrefix(Self.routePrefix), let route = workspace.routes.route(named: String(name.dropFirst(Self.routePrefix.count))) {
            return .response(id: id, result: await runRoute(route, request: arguments["request"]?.stringValue))
        }
        // A `confirm: true` tool that is not exposed is unknown to the client.
        let exposed = Set(workspace.registry.specs.filter { allowConfirm || !$0.policy.confirm }.map(\.name))
        let call = ToolCall(id: "mcp", name: name, rawArguments: arguments.jsonString)
        let result = await dispatcher.dispatch([call], tools: exposed)[0]
        return .response(id: id, result: Self.result(result.output, isError: result.status != .ok))
    }

    /// The route's fan-out and join, as a static run of an agent that knows only this route.
    private func runRoute(_ route: Route, request: String?) async -> JSONValue {
        var configuration = workspace.agentConfiguration(
            routing: .static, approval: allowConfirm ? ApproveAllApprovalPolicy() : DenyAllApprovalPolicy(), store: store,
            traceExporter: TraceExport.exporter(for: workspace))
        configuration.routes = RouteSet([route])
        let agent = Agent(registry: workspace.registry, configuration: configuration, logger: logger)
        let prompt = request ?? route.examples.first ?? route.name.replacing("_", with: " ")
        let result: RunResult
        do {
            result = try await agent.run(prompt, options: RunOptions(source: "mcp"))
        } catch {
            return Self.result("the route `\(route.name)` was not run: \(error.message)", isError: true)
        }
        if result.answer.isEmpty {
            return Self.result("the route `\(route.name)` gave no answer (stop: \(result.stopReason.code))", isError: true)
        }
        return Self.result(result.answer, isError: result.stopReason.code != .finished)
    }

    static func result(_ text: String, isError: Bool) -> JSONValue {
        ["content": [["type": "text", "text": .string(text)]], "isError": .bool(isError)]
    }

    private func send(_ message: JSONRPCMessage) {
        let bytes = message.line
        output.withLock { _ in
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
                if written < 0 { if errno == EINTR { continue } else { return } }
                offset += written
            }
        }
    }
}
