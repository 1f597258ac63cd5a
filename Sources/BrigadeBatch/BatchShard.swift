/// One shard of a batch split `count` ways by a stable hash of item ids.
///
/// An item belongs to shard `fnv1a64(id.key) % count`. The hash is FNV-1a (64 bits) of the id's
/// UTF-8 bytes, the same on every machine and every run (unlike Swift's seeded `Hasher`), so shards
/// run by a Kubernetes Indexed Job or a Slurm job array cover every item exactly once.
public struct BatchShard: Sendable, Hashable, CustomStringConvertible {
    /// The 0-based index of this shard.
    public let index: Int
    /// How many shards there are.
    public let count: Int

    /// - Throws: ``BatchError/Code/invalidOption`` unless `0 <= index < count`.
    public init(index: Int, count: Int) throws(BatchError) {
        guard count >= 1 else { throw BatchError(.invalidOption, "the shard count must be at least 1, not \(count)") }
        guard index >= 0, index < count else {
            throw BatchError(.invalidOption, "the shard index must be in 0..<\(count), not \(index)")
        }
        self.index = index
        self.count = count
    }

    /// Parses `i/n`, for example `3/8` (indexes start at 0, as `JOB_COMPLETION_INDEX` and
    /// `SLURM_ARRAY_TASK_ID` with `--array=0-7` do).
    ///
    /// - Throws: ``BatchError/Code/invalidOption`` for anything else.
    public init(parsing spec: String) throws(BatchError) {
        let parts = spec.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
            throw BatchError(.invalidOption, "a shard is written INDEX/COUNT with INDEX from 0, like 0/4; got \"\(spec)\"")
        }
        try self.init(index: index, count: count)
    }

    /// Whether the item with this id belongs to this shard.
    public func contains(_ id: BatchItemID) -> Bool {
        Int(Self.fnv1a64(id.key) % UInt64(count)) == index
    }

    /// The 64-bit FNV-1a hash of a string's UTF-8 bytes.
    public static func fnv1a64(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }

    public var description: String { "\(index)/\(count)" }
}
