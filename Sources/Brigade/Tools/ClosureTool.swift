/// Runs a tool implemented as a Swift closure — how embedders add in-process tools.
///
/// The closure must honour task cancellation (the dispatcher cancels it on timeout or when the run
/// is cancelled). A returned `ToolOutput(isError: true)` is a failure the model reads; a thrown error
/// becomes an error result too.
public struct ClosureToolExecutor: ToolExecutor {
    private let body: @Sendable (JSONValue, ToolContext) async throws -> ToolOutput

    public init(_ body: @escaping @Sendable (JSONValue, ToolContext) async throws -> ToolOutput) {
        self.body = body
    }

    public func call(_ arguments: JSONValue, context: ToolContext) async throws -> ToolOutput {
        try await body(arguments, context)
    }
}

extension Tool {
    /// A tool implemented by a Swift closure.
    ///
    /// - Parameters:
    ///   - name: the name the model calls it by.
    ///   - description: what it does, for the model.
    ///   - parameters: a JSON Schema with `type: object`; arguments are validated against it before `body` runs.
    ///   - policy: timeout, concurrency, approval, cost and output limits.
    ///   - body: receives the validated arguments and the call's context.
    public init(
        name: String,
        description: String,
        parameters: JSONValue = ["type": "object", "properties": [:]],
        policy: ToolPolicy = ToolPolicy(),
        body: @escaping @Sendable (JSONValue, ToolContext) async throws -> ToolOutput
    ) {
        self.init(
            spec: ToolSpec(name: name, description: description, parameters: parameters, policy: policy),
            executor: ClosureToolExecutor(body)
        )
    }
}
