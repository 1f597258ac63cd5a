extension SchemaEvaluator {
    /// `allOf`, `anyOf`, `oneOf` and `not`.
    static func combinatorViolations(_ value: JSONValue, _ keywords: JSONObject, _ path: SchemaPath) -> [SchemaViolation] {
        var found: [SchemaViolation] = []
        for schema in keywords["allOf"]?.arrayValue ?? [] {
            found += evaluate(value, against: schema, at: path)
        }
        if let schemas = keywords["anyOf"]?.arrayValue, !schemas.isEmpty {
            let outcomes = schemas.map { evaluate(value, against: $0, at: path) }
            if !outcomes.contains(where: \.isEmpty) {
                found.append(noMatch(value, schemas, outcomes, path))
            }
        }
        if let schemas = keywords["oneOf"]?.arrayValue, !schemas.isEmpty {
            let outcomes = schemas.map { evaluate(value, against: $0, at: path) }
            let matching = outcomes.indices.filter { outcomes[$0].isEmpty }.map { String($0 + 1) }
            if matching.isEmpty {
                found.append(noMatch(value, schemas, outcomes, path))
            } else if matching.count > 1 {
                found.append(violation(path, "matches more than one of the allowed forms (\(listWithAnd(matching))); it must match exactly one"))
            }
        }
        if let forbidden = keywords["not"], evaluate(value, against: forbidden, at: path).isEmpty {
            found.append(violation(path, "must not match \(forbidden.shortDescription(limit: 60))"))
        }
        return found
    }

    /// One violation for a value that fits none of the alternatives. When every alternative failed only
    /// on its `type`, the types merge into one message ("expected string or null, got number");
    /// otherwise each alternative's first reason is listed.
    private static func noMatch(
        _ value: JSONValue,
        _ schemas: [JSONValue],
        _ outcomes: [[SchemaViolation]],
        _ path: SchemaPath
    ) -> SchemaViolation {
        var expected: [String] = []
        var onlyTypesFailed = true
        for (schema, outcome) in zip(schemas, outcomes) {
            guard outcome.count == 1, outcome[0].path == path.description,
                let keywords = schema.objectValue, let types = declaredTypes(keywords),
                !types.contains(where: value.isInstance(ofSchemaType:))
            else {
                onlyTypesFailed = false
                break
            }
            for type in types where !expected.contains(type) { expected.append(type) }
        }
        if onlyTypesFailed {
            return violation(path, "expected \(listWithOr(expected)), got \(value.schemaTypeName)")
        }
        let reasons = outcomes.prefix(5).enumerated().map { index, outcome in
            "(\(index + 1)) \(outcome.first?.description ?? "")"
        }
        return violation(path, "does not match any of the allowed forms: \(reasons.joined(separator: "; "))")
    }

    private static func listWithAnd(_ items: [String]) -> String {
        guard items.count > 1 else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + " and " + items[items.count - 1]
    }
}
