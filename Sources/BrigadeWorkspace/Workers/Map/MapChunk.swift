import BrigadeCore

/// One input of a map: a file's path (or `stdin`) and its text.
public struct MapSource: Sendable, Hashable {
    public var name: String
    public var text: String
    /// One record per line (a `.jsonl` file, or text whose every line is a JSON value).
    public var isJSONLines: Bool

    public init(name: String, text: String, isJSONLines: Bool? = nil) {
        self.name = name
        self.text = text
        self.isJSONLines = isJSONLines ?? (name.hasSuffix(".jsonl") || MapSource.looksLikeJSONLines(text))
    }

    static func looksLikeJSONLines(_ text: String) -> Bool {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true).prefix(20)
        return lines.count > 1 && lines.allSatisfy { line in
            let trimmed = line.trimmingWhitespace()
            return (trimmed.hasPrefix("{") || trimmed.hasPrefix("[")) && (try? JSONValue(parsing: trimmed)) != nil
        }
    }
}

/// A piece of a source small enough for one worker, with where it came from.
public struct MapChunk: Sendable, Hashable {
    /// `c0001`, `c0002`, … in input order.
    public var id: String
    public var source: String
    /// 1-based, inclusive.
    public var startLine: Int
    public var endLine: Int
    /// UTF-8 offsets in the source, end exclusive.
    public var startByte: Int
    public var endByte: Int
    public var text: String

    public init(id: String, source: String, startLine: Int, endLine: Int, startByte: Int, endByte: Int, text: String) {
        self.id = id
        self.source = source
        self.startLine = startLine
        self.endLine = endLine
        self.startByte = startByte
        self.endByte = endByte
        self.text = text
    }

    /// `docs/a.md:12-40`.
    public var position: String { "\(source):\(startLine)-\(endLine)" }
    /// bytes / 4, rounded up (the runtime's estimate).
    public var estimatedTokens: Int { (text.utf8.count + 3) / 4 }
}
