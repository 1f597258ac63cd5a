/// Runs a tool implemented as a Swift closure — how embedders add in-process tools.
///
/// The closure must honour task cancellation (the dispatcher cancels it on timeout or when the run
/// is cancelled). A returned `ToolOutput(isError: true)` is a failure the model reads; a thrown error
/// becomes an error result too.
public struct ClosureToolExecutor: ToolExecutor {
    private let body: @Sendable (JSONValue, ToolContext) async throws -> ToolOutput

    /// - Parameter body: receives the validated arguments and the call's context.
    public init(_ body: @escaping @Sendable (JSONValue, ToolContext) async throws -> ToolOutput) {
        self.body = body
    }

    public func call(_ arguments: JSONValue, context: ToolContext) async throws -> ToolOutput {
        try await body(arguments, context)
    }
}

extension Tool {
    /// A tool implemented by a Swift closure that reads its arguments as JSON.
    ///
    /// ```swift
    /// let shout = Tool(
    ///     name: "shout",
    ///     description: "Upper-cases a text.",
    ///     parameters: ["type": "object", "properties": ["text": ["type": "string"]], "required": ["text"]]
    /// ) { arguments, _ in
    ///     ToolOutput(text: arguments["text"]?.stringValue?.uppercased() ?? "")
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - name: the name the model calls it by (`^[A-Za-z0-9_-]{1,64}$`).
    ///   - description: what it does, for the model.
    ///   - parameters: a JSON Schema with `type: object`; arguments are validated against it before `body` runs.
    ///   - policy: timeout, concurrency, approval, cost and output limits.
    ///   - body: receives the validated arguments and the call's context. A thrown error becomes an
    ///     error result the model reads; it never ends the run.
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

    /// A tool implemented by a Swift closure that receives its arguments as a `Decodable` value.
    ///
    /// The model only sees `parameters`, so the schema must describe `Arguments`: the arguments are
    /// validated against it, then decoded with `JSONDecoder` (property names as written, no key
    /// conversion). Arguments that pass the schema but do not decode (a schema looser than the type)
    /// give the model an error result naming the field — never a crash, and `body` is not called.
    ///
    /// ```swift
    /// struct Lookup: Decodable { var city: String; var days: Int? }
    ///
    /// let forecast = Tool(
    ///     name: "forecast",
    ///     description: "The weather forecast for a city.",
    ///     arguments: Lookup.self,
    ///     parameters: [
    ///         "type": "object",
    ///         "properties": ["city": ["type": "string"], "days": ["type": "integer", "minimum": 1]],
    ///         "required": ["city"],
    ///     ]
    /// ) { lookup, _ in
    ///     ToolOutput(text: try await weather.forecast(lookup.city, days: lookup.days ?? 3))
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - name: the name the model calls it by (`^[A-Za-z0-9_-]{1,64}$`).
    ///   - description: what it does, for the model.
    ///   - arguments: the type the arguments decode into (any `Decodable` type that is not isolated
    ///     to a global actor).
    ///   - parameters: the JSON Schema (with `type: object`) the model sees for `Arguments`.
    ///   - policy: timeout, concurrency, approval, cost and output limits.
    ///   - body: receives the decoded arguments and the call's context. A thrown error becomes an
    ///     error result the model reads; it never ends the run.
    public init<Arguments: Decodable & SendableMetatype>(
        name: String,
        description: String,
        arguments: Arguments.Type,
        parameters: JSONValue,
        policy: ToolPolicy = ToolPolicy(),
        body: @escaping @Sendable (Arguments, ToolContext) async throws -> ToolOutput
    ) {
        self.init(name: name, description: description, parameters: parameters, policy: policy) { json, context in
            let decoded: Arguments
            do {
                decoded = try json.decode()
            } catch {
                return ToolOutput(text: "error: invalid arguments for '\(name)': \(DecodingFailure.describe(error))", isError: true)
            }
            return try await body(decoded, context)
        }
    }
}
