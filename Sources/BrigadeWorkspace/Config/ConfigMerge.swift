import BrigadeCore

/// Merges the YAML trees of configuration layers: a later layer's value replaces an earlier one key
/// by key, mappings merge recursively, and every node keeps the file:line:col it was written at, so
/// errors and `brigade config show` name the layer a value came from.
///
/// Some mappings are replaced as a whole, because their keys only make sense together: `model`, each
/// profile under `models`, each server under `mcp_servers`, and every `price`. `paths` is per layer and never merged (each layer's
/// folders load on their own).
enum ConfigMerge {
    static func merge(_ roots: [YAMLNode?]) -> YAMLNode? {
        roots.reduce(nil) { merged, next in merge(merged, next.map(withoutPaths), path: "") }
    }

    static func merge(_ base: YAMLNode?, _ over: YAMLNode?, path: String) -> YAMLNode? {
        guard let over else { return base }
        guard let base, let basePairs = base.pairs, let overPairs = over.pairs, !isAtomic(path) else { return over }
        var pairs = basePairs
        for pair in overPairs {
            let childPath = path.isEmpty ? pair.key : path + "." + pair.key
            if let index = pairs.firstIndex(where: { $0.key == pair.key }) {
                // A null value (`budget:` with nothing under it) leaves the earlier layer's mapping alone.
                if pair.value.scalarValue?.isNull == true, pairs[index].value.pairs != nil { continue }
                let value = merge(pairs[index].value, pair.value, path: childPath) ?? pair.value
                pairs[index] = YAMLPair(key: pair.key, keyLocation: pair.keyLocation, value: value)
            } else {
                pairs.append(pair)
            }
        }
        return YAMLNode(.mapping(pairs), at: over.location)
    }

    static func isAtomic(_ path: String) -> Bool {
        path == "model" || path.hasSuffix(".price")
            || ((path.hasPrefix("models.") || path.hasPrefix("mcp_servers.")) && path.split(separator: ".").count == 2)
    }

    private static func withoutPaths(_ root: YAMLNode) -> YAMLNode {
        guard let pairs = root.pairs else { return root }
        return YAMLNode(.mapping(pairs.filter { $0.key != "paths" }), at: root.location)
    }

    /// Where each value of the merged tree was written, by dotted key path (`limits.max_turns`,
    /// `models.fast.price`), for scalars, sequences and mappings alike.
    static func locations(of root: YAMLNode?) -> [String: SourceLocation] {
        var result: [String: SourceLocation] = [:]
        func visit(_ node: YAMLNode, _ path: String) {
            if !path.isEmpty { result[path] = node.location }
            for pair in node.pairs ?? [] { visit(pair.value, path.isEmpty ? pair.key : path + "." + pair.key) }
        }
        if let root { visit(root, "") }
        return result
    }
}
