import BrigadeCore

/// Loads YAML files into `YAMLNode` trees with source positions, on libyaml's event API.
///
/// Scalars resolve by the YAML 1.2 core schema: plain `true`/`false` (also `True`, `TRUE`), `null`,
/// `~` and empty are null, decimal/`0x`/`0o` integers, floats (`1.5`, `1e3`, `.inf`, `.nan`); quoted
/// and block scalars stay strings; explicit tags (`!!str`, `!!int`, `!!float`, `!!bool`, `!!null`,
/// `!!seq`, `!!map`, `!`) are honoured and other tags are errors. Anchors and aliases are expanded,
/// with the number of nodes produced bounded by `Limits.maxNodes`; `<<` merge keys are applied.
/// Duplicate keys, non-scalar keys and a second document in one file are errors. Every error names
/// file, line and column (1-based).
package enum YAMLLoader {
    /// Bounds that keep a hostile or mistaken file from exhausting memory or stack.
    public struct Limits: Sendable, Hashable {
        /// Nodes a document may expand to, counting every node an alias copies.
        public var maxNodes: Int
        /// Nesting depth of sequences and mappings.
        public var maxDepth: Int
        /// Size of a file `load(file:)` will read.
        public var maxFileBytes: Int

        public init(maxNodes: Int = 250_000, maxDepth: Int = 256, maxFileBytes: Int = 16 << 20) {
            self.maxNodes = maxNodes
            self.maxDepth = maxDepth
            self.maxFileBytes = maxFileBytes
        }
    }

    /// Reads and parses a YAML file.
    /// - Parameters:
    ///   - path: the file; messages name it as given.
    ///   - limits: bounds on expansion, nesting and file size.
    /// - Returns: the document's root, or `nil` when the file holds no document (empty, only comments,
    ///   or a lone `---`).
    /// - Throws: `ConfigError` when the file cannot be read or is not valid YAML, placed at file:line:col.
    public static func load(file path: String, limits: Limits = Limits()) throws(ConfigError) -> YAMLNode? {
        let bytes = try ConfigFileSystem.readFile(path, limit: limits.maxFileBytes)
        return try parse(bytes: bytes, file: path, limits: limits)
    }

    /// Parses YAML text.
    /// - Parameters:
    ///   - text: the YAML source.
    ///   - file: the name used in locations and messages.
    ///   - limits: bounds on expansion and nesting.
    /// - Returns: the document's root, or `nil` when the text holds no document.
    /// - Throws: `ConfigError` for invalid YAML, placed at file:line:col.
    public static func parse(_ text: String, file: String, limits: Limits = Limits()) throws(ConfigError) -> YAMLNode? {
        try parse(bytes: Array(text.utf8), file: file, limits: limits)
    }

    static func parse(bytes: [UInt8], file: String, limits: Limits) throws(ConfigError) -> YAMLNode? {
        if bytes.isEmpty { return nil }
        return try bytes.withUnsafeBufferPointer { (buffer) throws(ConfigError) -> YAMLNode? in
            let reader = try YAMLEventReader(input: buffer, file: file)
            var composer = YAMLComposer(file: file, limits: limits)
            return try composer.composeStream(reader)
        }
    }
}
