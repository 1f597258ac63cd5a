/// A failure of the run store: the file cannot be used, or a request names something it does not hold.
public struct RunStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure. A struct, not an enum, so that new codes do not break a `switch`: keep a `default:`.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The file is not an SQLite database, or it is damaged. It is never overwritten.
        public static let corrupt = Code(rawValue: "corrupt")
        /// The file is another program's SQLite database. It is never touched.
        public static let foreignFile = Code(rawValue: "foreign_file")
        /// The file was written by a newer Brigade (a later schema version).
        public static let newerSchema = Code(rawValue: "newer_schema")
        /// The disk is full or read-only, or the file cannot be opened or written.
        public static let unavailable = Code(rawValue: "unavailable")
        /// No run with that id.
        public static let unknownRun = Code(rawValue: "unknown_run")
        /// No conversation with that id.
        public static let unknownConversation = Code(rawValue: "unknown_conversation")
        /// The run is not in a state that allows it (approving a call already decided, resuming a finished run).
        public static let invalidState = Code(rawValue: "invalid_state")
        /// Another process holds the run (it resumed it first).
        public static let claimed = Code(rawValue: "claimed")
    }

    public var code: Code
    /// The database file concerned.
    public var path: String
    /// One line for the user, naming the file when the file is the problem.
    public var message: String

    public init(_ code: Code, path: String, _ message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    init(sqlite error: SQLiteError, path: String) {
        if error.isNotADatabase {
            self.init(.corrupt, path: path, "\(path) is not a run store (not an SQLite database); it was left untouched — move it away or set `store.path`")
        } else if error.isCorrupt {
            self.init(.corrupt, path: path, "\(path) is not a usable run store (\(error.message)); it was left untouched — move it away to start a new one")
        } else if error.isBusy {
            self.init(.unavailable, path: path, "the run store \(path) stayed locked by another process (\(error.message)) for longer than its busy timeout")
        } else {
            self.init(.unavailable, path: path, "cannot write the run store \(path): \(error.message)")
        }
    }

    public var description: String { message }
}
