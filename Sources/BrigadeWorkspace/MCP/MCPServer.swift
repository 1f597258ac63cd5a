import BrigadeCore
import Synchronization
import Logging

/// One MCP server as a source of tools: started on first use (or by ``prepare()``), its tools listed
/// once and again on `notifications/tools/list_changed`, restarted with backoff after it exits, ended
/// by ``shutdown()``.
///
/// Each start runs the server's process under one supervising task (`MCPServer+Process.swift`),
/// the only unstructured task here: the process outlives the call that started it, and ``shutdown()``
/// cancels and awaits that task.
public final class MCPServer: ToolSource {
    enum Phase {
        case idle
        case starting
        case running(MCPConnection)
        case failed(String)
        case stopped
    }

    struct State {
        var phase: Phase = .idle
        var waiters: [Int: CheckedContinuation<MCPConnection, any Error>] = [:]
        var nextWaiter = 0
        var tools: [Tool] = []
        var listed = false
        var warnings: [String] = []
        var serverInfo: String?
        /// Consecutive failures (failed starts, early exits), for the backoff.
        var failures = 0
        var retryAt: ContinuousClock.Instant?
        var supervisor: Task<Void, Never>?
        var processGroup: Int32?
        /// Successful `tools/list` rounds so far, and who waits for a later one.
        var listings = 0
        var listingWaiters: [(count: Int, waiter: CheckedContinuation<Void, Never>)] = []
    }

    /// What the server was declared with.
    public let config: MCPServerConfig
    /// The output cap used when a tool sets none (the dispatcher cuts to it; results are mapped first).
    let defaultMaxOutputBytes: Int
    let logger: Logger
    let state = Mutex(State())
    /// Removes the secrets of an HTTP server's headers from its results, errors and log lines.
    let redactor: SecretRedactor

    /// Longest JSON-RPC message accepted from the server (one line); a longer one ends the session.
    public static let maxMessageBytes = 16 << 20
    /// Backoff after the first failure; it doubles with each further failure, up to ``maxBackoff``.
    public static let firstBackoff: Duration = .milliseconds(500)
    public static let maxBackoff: Duration = .seconds(30)

    /// Nothing starts until ``prepare()`` or a call.
    public init(_ config: MCPServerConfig, defaultMaxOutputBytes: Int = 64 * 1024, logger: Logger) {
        self.config = config
        self.defaultMaxOutputBytes = defaultMaxOutputBytes
        self.logger = logger
        self.redactor = SecretRedactor(secrets: config.secrets)
    }

    deinit {
        // A safety net for a server that was never shut down: its process group goes too.
        if let group = state.withLock({ $0.processGroup }) { ProcessSignals.killGroup(group) }
    }

    public var sourceName: String { config.name }
    public var currentTools: [Tool] { state.withLock { $0.tools } }
    public var hasListedTools: Bool { state.withLock { $0.listed } }

    public var status: ToolSourceStatus {
        state.withLock { state in
            switch state.phase {
            case .idle: ToolSourceStatus(state: "not started", warnings: state.warnings)
            case .starting: ToolSourceStatus(state: "starting", warnings: state.warnings)
            case .running: ToolSourceStatus(state: "running", warnings: state.warnings)
            case .failed(let reason): ToolSourceStatus(state: "failed", failure: reason, warnings: state.warnings)
            case .stopped: ToolSourceStatus(state: "stopped", warnings: state.warnings)
            }
        }
    }

    /// The server's name and version from its `initialize` answer, once it has started.
    public var serverInfo: String? { state.withLock { $0.serverInfo } }

    public func prepare() async {
        let shouldStart: Bool = state.withLock { state in
            switch state.phase {
            case .idle, .starting: return true
            case .failed: return !state.listed || (state.retryAt.map { ContinuousClock.now >= $0 } ?? true)
            case .running, .stopped: return false
            }
        }
        guard shouldStart else { return }
        _ = try? await connection()
    }

    public func shutdown() async {
        let (supervisor, waiters) = state.withLock { state in
            state.phase = .stopped
            let waiters = Array(state.waiters.values)
            state.waiters = [:]
            return (state.supervisor, waiters)
        }
        for waiter in waiters { waiter.resume(throwing: MCPError("MCP server '\(config.name)' was shut down")) }
        supervisor?.cancel()
        await supervisor?.value
    }

    /// Calls the server's tool `remoteName` (starting or restarting the server when needed).
    /// - Throws: ``MCPError`` when the server cannot be reached or ended during the call;
    ///   `CancellationError` when the calling task is cancelled (the server is told with
    ///   `notifications/cancelled`).
    package func callTool(_ remoteName: String, arguments: JSONValue) async throws -> ToolOutput {
        do {
            let connection = try await connection()
            let result = try await connection.request("tools/call", params: ["name": .string(remoteName), "arguments": arguments])
            var output = MCPToolResult.output(result)
            if !redactor.isEmpty { output.text = redactor.redact(output.text) }
            return output
        } catch let error as MCPError {
            throw MCPError(redact(error.message))
        }
    }

    /// `text` without the server's secrets (the `${ENV}` values of its `url`, `headers`, `env`, `args`).
    func redact(_ text: String) -> String {
        redactor.isEmpty ? text : redactor.redact(text)
    }

    /// The live session, starting the server when it is not running (after the backoff when it failed).
    func connection() async throws -> MCPConnection {
        enum Step { case ready(MCPConnection), start, wait, backoff(ContinuousClock.Instant), stopped }
        while true {
            let step: Step = state.withLock { state in
                switch state.phase {
                case .running(let connection) where !connection.isClosed: return .ready(connection)
                case .running: return .wait  // closed: the supervisor is about to record the exit
                case .starting: return .wait
                case .stopped: return .stopped
                case .idle:
                    state.phase = .starting
                    return .start
                case .failed:
                    if let retryAt = state.retryAt, ContinuousClock.now < retryAt { return .backoff(retryAt) }
                    state.phase = .starting
                    return .start
                }
            }
            switch step {
            case .ready(let connection): return connection
            case .stopped: throw MCPError("MCP server '\(config.name)' was shut down")
            case .backoff(let instant):
                try await Task.sleep(until: instant, clock: .continuous)
                continue
            case .start:
                startSession()
            case .wait:
                break
            }
            return try await waitForStart()
        }
    }

    private func waitForStart() async throws -> MCPConnection {
        let id = state.withLock { state in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let now: Result<MCPConnection, any Error>? = state.withLock { state in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    switch state.phase {
                    case .running(let connection) where !connection.isClosed: return .success(connection)
                    case .failed(let reason): return .failure(MCPError("MCP server '\(config.name)' \(reason)"))
                    case .stopped: return .failure(MCPError("MCP server '\(config.name)' was shut down"))
                    default:
                        state.waiters[id] = continuation
                        return nil
                    }
                }
                if let now { continuation.resume(with: now) }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume(throwing: CancellationError())
        }
    }

    /// Records a finished start: the waiters get the connection, or the reason it failed.
    func startFinished(_ outcome: Result<MCPConnection, MCPError>) {
        let waiters: [CheckedContinuation<MCPConnection, any Error>] = state.withLock { state in
            if case .stopped = state.phase { return [] }
            switch outcome {
            case .success(let connection): state.phase = .running(connection)
            case .failure(let error): state.phase = .failed(error.message)
            }
            let waiters = Array(state.waiters.values)
            state.waiters = [:]
            return waiters
        }
        for waiter in waiters { waiter.resume(with: outcome.mapError { $0 as any Error }) }
    }

    /// Waits until the server has listed its tools `count` times in all (the first start counts
    /// one; each `notifications/tools/list_changed` one more).
    package func waitForToolListings(_ count: Int) async {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state in
                if state.listings >= count { return true }
                state.listingWaiters.append((count, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }

    static func backoff(afterFailures failures: Int) -> Duration {
        var delay = firstBackoff
        for _ in 1..<max(1, failures) where delay < maxBackoff { delay = delay * 2 }
        return min(delay, maxBackoff)
    }
}

/// Runs one tool of an MCP server.
struct MCPToolExecutor: ToolExecutor {
    let server: MCPServer
    let remoteName: String

    func call(_ arguments: JSONValue, context: ToolContext) async throws -> ToolOutput {
        try await server.callTool(remoteName, arguments: arguments)
    }

    /// A server that is not running (not started yet, or stopped and due for a restart after its
    /// backoff) starts here, within its `startup_timeout`, so that the call's own timeout counts only
    /// the call. A start that fails is reported by the call itself.
    func prepareCall() async {
        let needsStart = server.state.withLock { state in
            switch state.phase {
            case .running(let connection): connection.isClosed
            case .idle, .starting, .failed: true
            case .stopped: false
            }
        }
        if needsStart { _ = try? await server.connection() }
    }
}
