/// The walk behind `JSONSchemaValidator.validateSchema(_:)`: is a schema usable by this validator?
struct SchemaChecker {
    var problems: [String] = []
    /// Where the walk is: one stack, pushed and popped around each nested schema, so that a schema
    /// costs no path of its own (a path is printed only for a problem).
    private var path = SchemaPath()

    /// A problem of the schema at `path`, or of its `keyword` when one is given.
    private mutating func problem(_ keyword: String?, _ message: String) {
        if let keyword { path.components.append(.key(keyword)) }
        problems.append(path.components.isEmpty ? message : "`\(path)`: \(message)")
        if keyword != nil { path.components.removeLast() }
    }

    private mutating func problem(_ keyword: SchemaKeyword, _ message: String) {
        problem(keyword.name, message)
    }

    /// Checks the schema at `keyword` (and `index` within it) of the schema at `path`.
    private mutating func check(_ schema: JSONValue, at keyword: SchemaKeyword, _ index: SchemaPath.Component? = nil) {
        path.components.append(.key(keyword.name))
        if let index { path.components.append(index) }
        check(schema)
        path.components.removeLast(index == nil ? 1 : 2)
    }

    /// Checks `schema`, found at `path`.
    mutating func check(_ schema: JSONValue) {
        guard case .object(let object) = schema else {
            if case .bool = schema { return }
            problem(nil, "a schema must be an object or a boolean, got \(schema.schemaTypeName)")
            return
        }
        let problemsBefore = problems.count
        var keywords = SchemaKeywords(object)
        for (keyword, _) in object {
            switch SchemaKeyword.kind(of: keyword) {
            case .checked(let known): keywords.present |= known.bit
            case .unsupported: problem(keyword, "unsupported keyword (Brigade's validator does not enforce it)")
            case .other: break
            }
        }
        checkType(keywords[.type])
        checkObjectKeywords(keywords)
        checkBounds(keywords)
        if let items = keywords[.items] {
            if case .array(let schemas) = items {
                for (index, item) in schemas.enumerated() { check(item, at: .items, .index(index)) }
            } else {
                check(items, at: .items)
            }
        }
        if let allowed = keywords[.enum], allowed.arrayValue?.isEmpty != false {
            problem(.enum, "must be a non-empty array")
        }
        if let unique = keywords[.uniqueItems], unique.boolValue == nil {
            problem(.uniqueItems, "must be a boolean")
        }
        if let pattern = keywords[.pattern] {
            if let text = pattern.stringValue {
                if let error = PatternCache.compileError(of: text) {
                    problem(.pattern, "invalid regular expression: \(error)")
                }
            } else {
                problem(.pattern, "must be a string")
            }
        }
        for keyword in SchemaKeyword.combinators {
            guard let value = keywords[keyword] else { continue }
            guard let schemas = value.arrayValue, !schemas.isEmpty else {
                problem(keyword, "must be a non-empty array of schemas")
                continue
            }
            for (index, item) in schemas.enumerated() { check(item, at: keyword, .index(index)) }
        }
        if let forbidden = keywords[.not] { check(forbidden, at: .not) }
        if let defaultValue = keywords[.default], problems.count == problemsBefore {
            let violations = JSONSchemaValidator.validate(defaultValue, against: schema)
            if let first = violations.first {
                problem(.default, "the default does not satisfy its schema: \(first)")
            }
        }
    }

    /// `type` of the schema at `path`.
    private mutating func checkType(_ type: JSONValue?) {
        switch type {
        case nil:
            return
        case .string(let name)?:
            if !knownSchemaTypes.contains(name) { problem(.type, "unknown type \(type?.jsonString ?? "")\(knownTypesHint)") }
        case .array(let names)? where !names.isEmpty:
            for name in names {
                guard let text = name.stringValue else {
                    problem(.type, "type names must be strings, got \(name.schemaTypeName)")
                    continue
                }
                if !knownSchemaTypes.contains(text) { problem(.type, "unknown type \(name.jsonString)\(knownTypesHint)") }
            }
        default:
            problem(.type, "must be a type name or a non-empty array of type names")
        }
    }

    private var knownTypesHint: String {
        " (known: string, number, integer, boolean, array, object, null)"
    }

    private mutating func checkObjectKeywords(_ keywords: SchemaKeywords) {
        // The declared names are looked up in `properties` itself when a `required` list needs them.
        let properties = keywords[.properties]
        let declared = properties?.objectValue
        if properties != nil {
            if let declared {
                for (name, schema) in declared { check(schema, at: .properties, .key(name)) }
            } else {
                problem(.properties, "must be an object mapping property names to schemas")
            }
        }
        let additional = keywords[.additionalProperties]
        if let additional {
            switch additional {
            case .bool: break
            case .object: check(additional, at: .additionalProperties)
            default: problem(.additionalProperties, "must be a boolean or a schema")
            }
        }
        if let required = keywords[.required] {
            guard let names = required.arrayValue, names.allSatisfy({ $0.stringValue != nil }) else {
                problem(.required, "must be an array of property names")
                return
            }
            if additional?.boolValue == false {
                for name in names.compactMap(\.stringValue) where declared?[name] == nil {
                    problem(.required, "`\(name)` is required but not in `properties`, and additionalProperties is false")
                }
            }
        }
    }

    private mutating func checkBounds(_ keywords: SchemaKeywords) {
        let minimum = keywords[.minimum]
        let maximum = keywords[.maximum]
        if let minimum, minimum.doubleValue == nil { problem(.minimum, "must be a number") }
        if let maximum, maximum.doubleValue == nil { problem(.maximum, "must be a number") }
        for keyword in SchemaKeyword.exclusiveBounds {
            if let value = keywords[keyword], value.doubleValue == nil, value.boolValue == nil {
                problem(keyword, "must be a number")
            }
        }
        if let divisor = keywords[.multipleOf], (divisor.doubleValue ?? 0) <= 0 {
            problem(.multipleOf, "must be a number greater than 0")
        }
        if let minimum = minimum?.doubleValue, let maximum = maximum?.doubleValue, minimum > maximum {
            problem(nil, "minimum \(minimum) is greater than maximum \(maximum)")
        }
        for (low, high) in SchemaKeyword.countBounds {
            let lower = countBound(keywords, low)
            let upper = countBound(keywords, high)
            if let lower, let upper, lower > upper { problem(nil, "\(low.name) \(lower) is greater than \(high.name) \(upper)") }
        }
    }

    private mutating func countBound(_ keywords: SchemaKeywords, _ keyword: SchemaKeyword) -> Int? {
        guard let value = keywords[keyword] else { return nil }
        guard let count = value.intValue, count >= 0 else {
            problem(keyword, "must be a non-negative integer")
            return nil
        }
        return count
    }
}

/// The keywords the checker reads. A schema's keys are classified once (one table lookup each),
/// and a keyword the schema does not hold costs no search of its keys.
enum SchemaKeyword: Int, CaseIterable {
    case type, items, `enum`, uniqueItems, pattern, anyOf, oneOf, allOf, not, `default`, properties
    case additionalProperties, required, minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf
    case minLength, maxLength, minItems, maxItems, minProperties, maxProperties

    var name: String { Self.names[rawValue] }
    var bit: UInt32 { 1 << UInt32(rawValue) }

    static let combinators: [SchemaKeyword] = [.anyOf, .oneOf, .allOf]
    static let exclusiveBounds: [SchemaKeyword] = [.exclusiveMinimum, .exclusiveMaximum]
    static let countBounds: [(SchemaKeyword, SchemaKeyword)] = [(.minLength, .maxLength), (.minItems, .maxItems), (.minProperties, .maxProperties)]

    private static let names = [
        "type", "items", "enum", "uniqueItems", "pattern", "anyOf", "oneOf", "allOf", "not", "default", "properties",
        "additionalProperties", "required", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
        "minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties",
    ]

    /// Assertion keywords this validator does not enforce; using one would silently accept bad values.
    static let unsupported: Set<String> = [
        "$ref", "$dynamicRef", "if", "then", "else", "patternProperties", "propertyNames", "dependencies",
        "dependentRequired", "dependentSchemas", "prefixItems", "additionalItems", "contains", "minContains",
        "maxContains", "unevaluatedProperties", "unevaluatedItems",
    ]

    enum Kind {
        case checked(SchemaKeyword)
        case unsupported
        case other
    }

    private static let kinds: [String: Kind] = {
        var table: [String: Kind] = [:]
        for keyword in allCases { table[keyword.name] = .checked(keyword) }
        for name in unsupported { table[name] = .unsupported }
        return table
    }()

    static func kind(of key: String) -> Kind { kinds[key] ?? .other }
}

/// A schema object with the set of checked keywords it holds.
struct SchemaKeywords {
    let object: JSONObject
    var present: UInt32 = 0

    init(_ object: JSONObject) {
        self.object = object
    }

    subscript(keyword: SchemaKeyword) -> JSONValue? {
        present & keyword.bit == 0 ? nil : object[keyword.name]
    }
}
