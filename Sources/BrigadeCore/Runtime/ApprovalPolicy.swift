/// A tool call waiting for approval (its tool is declared with `confirm: true`).
public struct ApprovalRequest: Sendable, Hashable {
    /// The call as the model (or a route) sent it; `call.id` is unique within the run.
    public var call: ToolCall
    /// The tool's declaration: name, description, schema and policy.
    public var spec: ToolSpec
    /// The validated arguments.
    public var arguments: JSONValue

    /// A request for `call` of the tool `spec`, with its validated `arguments`.
    public init(call: ToolCall, spec: ToolSpec, arguments: JSONValue) {
        self.call = call
        self.spec = spec
        self.arguments = arguments
    }
}

/// The answer to an ``ApprovalRequest``.
public enum ApprovalDecision: Sendable, Hashable {
    /// Run this call.
    case approve
    /// Do not run it: the model gets `denied: tool … needs approval`.
    case deny
    /// Approve this call and every later call of the same tool through the same dispatcher.
    case approveAlways
    /// Nobody can decide now: the call is not run, and the run pauses after its turn's other calls end
    /// (``StopReason/Code/awaitingApproval``). With a ``RunStore`` the run is stored as awaiting
    /// approval, and ``RunStore/decide(_:call:_:)`` then ``Agent/resume(_:approval:onEvent:)`` continue it —
    /// possibly in another process.
    case pause
}

/// Pauses every call that needs approval (``ApprovalDecision/pause``): for runs nobody can answer
/// now — a batch, `brigade ask --detach`, a protocol host with `approval: defer`.
public struct PauseApprovalPolicy: ApprovalPolicy {
    public init() {}
    public func decide(_ request: ApprovalRequest) async -> ApprovalDecision { .pause }
}

/// Decides whether a `confirm: true` tool call may run — e.g. by asking at the terminal.
///
/// The dispatcher asks one request at a time (never two prompts at once) and remembers
/// ``ApprovalDecision/approveAlways`` per tool. The wait counts against the run's deadline, not the
/// call's timeout; when the run is cancelled or its deadline passes, the waiting task is cancelled and
/// the policy should return promptly.
public protocol ApprovalPolicy: Sendable {
    /// Decides one call. Return promptly when the task is cancelled (``ApprovalDecision/deny`` is right then).
    func decide(_ request: ApprovalRequest) async -> ApprovalDecision
}

/// Denies every call: the default, so that nothing marked `confirm: true` runs unattended.
public struct DenyAllApprovalPolicy: ApprovalPolicy {
    public init() {}
    public func decide(_ request: ApprovalRequest) async -> ApprovalDecision { .deny }
}

/// Approves every call (for `--yes`-style unattended use).
public struct ApproveAllApprovalPolicy: ApprovalPolicy {
    public init() {}
    public func decide(_ request: ApprovalRequest) async -> ApprovalDecision { .approve }
}

/// Decides with a closure.
public struct ClosureApprovalPolicy: ApprovalPolicy {
    private let body: @Sendable (ApprovalRequest) async -> ApprovalDecision

    /// - Parameter body: decides each request, e.g. by asking a user.
    public init(_ body: @escaping @Sendable (ApprovalRequest) async -> ApprovalDecision) {
        self.body = body
    }

    public func decide(_ request: ApprovalRequest) async -> ApprovalDecision { await body(request) }
}

extension ApprovalPolicy where Self == DenyAllApprovalPolicy {
    /// Denies every call.
    public static var denyAll: DenyAllApprovalPolicy { DenyAllApprovalPolicy() }
}

extension ApprovalPolicy where Self == ApproveAllApprovalPolicy {
    /// Approves every call.
    public static var approveAll: ApproveAllApprovalPolicy { ApproveAllApprovalPolicy() }
}
