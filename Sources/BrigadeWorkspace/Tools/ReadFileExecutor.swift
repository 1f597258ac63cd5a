#if canImport(Glibc)
import BrigadeCore
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `read_file`: a text file, or a byte range of it, from inside the roots.
///
/// Arguments: `path`, optional `offset` (bytes) and `max_bytes` (at most the tool's output cap).
/// Binary files (a NUL byte, or invalid UTF-8) are reported as such, not shown. When the file goes on
/// past what is shown, a last line says where to continue.
package struct ReadFileExecutor: ToolExecutor {
    public let roots: FileRoots
    public let maxOutputBytes: Int

    public init(roots: FileRoots, maxOutputBytes: Int) {
        self.roots = roots
        self.maxOutputBytes = maxOutputBytes
    }

    public func call(_ arguments: JSONValue, context: ToolContext) async throws -> ToolOutput {
        try Task.checkCancellation()
        guard let requested = arguments["path"]?.stringValue else {
            return ToolOutput(text: "missing required string argument `path`", isError: true)
        }
        let offset = max(0, arguments["offset"]?.intValue ?? 0)
        let limit = min(max(1, arguments["max_bytes"]?.intValue ?? maxOutputBytes), maxOutputBytes)
        let shown = Preview.line(requested, limit: 200)
        switch roots.withOpened(requested, directory: false, { fd, _ in read(fd, requested: shown, offset: offset, limit: limit) }) {
        case .success(let text): return ToolOutput(text: text)
        case .failure(let error): return .failure(error)
        }
    }

    private func read(_ fd: Int32, requested: String, offset: Int, limit: Int) -> Result<String, ToolCallProblem> {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return .failure(ToolCallProblem("`\(requested)`: cannot read its status")) }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: return .failure(ToolCallProblem("`\(requested)` is a directory; use list_dir"))
        default: return .failure(ToolCallProblem("`\(requested)` is not a regular file"))
        }
        let size = Int(info.st_size)
        if size == 0 { return .success("(empty file)") }
        guard offset < size else {
            return .failure(ToolCallProblem("offset \(offset) is past the end of `\(requested)` (\(size) bytes)"))
        }
        let bytes = FileBytes.read(fd, count: min(limit, size - offset), offset: offset)
        let filled = bytes.count
        guard let (text, skipped) = Self.text(of: bytes, cutAtStart: offset > 0, cutAtEnd: offset + filled < size) else {
            return .failure(ToolCallProblem("`\(requested)` looks like a binary file (\(size) bytes); read_file shows text only"))
        }
        guard offset > 0 || offset + filled < size else { return .success(text) }
        let start = offset + skipped
        let end = start + text.utf8.count
        var note = "\n[bytes \(start)–\(end - 1) of \(size)"
        note += end < size ? "; continue with offset=\(end)]" : "]"
        return .success(text + note)
    }

    /// UTF-8 text of a slice and the count of bytes skipped at its start, ignoring a character cut at
    /// either edge; `nil` for binary content.
    static func text(of bytes: [UInt8], cutAtStart: Bool, cutAtEnd: Bool) -> (String, Int)? {
        guard !bytes.contains(0) else { return nil }
        let skipped = cutAtStart ? bytes.prefix(3).prefix { $0 & 0xC0 == 0x80 }.count : 0
        let slice = Array(bytes.dropFirst(skipped))
        if let whole = String(validating: slice, as: UTF8.self) { return (whole, skipped) }
        guard cutAtEnd, let text = String(validating: droppingIncompleteTail(slice), as: UTF8.self) else { return nil }
        return (text, skipped)
    }

    private static func droppingIncompleteTail(_ bytes: [UInt8]) -> [UInt8] {
        var end = bytes.count
        var steps = 0
        while end > 0, steps < 3, bytes[end - 1] & 0xC0 == 0x80 {
            end -= 1
            steps += 1
        }
        if end > 0, bytes[end - 1] >= 0xC0 { end -= 1 }
        return Array(bytes[..<end])
    }
}
