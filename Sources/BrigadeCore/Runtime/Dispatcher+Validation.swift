/// A call that passed validation: its tool and its parsed arguments.
struct PreparedCall: Sendable {
    var call: ToolCall
    var tool: Tool
    var arguments: JSONValue
}

/// Why a call cannot run, worded for the model.
struct InvalidCall: Error {
    var message: String
}

extension Dispatcher {
    /// Checks that the tool exists and the arguments are a JSON object valid against its schema.
    /// - Parameter allowed: the run's tool subset; `nil` allows every tool of the registry.
    func validate(_ call: ToolCall, allowed: Set<String>? = nil) -> Result<PreparedCall, InvalidCall> {
        guard let tool = registry.tool(named: call.name), allowed?.contains(call.name) ?? true else {
            let names = registry.names.filter { allowed?.contains($0) ?? true }
            let available = names.isEmpty ? "no tools are available" : "available tools: \(names.joined(separator: ", "))"
            return .failure(InvalidCall(message: "error: unknown tool '\(call.name)'; \(available)"))
        }
        let arguments: JSONValue
        do {
            arguments = try call.parsedArguments()
        } catch {
            return .failure(InvalidCall(message: "error: the arguments of '\(call.name)' are not valid JSON (\(error)); send one JSON object matching the tool's parameters"))
        }
        guard case .object = arguments else {
            return .failure(InvalidCall(message: "error: the arguments of '\(call.name)' must be a JSON object, got \(arguments.typeName)"))
        }
        let violations = JSONSchemaValidator.validate(arguments, against: tool.spec.parameters)
        if !violations.isEmpty {
            let list = violations.map { "- \($0)" }.joined(separator: "\n")
            return .failure(InvalidCall(message: "error: the arguments of '\(call.name)' do not match its parameters:\n\(list)"))
        }
        return .success(PreparedCall(call: call, tool: tool, arguments: arguments))
    }

    /// The calls with unique, non-empty ids: the first of a repeated id keeps it, later ones get a
    /// suffix (`abc_2`); a missing id becomes `call_N` (N its position, from 1).
    public static func withUniqueIDs(_ calls: [ToolCall]) -> [ToolCall] {
        // The usual case: every id present and different, nothing to change.
        var distinct = Set<String>(minimumCapacity: calls.count)
        if calls.allSatisfy({ !$0.id.isEmpty && distinct.insert($0.id).inserted }) { return calls }
        let sent = Set(calls.map(\.id))
        var used = Set<String>()
        return calls.enumerated().map { index, call in
            var call = call
            if call.id.isEmpty || used.contains(call.id) {
                let base = call.id.isEmpty ? "call_\(index + 1)" : call.id
                var candidate = call.id.isEmpty ? base : "\(base)_2"
                var suffix = call.id.isEmpty ? 1 : 2
                while used.contains(candidate) || sent.contains(candidate) {
                    suffix += 1
                    candidate = "\(base)_\(suffix)"
                }
                call.id = candidate
            }
            used.insert(call.id)
            return call
        }
    }
}
