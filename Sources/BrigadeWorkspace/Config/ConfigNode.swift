import BrigadeCore

/// A YAML node being decoded as configuration: the node and the key path that led to it
/// (`limits.max_turns`, `tools[2].command.argv[0]`), so that every error reads
/// "`limits.max_turns`: expected integer, got string" at the value's file:line:col.
///
/// Used for `config.yaml`, tool declarations and routes.
package struct ConfigNode: Sendable {
    package var node: YAMLNode
    /// The parent's path and this node's step from it, joined into `path` only when it is read (by a
    /// message, or to make a grandchild): most values are read and never named.
    private var parentPath: String
    private var step: Step

    fileprivate enum Step {
        case none
        case key(String)
        case index(Int)
    }

    package init(_ node: YAMLNode, path: String = "") {
        self.node = node
        self.parentPath = path
        self.step = .none
    }

    fileprivate init(_ node: YAMLNode, parentPath: String, step: Step) {
        self.node = node
        self.parentPath = parentPath
        self.step = step
    }

    /// Dotted key path from the document root; empty for the root.
    package var path: String {
        switch step {
        case .none: parentPath
        case .key(let key): parentPath.isEmpty ? key : "\(parentPath).\(key)"
        case .index(let index): "\(parentPath)[\(index)]"
        }
    }

    package var location: SourceLocation { node.location }
    package var isNull: Bool { node.scalarValue?.isNull ?? false }
    /// The subtree as JSON (schemas, body templates).
    package var json: JSONValue { node.json }

    /// An error about this value: "`path`: message" at its location.
    package func error(_ message: String) -> ConfigError {
        error(message, at: location)
    }

    func error(_ message: String, at location: SourceLocation) -> ConfigError {
        ConfigError(path.isEmpty ? message : "`\(path)`: \(message)", at: location)
    }

    /// "expected integer, got string `abc`".
    package func typeMismatch(expected: String) -> ConfigError {
        var got = node.typeName
        if let text = node.scalarText, !isNull {
            got += text.count <= 40 ? " `\(text)`" : " `\(text.prefix(37))...`"
        }
        return error("expected \(expected), got \(got)")
    }

    /// Reads this node as a mapping.
    /// - Parameter allowedKeys: the keys the mapping may hold; an unknown key is an error at the key,
    ///   with a "did you mean" suggestion. `nil` allows any key (free-form maps such as `env`).
    /// - Throws: `ConfigError` when the node is not a mapping or holds an unknown key.
    package func mapping(allowedKeys: [String]? = nil) throws(ConfigError) -> ConfigMapping {
        guard let pairs = node.pairs else {
            // An empty value (`limits:` with nothing under it) reads as an empty mapping.
            if isNull { return ConfigMapping(self, pairs: []) }
            throw typeMismatch(expected: "mapping")
        }
        if let allowedKeys {
            for pair in pairs where !allowedKeys.contains(where: { $0.utf8.count == pair.key.utf8.count && $0 == pair.key }) {
                let place = path.isEmpty ? "at the top level" : "in `\(path)`"
                throw ConfigError(
                    "unknown key `\(pair.key.quotedForError())` \(place)" + ConfigSuggestion.hint(for: pair.key, among: allowedKeys),
                    at: pair.keyLocation
                )
            }
        }
        return ConfigMapping(self, pairs: pairs)
    }

    /// Reads this node as a sequence; each element's path is `path[i]`. An empty value reads as `[]`.
    package func sequence() throws(ConfigError) -> [ConfigNode] {
        guard let items = node.items else {
            if isNull { return [] }
            throw typeMismatch(expected: "sequence")
        }
        let path = self.path
        return items.enumerated().map { ConfigNode($1, parentPath: path, step: .index($0)) }
    }
}

/// A mapping being decoded: lookups by key, with paths extended for messages.
package struct ConfigMapping: Sendable {
    package let owner: ConfigNode
    package let pairs: [YAMLPair]
    /// The owner's path, joined once for all the values looked up in it (each value's path starts
    /// with it).
    private let ownerPath: String

    init(_ owner: ConfigNode, pairs: [YAMLPair]) {
        self.owner = owner
        self.pairs = pairs
        self.ownerPath = owner.path
    }

    private func child(_ node: YAMLNode, key: String) -> ConfigNode {
        ConfigNode(node, parentPath: ownerPath, step: .key(key))
    }

    package var keys: [String] { pairs.map(\.key) }
    package var location: SourceLocation { owner.location }

    package func contains(_ key: String) -> Bool { pairs.contains { $0.key == key } }

    /// The value for `key` as written (possibly null); `nil` when the key is absent.
    package subscript(key: String) -> ConfigNode? {
        // Byte counts first: most keys differ in length, and that answers without a string comparison.
        let length = key.utf8.count
        return pairs.first { $0.key.utf8.count == length && $0.key == key }.map { child($0.value, key: key) }
    }

    /// The value for `key`, or `nil` when the key is absent or its value is null (`~`, empty).
    package func optional(_ key: String) -> ConfigNode? {
        guard let value = self[key], !value.isNull else { return nil }
        return value
    }

    /// The value for `key`; absent or null is an error at the mapping.
    package func required(_ key: String) throws(ConfigError) -> ConfigNode {
        if let value = optional(key) { return value }
        let name = ownerPath.isEmpty ? key : "\(ownerPath).\(key)"
        if let present = self[key] { throw ConfigError("`\(name)` must have a value", at: present.location) }
        throw ConfigError("missing required key `\(name)`", at: owner.location)
    }

    /// Every entry in order, for free-form mappings.
    package var entries: [(key: String, keyLocation: SourceLocation, value: ConfigNode)] {
        pairs.map { ($0.key, $0.keyLocation, child($0.value, key: $0.key)) }
    }
}

extension ConfigMapping {
    /// Where `key` itself was written; `nil` when absent.
    package func keyLocation(_ key: String) -> SourceLocation? {
        pairs.first { $0.key == key }?.keyLocation
    }
}
