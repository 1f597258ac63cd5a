import BrigadeCore

/// One attribute of a span or a resource, as OTLP carries it: a key and a typed value.
public struct OTLPAttribute: Sendable, Hashable {
    /// An attribute value: OTLP's `AnyValue` for the scalar types Brigade sends.
    public enum Value: Sendable, Hashable {
        case string(String)
        case int(Int)
        case double(Double)
        case bool(Bool)

        /// The text of a `.string` value.
        public var stringValue: String? {
            if case .string(let text) = self { text } else { nil }
        }

        /// The OTLP/JSON form: `{"stringValue": …}`, `{"intValue": "…"}` (64-bit integers are
        /// decimal strings in the JSON mapping), `{"doubleValue": …}`, `{"boolValue": …}`.
        var json: JSONValue {
            switch self {
            case .string(let text): .object(["stringValue": .string(text)])
            case .int(let number): .object(["intValue": .string(String(number))])
            case .double(let number): .object(["doubleValue": number.isFinite ? .number(number) : .string(number.isNaN ? "NaN" : number > 0 ? "Infinity" : "-Infinity")])
            case .bool(let flag): .object(["boolValue": .bool(flag)])
            }
        }
    }

    public var key: String
    public var value: Value

    public init(_ key: String, _ value: Value) {
        self.key = key
        self.value = value
    }

    public init(_ key: String, _ text: String) { self.init(key, .string(text)) }
    public init(_ key: String, _ number: Int) { self.init(key, .int(number)) }
    public init(_ key: String, _ number: Double) { self.init(key, .double(number)) }
    public init(_ key: String, _ flag: Bool) { self.init(key, .bool(flag)) }

    /// The OTLP/JSON `KeyValue`: `{"key": …, "value": {…}}`.
    var json: JSONValue { .object(["key": .string(key), "value": value.json]) }
}
