import BrigadeCore
import Synchronization
import Logging
import Subprocess

#if canImport(System)
import System
#else
import SystemPackage
#endif

extension MCPServer {
    /// The protocol revision Brigade speaks (servers answer with theirs; any is accepted).
    static let protocolVersion = "2025-06-18"

    /// Starts the supervising task of one session: a server process, or a Streamable HTTP session.
    func startSession() {
        let task = Task { self.config.isHTTP ? await self.runHTTPSession() : await self.runProcess() }
        state.withLock { $0.supervisor = task }
    }

    /// The `initialize` request's parameters.
    static var initializeParams: JSONValue {
        [
            "protocolVersion": .string(protocolVersion),
            "capabilities": [:],
            "clientInfo": ["name": "brigade", "version": .string(BrigadeVersion.semantic)],
        ]
    }

    /// Runs the server process to its end: the handshake, the reader of its stdout, the writer of its
    /// stdin and a drain of its stderr, all children of this task. When the process ends, calls still
    /// waiting fail with the reason and the state records the failure for the next start's backoff.
    private func runProcess() async {
        let (messages, outbox) = AsyncStream<JSONRPCMessage>.makeStream()
        let connection = MCPConnection(serverName: config.name, outbox: outbox)
        let session = MCPSessionNotes()
        let startedAt = ContinuousClock.now
        var options = PlatformOptions()
        options.createSession = true
        options.teardownSequence = [.gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: .seconds(2))]
        var environmentEntries: [Environment.Key: String] = [:]
        for (name, value) in childEnvironment() {
            if let key = Environment.Key(rawValue: name) { environmentEntries[key] = value }
        }
        var ending: String
        do {
            let (program, programArguments) = launchCommand
            let result = try await Subprocess.run(
                program,
                arguments: Arguments(programArguments),
                environment: .custom(environmentEntries),
                workingDirectory: config.cwd.map { FilePath($0) },
                platformOptions: options,
                input: .inputWriter,
                output: .sequence,
                error: .sequence
            ) { execution in
                let group = execution.processIdentifier.value
                self.state.withLock { $0.processGroup = group }
                await withTaskGroup(of: Void.self) { tasks in
                    tasks.addTask {
                        for await message in messages {
                            do { _ = try await execution.standardInputWriter.write(message.line) } catch { break }
                        }
                        try? await execution.standardInputWriter.finish()
                    }
                    tasks.addTask { await session.drainStandardError(execution.standardError) }
                    let (refreshes, refresh) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
                    tasks.addTask {
                        guard await self.handshake(connection, session: session, abort: { ProcessSignals.killGroup(group) }) else { return }
                        for await _ in refreshes { await self.listTools(connection, session: session) }
                    }
                    await self.read(execution.standardOutput, into: connection, session: session, refresh: refresh, processGroup: group)
                    // The output ended: the process exited or closed it. Make sure the group is gone.
                    ProcessSignals.killGroup(group)
                    refresh.finish()
                    outbox.finish()
                    tasks.cancelAll()
                }
            }
            switch result.terminationStatus {
            case .exited(let code): ending = "exited with code \(code)"
            case .signaled(let signal): ending = "was killed by \(ProcessSignals.name(of: signal) ?? "signal \(signal)")"
            }
        } catch {
            ending = "could not be started (`\(config.command)`: \(error))"
        }
        if let problem = session.problem { ending = problem + " (it then \(ending))" }
        if let tail = session.standardErrorTail { ending += "; its stderr ended with: \(tail)" }
        finishProcess(connection: connection, reason: ending, ranFor: ContinuousClock.now - startedAt)
    }

    /// The server's program (a bare name looked up in `PATH`) and arguments, started through
    /// ``ParentDeathSignal`` so that it dies with Brigade.
    private var launchCommand: (Executable, [String]) {
        let path: String
        if config.command.contains("/") {
            let base = config.location.map { ConfigPath.directory(of: $0.file) } ?? FilePaths.currentDirectory
            path = FilePaths.absolute(config.command, relativeTo: base)
        } else if let found = FilePaths.lookUpExecutable(config.command, searchPath: FilePaths.environmentValue("PATH") ?? "/usr/local/bin:/usr/bin:/bin") {
            path = found
        } else {
            return (.name(config.command), config.args)
        }
        let (program, arguments) = ParentDeathSignal.wrap(path, config.args)
        return (.path(FilePath(program)), arguments)
    }

    /// `PATH`, `HOME`, `LANG`, `LC_ALL`, `TZ`, the allowlist, then the fixed entries.
    func childEnvironment() -> [String: String] {
        CommandToolExecutor.childEnvironment(allowlist: config.envAllowlist, fixed: config.env)
    }

    func finishProcess(connection: MCPConnection, reason: String, ranFor: Duration) {
        let reason = redact(reason)
        let wasRunning = state.withLock { state -> Bool in
            state.processGroup = nil
            state.supervisor = nil
            if case .stopped = state.phase { return false }
            // A server that stayed up a while starts its backoff afresh.
            state.failures = ranFor > .seconds(10) ? 1 : state.failures + 1
            state.retryAt = ContinuousClock.now + Self.backoff(afterFailures: state.failures)
            if case .running = state.phase { return true }
            return false
        }
        let message = wasRunning ? "stopped while the call ran: it \(reason)" : reason
        connection.close(reason: message)
        if wasRunning { logger.warning("MCP server stopped", metadata: ["server": "\(config.name)", "reason": "\(reason)"]) }
        startFinished(.failure(MCPError(message)))
        state.withLock { state in
            if case .stopped = state.phase { return }
            state.phase = .failed(message)
            state.listed = true
        }
    }

    /// `initialize`, `notifications/initialized`, then the first `tools/list` — within the startup timeout.
    /// - Parameter abort: ends the session when the handshake fails (kills the process, ends the HTTP session).
    /// - Returns: whether the server is ready (waiters got the connection).
    func handshake(_ connection: MCPConnection, session: MCPSessionNotes, abort: @Sendable () -> Void) async -> Bool {
        let timeout = config.startupTimeout
        let outcome = await withTimeLimit(ContinuousClock.now + timeout) { () async -> Result<JSONValue, any Error> in
            do {
                let answer = try await connection.request("initialize", params: Self.initializeParams)
                connection.notify("notifications/initialized")
                return .success(answer)
            } catch {
                return .failure(error)
            }
        }
        switch outcome {
        case .finished(.success(let answer)):
            let info = answer["serverInfo"]
            state.withLock { state in
                state.serverInfo = [info?["name"]?.stringValue, info?["version"]?.stringValue].compactMap { $0 }.joined(separator: " ")
            }
            let listed = await withTimeLimit(ContinuousClock.now + timeout) { await self.listTools(connection, session: session) }
            guard case .finished(true) = listed else {
                if case .deadlinePassed = listed { session.note("did not answer `tools/list` within \(timeout.plainSecondsText) s") }
                abort()
                return false
            }
            startFinished(.success(connection))
            return true
        case .finished(.failure(let error)):
            if session.problem == nil { session.note("failed to initialize: \(unnamed(error))") }
            abort()
            return false
        case .deadlinePassed:
            session.note("did not answer `initialize` within \(timeout.plainSecondsText) s" + session.garbageNote)
            abort()
            return false
        }
    }

    /// An error's text without a leading "MCP server 'NAME' " (the message it goes into names the server).
    func unnamed(_ error: any Error) -> String {
        let text = "\(error)"
        let prefix = "MCP server '\(config.name)' "
        return text.hasPrefix(prefix) ? String(text.dropFirst(prefix.count)) : text
    }

    /// Lists every page of the server's tools and replaces the offered ones.
    /// - Returns: whether the listing succeeded.
    @discardableResult
    func listTools(_ connection: MCPConnection, session: MCPSessionNotes) async -> Bool {
        var listed: [JSONValue] = []
        var cursor: JSONValue?
        do {
            for _ in 0..<100 {
                let page = try await connection.request("tools/list", params: cursor.map { ["cursor": $0] } ?? [:])
                listed += page["tools"]?.arrayValue ?? []
                cursor = page["nextCursor"]
                if cursor == nil || cursor?.isNull == true { break }
            }
        } catch {
            if !Task.isCancelled { session.note("failed to list its tools: \(unnamed(error))") }
            return false
        }
        let mapped = MCPToolMapping.tools(listed, server: self)
        for warning in mapped.warnings {
            logger.warning("MCP tool skipped", metadata: ["server": "\(config.name)", "reason": "\(warning)"])
        }
        let ready = state.withLock { state in
            state.tools = mapped.tools
            state.warnings = mapped.warnings
            state.listed = true
            state.listings += 1
            let listings = state.listings
            let ready = state.listingWaiters.filter { $0.count <= listings }.map(\.waiter)
            state.listingWaiters.removeAll { $0.count <= listings }
            return ready
        }
        for waiter in ready { waiter.resume() }
        return true
    }

    /// Reads the server's stdout line by line: responses go to their requests, a tool-list change
    /// triggers a new listing, requests of the server get `ping` answered and anything else a
    /// "method not found" error; lines that are not JSON-RPC are noted and skipped.
    private func read(
        _ output: SubprocessOutputSequence,
        into connection: MCPConnection,
        session: MCPSessionNotes,
        refresh: AsyncStream<Void>.Continuation,
        processGroup: Int32
    ) async {
        var splitter = LineSplitter(maxLineBytes: Self.maxMessageBytes)
        do {
            for try await chunk in output {
                let pieces = chunk.withUnsafeBytes { splitter.append($0) }
                for piece in pieces {
                    switch piece {
                    case .oversized(let size):
                        session.note("sent a message of \(size) bytes or more (the limit is \(Self.maxMessageBytes))")
                        return
                    case .line(let bytes):
                        handle(bytes, connection: connection, session: session, refresh: refresh)
                    }
                }
            }
        } catch {
            // The pipe broke: the process is gone or going.
        }
    }

    private func handle(_ bytes: [UInt8], connection: MCPConnection, session: MCPSessionNotes, refresh: AsyncStream<Void>.Continuation) {
        guard bytes.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }) else { return }
        switch JSONRPCMessage.decode(line: bytes) {
        case .failure(let problem):
            let text = String(decoding: bytes.prefix(200), as: UTF8.self)
            if session.noteGarbage(text) {
                logger.warning("MCP server wrote a line that is not JSON-RPC", metadata: ["server": "\(config.name)", "line": "\(text)", "problem": "\(problem.message)"])
            }
        case .success(let message):
            receive(message, connection: connection, refresh: refresh)
        }
    }

    /// One message from the server, whatever the transport: a response goes to its request, a tool-list
    /// change triggers a new listing, `ping` is answered and any other request gets "method not found".
    func receive(_ message: JSONRPCMessage, connection: MCPConnection, refresh: AsyncStream<Void>.Continuation) {
        switch message {
        case .response(let id, let result):
            connection.deliver(id: id, .success(result))
        case .failure(let id, let error):
            connection.deliver(id: id, .failure(MCPError.remote(server: config.name, error)))
        case .notification(let method, _):
            if method == "notifications/tools/list_changed" { refresh.yield(()) }
        case .request(let id, let method, _):
            if method == "ping" {
                connection.reply(.response(id: id, result: [:]))
            } else {
                connection.reply(.failure(id: id, error: .methodNotFound(method)))
            }
        }
    }
}

/// What one server process said on the side: its stderr tail, stray stdout lines, why it was stopped.
final class MCPSessionNotes: Sendable {
    private struct Notes {
        var stderr = CappedOutput(limit: 2048, keep: .tail)
        var garbage: String?
        var garbageLines = 0
        var problem: String?
    }

    private let notes = Mutex(Notes())

    func drainStandardError(_ stream: SubprocessOutputSequence) async {
        do {
            for try await chunk in stream {
                chunk.withUnsafeBytes { bytes in notes.withLock { $0.stderr.append(bytes) } }
            }
        } catch {}
    }

    /// Records the first reason the session went wrong.
    func note(_ problem: String) {
        notes.withLock { if $0.problem == nil { $0.problem = problem } }
    }

    /// Records a stray line; returns true for the first few (worth a log line).
    func noteGarbage(_ line: String) -> Bool {
        notes.withLock { notes in
            notes.garbageLines += 1
            if notes.garbage == nil { notes.garbage = line }
            return notes.garbageLines <= 3
        }
    }

    var problem: String? { notes.withLock { $0.problem } }

    var garbageNote: String {
        notes.withLock { notes in
            guard let line = notes.garbage else { return "" }
            return "; it wrote \(notes.garbageLines) line\(notes.garbageLines == 1 ? "" : "s") on stdout that \(notes.garbageLines == 1 ? "is" : "are") not JSON-RPC, the first: `\(line)`"
        }
    }

    var standardErrorTail: String? {
        let text = notes.withLock { $0.stderr.text }.trimmingTrailingWhitespace
        return text.isEmpty ? nil : text
    }
}
