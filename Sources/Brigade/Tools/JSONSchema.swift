/// One way a value fails a JSON Schema, written to be read by a model: "`city`: expected string, got number".
public struct SchemaViolation: Sendable, Hashable, CustomStringConvertible {
    /// Path to the value, e.g. `city` or `stops[2].name`; empty for the root.
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { path.isEmpty ? message : "`\(path)`: \(message)" }
}

/// Validates values against the JSON Schema subset tools use.
public enum JSONSchemaValidator {
    /// Every violation of `schema` by `value`; empty when the value is valid.
    /// PLACEHOLDER: the real validator lands with the tools work (branch `tools`).
    public static func validate(_ value: JSONValue, against schema: JSONValue) -> [SchemaViolation] {
        []
    }
}
