import Synchronization
/// A path into a JSON value, printed as `stops[2].name` (keys that are not identifiers are quoted:
/// `headers["x-id"]`).
struct SchemaPath: Sendable, CustomStringConvertible {
    enum Component: Sendable {
        case key(String)
        case index(Int)
    }

    var components: [Component] = []

    func appending(_ key: String) -> SchemaPath { appending(Component.key(key)) }

    func appending(_ index: Int) -> SchemaPath { appending(Component.index(index)) }

    /// One allocation (the new array), not two (`components + [component]` builds the literal first).
    private func appending(_ component: Component) -> SchemaPath {
        var extended: [Component] = []
        extended.reserveCapacity(components.count + 1)
        extended.append(contentsOf: components)
        extended.append(component)
        return SchemaPath(components: extended)
    }

    var description: String {
        var out = ""
        for component in components {
            switch component {
            case .key(let key):
                if Self.isIdentifier(key) {
                    if !out.isEmpty { out += "." }
                    out += key
                } else {
                    out += "[" + JSONValue.string(key).jsonString + "]"
                }
            case .index(let index):
                out += "[\(index)]"
            }
        }
        return out
    }

    static func isIdentifier(_ key: String) -> Bool {
        guard let first = key.unicodeScalars.first, first == "_" || first.properties.isAlphabetic else { return false }
        return key.unicodeScalars.allSatisfy { $0 == "_" || $0 == "-" || $0.properties.isAlphabetic || ("0"..."9").contains($0) }
    }
}

extension JSONValue {
    /// Equality by JSON value: numbers compare by value (`3 == 3.0`), objects ignore key order.
    package func isJSONEqual(to other: JSONValue) -> Bool {
        switch (self, other) {
        case (.integer(let a), .integer(let b)): return a == b
        case (.integer, .number), (.number, .integer), (.number, .number):
            return doubleValue == other.doubleValue
        case (.array(let a), .array(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.isJSONEqual(to: $1) }
        case (.object(let a), .object(let b)):
            guard a.count == b.count else { return false }
            return a.allSatisfy { key, value in b[key].map { value.isJSONEqual(to: $0) } ?? false }
        default:
            return self == other
        }
    }

    /// Whether the value is an instance of the JSON Schema type `name`.
    /// 2^53: past it a JSON number is no longer an exact integer (`1e300` would be read as some
    /// other value, or none), so `integer` refuses it.
    static let largestExactInteger = 9_007_199_254_740_992.0

    /// Whether this is a whole number too large in magnitude to be an exact integer.
    var isIntegerOutOfRange: Bool {
        if case .number(let d) = self { return d.rounded() == d && abs(d) > Self.largestExactInteger }
        return false
    }

    func isInstance(ofSchemaType name: String) -> Bool {
        switch (name, self) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object): true
        case ("number", .integer), ("number", .number), ("integer", .integer): true
        case ("integer", .number(let d)): d.isFinite && d.rounded() == d && abs(d) <= Self.largestExactInteger
        default: false
        }
    }

    /// The JSON Schema type name used in messages; integers are reported as "number", as a model
    /// reading "got number" understands it.
    var schemaTypeName: String {
        switch self {
        case .integer, .number: "number"
        default: typeName
        }
    }

    /// A short rendering for messages: JSON text, strings cut after `limit` characters.
    package func shortDescription(limit: Int = 40) -> String {
        if case .string(let s) = self, s.count > limit {
            return JSONValue.string(String(s.prefix(limit))).jsonString.dropLast() + "…\""
        }
        let text = jsonString
        return text.count > limit * 2 ? String(text.prefix(limit * 2)) + "…" : text
    }
}

/// The JSON Schema type names this validator knows.
let knownSchemaTypes: Set<String> = ["null", "boolean", "string", "number", "integer", "array", "object"]

/// "string", "string or null", "string, number or null".
func listWithOr(_ items: [String]) -> String {
    guard items.count > 1 else { return items.first ?? "" }
    return items.dropLast().joined(separator: ", ") + " or " + items[items.count - 1]
}

/// Compiled `pattern` regexes, shared by every validation.
enum PatternCache {
    private static let cache = Mutex<[String: Regex<AnyRegexOutput>]>([:])

    /// Whether `string` contains a match of `pattern`; `nil` when the pattern does not compile.
    /// Matching runs under the cache's lock because `Regex` is not `Sendable`.
    static func string(_ string: String, matches pattern: String) -> Bool? {
        cache.withLock { regexes in
            if let regex = regexes[pattern] { return string.contains(regex) }
            guard let regex = try? Regex(pattern).matchingSemantics(.unicodeScalar) else { return nil }
            if regexes.count >= 1024 { regexes.removeAll() }
            regexes[pattern] = regex
            return string.contains(regex)
        }
    }

    /// The compile error of `pattern`, or `nil` when it compiles.
    static func compileError(of pattern: String) -> String? {
        do {
            _ = try Regex(pattern)
            return nil
        } catch {
            return String(describing: error)
        }
    }
}
