import BrigadeCore

/// The folders a file builtin may reach. A requested path is resolved against the first root (when
/// relative), checked lexically (`..` cannot climb out), then walked one component at a time with
/// `openat` and `O_NOFOLLOW` from a descriptor of its root (`withOpened(_:directory:_:)`), symbolic
/// links read and their targets walked the same way: nothing outside every root is ever opened, even
/// while another process swaps folders for links inside a root.
public struct FileRoots: Sendable, Hashable {
    /// Canonical absolute paths of the roots (symbolic links resolved).
    public let paths: [String]
    /// The roots as configured, made absolute but with symbolic links kept, so that a path the model
    /// writes through a linked prefix is recognised.
    let configuredPaths: [String]

    /// Resolves `roots` against `base` (Brigade's working directory by default); no roots means `base` alone.
    ///
    /// - Throws: `ConfigError` at `location` for a root that does not exist or is not a directory.
    public init(_ roots: [String], relativeTo base: String? = nil, location: SourceLocation? = nil) throws(ConfigError) {
        let base = base ?? FilePaths.currentDirectory
        var paths: [String] = []
        var configured: [String] = []
        for root in roots.isEmpty ? ["."] : roots {
            let absolute = FilePaths.absolute(root, relativeTo: base)
            guard let canonical = FilePaths.realPath(absolute), FilePaths.isDirectory(canonical) else {
                throw ConfigError("root '\(root)' does not exist or is not a directory", at: location)
            }
            paths.append(canonical)
            configured.append(absolute)
        }
        self.paths = paths
        self.configuredPaths = configured
    }

    /// `path` relative to the root holding it (`.` for the root itself), for display.
    func displayPath(_ path: String) -> String {
        guard let root = paths.filter({ FilePaths.isWithin(path, root: $0) }).max(by: { $0.count < $1.count }) else { return path }
        if path == root { return paths.count == 1 ? "." : root }
        let relative = String(path.dropFirst(root == "/" ? 1 : root.count + 1))
        return paths.count == 1 ? relative : path
    }
}

/// A refusal or failure of a file builtin, reported to the model as an error result.
struct ToolCallProblem: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
