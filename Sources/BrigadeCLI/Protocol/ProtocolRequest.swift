import Brigade

/// One request line of the NDJSON protocol (`brigade run --json`, docs/protocol.md), parsed and checked.
enum ProtocolRequest: Equatable {
    case run(RunRequest)
    case approval(requestID: String, decision: ApprovalDecision)
    case cancel(id: JSONValue)
    case resume(ResumeRequest)
}

/// A `run` request: one prompt, optionally continuing a session, with its own mode and limits.
struct RunRequest: Equatable {
    /// The client's id (a string or an integer), echoed in every event of the run.
    var id: JSONValue
    var prompt: String
    var session: String?
    var mode: RoutingMode?
    var limits: LimitOverrides
    /// `parent_run_id`: the `run_id` of a run in flight this run was opened from.
    var parentRunID: RunID? = nil
    /// `output_schema`: the JSON Schema the answer must match.
    var outputSchema: OutputSchema? = nil
    /// `"approval": "defer"`: nobody answers approval requests; such a call pauses the run
    /// (`awaiting_approval`), and `brigade approve RUN` resumes it later (docs/store.md).
    var deferApproval = false
}

/// Budget limits a request sets for its run; `nil` keeps the configuration's value.
struct LimitOverrides: Equatable {
    var usd: Double?
    var inputTokens: Int?
    var outputTokens: Int?
    var wallTime: Duration?
    var maxTurns: Int?
    var maxCalls: Int?

    static let keys = ["usd", "input_tokens", "output_tokens", "wall_seconds", "max_turns", "max_calls"]

    /// `limits` with these overrides applied.
    func applied(to limits: Budget.Limits) -> Budget.Limits {
        var limits = limits
        if let usd { limits.usd = usd }
        if let inputTokens { limits.inputTokens = inputTokens }
        if let outputTokens { limits.outputTokens = outputTokens }
        if let wallTime { limits.wallTime = wallTime }
        if let maxTurns { limits.maxTurns = maxTurns }
        if let maxCalls { limits.maxCallsPerRun = maxCalls }
        return limits
    }
}

/// Why a line was not accepted: becomes an `error` event.
struct ProtocolFailure: Error, Equatable {
    /// A stable code: `invalid_json`, `invalid_request`, `unsupported_version`, `unknown_type`,
    /// `line_too_long`, `duplicate_id`, `unknown_id`, `unknown_parent`, `unknown_request_id`, and for
    /// `resume`: `no_store`, `unknown_run`, `not_resumable`, `store_error`.
    var code: String
    var message: String
    /// The request's id, when the line had a usable one.
    var id: JSONValue?

    init(_ code: String, _ message: String, id: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.id = id
    }
}

extension ProtocolRequest {
    /// The protocol version this build speaks.
    static let version = 1

    /// Parses one line. Unknown fields are ignored, so newer clients can add optional ones.
    static func parse(_ line: String) -> Result<ProtocolRequest, ProtocolFailure> {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: line)
        } catch {
            return .failure(ProtocolFailure("invalid_json", "the line is not JSON: \(error)"))
        }
        guard case .object = value else {
            return .failure(ProtocolFailure("invalid_request", "a request must be a JSON object, got \(value.typeName)"))
        }
        do {
            return .success(try parse(object: value))
        } catch {
            return .failure(error)
        }
    }

    private static func parse(object value: JSONValue) throws(ProtocolFailure) -> ProtocolRequest {
        let id = usableID(value["id"])
        if let version = value["v"], version.intValue != Self.version {
            throw ProtocolFailure("unsupported_version", "unsupported protocol version \(version.jsonString); this brigade speaks \"v\": \(Self.version)", id: id)
        }
        guard let type = value["type"] else { throw ProtocolFailure("invalid_request", "missing \"type\" (run, approval, cancel or resume)", id: id) }
        guard let typeName = type.stringValue else {
            throw ProtocolFailure("invalid_request", "\"type\" must be a string, got \(type.typeName)", id: id)
        }
        switch typeName {
        case "run": return .run(try RunRequest(value, id: id))
        case "approval": return try approval(value)
        case "cancel":
            guard let id else { throw ProtocolFailure("invalid_request", "a cancel request needs the \"id\" of the run (a string or an integer)") }
            return .cancel(id: id)
        case "resume": return .resume(try ResumeRequest(value, id: id))
        default:
            throw ProtocolFailure("unknown_type", "unknown request type \"\(typeName)\" (expected run, approval, cancel or resume)", id: id)
        }
    }

    private static func approval(_ value: JSONValue) throws(ProtocolFailure) -> ProtocolRequest {
        guard let requestID = value["request_id"]?.stringValue, !requestID.isEmpty else {
            throw ProtocolFailure("invalid_request", "an approval needs the \"request_id\" of its approval_request event")
        }
        let decision: ApprovalDecision
        switch value["decision"]?.stringValue {
        case "approve": decision = .approve
        case "deny": decision = .deny
        case "always": decision = .approveAlways
        case "defer": decision = .pause
        default:
            throw ProtocolFailure("invalid_request", "an approval needs \"decision\": \"approve\", \"deny\", \"always\" or \"defer\"")
        }
        return .approval(requestID: requestID, decision: decision)
    }

    /// A non-empty string or an integer.
    static func usableID(_ value: JSONValue?) -> JSONValue? {
        switch value {
        case .string(let text)? where !text.isEmpty: value
        case .integer?: value
        default: nil
        }
    }
}

extension RunRequest {
    init(_ value: JSONValue, id: JSONValue?) throws(ProtocolFailure) {
        guard let id else { throw ProtocolFailure("invalid_request", "a run needs an \"id\" (a non-empty string or an integer)") }
        guard let prompt = value["prompt"]?.stringValue, !prompt.isEmpty else {
            throw ProtocolFailure("invalid_request", "a run needs a \"prompt\" (a non-empty string)", id: id)
        }
        var session: String?
        if let given = value["session"], !given.isNull {
            guard let text = given.stringValue, !text.isEmpty else {
                throw ProtocolFailure("invalid_request", "\"session\" must be a non-empty string", id: id)
            }
            session = text
        }
        var mode: RoutingMode?
        if let given = value["mode"], !given.isNull {
            guard let parsed = given.stringValue.flatMap(RoutingMode.init(rawValue:)) else {
                throw ProtocolFailure("invalid_request", "\"mode\" must be \"hybrid\", \"model\" or \"static\", got \(given.jsonString.quotedForError())", id: id)
            }
            mode = parsed
        }
        var limits = LimitOverrides()
        if let given = value["limits"], !given.isNull {
            do {
                limits = try LimitOverrides(given)
            } catch {
                throw ProtocolFailure("invalid_request", error.message, id: id)
            }
        }
        var parentRunID: RunID?
        if let given = value["parent_run_id"], !given.isNull {
            guard let parsed = given.stringValue.flatMap(RunID.init(rawValue:)) else {
                throw ProtocolFailure("invalid_request", "\"parent_run_id\" must be the run_id of a run (a non-empty string), got \(given.jsonString)", id: id)
            }
            parentRunID = parsed
        }
        var outputSchema: OutputSchema?
        if let given = value["output_schema"], !given.isNull {
            do {
                outputSchema = try OutputSchema(given)
            } catch {
                throw ProtocolFailure("invalid_request", "\"output_schema\": \(error.message)", id: id)
            }
        }
        var deferApproval = false
        if let given = value["approval"], !given.isNull {
            guard given.stringValue == "ask" || given.stringValue == "defer" else {
                throw ProtocolFailure("invalid_request", "\"approval\" must be \"ask\" or \"defer\", got \(given.jsonString.quotedForError())", id: id)
            }
            deferApproval = given.stringValue == "defer"
        }
        self.init(
            id: id, prompt: prompt, session: session, mode: mode, limits: limits, parentRunID: parentRunID, outputSchema: outputSchema,
            deferApproval: deferApproval)
    }
}

extension LimitOverrides {
    init(_ value: JSONValue) throws(ProtocolFailure) {
        guard let object = value.objectValue else {
            throw ProtocolFailure("invalid_request", "\"limits\" must be an object, got \(value.typeName)")
        }
        for key in object.keys where !Self.keys.contains(key) {
            throw ProtocolFailure("invalid_request", "unknown limit \"\(key)\" (known: \(Self.keys.joined(separator: ", ")))")
        }
        func number(_ key: String) throws(ProtocolFailure) -> Double? {
            guard let field = object[key], !field.isNull else { return nil }
            guard let number = field.doubleValue, number.isFinite, number >= 0 else {
                throw ProtocolFailure("invalid_request", "\"limits.\(key)\" must be a number >= 0, got \(field.jsonString.quotedForError())")
            }
            return number
        }
        func integer(_ key: String, minimum: Int) throws(ProtocolFailure) -> Int? {
            guard let field = object[key], !field.isNull else { return nil }
            guard let integer = field.intValue, integer >= minimum else {
                throw ProtocolFailure("invalid_request", "\"limits.\(key)\" must be an integer >= \(minimum), got \(field.jsonString.quotedForError())")
            }
            return integer
        }
        usd = try number("usd")
        inputTokens = try integer("input_tokens", minimum: 0)
        outputTokens = try integer("output_tokens", minimum: 0)
        if let seconds = try number("wall_seconds") {
            guard seconds > 0, seconds <= 1_000_000_000 else {
                throw ProtocolFailure("invalid_request", "\"limits.wall_seconds\" must be > 0 (and at most 1e9)")
            }
            wallTime = .milliseconds(Int64((seconds * 1000).rounded(.up)))
        }
        maxTurns = try integer("max_turns", minimum: 1)
        maxCalls = try integer("max_calls", minimum: 0)
    }
}
