import Synchronization

/// How a tool may be run: limits and permissions that apply to every kind of tool.
public struct ToolPolicy: Sendable, Hashable {
    /// Per-call timeout; `nil` takes the configuration's default.
    public var timeout: Duration?
    /// How many calls of this tool may run at once; `nil` means only the global cap applies.
    public var maxConcurrency: Int?
    /// Extra attempts after a failure; only allowed when `idempotent` is true.
    public var retries: Int
    /// Running the call twice does no harm (required for `retries`).
    public var idempotent: Bool
    /// The call needs approval before it runs.
    public var confirm: Bool
    /// Cost of one call, counted by the budget.
    public var costUSD: Double
    /// Output beyond this many bytes is truncated with a note; `nil` takes the configuration's default.
    public var maxOutputBytes: Int?
    /// Tools sharing a group share one `maxConcurrency` cap (e.g. every tool of one MCP server);
    /// `nil`: the cap is the tool's own.
    public var concurrencyGroup: String?
    /// The call holds one of the global `maxParallelCalls` slots while it runs (default `true`). A
    /// sub-agent does not: its own tool calls take slots, and a parent holding slots while its children
    /// wait for them could deadlock.
    public var holdsParallelSlot: Bool = true

    /// Every limit defaults to "none" or to the configuration's default.
    public init(
        timeout: Duration? = nil,
        maxConcurrency: Int? = nil,
        retries: Int = 0,
        idempotent: Bool = false,
        confirm: Bool = false,
        costUSD: Double = 0,
        maxOutputBytes: Int? = nil,
        concurrencyGroup: String? = nil
    ) {
        self.timeout = timeout
        self.maxConcurrency = maxConcurrency
        self.retries = retries
        self.idempotent = idempotent
        self.confirm = confirm
        self.costUSD = costUSD
        self.maxOutputBytes = maxOutputBytes
        self.concurrencyGroup = concurrencyGroup
    }
}

/// What the model sees of a tool, plus the policy Brigade enforces.
public struct ToolSpec: Sendable, Hashable {
    /// The name the model calls the tool by (`^[A-Za-z0-9_-]{1,64}$`).
    public var name: String
    /// What the tool does, for the model.
    public var description: String {
        didSet { encoded = EncodedForm() }
    }
    /// A JSON Schema with `type: object`.
    public var parameters: JSONValue {
        didSet { encoded = EncodedForm() }
    }
    /// Limits and permissions Brigade enforces.
    public var policy: ToolPolicy
    /// Where the tool was declared, for messages; `nil` for tools built in code.
    public var location: SourceLocation?
    /// `description` and `parameters` as JSON, encoded on first use and kept until either changes:
    /// every model call sends them (``parametersJSON``) and estimates its input from their size.
    private var encoded = EncodedForm()

    /// `parameters` as compact JSON text (`parameters.jsonBytes`), encoded once per spec: a request
    /// body copies these bytes instead of encoding the schema again for every model call.
    package var parametersJSON: [UInt8] { encoded.parameters(parameters) }

    /// `description` as a JSON string literal, quotes included (encoded once, like ``parametersJSON``).
    package var descriptionJSON: [UInt8] { encoded.description(description) }

    /// The UTF-8 bytes of `parameters` as compact JSON.
    var parametersJSONByteCount: Int { parametersJSON.count }

    /// A declaration; `parameters` defaults to an object schema without properties.
    public init(
        name: String,
        description: String,
        parameters: JSONValue = ["type": "object", "properties": [:]],
        policy: ToolPolicy = ToolPolicy(),
        location: SourceLocation? = nil
    ) {
        self.name = name
        self.description = description
        self.parameters = parameters
        self.policy = policy
        self.location = location
    }
}

/// The result of one tool call as handed back to the model.
public struct ToolOutput: Sendable, Hashable {
    /// What the model reads (truncated to the tool's output cap).
    public var text: String
    /// The call failed; the model reads `text` as the error (the call's status is ``ToolCallStatus/error``).
    public var isError: Bool
    /// The executor already cut `text` to the tool's output cap and said so in a note with the true
    /// size; the dispatcher does not cut it again (a second cut would measure the first one's note).
    public var isCapped: Bool

    /// A result, successful unless `isError`.
    public init(text: String, isError: Bool = false, isCapped: Bool = false) {
        self.text = text
        self.isError = isError
        self.isCapped = isCapped
    }
}

/// What an executor knows about the call it runs.
public struct ToolContext: Sendable {
    /// The model's id for this call (or a generated one).
    public var callID: String

    /// The context of the call `callID`.
    public init(callID: String) {
        self.callID = callID
    }
}

/// Runs one kind of tool. Executors must honour task cancellation promptly: a command executor kills
/// its process group, an HTTP executor aborts its transfer. Timeouts are enforced by the dispatcher,
/// which cancels the executor's task.
///
/// A failure the model should read (bad exit code, HTTP 404) is returned as `ToolOutput(isError: true)`;
/// throwing is for failures of the executor itself, and the dispatcher turns the error into an error result.
public protocol ToolExecutor: Sendable {
    func call(_ arguments: JSONValue, context: ToolContext) async throws -> ToolOutput
    /// Readies what a call needs before its timeout starts — an MCP server's start, which has its own
    /// limit (`startup_timeout`). The run's deadline still bounds it. Default: nothing.
    func prepareCall() async
}

extension ToolExecutor {
    public func prepareCall() async {}
}

/// A tool: its declaration and the executor that runs it.
public struct Tool: Sendable {
    /// What the model sees, and the policy.
    public var spec: ToolSpec
    /// What runs a call.
    public var executor: any ToolExecutor

    /// A tool of any kind; for Swift closures see ``init(name:description:parameters:policy:body:)``.
    public init(spec: ToolSpec, executor: any ToolExecutor) {
        self.spec = spec
        self.executor = executor
    }

    /// The tool's name (``ToolSpec/name``).
    public var name: String { spec.name }
}

extension ToolSpec {
    /// Lazily encoded JSON of a spec's description and schema, taking no part in equality or hashing
    /// (it follows from them). Copies of a spec share it; setting `description` or `parameters`
    /// starts a new one.
    struct EncodedForm: Sendable, Hashable {
        private final class Box: Sendable {
            let bytes = Mutex<(description: [UInt8]?, parameters: [UInt8]?)>((nil, nil))
        }

        private let box = Box()

        func parameters(_ parameters: JSONValue) -> [UInt8] {
            if let known = box.bytes.withLock({ $0.parameters }) { return known }
            // Two threads may both encode; they store the same bytes.
            let encoded = parameters.jsonBytes
            box.bytes.withLock { $0.parameters = encoded }
            return encoded
        }

        func description(_ description: String) -> [UInt8] {
            if let known = box.bytes.withLock({ $0.description }) { return known }
            var encoded: [UInt8] = []
            JSONValue.appendJSONString(description, to: &encoded)
            box.bytes.withLock { $0.description = encoded }
            return encoded
        }

        static func == (lhs: EncodedForm, rhs: EncodedForm) -> Bool { true }
        func hash(into hasher: inout Hasher) {}
    }
}
