#if canImport(Glibc)
import BrigadeCore
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The few file-system operations configuration loading needs, with errors that name the file and
/// say what went wrong (`permission denied`, `is a directory`).
enum ConfigFileSystem {
    enum EntryKind { case missing, file, directory, other }

    static func kind(of path: String) -> EntryKind {
        var info = stat()
        guard stat(path, &info) == 0 else { return .missing }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        default: return .other
        }
    }

    /// The whole file; files larger than `limit` bytes are refused, and so is anything but a
    /// regular file (opened with `O_NONBLOCK`, so a FIFO in its place cannot hang the load).
    static func readFile(_ path: String, limit: Int) throws(ConfigError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { throw ConfigError("cannot read \(path): \(errorDescription())", file: path) }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw ConfigError("cannot read \(path): \(errorDescription())", file: path) }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw ConfigError("cannot read \(path): it is a directory", file: path)
        default: throw ConfigError("cannot read \(path): not a regular file (a FIFO, device or socket)", file: path)
        }
        // One buffer sized by `fstat`, plus a byte so that a file read whole ends with a 0-byte read
        // and no growth; a file that grows meanwhile grows the buffer.
        var bytes = [UInt8](repeating: 0, count: min(max(Int(info.st_size), 0), limit) + 1)
        var filled = 0
        while true {
            if filled == bytes.count { bytes.append(contentsOf: repeatElement(0, count: bytes.count)) }
            let count = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + filled, $0.count - filled) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ConfigError("cannot read \(path): \(errorDescription())", file: path)
            }
            if count == 0 {
                bytes.removeLast(bytes.count - filled)
                return bytes
            }
            filled += count
            if filled > limit {
                throw ConfigError("cannot read \(path): larger than \(limit) bytes", file: path)
            }
        }
    }

    /// Names of the entries of a directory (without `.` and `..`), unsorted.
    static func entries(of directory: String) throws(ConfigError) -> [String] {
        try entries(of: directory) { _, _ in true }
    }

    /// Names of the entries of a directory that are not directories (symbolic links followed: a link
    /// to a folder is left out too), unsorted. The type comes from `readdir`; only a link, or a file
    /// system that reports no types, costs a `stat`.
    static func nonDirectoryEntries(of directory: String) throws(ConfigError) -> [String] {
        try entries(of: directory) { name, type in
            switch Int32(type) {
            case Int32(DT_DIR): false
            case Int32(DT_LNK), Int32(DT_UNKNOWN): kind(of: directory + "/" + name) != .directory
            default: true
            }
        }
    }

    /// The entries (without `.` and `..`) that `include` accepts, given each name and its `d_type`.
    private static func entries(of directory: String, including include: (String, UInt8) -> Bool) throws(ConfigError) -> [String] {
        guard let handle = opendir(directory) else {
            throw ConfigError("cannot open directory \(directory): \(errorDescription())", file: directory)
        }
        defer { closedir(handle) }
        // A dirent may be shorter than `struct dirent` (d_reclen): read the name in place, up to its NUL,
        // never by copying the whole fixed-size array.
        guard let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name),
              let typeOffset = MemoryLayout<dirent>.offset(of: \dirent.d_type)
        else { return [] }
        var names: [String] = []
        while let entry = readdir(handle) {
            let pointer = UnsafeRawPointer(entry).advanced(by: nameOffset).assumingMemoryBound(to: CChar.self)
            let name = String(cString: pointer)
            let type = UnsafeRawPointer(entry).load(fromByteOffset: typeOffset, as: UInt8.self)
            if name != "." && name != "..", include(name, type) { names.append(name) }
        }
        return names
    }

    static func currentDirectory() -> String {
        guard let pointer = getcwd(nil, 0) else { return "/" }
        defer { free(pointer) }
        return String(cString: pointer)
    }

    /// The process environment, for callers that do not pass one.
    static func processEnvironment() -> [String: String] {
        var result: [String: String] = [:]
        let start: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = environ
        guard var cursor = start else { return result }
        while let entry = cursor.pointee {
            let pair = String(cString: entry)
            if let equals = pair.firstIndex(of: "=") {
                result[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
            }
            cursor += 1
        }
        return result
    }

    private static func errorDescription() -> String {
        let code = errno
        switch code {
        case ENOENT: return "no such file or directory"
        case EACCES: return "permission denied"
        case EISDIR: return "it is a directory"
        case ENOTDIR: return "a component of the path is not a directory"
        default: return String(cString: strerror(code))
        }
    }
}

/// Lexical path arithmetic (no file-system access, symlinks kept).
enum ConfigPath {
    /// `path` made absolute against `base` (itself absolute), with `.` and `..` removed;
    /// a leading `~/` means the home directory when `home` is given.
    static func resolve(_ path: String, against base: String, home: String? = nil) -> String {
        var path = path
        if let home, path == "~" || path.hasPrefix("~/") { path = home + path.dropFirst() }
        let joined = path.hasPrefix("/") ? path : base + "/" + path
        var parts: [Substring] = []
        for part in joined.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..": _ = parts.popLast()
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    /// The folder holding `path` (absolute).
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
