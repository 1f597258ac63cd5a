import Brigade

/// A script for the ``FakeModelServer`` written as JSON, for the `fake-model-server` executable
/// and for tests that keep scripts in files.
///
/// ```json
/// {
///   "turns": [
///     {"text": "Let me look.", "tool_calls": [{"name": "weather", "arguments": {"city": "Paris"}}],
///      "usage": {"input_tokens": 120, "output_tokens": 30}},
///     {"fault": {"status": 429, "message": "slow down", "headers": {"Retry-After": "1"}}},
///     {"text": "It is sunny.", "finish_reason": "stop", "latency_ms": {"before_head": 50, "between_events": 5}}
///   ],
///   "echo": true
/// }
/// ```
///
/// Turn fields: `text`, `tool_calls` (`name`, `arguments` as an object or a raw string, optional
/// `id`), `usage` (`input_tokens`, `output_tokens`), `finish_reason`, `latency_ms`
/// (`before_head`, `between_events`), and `fault`: `{"status": N, "message": …, "headers": {…}}`,
/// `{"hang": true}`, `{"stall_after_events": N}`, `{"cut_after_events": N}`,
/// `{"malformed_after_events": N}` or `{"error_event_after": N, "type": …, "message": …}`.
/// `echo: true` answers requests beyond the queue with `echo: <last user message>`.
/// `fan_out` answers every request beyond the queue statelessly, so one server can serve many
/// concurrent conversations of the same shape (benchmarks use it): a request that ends in tool
/// results gets the text `answer`; any other gets `calls` parallel calls of `tool` with `arguments`.
///
/// ```json
/// {"fan_out": {"tool": "wait", "calls": 4, "arguments": {"ms": 200}, "answer": "All done."}}
/// ```
public struct FakeModelScript: Sendable, Hashable {
    public var turns: [FakeTurn]
    public var echo: Bool
    public var fanOut: FakeFanOut?

    public init(turns: [FakeTurn] = [], echo: Bool = false, fanOut: FakeFanOut? = nil) {
        self.turns = turns
        self.echo = echo
        self.fanOut = fanOut
    }

    /// Reads a script from JSON text.
    /// - Throws: ``FakeModelScriptError`` naming the field that is wrong.
    public init(json text: String) throws(FakeModelScriptError) {
        let root: JSONValue
        do { root = try JSONValue(parsing: text) } catch { throw FakeModelScriptError("the script is not JSON: \(error)") }
        guard case .object = root else { throw FakeModelScriptError("the script must be a JSON object") }
        var turns: [FakeTurn] = []
        for (position, value) in (root["turns"]?.arrayValue ?? []).enumerated() {
            turns.append(try Self.turn(value, at: "turns[\(position)]"))
        }
        let fanOut = try root["fan_out"].map { value throws(FakeModelScriptError) in try Self.fanOut(value) }
        self.init(turns: turns, echo: root["echo"]?.boolValue ?? false, fanOut: fanOut)
    }

    /// Loads the script into `server`: queues its turns and, with `echo`, sets an echoing responder.
    public func load(into server: FakeModelServer) {
        server.enqueue(contentsOf: turns)
        if let fanOut {
            server.respond { request in fanOut.turn(answering: request) }
        } else if echo {
            server.respond { request in .text("echo: \(request.lastUserText ?? "")") }
        }
    }

    private static func fanOut(_ value: JSONValue) throws(FakeModelScriptError) -> FakeFanOut {
        guard let tool = value["tool"]?.stringValue else { throw FakeModelScriptError("fan_out needs a \"tool\"") }
        let calls = value["calls"]?.intValue ?? 1
        guard (1...1_000).contains(calls) else { throw FakeModelScriptError("fan_out.calls must be 1 to 1000, not \(calls)") }
        let arguments = value["arguments"].map { $0.stringValue ?? $0.jsonString } ?? "{}"
        return FakeFanOut(tool: tool, calls: calls, arguments: arguments, answer: value["answer"]?.stringValue ?? "Done.")
    }

    private static func turn(_ value: JSONValue, at path: String) throws(FakeModelScriptError) -> FakeTurn {
        guard case .object = value else { throw FakeModelScriptError("\(path) must be an object") }
        var turn = FakeTurn(text: value["text"]?.stringValue ?? "", finishReason: value["finish_reason"]?.stringValue)
        for (position, call) in (value["tool_calls"]?.arrayValue ?? []).enumerated() {
            guard let name = call["name"]?.stringValue else { throw FakeModelScriptError("\(path).tool_calls[\(position)] needs a \"name\"") }
            let arguments = call["arguments"].map { $0.stringValue ?? $0.jsonString } ?? "{}"
            turn.toolCalls.append(FakeToolCall(name: name, arguments: arguments, id: call["id"]?.stringValue))
        }
        if let usage = value["usage"] {
            turn.usage = TokenUsage(inputTokens: usage["input_tokens"]?.intValue ?? 0, outputTokens: usage["output_tokens"]?.intValue ?? 0)
        }
        if let latency = value["latency_ms"] {
            turn.latency = FakeLatency(
                beforeHead: .milliseconds(latency["before_head"]?.intValue ?? 0),
                betweenEvents: .milliseconds(latency["between_events"]?.intValue ?? 0)
            )
        }
        if let fault = value["fault"] { turn.fault = try Self.fault(fault, at: path + ".fault") }
        return turn
    }

    private static func fault(_ value: JSONValue, at path: String) throws(FakeModelScriptError) -> FakeFault {
        if let status = value["status"]?.intValue {
            var headers: [String: String] = [:]
            for (name, header) in value["headers"]?.objectValue ?? [:] { headers[name] = header.stringValue ?? header.jsonString }
            return .status(status, message: value["message"]?.stringValue ?? "scripted error", headers: headers)
        }
        if value["hang"]?.boolValue == true { return .hang }
        if let after = value["stall_after_events"]?.intValue { return .stall(afterEvents: after) }
        if let after = value["cut_after_events"]?.intValue { return .cutStream(afterEvents: after) }
        if let after = value["malformed_after_events"]?.intValue { return .malformedChunk(afterEvents: after) }
        if let after = value["error_event_after"]?.intValue {
            return .errorEvent(afterEvents: after, type: value["type"]?.stringValue ?? "api_error", message: value["message"]?.stringValue ?? "scripted error")
        }
        throw FakeModelScriptError("\(path) is not a known fault (status, hang, stall_after_events, cut_after_events, malformed_after_events, error_event_after)")
    }
}

/// A mistake in a ``FakeModelScript``.
public struct FakeModelScriptError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A stateless two-turn conversation: `calls` parallel calls of `tool`, then `answer` once the
/// request carries their results. See ``FakeModelScript``.
public struct FakeFanOut: Sendable, Hashable {
    public var tool: String
    public var calls: Int
    /// The arguments of every call, as JSON text.
    public var arguments: String
    public var answer: String

    public init(tool: String, calls: Int, arguments: String = "{}", answer: String = "Done.") {
        self.tool = tool
        self.calls = calls
        self.arguments = arguments
        self.answer = answer
    }

    /// The turn that answers `request`: the final text after tool results, else the calls.
    public func turn(answering request: FakeModelRequest) -> FakeTurn {
        if !request.trailingToolResults.isEmpty { return .text(answer) }
        return .toolCalls((0..<calls).map { _ in FakeToolCall(name: tool, arguments: arguments) })
    }
}
