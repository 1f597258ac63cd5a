/// A place in a source file, 1-based, for messages such as `tools/disk.yaml:3:7: …`.
///
/// The file is held as an interned `SourceFile`, so a location is plain data: configuration trees
/// carry one per node, and copying them costs no reference counting.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    package var sourceFile: SourceFile
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.init(file: SourceFile(file), line: line, column: column)
    }

    package init(file: SourceFile, line: Int, column: Int) {
        self.sourceFile = file
        self.line = line
        self.column = column
    }

    public var file: String {
        get { sourceFile.name }
        set { sourceFile = SourceFile(newValue) }
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// An error in configuration, a tool registry, a route or a prompt template: one clear message and
/// where it was found. The CLI prints it as `file:line:col: error: message` and exits with code 2.
public struct ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var location: SourceLocation?

    public init(_ message: String, at location: SourceLocation? = nil) {
        self.message = message
        self.location = location
    }

    /// An error about a whole file (unreadable, missing) rather than a place in it.
    public init(_ message: String, file: String) {
        self.message = message
        self.location = SourceLocation(file: file, line: 1, column: 1)
    }

    public var description: String {
        if let location { "\(location): error: \(message)" } else { "error: \(message)" }
    }
}
