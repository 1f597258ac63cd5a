/// Fills a route call's argument template from the captures of the matching pattern.
///
/// A string leaf that is exactly `{{name}}` or `{{name|default}}` becomes the capture (or the
/// default), converted to the type the tool's schema declares for that property (integer, number,
/// boolean); with neither capture nor default the key is left out, so the tool's own default applies.
/// Placeholders inside longer strings are replaced textually (a missing one by its default or "").
package enum RouteArguments {
    package static func render(_ template: JSONValue, captures: [String: String], schema: JSONValue?) -> JSONValue {
        switch template {
        case .object(let object):
            var result = JSONObject()
            for (key, value) in object {
                let propertySchema = schema?["properties"]?[key]
                if case .string(let text) = value, let placeholder = Placeholder(wholeString: text) {
                    guard let raw = captures[placeholder.name] ?? placeholder.defaultValue else { continue }
                    result[key] = coerce(raw, to: propertySchema)
                } else {
                    result[key] = render(value, captures: captures, schema: propertySchema)
                }
            }
            return .object(result)
        case .array(let items):
            return .array(items.map { render($0, captures: captures, schema: schema?["items"]) })
        case .string(let text):
            if let placeholder = Placeholder(wholeString: text) {
                guard let raw = captures[placeholder.name] ?? placeholder.defaultValue else { return .null }
                return coerce(raw, to: schema)
            }
            return .string(substitute(text, captures: captures))
        default:
            return template
        }
    }

    /// Every placeholder name the template uses.
    static func placeholderNames(in template: JSONValue) -> Set<String> {
        switch template {
        case .object(let object): object.reduce(into: []) { $0.formUnion(placeholderNames(in: $1.value)) }
        case .array(let items): items.reduce(into: []) { $0.formUnion(placeholderNames(in: $1)) }
        case .string(let text): Set(Placeholder.all(in: text).map(\.name))
        default: []
        }
    }

    static func coerce(_ raw: String, to schema: JSONValue?) -> JSONValue {
        let types: [String] = switch schema?["type"] {
        case .string(let t)?: [t]
        case .array(let ts)?: ts.compactMap(\.stringValue)
        default: []
        }
        let trimmed = raw.trimmingWhitespace()
        if types.contains("integer"), let int = Int(trimmed) { return .integer(int) }
        if types.contains("number"), let double = Double(trimmed) { return .number(double) }
        if types.contains("boolean") {
            switch trimmed.lowercased() {
            case "true", "yes", "on", "1": return .bool(true)
            case "false", "no", "off", "0": return .bool(false)
            default: break
            }
        }
        return .string(raw)
    }

    static func substitute(_ text: String, captures: [String: String]) -> String {
        var result = ""
        var rest = Substring(text)
        while let open = rest.firstRange(of: "{{"), let close = rest[open.upperBound...].firstRange(of: "}}") {
            result += rest[..<open.lowerBound]
            let inner = String(rest[open.upperBound..<close.lowerBound])
            if let placeholder = Placeholder(inner: inner) {
                result += captures[placeholder.name] ?? placeholder.defaultValue ?? ""
            } else {
                result += rest[open.lowerBound..<close.upperBound]
            }
            rest = rest[close.upperBound...]
        }
        return result + rest
    }
}

/// `{{name}}` or `{{name|default}}`.
package struct Placeholder: Hashable {
    package var name: String
    package var defaultValue: String?

    init?(inner: String) {
        let parts = inner.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false)
        let name = parts[0].trimmingWhitespace()
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { return nil }
        self.name = name
        defaultValue = parts.count > 1 ? String(parts[1]) : nil
    }

    init?(wholeString text: String) {
        guard text.hasPrefix("{{"), text.hasSuffix("}}"), text.count > 4 else { return nil }
        let inner = String(text.dropFirst(2).dropLast(2))
        guard !inner.contains("{{"), !inner.contains("}}") else { return nil }
        self.init(inner: inner)
    }

    package static func all(in text: String) -> [Placeholder] {
        var found: [Placeholder] = []
        var rest = Substring(text)
        while let open = rest.firstRange(of: "{{"), let close = rest[open.upperBound...].firstRange(of: "}}") {
            if let placeholder = Placeholder(inner: String(rest[open.upperBound..<close.lowerBound])) { found.append(placeholder) }
            rest = rest[close.upperBound...]
        }
        return found
    }
}
