/// The folders a file builtin may reach. A requested path is resolved against the first root (when
/// relative), checked lexically (`..` cannot climb out), then resolved with `realpath` and checked again
/// (a symbolic link cannot point out). Nothing outside every root is ever opened.
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

    /// The canonical path of `requested` when it lies inside a root, or a message for the model.
    func resolve(_ requested: String) -> Result<String, ToolCallProblem> {
        guard !requested.isEmpty else { return .failure(ToolCallProblem("`path` is empty")) }
        guard !requested.utf8.contains(0) else { return .failure(ToolCallProblem("`path` contains a NUL byte")) }
        let lexical = FilePaths.absolute(requested, relativeTo: paths[0])
        let inside = (paths + configuredPaths).contains { FilePaths.isWithin(lexical, root: $0) }
        guard inside else {
            return .failure(ToolCallProblem("`\(requested)` is outside the allowed folders (\(paths.joined(separator: ", ")))"))
        }
        guard let canonical = FilePaths.realPath(lexical) else {
            return .failure(ToolCallProblem("`\(requested)`: no such file or directory"))
        }
        guard paths.contains(where: { FilePaths.isWithin(canonical, root: $0) }) else {
            return .failure(ToolCallProblem("`\(requested)` leads outside the allowed folders through a symbolic link"))
        }
        return .success(canonical)
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
