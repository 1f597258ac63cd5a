import BrigadeCore
import CYAML

/// Builds a `YAMLNode` tree from libyaml events: resolves scalars, expands aliases (counting the nodes
/// they produce, so that an alias bomb fails fast), applies `<<` merge keys, and rejects duplicate and
/// non-scalar keys. Iterative, so deep nesting cannot overflow the stack.
struct YAMLComposer {
    /// Interned once: every node's location holds its number, not a copy of the name.
    private let file: SourceFile
    private let limits: YAMLLoader.Limits
    private var anchors: [String: Anchored] = [:]
    private var openAnchors: Set<String> = []
    private var nodeCount = 0
    private var stack: [Frame] = []
    /// Emptied buffers of closed collections, reused by the next ones: a node gets an exact-size
    /// copy, so a mapping costs one allocation instead of one per doubling of its pairs.
    private var sparePairs: [[YAMLPair]] = []
    private var spareItems: [[YAMLNode]] = []

    private struct Anchored {
        var node: YAMLNode
        var size: Int
    }

    /// A node just finished, with how many nodes it stands for and whether it is a plain `<<`.
    fileprivate struct Completed {
        var node: YAMLNode
        var size: Int
        var isMergeKey = false
    }

    fileprivate struct PendingKey {
        var text: String
        var location: SourceLocation
        var isMerge: Bool
    }

    fileprivate struct Collection {
        var location: SourceLocation
        var anchor: String?
        var isMapping: Bool
        var size = 1
        var items: [YAMLNode] = []
        var pairs: [YAMLPair] = []
        var pendingKey: PendingKey?
        /// Where the first plain `<<` key stood (it adds no pair).
        var mergeKeyLocation: SourceLocation?
        /// The keys of `pairs`, filled only once the mapping outgrows a linear scan.
        var keyIndex: [String: SourceLocation]?
        /// The mappings named by a `<<` key, and where in `pairs` the key stood.
        var merge: (index: Int, mappings: [YAMLNode])?

        /// Mappings up to this many keys look keys up by scanning `pairs`: no table to allocate and
        /// no hashing, which is most of the cost for the small mappings configuration files hold.
        static let scanLimit = 16

        /// Where `key` first stood in this mapping, if it did. Every earlier key is in `pairs` (or is
        /// the merge key) by the time the next key arrives, since a key's value completes first.
        func firstLocation(ofKey key: String) -> SourceLocation? {
            let length = key.utf8.count
            let inPairs = keyIndex.map { $0[key] } ?? pairs.first { $0.key.utf8.count == length && $0.key == key }?.keyLocation
            guard key == "<<", let merge = mergeKeyLocation else { return inPairs }
            guard let inPairs else { return merge }
            return (inPairs.line, inPairs.column) < (merge.line, merge.column) ? inPairs : merge
        }

        mutating func append(_ pair: YAMLPair) {
            pairs.append(pair)
            if keyIndex != nil {
                keyIndex?[pair.key] = pair.keyLocation
            } else if pairs.count > Self.scanLimit {
                keyIndex = Dictionary(pairs.map { ($0.key, $0.keyLocation) }) { first, _ in first }
            }
        }
    }

    fileprivate typealias Frame = Collection

    init(file: String, limits: YAMLLoader.Limits) {
        self.file = SourceFile(file)
        self.limits = limits
    }

    /// Reads the whole stream: `nil` when it holds no document, an error when it holds more than one.
    mutating func composeStream(_ reader: YAMLEventReader) throws(ConfigError) -> YAMLNode? {
        _ = try reader.advance()  // stream start
        guard try reader.advance() == YAML_DOCUMENT_START_EVENT else { return nil }
        let root = try composeNode(reader)
        _ = try reader.advance()  // document end
        if try reader.advance() == YAML_DOCUMENT_START_EVENT {
            throw ConfigError(
                "a file holds one YAML document; a second one starts here (remove the `---` or split the file)",
                at: location(reader.start)
            )
        }
        if case .scalar(.null, let text) = root.content, text.isEmpty { return nil }
        return root
    }

    private func location(_ mark: YAMLEvent.Mark) -> SourceLocation {
        SourceLocation(file: file, line: mark.line + 1, column: mark.column + 1)
    }

    private mutating func countNodes(_ count: Int, at mark: YAMLEvent.Mark) throws(ConfigError) {
        nodeCount += count
        if nodeCount > limits.maxNodes {
            throw ConfigError(
                "the document expands to more than \(limits.maxNodes) nodes (aliases nested too deeply?)",
                at: location(mark)
            )
        }
    }

    /// Reads events until the node that starts with the next event is complete.
    private mutating func composeNode(_ reader: YAMLEventReader) throws(ConfigError) -> YAMLNode {
        while true {
            let type = try reader.advance()
            let start = reader.start
            var completed: Completed?
            switch type {
            case YAML_SCALAR_EVENT:
                try countNodes(1, at: start)
                completed = try scalar(reader.scalar, start: start, end: reader.end)
                register(reader.anchor, completed)
            case YAML_ALIAS_EVENT:
                completed = try alias(reader.anchor ?? "", at: start)
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                try open(anchor: reader.anchor, tag: reader.collectionTag, isMapping: type == YAML_MAPPING_START_EVENT, at: start)
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard var frame = stack.popLast() else {
                    throw ConfigError("internal error: unbalanced YAML events", at: location(start))
                }
                completed = Completed(node: close(frame), size: frame.size)
                recycle(&frame)
                register(frame.anchor, completed)
            default:
                throw ConfigError("internal error: unexpected YAML event", at: location(start))
            }
            guard let completed else { continue }
            if stack.isEmpty { return completed.node }
            try attach(completed)
        }
    }

    private mutating func register(_ anchor: String?, _ completed: Completed?) {
        guard let anchor, let completed else { return }
        anchors[anchor] = Anchored(node: completed.node, size: completed.size)
        openAnchors.remove(anchor)
    }

    private mutating func scalar(_ scalar: YAMLEvent.Scalar, start: YAMLEvent.Mark, end: YAMLEvent.Mark) throws(ConfigError) -> Completed {
        let at = location(start)
        let value: JSONValue
        if let tag = scalar.tag {
            switch YAMLScalarResolver.resolve(scalar.text, tag: tag) {
            case .success(let resolved): value = resolved
            case .failure(.mismatch(let type)):
                throw ConfigError("`\(scalar.text)` is not a valid \(type) for tag \(YAMLScalarResolver.displayName(ofTag: tag))", at: at)
            case .failure(.unsupported):
                throw ConfigError("unsupported YAML tag `\(YAMLScalarResolver.displayName(ofTag: tag))`", at: at)
            }
        } else if scalar.isPlain {
            value = YAMLScalarResolver.resolvePlain(scalar.text)
        } else {
            value = .string(scalar.text)
        }
        var node = YAMLNode(.scalar(value, text: scalar.text), at: at)
        if start.line == end.line, scalar.isPlain || scalar.isQuoted {
            // Whether the text stands verbatim in those columns is decided when a message asks.
            let quotes = scalar.isQuoted ? 1 : 0
            node.textColumnOffset = UInt8(quotes)
            node.textColumnCount = UInt32(clamping: end.column - start.column - 2 * quotes)
        }
        let isMerge = scalar.isPlain && scalar.tag == nil && scalar.text == "<<"
        return Completed(node: node, size: 1, isMergeKey: isMerge)
    }

    private mutating func alias(_ name: String, at mark: YAMLEvent.Mark) throws(ConfigError) -> Completed {
        guard let anchored = anchors[name] else {
            if openAnchors.contains(name) {
                throw ConfigError("alias `*\(name)` refers to the node that contains it (recursive alias)", at: location(mark))
            }
            throw ConfigError("alias `*\(name)` refers to an undefined anchor (define it first with `&\(name)`)", at: location(mark))
        }
        try countNodes(anchored.size, at: mark)
        var node = anchored.node
        node.location = location(mark)
        node.textColumnOffset = nil
        node.textColumnCount = 0
        return Completed(node: node, size: anchored.size)
    }

    private mutating func open(anchor: String?, tag: String?, isMapping: Bool, at mark: YAMLEvent.Mark) throws(ConfigError) {
        if let tag, tag != "!", tag != YAMLScalarResolver.tagPrefix + (isMapping ? "map" : "seq") {
            throw ConfigError(
                "unsupported YAML tag `\(YAMLScalarResolver.displayName(ofTag: tag))` on a \(isMapping ? "mapping" : "sequence")",
                at: location(mark)
            )
        }
        guard stack.count < limits.maxDepth else {
            throw ConfigError("YAML nested deeper than \(limits.maxDepth) levels", at: location(mark))
        }
        try countNodes(1, at: mark)
        if let anchor { openAnchors.insert(anchor) }
        var collection = Collection(location: location(mark), anchor: anchor, isMapping: isMapping)
        if isMapping, let buffer = sparePairs.popLast() { collection.pairs = buffer }
        if !isMapping, let buffer = spareItems.popLast() { collection.items = buffer }
        stack.append(collection)
    }

    /// Keeps a closed frame's buffer (its node holds a copy) for the next collection.
    private mutating func recycle(_ frame: inout Collection) {
        if frame.isMapping {
            frame.pairs.removeAll(keepingCapacity: true)
            sparePairs.append(frame.pairs)
            frame.pairs = []
        } else {
            frame.items.removeAll(keepingCapacity: true)
            spareItems.append(frame.items)
            frame.items = []
        }
    }

    /// A copy of `elements` in a buffer of exactly their size.
    private static func exactCopy<Element>(_ elements: [Element]) -> [Element] {
        [Element](unsafeUninitializedCapacity: elements.count) { buffer, count in
            count = buffer.initialize(fromContentsOf: elements)
        }
    }

    /// Adds a completed node to the innermost open collection, in place (the frame is neither copied
    /// nor moved out of the stack).
    private mutating func attach(_ completed: Completed) throws(ConfigError) {
        try stack[stack.endIndex - 1].attach(completed)
    }
}

extension YAMLComposer.Collection {
    fileprivate mutating func attach(_ completed: YAMLComposer.Completed) throws(ConfigError) {
        size += completed.size
        guard isMapping else {
            items.append(completed.node)
            return
        }
        guard let key = pendingKey else {
            let key = try mappingKey(completed)
            if key.isMerge, mergeKeyLocation == nil { mergeKeyLocation = key.location }
            pendingKey = key
            return
        }
        pendingKey = nil
        if key.isMerge {
            merge = (pairs.count, try Self.mergedMappings(completed.node))
        } else {
            append(YAMLPair(key: key.text, keyLocation: key.location, value: completed.node))
        }
    }

    private func mappingKey(_ completed: YAMLComposer.Completed) throws(ConfigError) -> YAMLComposer.PendingKey {
        let node = completed.node
        guard case .scalar(let value, let text) = node.content else {
            let kind = if case .mapping = node.content { "a mapping" } else { "a sequence" }
            throw ConfigError("a mapping key must be a scalar, not \(kind)", at: node.location)
        }
        if value.isNull {
            throw ConfigError("a mapping key must not be empty or null", at: node.location)
        }
        if let first = firstLocation(ofKey: text) {
            throw ConfigError("duplicate key `\(text)` (first at \(first))", at: node.location)
        }
        return YAMLComposer.PendingKey(text: text, location: node.location, isMerge: completed.isMergeKey)
    }

    /// The value of a `<<` key: a mapping, or a sequence of mappings.
    private static func mergedMappings(_ value: YAMLNode) throws(ConfigError) -> [YAMLNode] {
        switch value.content {
        case .mapping: return [value]
        case .sequence(let items):
            for item in items {
                guard case .mapping = item.content else {
                    throw ConfigError("a `<<` merge key takes a mapping or a sequence of mappings", at: item.location)
                }
            }
            return items
        case .scalar:
            throw ConfigError("a `<<` merge key takes a mapping or a sequence of mappings", at: value.location)
        }
    }
}

extension YAMLComposer {
    private func close(_ frame: Collection) -> YAMLNode {
        guard frame.isMapping else { return YAMLNode(.sequence(Self.exactCopy(frame.items)), at: frame.location) }
        guard let merge = frame.merge else { return YAMLNode(.mapping(Self.exactCopy(frame.pairs)), at: frame.location) }
        // Explicit keys win; among merged mappings, the earlier one wins.
        var taken = Set(frame.pairs.map(\.key))
        var inherited: [YAMLPair] = []
        for mapping in merge.mappings {
            guard case .mapping(let pairs) = mapping.content else { continue }
            for pair in pairs where !taken.contains(pair.key) {
                taken.insert(pair.key)
                inherited.append(pair)
            }
        }
        var pairs = frame.pairs
        pairs.insert(contentsOf: inherited, at: merge.index)
        return YAMLNode(.mapping(pairs), at: frame.location)
    }
}
