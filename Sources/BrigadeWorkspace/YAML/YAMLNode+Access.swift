import BrigadeCore

extension YAMLNode {
    /// The subtree as JSON: mappings become objects (key order kept), sequences arrays, scalars their
    /// resolved values.
    public var json: JSONValue {
        switch content {
        case .scalar(let value, _): value
        case .sequence(let items): .array(items.map(\.json))
        case .mapping(let pairs): .object(JSONObject(pairs.lazy.map { ($0.key, $0.value.json) }))
        }
    }

    /// What the node is, for messages: "mapping", "sequence", or the scalar's JSON type
    /// ("string", "integer", "number", "boolean", "null").
    public var typeName: String {
        switch content {
        case .scalar(let value, _): value.typeName
        case .sequence: "sequence"
        case .mapping: "mapping"
        }
    }

    /// The resolved value of a scalar; `nil` for collections.
    public var scalarValue: JSONValue? {
        if case .scalar(let value, _) = content { value } else { nil }
    }

    /// The source text of a scalar (after quote and escape processing); `nil` for collections.
    public var scalarText: String? {
        if case .scalar(_, let text) = content { text } else { nil }
    }

    public var items: [YAMLNode]? {
        if case .sequence(let items) = content { items } else { nil }
    }

    public var pairs: [YAMLPair]? {
        if case .mapping(let pairs) = content { pairs } else { nil }
    }

    /// The value for `key` in a mapping; `nil` when absent or when the node is not a mapping.
    public subscript(key: String) -> YAMLNode? {
        pairs?.first { $0.key == key }?.value
    }

    /// The location of the character `offset` characters into a scalar's text, when the text appears
    /// verbatim on one source line; otherwise the node's own location.
    func location(ofTextOffset offset: Int) -> SourceLocation {
        guard let textColumnOffset, let text = scalarText, Self.hasLength(text, Int(textColumnCount)) else { return location }
        var start = location
        start.column += Int(textColumnOffset) + offset
        return start
    }

    /// Whether `text` is `length` characters long (libyaml's columns count Unicode scalars), without
    /// counting them when the byte count already answers: fewer bytes than `length` cannot make it,
    /// and as many bytes make it exactly when all are ASCII. Escapes and doubled quotes always take
    /// more columns than the characters they stand for, so a text of its columns' length is verbatim.
    private static func hasLength(_ text: String, _ length: Int) -> Bool {
        let bytes = text.utf8.count
        if bytes < length { return false }
        if bytes == length { return text.utf8.allSatisfy { $0 < 0x80 } }
        return text.unicodeScalars.count == length
    }
}
