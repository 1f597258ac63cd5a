/// The validation walk behind `JSONSchemaValidator.validate(_:against:)`.
enum SchemaEvaluator {
    static func evaluate(_ value: JSONValue, against schema: JSONValue, at path: SchemaPath) -> [SchemaViolation] {
        switch schema {
        case .bool(false): return [violation(path, "is not allowed here")]
        case .object(let keywords): return evaluate(value, keywords: keywords, at: path)
        default: return []
        }
    }

    static func violation(_ path: SchemaPath, _ message: String) -> SchemaViolation {
        SchemaViolation(path: path.description, message: message)
    }

    private static func evaluate(_ value: JSONValue, keywords: JSONObject, at path: SchemaPath) -> [SchemaViolation] {
        if let types = declaredTypes(keywords), !types.contains(where: value.isInstance(ofSchemaType:)) {
            // Other keywords would only repeat the mismatch.
            if types.contains("integer"), value.isIntegerOutOfRange {
                return [violation(path, "\(value.shortDescription()) is out of range for an integer (at most 2^53 in magnitude)")]
            }
            return [violation(path, "expected \(listWithOr(types)), got \(value.schemaTypeName)")]
        }
        var found: [SchemaViolation] = []
        if let allowed = keywords["enum"]?.arrayValue, !allowed.contains(where: { $0.isJSONEqual(to: value) }) {
            let shown = allowed.prefix(20).map { $0.shortDescription() }.joined(separator: ", ")
            found.append(violation(path, "must be one of \(shown)\(allowed.count > 20 ? ", …" : "")"))
        }
        if let constant = keywords["const"], !constant.isJSONEqual(to: value) {
            found.append(violation(path, "must be \(constant.shortDescription())"))
        }
        switch value {
        case .integer, .number: found += numberViolations(value, keywords, path)
        case .string(let string): found += stringViolations(string, keywords, path)
        case .array(let items): found += arrayViolations(items, keywords, path)
        case .object(let object): found += objectViolations(object, keywords, path)
        case .null, .bool: break
        }
        found += combinatorViolations(value, keywords, path)
        return found
    }

    static func declaredTypes(_ keywords: JSONObject) -> [String]? {
        switch keywords["type"] {
        case .string(let name)?: return [name]
        case .array(let names)?:
            let strings = names.compactMap(\.stringValue)
            return strings.isEmpty ? nil : strings
        default: return nil
        }
    }

    // MARK: Numbers

    private static func numberViolations(_ value: JSONValue, _ keywords: JSONObject, _ path: SchemaPath) -> [SchemaViolation] {
        var found: [SchemaViolation] = []
        let shown = value.jsonString
        let draft4ExclusiveMinimum = keywords["exclusiveMinimum"]?.boolValue == true
        let draft4ExclusiveMaximum = keywords["exclusiveMaximum"]?.boolValue == true
        if let minimum = keywords["minimum"], let order = compare(value, minimum) {
            if draft4ExclusiveMinimum, order != .greater {
                found.append(violation(path, "\(shown) must be greater than \(minimum.jsonString)"))
            } else if order == .less {
                found.append(violation(path, "\(shown) is less than the minimum \(minimum.jsonString)"))
            }
        }
        if let maximum = keywords["maximum"], let order = compare(value, maximum) {
            if draft4ExclusiveMaximum, order != .less {
                found.append(violation(path, "\(shown) must be less than \(maximum.jsonString)"))
            } else if order == .greater {
                found.append(violation(path, "\(shown) is greater than the maximum \(maximum.jsonString)"))
            }
        }
        if let bound = keywords["exclusiveMinimum"], bound.doubleValue != nil, let order = compare(value, bound), order != .greater {
            found.append(violation(path, "\(shown) must be greater than \(bound.jsonString)"))
        }
        if let bound = keywords["exclusiveMaximum"], bound.doubleValue != nil, let order = compare(value, bound), order != .less {
            found.append(violation(path, "\(shown) must be less than \(bound.jsonString)"))
        }
        if let divisor = keywords["multipleOf"], !isMultiple(value, of: divisor) {
            found.append(violation(path, "\(shown) is not a multiple of \(divisor.jsonString)"))
        }
        return found
    }

    private enum Order { case less, equal, greater }

    /// Compares two numbers exactly when both are integers, by `Double` otherwise; `nil` if either is not a number.
    private static func compare(_ a: JSONValue, _ b: JSONValue) -> Order? {
        if case .integer(let x) = a, case .integer(let y) = b { return x < y ? .less : x == y ? .equal : .greater }
        guard let x = a.doubleValue, let y = b.doubleValue, !x.isNaN, !y.isNaN else { return nil }
        return x < y ? .less : x == y ? .equal : .greater
    }

    private static func isMultiple(_ value: JSONValue, of divisor: JSONValue) -> Bool {
        if case .integer(let x) = value, case .integer(let d) = divisor, d > 0 { return x % d == 0 }
        guard let x = value.doubleValue, let d = divisor.doubleValue, d > 0 else { return true }
        let quotient = x / d
        guard quotient.isFinite else { return false }
        return abs(quotient - quotient.rounded()) <= 1e-9 * max(1, abs(quotient))
    }

    // MARK: Strings

    private static func stringViolations(_ string: String, _ keywords: JSONObject, _ path: SchemaPath) -> [SchemaViolation] {
        var found: [SchemaViolation] = []
        let length = string.unicodeScalars.count
        if let minimum = keywords["minLength"]?.intValue, length < minimum {
            found.append(violation(path, "must be at least \(plural(minimum, "character")) long, got \(length)"))
        }
        if let maximum = keywords["maxLength"]?.intValue, length > maximum {
            found.append(violation(path, "must be at most \(plural(maximum, "character")) long, got \(length)"))
        }
        if let pattern = keywords["pattern"]?.stringValue, PatternCache.string(string, matches: pattern) == false {
            found.append(violation(path, "\(JSONValue.string(string).shortDescription()) does not match the pattern \(pattern)"))
        }
        return found
    }

    static func plural(_ count: Int, _ noun: String, _ nouns: String? = nil) -> String {
        count == 1 ? "1 \(noun)" : "\(count) \(nouns ?? noun + "s")"
    }

    // MARK: Arrays

    private static func arrayViolations(_ items: [JSONValue], _ keywords: JSONObject, _ path: SchemaPath) -> [SchemaViolation] {
        var found: [SchemaViolation] = []
        if let minimum = keywords["minItems"]?.intValue, items.count < minimum {
            found.append(violation(path, "must have at least \(plural(minimum, "item")), got \(items.count)"))
        }
        if let maximum = keywords["maxItems"]?.intValue, items.count > maximum {
            found.append(violation(path, "must have at most \(plural(maximum, "item")), got \(items.count)"))
        }
        if keywords["uniqueItems"]?.boolValue == true, let (first, second) = firstDuplicate(items) {
            found.append(violation(path, "items must be unique, but [\(first)] and [\(second)] are equal"))
        }
        switch keywords["items"] {
        case .array(let positional)?:
            for (index, (item, schema)) in zip(items, positional).enumerated() {
                found += evaluate(item, against: schema, at: path.appending(index))
            }
        case let schema?:
            for (index, item) in items.enumerated() {
                found += evaluate(item, against: schema, at: path.appending(index))
            }
        case nil:
            break
        }
        return found
    }

    private static func firstDuplicate(_ items: [JSONValue]) -> (Int, Int)? {
        for second in items.indices {
            for first in 0..<second where items[first].isJSONEqual(to: items[second]) {
                return (first, second)
            }
        }
        return nil
    }

    // MARK: Objects

    private static func objectViolations(_ object: JSONObject, _ keywords: JSONObject, _ path: SchemaPath) -> [SchemaViolation] {
        var found: [SchemaViolation] = []
        for name in keywords["required"]?.arrayValue ?? [] {
            if let name = name.stringValue, object[name] == nil {
                found.append(violation(path, "missing required property `\(name)`"))
            }
        }
        let properties = keywords["properties"]?.objectValue ?? JSONObject()
        for (name, value) in object {
            if let schema = properties[name] {
                found += evaluate(value, against: schema, at: path.appending(name))
                continue
            }
            switch keywords["additionalProperties"] {
            case .bool(false)?:
                var message = "unexpected property `\(name)`"
                if !properties.isEmpty, properties.count <= 12 {
                    message += " (allowed: \(properties.keys.joined(separator: ", ")))"
                }
                found.append(violation(path, message))
            case .object(let schema)?:
                found += evaluate(value, against: .object(schema), at: path.appending(name))
            default:
                break
            }
        }
        if let minimum = keywords["minProperties"]?.intValue, object.count < minimum {
            found.append(violation(path, "must have at least \(plural(minimum, "property", "properties")), got \(object.count)"))
        }
        if let maximum = keywords["maxProperties"]?.intValue, object.count > maximum {
            found.append(violation(path, "must have at most \(plural(maximum, "property", "properties")), got \(object.count)"))
        }
        return found
    }
}
