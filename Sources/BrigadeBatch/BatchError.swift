/// An id that occurs more than once, with where it occurs.
public struct BatchDuplicateID: Sendable, Hashable, CustomStringConvertible {
    public var id: BatchItemID
    /// Where the id occurs: input line numbers, or `file:line` for merged result files.
    public var locations: [String]

    public init(id: BatchItemID, locations: [String]) {
        self.id = id
        self.locations = locations
    }

    public var description: String { "\(id) (\(locations.joined(separator: ", ")))" }
}

/// A failure of a batch as a whole (item failures are not errors: they are recorded per item).
public struct BatchError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure. A struct, not an enum, so that a later release can add a code without
    /// breaking an exhaustive switch: keep a `default:` branch.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String

        public init(rawValue: String) { self.rawValue = rawValue }

        public var description: String { rawValue }

        /// The input names some ids more than once; nothing was started. See ``BatchError/duplicates``.
        public static let duplicateIDs = Code(rawValue: "duplicate_ids")
        /// A file could not be opened, read, written, synced or renamed.
        public static let io = Code(rawValue: "io")
        /// The results file holds a line, other than a torn last one, that is not a batch record.
        public static let corruptResults = Code(rawValue: "corrupt_results")
        /// Another process holds the results file.
        public static let resultsInUse = Code(rawValue: "results_in_use")
        /// An option is out of range or malformed (a shard spec, a concurrency, a file given twice …).
        public static let invalidOption = Code(rawValue: "invalid_option")
    }

    public var code: Code
    public var message: String
    /// The duplicated ids, for ``Code/duplicateIDs``.
    public var duplicates: [BatchDuplicateID]
    /// The file concerned, when there is one.
    public var path: String?
    /// For a run stopped because its results file could not be written (code ``Code/io``, stop reason
    /// `write_failed`): the summary of what was recorded before. Its lines are on disk; every other
    /// item of the run has none and runs when the batch is resumed.
    public var summary: BatchSummary?

    public init(
        _ code: Code, _ message: String, path: String? = nil, duplicates: [BatchDuplicateID] = [], summary: BatchSummary? = nil
    ) {
        self.code = code
        self.message = message
        self.path = path
        self.duplicates = duplicates
        self.summary = summary
    }

    public var description: String {
        guard code == .duplicateIDs, !duplicates.isEmpty else { return message }
        let shown = duplicates.prefix(20).map { "  id \($0)" }.joined(separator: "\n")
        let more = duplicates.count > 20 ? "\n  … and \(duplicates.count - 20) more" : ""
        return "\(message)\n\(shown)\(more)"
    }

    static func duplicateIDs(_ duplicates: [BatchDuplicateID], in what: String) -> BatchError {
        BatchError(
            .duplicateIDs,
            "\(what) names \(duplicates.count) id\(duplicates.count == 1 ? "" : "s") more than once; nothing was started",
            duplicates: duplicates
        )
    }
}
