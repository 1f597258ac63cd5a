/// An ordered list of HTTP header fields with case-insensitive name lookup.
///
/// Order and repeated names are kept: `Set-Cookie` may appear several times, and
/// ``values(for:)`` returns every value in order.
public struct HTTPHeaders: Sendable, Hashable {
    /// One header field.
    public struct Field: Sendable, Hashable {
        /// The name as given or received (lookups ignore ASCII case).
        public var name: String
        /// The value, without surrounding whitespace when received.
        public var value: String

        /// Creates a field.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// Every field in order.
    public private(set) var fields: [Field]

    /// Creates headers from `(name, value)` pairs, in order.
    public init(_ pairs: [(name: String, value: String)] = []) {
        fields = pairs.map { Field(name: $0.name, value: $0.value) }
    }

    /// Headers with these fields, in order (the response head parser's, without a copy).
    init(fields: [Field]) {
        self.fields = fields
    }

    /// The first value of the field named `name` (compared case-insensitively), or `nil`.
    public subscript(name: String) -> String? {
        fields.first { Self.namesMatch($0.name, name) }?.value
    }

    /// Every value of the fields named `name` (compared case-insensitively), in order.
    public func values(for name: String) -> [String] {
        fields.filter { Self.namesMatch($0.name, name) }.map(\.value)
    }

    /// Whether a field named `name` is present.
    public func contains(_ name: String) -> Bool {
        fields.contains { Self.namesMatch($0.name, name) }
    }

    /// Appends a field, keeping any existing ones of the same name.
    public mutating func add(name: String, value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// Removes every field named `name`, then appends one with `value`.
    public mutating func replaceOrAdd(name: String, value: String) {
        remove(name: name)
        add(name: name, value: value)
    }

    /// Removes every field named `name`.
    public mutating func remove(name: String) {
        fields.removeAll { Self.namesMatch($0.name, name) }
    }

    /// The number of fields.
    public var count: Int { fields.count }

    /// ASCII case-insensitive comparison, as header names are ASCII tokens.
    /// Compares the two strings' UTF-8 buffers in place (`zip` over two `UTF8View`s cost about 120
    /// instructions a byte; a request's preparation compares names several times).
    static func namesMatch(_ lhs: String, _ rhs: String) -> Bool {
        guard lhs.utf8.count == rhs.utf8.count else { return false }
        // `withUTF8` needs a mutable string; for a native one that is no copy.
        var left = lhs, right = rhs
        return left.withUTF8 { left in
            right.withUTF8 { right in
                for index in 0..<left.count where asciiLowercased(left[index]) != asciiLowercased(right[index]) {
                    return false
                }
                return true
            }
        }
    }

    private static func asciiLowercased(_ byte: UInt8) -> UInt8 {
        (byte >= 0x41 && byte <= 0x5A) ? byte | 0x20 : byte
    }
}

extension HTTPHeaders: ExpressibleByDictionaryLiteral {
    /// `["Content-Type": "application/json"]`; literal order is kept.
    public init(dictionaryLiteral elements: (String, String)...) {
        fields = elements.map { Field(name: $0.0, value: $0.1) }
    }
}

extension HTTPHeaders: Sequence {
    /// Iterates over every field in order as `(name, value)`.
    public func makeIterator() -> some IteratorProtocol<(name: String, value: String)> {
        fields.lazy.map { (name: $0.name, value: $0.value) }.makeIterator()
    }
}
