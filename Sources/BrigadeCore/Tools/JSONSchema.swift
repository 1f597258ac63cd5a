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
///
/// Enforced keywords: `type` (a name or a list of names; `integer` accepts `3` and `3.0`), `enum`, `const`,
/// `properties`, `required`, `additionalProperties` (boolean or schema), `minProperties`, `maxProperties`,
/// `items` (a schema, or a list of schemas for positions), `minItems`, `maxItems`, `uniqueItems`,
/// `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum` (numbers, or draft-4 booleans),
/// `multipleOf`, `minLength`, `maxLength`, `pattern`, `anyOf`, `oneOf`, `allOf`, `not`, and the boolean
/// schemas `true` and `false`. Annotations (`title`, `description`, `default`, `examples`, `format`,
/// `$schema`, …) are ignored.
///
/// String lengths count Unicode scalars (code points), as the JSON Schema specification does:
/// `"é"` written as one precomposed scalar has length 1, `"e\u{301}"` has length 2.
/// `pattern` is an unanchored search with a Swift `Regex` using Unicode-scalar semantics (close to
/// ECMA-262 for the common syntax); compiled patterns are cached.
///
/// Numbers compare by value: `3` and `3.0` are equal for `enum`, `const` and `uniqueItems`.
public enum JSONSchemaValidator {
    /// Every violation of `schema` by `value`; empty when the value is valid.
    ///
    /// A schema that is not usable (see ``validateSchema(_:)``) never makes this crash: keywords with
    /// values of the wrong shape are skipped.
    public static func validate(_ value: JSONValue, against schema: JSONValue) -> [SchemaViolation] {
        SchemaEvaluator.evaluate(value, against: schema, at: SchemaPath())
    }

    /// Problems that make `schema` unusable, one message each, e.g.
    /// "`properties.city.type`: unknown type \"strin\"". Empty when the schema is usable.
    ///
    /// Checks that keywords have values of the right shape, that types are known, that patterns compile,
    /// that bounds are consistent, that `default` values satisfy their own schema, and that no keyword
    /// this validator would silently skip (`$ref`, `if`, `patternProperties`, …) is used. Meant for
    /// load-time checks of tool declarations.
    public static func validateSchema(_ schema: JSONValue) -> [String] {
        var checker = SchemaChecker()
        checker.check(schema)
        return checker.problems
    }

    /// `arguments` with the `default` of every top-level property in `schema.properties` filled in where
    /// the argument is absent. `null` arguments count as an empty object; other non-object arguments are
    /// returned unchanged.
    public static func applyingDefaults(to arguments: JSONValue, from schema: JSONValue) -> JSONValue {
        guard let properties = schema["properties"]?.objectValue else { return arguments }
        var object: JSONObject
        switch arguments {
        case .object(let existing): object = existing
        case .null: object = JSONObject()
        default: return arguments
        }
        for (name, propertySchema) in properties where object[name] == nil {
            if let defaultValue = propertySchema["default"] { object[name] = defaultValue }
        }
        return .object(object)
    }
}
