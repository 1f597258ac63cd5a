/// The walk behind `JSONSchemaValidator.validateSchema(_:)`: is a schema usable by this validator?
struct SchemaChecker {
    var problems: [String] = []

    /// Assertion keywords this validator does not enforce; using one would silently accept bad values.
    static let unsupportedKeywords: Set<String> = [
        "$ref", "$dynamicRef", "if", "then", "else", "patternProperties", "propertyNames", "dependencies",
        "dependentRequired", "dependentSchemas", "prefixItems", "additionalItems", "contains", "minContains",
        "maxContains", "unevaluatedProperties", "unevaluatedItems",
    ]

    private mutating func problem(_ path: SchemaPath, _ message: String) {
        problems.append(path.components.isEmpty ? message : "`\(path)`: \(message)")
    }

    mutating func check(_ schema: JSONValue, at path: SchemaPath) {
        guard case .object(let keywords) = schema else {
            if case .bool = schema { return }
            problem(path, "a schema must be an object or a boolean, got \(schema.schemaTypeName)")
            return
        }
        let problemsBefore = problems.count
        for (keyword, _) in keywords where Self.unsupportedKeywords.contains(keyword) {
            problem(path.appending(keyword), "unsupported keyword (Brigade's validator does not enforce it)")
        }
        checkType(keywords["type"], in: path)
        checkObjectKeywords(keywords, at: path)
        checkBounds(keywords, at: path)
        if let items = keywords["items"] {
            if case .array(let schemas) = items {
                for (index, item) in schemas.enumerated() { check(item, at: path.appending("items").appending(index)) }
            } else {
                check(items, at: path.appending("items"))
            }
        }
        if let allowed = keywords["enum"], allowed.arrayValue?.isEmpty != false {
            problem(path.appending("enum"), "must be a non-empty array")
        }
        if let unique = keywords["uniqueItems"], unique.boolValue == nil {
            problem(path.appending("uniqueItems"), "must be a boolean")
        }
        if let pattern = keywords["pattern"] {
            if let text = pattern.stringValue {
                if let error = PatternCache.compileError(of: text) {
                    problem(path.appending("pattern"), "invalid regular expression: \(error)")
                }
            } else {
                problem(path.appending("pattern"), "must be a string")
            }
        }
        for keyword in ["anyOf", "oneOf", "allOf"] {
            guard let value = keywords[keyword] else { continue }
            guard let schemas = value.arrayValue, !schemas.isEmpty else {
                problem(path.appending(keyword), "must be a non-empty array of schemas")
                continue
            }
            for (index, item) in schemas.enumerated() { check(item, at: path.appending(keyword).appending(index)) }
        }
        if let forbidden = keywords["not"] { check(forbidden, at: path.appending("not")) }
        if let defaultValue = keywords["default"], problems.count == problemsBefore {
            let violations = JSONSchemaValidator.validate(defaultValue, against: schema)
            if let first = violations.first {
                problem(path.appending("default"), "the default does not satisfy its schema: \(first)")
            }
        }
    }

    /// `type` of the schema at `schema` (its own path is made only for a message).
    private mutating func checkType(_ type: JSONValue?, in schema: SchemaPath) {
        switch type {
        case nil:
            return
        case .string(let name)?:
            if !knownSchemaTypes.contains(name) { problem(schema.appending("type"), "unknown type \(type?.jsonString ?? "")\(knownTypesHint)") }
        case .array(let names)? where !names.isEmpty:
            for name in names {
                guard let text = name.stringValue else {
                    problem(schema.appending("type"), "type names must be strings, got \(name.schemaTypeName)")
                    continue
                }
                if !knownSchemaTypes.contains(text) { problem(schema.appending("type"), "unknown type \(name.jsonString)\(knownTypesHint)") }
            }
        default:
            problem(schema.appending("type"), "must be a type name or a non-empty array of type names")
        }
    }

    private var knownTypesHint: String {
        " (known: string, number, integer, boolean, array, object, null)"
    }

    private mutating func checkObjectKeywords(_ keywords: JSONObject, at path: SchemaPath) {
        var declared: Set<String> = []
        if let properties = keywords["properties"] {
            if let object = properties.objectValue {
                for (name, schema) in object {
                    declared.insert(name)
                    check(schema, at: path.appending("properties").appending(name))
                }
            } else {
                problem(path.appending("properties"), "must be an object mapping property names to schemas")
            }
        }
        if let additional = keywords["additionalProperties"] {
            switch additional {
            case .bool: break
            case .object: check(additional, at: path.appending("additionalProperties"))
            default: problem(path.appending("additionalProperties"), "must be a boolean or a schema")
            }
        }
        if let required = keywords["required"] {
            guard let names = required.arrayValue, names.allSatisfy({ $0.stringValue != nil }) else {
                problem(path.appending("required"), "must be an array of property names")
                return
            }
            if keywords["additionalProperties"]?.boolValue == false {
                for name in names.compactMap(\.stringValue) where !declared.contains(name) {
                    problem(
                        path.appending("required"),
                        "`\(name)` is required but not in `properties`, and additionalProperties is false"
                    )
                }
            }
        }
    }

    private mutating func checkBounds(_ keywords: JSONObject, at path: SchemaPath) {
        for keyword in ["minimum", "maximum"] {
            if let value = keywords[keyword], value.doubleValue == nil { problem(path.appending(keyword), "must be a number") }
        }
        for keyword in ["exclusiveMinimum", "exclusiveMaximum"] {
            if let value = keywords[keyword], value.doubleValue == nil, value.boolValue == nil {
                problem(path.appending(keyword), "must be a number")
            }
        }
        if let divisor = keywords["multipleOf"], (divisor.doubleValue ?? 0) <= 0 {
            problem(path.appending("multipleOf"), "must be a number greater than 0")
        }
        if let minimum = keywords["minimum"]?.doubleValue, let maximum = keywords["maximum"]?.doubleValue, minimum > maximum {
            problem(path, "minimum \(minimum) is greater than maximum \(maximum)")
        }
        for (low, high) in [("minLength", "maxLength"), ("minItems", "maxItems"), ("minProperties", "maxProperties")] {
            let lower = countBound(keywords, low, at: path)
            let upper = countBound(keywords, high, at: path)
            if let lower, let upper, lower > upper { problem(path, "\(low) \(lower) is greater than \(high) \(upper)") }
        }
    }

    private mutating func countBound(_ keywords: JSONObject, _ keyword: String, at path: SchemaPath) -> Int? {
        guard let value = keywords[keyword] else { return nil }
        guard let count = value.intValue, count >= 0 else {
            problem(path.appending(keyword), "must be a non-negative integer")
            return nil
        }
        return count
    }
}
