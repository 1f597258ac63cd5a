import BrigadeCore

/// An input line that could not be read as an item. It becomes a failed item in the output.
public struct BatchMalformedLine: Sendable, Hashable {
    /// The id the line gave, when it gave a usable one; otherwise its line number.
    public var id: BatchItemID
    /// The 1-based line number.
    public var line: Int
    /// What is wrong with the line.
    public var reason: String

    public init(id: BatchItemID, line: Int, reason: String) {
        self.id = id
        self.line = line
        self.reason = reason
    }
}

/// One non-blank line of batch input: an item, or a malformed line.
public enum BatchInputEntry: Sendable, Hashable {
    case item(BatchItem)
    case malformed(BatchMalformedLine)

    public var id: BatchItemID {
        switch self {
        case .item(let item): item.id
        case .malformed(let malformed): malformed.id
        }
    }

    public var line: Int {
        switch self {
        case .item(let item): item.line
        case .malformed(let malformed): malformed.line
        }
    }
}

/// The parsed input of a batch, in input order, with every id distinct.
///
/// Input is JSON Lines. A line whose first non-blank character is `{` is a JSON object:
/// `{"id": "a1", "prompt": "…", "mode": "agent", "budget": {"usd": 0.05}, "metadata": {…}}`
/// (`id` a non-empty string or an integer; `prompt` a non-empty string; the others optional; other
/// keys are ignored). Any other line is a plain-text prompt whose id is its line number. Blank lines
/// are skipped. A line that breaks these rules is kept as ``BatchInputEntry/malformed(_:)``.
public struct BatchInput: Sendable, Hashable {
    /// The entries in input order.
    public let entries: [BatchInputEntry]

    /// Builds an input from entries.
    ///
    /// - Throws: ``BatchError/Code/duplicateIDs`` listing every id that occurs more than once, with its lines.
    public init(entries: [BatchInputEntry]) throws(BatchError) {
        // Most inputs have no duplicates: one set insertion per entry finds that out; only an input
        // with duplicates pays for collecting every line of each.
        var seen = Set<BatchItemID>(minimumCapacity: entries.count)
        guard !entries.allSatisfy({ seen.insert($0.id).inserted }) else {
            self.entries = entries
            return
        }
        var lines: [BatchItemID: [Int]] = [:]
        var order: [BatchItemID] = []
        for entry in entries {
            if lines[entry.id, default: []].isEmpty { order.append(entry.id) }
            lines[entry.id, default: []].append(entry.line)
        }
        let duplicates = order.compactMap { id -> BatchDuplicateID? in
            guard let at = lines[id], at.count > 1 else { return nil }
            return BatchDuplicateID(id: id, locations: at.map { "line \($0)" })
        }
        if !duplicates.isEmpty { throw .duplicateIDs(duplicates, in: "the input") }
        self.entries = entries
    }

    /// Parses JSON Lines input from UTF-8 bytes.
    ///
    /// - Throws: ``BatchError/Code/duplicateIDs`` when ids repeat. Malformed lines do not throw.
    public init(parsing bytes: some Collection<UInt8>) throws(BatchError) {
        var entries: [BatchInputEntry] = []
        var lineNumber = 0
        for var line in Array(bytes).split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNumber += 1
            if lineNumber == 1, line.starts(with: [0xEF, 0xBB, 0xBF]) { line = line.dropFirst(3) }
            if let entry = BatchInputLine.parse(line, number: lineNumber) { entries.append(entry) }
        }
        try self.init(entries: entries)
    }

    /// Reads and parses an input file.
    ///
    /// - Throws: ``BatchError/Code/io`` when the file cannot be read (or does not exist);
    ///   ``BatchError/Code/duplicateIDs`` when ids repeat.
    public init(contentsOf path: String) throws(BatchError) {
        guard let bytes = try BatchFile.readFile(path) else {
            throw BatchError(.io, "cannot read \(path): no such file", path: path)
        }
        try self.init(parsing: bytes)
    }

    /// The entries that belong to `shard` (all of them when `shard` is `nil`).
    public func entries(in shard: BatchShard?) -> [BatchInputEntry] {
        guard let shard else { return entries }
        return entries.filter { shard.contains($0.id) }
    }
}

/// The rules for one input line.
enum BatchInputLine {
    static let budgetKeys = ["usd", "input_tokens", "output_tokens", "wall_seconds"]

    /// Parses one line (without its newline); `nil` for a blank line.
    static func parse(_ bytes: ArraySlice<UInt8>, number: Int) -> BatchInputEntry? {
        let fallbackID = BatchItemID(number)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            return .malformed(BatchMalformedLine(id: fallbackID, line: number, reason: "the line is not valid UTF-8"))
        }
        let trimmed = trim(text)
        if trimmed.isEmpty { return nil }
        guard trimmed.hasPrefix("{") else {
            return .item(BatchItem(id: fallbackID, prompt: trimmed, line: number))
        }
        let object: JSONObject
        do {
            guard let parsed = try JSONValue(parsing: trimmed).objectValue else {
                return .malformed(BatchMalformedLine(id: fallbackID, line: number, reason: "the line is not a JSON object"))
            }
            object = parsed
        } catch {
            return .malformed(BatchMalformedLine(id: fallbackID, line: number, reason: "invalid JSON: \(error.message) at column \(error.column)"))
        }
        var id = fallbackID
        func malformed(_ reason: String) -> BatchInputEntry {
            .malformed(BatchMalformedLine(id: id, line: number, reason: reason))
        }
        guard let rawID = object["id"] else { return malformed("missing \"id\" (a string or an integer)") }
        guard let parsedID = BatchItemID(json: rawID) else {
            return malformed("\"id\" must be a non-empty string or an integer, not \(rawID.jsonString)")
        }
        id = parsedID
        guard let prompt = object["prompt"]?.stringValue, !isBlank(prompt) else {
            return malformed(object["prompt"] == nil ? "missing \"prompt\"" : "\"prompt\" must be a non-empty string")
        }
        var item = BatchItem(id: id, prompt: prompt, metadata: object["metadata"], line: number)
        if let mode = object["mode"], !mode.isNull {
            guard let name = mode.stringValue, !name.isEmpty else { return malformed("\"mode\" must be a non-empty string") }
            item.mode = name
        }
        if let budget = object["budget"], !budget.isNull {
            switch parseBudget(budget) {
            case .success(let parsed): item.budget = parsed
            case .failure(let reason): return malformed(reason.message)
            }
        }
        return .item(item)
    }

    struct Reason: Error { var message: String }

    /// `text` without leading and trailing spaces, tabs, carriage returns and newlines (whole characters).
    static func trim(_ text: String) -> String {
        // Byte-wise when the text's first and last other bytes are ASCII (a JSON line's `{` and
        // `}`): no grapheme cluster can then join a trimmed byte to a kept one, so the bytes give
        // the same cut as the characters, without walking the text character by character.
        let utf8 = text.utf8
        guard let firstByte = utf8.firstIndex(where: { !isSpaceByte($0) }) else { return "" }
        let lastByte = utf8.lastIndex(where: { !isSpaceByte($0) })!
        if utf8[firstByte] < 0x80, utf8[lastByte] < 0x80 {
            if firstByte == utf8.startIndex, utf8.index(after: lastByte) == utf8.endIndex { return text }
            return String(text[firstByte...lastByte])
        }
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }
        guard let first = text.firstIndex(where: { !isSpace($0) }), let last = text.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(text[first...last])
    }

    /// `trim(text).isEmpty`: every character is a space, tab, carriage return or newline — that is,
    /// every byte is one.
    static func isBlank(_ text: String) -> Bool {
        text.utf8.allSatisfy(isSpaceByte)
    }

    private static func isSpaceByte(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A
    }

    /// Parses `{"usd": …, "input_tokens": …, "output_tokens": …, "wall_seconds": …}`; unknown keys are
    /// refused, since a misspelt limit would silently be no limit.
    static func parseBudget(_ value: JSONValue) -> Result<BatchBudget, Reason> {
        guard let object = value.objectValue else { return .failure(Reason(message: "\"budget\" must be an object")) }
        if let unknown = object.keys.first(where: { !budgetKeys.contains($0) }) {
            return .failure(Reason(message: "unknown budget key \"\(unknown)\" (allowed: \(budgetKeys.joined(separator: ", ")))"))
        }
        var budget = BatchBudget()
        for (key, limit) in object where !limit.isNull {
            guard let number = limit.doubleValue, number.isFinite, number >= 0 else {
                return .failure(Reason(message: "budget \"\(key)\" must be a non-negative number, not \(limit.jsonString)"))
            }
            switch key {
            case "usd": budget.usd = number
            case "wall_seconds":
                guard number > 0 else { return .failure(Reason(message: "budget \"wall_seconds\" must be greater than 0")) }
                budget.wallSeconds = number
            default:
                guard let tokens = limit.intValue else {
                    return .failure(Reason(message: "budget \"\(key)\" must be an integer, not \(limit.jsonString)"))
                }
                if key == "input_tokens" { budget.inputTokens = tokens } else { budget.outputTokens = tokens }
            }
        }
        return .success(budget)
    }
}
