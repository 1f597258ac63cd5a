import BrigadeCore

/// A YAML node with the place it was written, so that every error about configuration can name
/// file, line and column. Produced by `YAMLLoader` (libyaml's event API, aliases expanded).
public struct YAMLNode: Sendable, Hashable {
    public enum Content: Sendable, Hashable {
        /// A scalar resolved by the YAML 1.2 core schema (plain `true`, `12`, `1.5`, `null`;
        /// quoted scalars stay strings), with its source text.
        case scalar(JSONValue, text: String)
        case sequence([YAMLNode])
        /// Key order kept; keys are scalars, taken as strings.
        case mapping([YAMLPair])
    }

    public var content: Content
    public var location: SourceLocation
    /// How many columns after `location` a scalar's text would begin (0 when plain, 1 when quoted) if
    /// it appears verbatim on one line of the source, and how many columns it spans there, so that a
    /// message can point inside the text; `nil` for other nodes. Whether the text is verbatim (no
    /// escapes) is decided by `location(ofTextOffset:)`, only when a message needs it. A column offset
    /// rather than a second location keeps the node small: trees hold one per value and are copied
    /// into pairs, arrays and `ConfigNode`s.
    var textColumnOffset: UInt8?
    var textColumnCount: UInt32 = 0

    public init(_ content: Content, at location: SourceLocation) {
        self.content = content
        self.location = location
    }
}

public struct YAMLPair: Sendable, Hashable {
    public var key: String
    public var keyLocation: SourceLocation
    public var value: YAMLNode

    public init(key: String, keyLocation: SourceLocation, value: YAMLNode) {
        self.key = key
        self.keyLocation = keyLocation
        self.value = value
    }
}
