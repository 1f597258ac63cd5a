#if canImport(Glibc)
import BrigadeCore
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `list_dir`: the entries of a directory inside the roots, one per line, sorted by name:
/// `Sources/` for a directory, `README.md  (4.1 KiB)` for a file, `link -> target` for a symbolic link
/// (never followed). With `recursive`, subdirectories are listed depth-first up to `max_depth` levels;
/// `.git`, `.build` and `node_modules` are shown but not expanded. At most `maxEntries` entries are shown.
package struct ListDirectoryExecutor: ToolExecutor {
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
        let opened = roots.withOpened(requested, directory: true) { fd, path -> Result<(String, Listing), ToolCallProblem> in
            var listing = Listing(limit: maxEntries)
            guard list(fd, prefix: "", depth: depth, into: &listing) else {
                return .failure(ToolCallProblem("`\(Preview.line(requested))`: cannot open the directory (\(String(cString: strerror(errno))))"))
            }
            return .success((path, listing))
        }
        let directory: String
        let listing: Listing
        switch opened {
        case .success(let result): (directory, listing) = result
        case .failure(let error): return .failure(error)
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

    /// Lists the open directory `folder` into `listing`; `false` when it cannot be read. Subfolders
    /// are opened relative to it with `O_NOFOLLOW`, so a folder swapped for a link is never entered.
    /// Names are shown with control characters escaped (a newline in a name cannot fake an entry).
    private func list(_ folder: Int32, prefix: String, depth: Int, into listing: inout Listing) -> Bool {
        guard let names = Self.entryNames(folder) else { return false }
        for name in names where !listing.stopped {
            let shown = prefix + ControlCharacters.escaped(name)
            var info = stat()
            guard fstatat(folder, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
                listing.add(shown + "  (unreadable)")
                continue
            }
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                let expand = depth > 1 && !Self.unexpanded.contains(name)
                listing.add(shown + "/" + (depth > 1 && !expand ? "  (not expanded)" : ""))
                guard expand else { continue }
                let child = openat(folder, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                if child < 0 || !list(child, prefix: shown + "/", depth: depth - 1, into: &listing) {
                    listing.add(shown + "/  (unreadable)")
                }
                if child >= 0 { close(child) }
            case S_IFLNK:
                listing.add(shown + " -> " + (FilePaths.linkTarget(in: folder, name).map { ControlCharacters.escaped($0) } ?? "?"))
            case S_IFREG:
                listing.add(shown + "  (" + Self.formatSize(Int(info.st_size)) + ")")
            default:
                listing.add(shown + "  (special file)")
            }
        }
        return true
    }

    /// The names in the open directory `folder` (which stays open), sorted.
    static func entryNames(_ folder: Int32) -> [String]? {
        let copy = dup(folder)
        guard copy >= 0 else { return nil }
        guard let stream = fdopendir(copy) else {
            close(copy)
            return nil
        }
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
