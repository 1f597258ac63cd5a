/// A JSON value whose objects keep the order of their keys.
///
/// Tool arguments, JSON Schemas, configuration and model messages all travel as `JSONValue`.
/// Integers and floating-point numbers are kept apart so that large integers survive a round trip.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
}

/// An ordered JSON object: lookups by key, iteration in insertion order.
///
/// Equality ignores key order, as JSON's does.
public struct JSONObject: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    public private(set) var keys: [String] = []
    private var storage: [String: JSONValue] = [:]

    public init() {}

    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements)
    }

    /// Inlinable, so that a caller in another module (the YAML and configuration decoders) gets the
    /// loop specialised for its sequence instead of generic code over witness tables.
    @inlinable
    public init(_ pairs: some Sequence<(String, JSONValue)>) {
        // Room for every pair at once: growing key by key reallocates both tables several times.
        self.init(reservingCapacity: pairs.underestimatedCount)
        for (key, value) in pairs { self[key] = value }
    }

    @usableFromInline
    init(reservingCapacity count: Int) {
        keys.reserveCapacity(count)
        storage.reserveCapacity(count)
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    public subscript(key: String) -> JSONValue? {
        get { storage[key] }
        set {
            if let newValue {
                if storage.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if storage.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    public func makeIterator() -> some IteratorProtocol<(key: String, value: JSONValue)> {
        EntryIterator(keys: keys, storage: storage)
    }

    /// The entries in key order (a struct, not `AnyIterator`: no box to allocate per loop).
    private struct EntryIterator: IteratorProtocol {
        let keys: [String]
        let storage: [String: JSONValue]
        var index = 0

        mutating func next() -> (key: String, value: JSONValue)? {
            guard index < keys.count else { return nil }
            defer { index += 1 }
            return (keys[index], storage[keys[index]]!)
        }
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool { lhs.storage == rhs.storage }
    public func hash(into hasher: inout Hasher) { hasher.combine(storage) }
}

extension JSONValue {
    /// The JSON type name used in messages: "string", "number", "integer", "boolean", "array", "object", "null".
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .integer: "integer"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    public var boolValue: Bool? { if case .bool(let b) = self { b } else { nil } }
    public var intValue: Int? {
        switch self {
        case .integer(let i): i
        case .number(let d) where d.rounded() == d && abs(d) <= 9_007_199_254_740_992: Int(d)  // 2^53: exact
        default: nil
        }
    }
    public var doubleValue: Double? {
        switch self {
        case .integer(let i): Double(i)
        case .number(let d): d
        default: nil
        }
    }
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { a } else { nil } }
    public var objectValue: JSONObject? { if case .object(let o) = self { o } else { nil } }
    public var isNull: Bool { if case .null = self { true } else { false } }

    /// Member lookup on objects; `nil` for other values and missing keys.
    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { o[key] } else { nil }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(JSONObject(elements)) }
    public init(nilLiteral: ()) { self = .null }
}
