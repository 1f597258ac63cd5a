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
///
/// The entries are kept in one array, in insertion order. A small object (most schemas, arguments
/// and messages) finds a key by comparing it with each key in turn: no hash table to allocate and
/// no hashing, which costs more than a few comparisons. Past `scanLimit` keys a table from key to
/// position is kept as well.
public struct JSONObject: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    private var entries: [(key: String, value: JSONValue)] = []
    /// The position of every key, kept only once the object outgrows a scan.
    private var positions: [String: Int]?

    private static let scanLimit = 8

    public init() {}

    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements)
    }

    /// Inlinable, so that a caller in another module (the YAML and configuration decoders) gets the
    /// loop specialised for its sequence instead of generic code over witness tables.
    @inlinable
    public init(_ pairs: some Sequence<(String, JSONValue)>) {
        // Room for every pair at once: growing key by key reallocates the array several times.
        self.init(reservingCapacity: pairs.underestimatedCount)
        for (key, value) in pairs { self[key] = value }
    }

    @usableFromInline
    init(reservingCapacity count: Int) {
        entries.reserveCapacity(count)
    }

    /// The keys in order (a new array: to visit the entries, iterate the object).
    public var keys: [String] { entries.map(\.key) }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }

    private func position(of key: String) -> Int? {
        if let positions { return positions[key] }
        // Byte counts first: most keys differ in length, and that answers without a string comparison.
        let length = key.utf8.count
        return entries.firstIndex { $0.key.utf8.count == length && $0.key == key }
    }

    private mutating func indexPositions() {
        var table: [String: Int] = [:]
        table.reserveCapacity(entries.count)
        for (position, entry) in entries.enumerated() { table[entry.key] = position }
        positions = table
    }

    public subscript(key: String) -> JSONValue? {
        get { position(of: key).map { entries[$0].value } }
        set {
            if let newValue {
                if let position = position(of: key) {
                    entries[position].value = newValue
                    return
                }
                entries.append((key, newValue))
                if positions != nil {
                    positions?[key] = entries.count - 1
                } else if entries.count > Self.scanLimit {
                    indexPositions()
                }
            } else if let position = position(of: key) {
                entries.remove(at: position)
                if positions != nil { indexPositions() }
            }
        }
    }

    /// The entries in key order (the array's own iterator: no box to allocate per loop).
    public func makeIterator() -> some IteratorProtocol<(key: String, value: JSONValue)> {
        entries.makeIterator()
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for (key, value) in lhs.entries {
            guard let other = rhs[key], other == value else { return false }
        }
        return true
    }

    /// Independent of key order, like equality: the entries' own hashes are combined commutatively.
    public func hash(into hasher: inout Hasher) {
        var combined = 0
        for (key, value) in entries {
            var entry = Hasher()
            entry.combine(key)
            entry.combine(value)
            combined ^= entry.finalize()
        }
        hasher.combine(entries.count)
        hasher.combine(combined)
    }
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
