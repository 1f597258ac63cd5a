#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `list_dir`: the entries of a directory inside the roots, one per line, sorted by name:
/// `Sources/` for a directory, `README.md  (4.1 KiB)` for a file, `link -> target` for a symbolic link
/// (never followed). With `recursive`, subdirectories are listed depth-first up to `max_depth` levels;
/// `.git`, `.build` and `node_modules` are shown but not expanded. At most `maxEntries` entries are shown.
public struct ListDirectoryExecutor: ToolExecutor {
    public let roots: FileRoots
    public let maxOutputBytes: Int
    public let maxEntries: Int
    static let unexpanded: Set<String> = [".git", ".build", "node_modules"]

    public init(roots: FileRoots, maxOutputBytes: Int, maxEntries: Int = 1000) {
        self.roots = roots
        self.maxOutputBytes = maxOutputBytes
        self.maxEntries = maxEntries
    }

    public func call(_ arguments: JSONValue, context: ToolContext) async throws -> ToolOutput {
        try Task.checkCancellation()
        let requested = arguments["path"]?.stringValue ?? "."
        let recursive = arguments["recursive"]?.boolValue ?? false
        let depth = recursive ? min(max(1, arguments["max_depth"]?.intValue ?? 3), 10) : 1
        let directory: String
        switch roots.resolve(requested) {
        case .success(let path): directory = path
        case .failure(let error): return .failure(error)
        }
        guard FilePaths.isDirectory(directory) else {
            return ToolOutput(text: "`\(requested)` is not a directory; use read_file for files", isError: true)
        }
        var listing = Listing(limit: maxEntries)
        guard list(directory, prefix: "", depth: depth, into: &listing) else {
            return ToolOutput(text: "`\(requested)`: cannot open the directory (\(String(cString: strerror(errno))))", isError: true)
        }
        let count = listing.stopped ? "\(listing.total)+" : "\(listing.total)"
        var header = "\(roots.displayPath(directory))/ — \(count) \(listing.total == 1 ? "entry" : "entries")"
        if recursive { header += " (depth \(depth))" }
        var text = header + (listing.lines.isEmpty ? "\n(empty)" : "\n" + listing.lines.joined(separator: "\n"))
        if listing.stopped {
            text += "\n[more entries not shown; list a subdirectory or lower max_depth]"
        } else if listing.total > listing.lines.count {
            text += "\n[\(listing.total - listing.lines.count) more entries not shown]"
        }
        return ToolOutput(text: text.cappedForOutput(maxOutputBytes), isCapped: text.utf8.count > maxOutputBytes)
    }

    struct Listing {
        let limit: Int
        var lines: [String] = []
        var total = 0
        /// The walk stopped early: counting everything in a huge tree is not worth the time.
        var stopped: Bool { total >= limit * 10 }

        mutating func add(_ line: String) {
            total += 1
            if lines.count < limit { lines.append(line) }
        }
    }

    /// Lists `directory` into `listing`; `false` when it cannot be opened.
    private func list(_ directory: String, prefix: String, depth: Int, into listing: inout Listing) -> Bool {
        guard let names = Self.entryNames(directory) else { return false }
        for name in names where !listing.stopped {
            let path = directory + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0 else {
                listing.add(prefix + name + "  (unreadable)")
                continue
            }
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                let expand = depth > 1 && !Self.unexpanded.contains(name)
                listing.add(prefix + name + "/" + (depth > 1 && !expand ? "  (not expanded)" : ""))
                if expand, !list(path, prefix: prefix + name + "/", depth: depth - 1, into: &listing) {
                    listing.add(prefix + name + "/  (unreadable)")
                }
            case S_IFLNK:
                listing.add(prefix + name + " -> " + (Self.linkTarget(path) ?? "?"))
            case S_IFREG:
                listing.add(prefix + name + "  (" + Self.formatSize(Int(info.st_size)) + ")")
            default:
                listing.add(prefix + name + "  (special file)")
            }
        }
        return true
    }

    static func entryNames(_ directory: String) -> [String]? {
        guard let stream = opendir(directory) else { return nil }
        defer { closedir(stream) }
        // A dirent may be shorter than `struct dirent` (d_reclen): read the name in place, up to its NUL,
        // never by copying the whole fixed-size array.
        guard let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name) else { return [] }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = String(cString: UnsafeRawPointer(entry).advanced(by: nameOffset).assumingMemoryBound(to: CChar.self))
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    static func linkTarget(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// "512 B", "4.1 KiB", "3.0 MiB", "1.2 GiB".
    static func formatSize(_ bytes: Int) -> String {
        guard bytes >= 1024 else { return "\(bytes) B" }
        var value = Double(bytes) / 1024
        for unit in ["KiB", "MiB", "GiB"] {
            if value < 1024 || unit == "GiB" {
                let tenths = Int((value * 10).rounded())
                return "\(tenths / 10).\(tenths % 10) \(unit)"
            }
            value /= 1024
        }
        return "\(bytes) B"
    }
}
