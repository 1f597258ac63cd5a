#if canImport(Glibc)
import BrigadeCore
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension FileRoots {
    /// Opens `requested` inside the roots and hands its descriptor and canonical path to `body`;
    /// the descriptor is closed when `body` returns.
    ///
    /// The path is walked one component at a time from a descriptor of the root, each step an
    /// `openat` with `O_NOFOLLOW` on the descriptor of the folder before it, so nothing is looked up
    /// by name twice: swapping a folder for a symbolic link while the walk runs cannot lead out of
    /// the roots. A symbolic link met on the way is read (`readlinkat`) and its target walked the
    /// same way — from the root for an absolute target that lies inside a root, from the current
    /// folder for a relative one; a target outside every root, or `..` above a root, is refused.
    ///
    /// - Parameters:
    ///   - requested: the path the model gave, relative to the first root or absolute.
    ///   - directory: open the last component as a directory (`O_DIRECTORY`) rather than a file
    ///     (`O_NONBLOCK`, so that opening a FIFO cannot hang).
    func withOpened<T>(
        _ requested: String,
        directory: Bool,
        _ body: (_ fd: Int32, _ path: String) -> Result<T, ToolCallProblem>
    ) -> Result<T, ToolCallProblem> {
        guard !requested.isEmpty else { return .failure(ToolCallProblem("`path` is empty")) }
        guard !requested.utf8.contains(0) else { return .failure(ToolCallProblem("`path` contains a NUL byte")) }
        let shown = Preview.line(requested, limit: 200)
        guard let (root, rest) = locate(FilePaths.absolute(requested, relativeTo: paths[0])) else {
            return .failure(ToolCallProblem("`\(shown)` is outside the allowed folders (\(paths.joined(separator: ", ")))"))
        }
        var walk = RootWalk()
        defer { walk.closeAll() }
        guard walk.start(at: paths[root]) else {
            return .failure(ToolCallProblem("`\(shown)`: cannot open the allowed folder \(paths[root]) (\(RootWalk.errorText()))"))
        }
        var pending = rest
        var linksFollowed = 0
        while !pending.isEmpty {
            let name = pending.removeFirst()
            if name.isEmpty || name == "." { continue }
            if name == ".." {
                guard walk.depth > 0 else { return .failure(Self.escapes(shown)) }
                walk.pop()
                continue
            }
            let isLast = pending.isEmpty
            let flags = isLast && !directory ? O_RDONLY | O_NONBLOCK : O_RDONLY | O_DIRECTORY
            let fd = openat(walk.top, name, flags | O_NOFOLLOW | O_CLOEXEC)
            if fd >= 0 {
                walk.push(fd, name: name)
                continue
            }
            let failure = errno
            guard let target = FilePaths.linkTarget(in: walk.top, name) else {
                switch failure {
                case ENOENT: return .failure(ToolCallProblem("`\(shown)`: no such file or directory"))
                case ENOTDIR where isLast: return .failure(ToolCallProblem("`\(shown)` is not a directory; use read_file for files"))
                case ENOTDIR: return .failure(ToolCallProblem("`\(shown)`: no such file or directory"))
                default: return .failure(ToolCallProblem("`\(shown)`: cannot open (\(String(cString: strerror(failure))))"))
                }
            }
            linksFollowed += 1
            guard linksFollowed <= 40 else { return .failure(ToolCallProblem("`\(shown)`: too many levels of symbolic links")) }
            let targetParts = target.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
            if target.hasPrefix("/") {
                guard let (targetRoot, targetRest) = locate(FilePaths.normalized(target)) else { return .failure(Self.escapes(shown)) }
                walk.closeAll()
                guard walk.start(at: paths[targetRoot]) else {
                    return .failure(ToolCallProblem("`\(shown)`: cannot open the allowed folder \(paths[targetRoot]) (\(RootWalk.errorText()))"))
                }
                pending = targetRest + pending
            } else {
                pending = targetParts + pending
            }
        }
        return body(walk.top, walk.path)
    }

    /// The index of the root holding the lexically normalized absolute `path` (the deepest one,
    /// through a configured or a canonical spelling) and the components below it.
    private func locate(_ path: String) -> (root: Int, rest: [String])? {
        var best: (root: Int, prefixLength: Int)?
        for (position, prefix) in (paths + configuredPaths).enumerated() where FilePaths.isWithin(path, root: prefix) {
            if best == nil || prefix.count > best!.prefixLength { best = (position % paths.count, prefix.count) }
        }
        guard let best else { return nil }
        let rest = path.dropFirst(best.prefixLength).split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        return (best.root, rest)
    }

    private static func escapes(_ shown: String) -> ToolCallProblem {
        ToolCallProblem("`\(shown)` leads outside the allowed folders through a symbolic link")
    }
}

/// The descriptors of the folders walked so far, from a root down; the top one is the current folder.
private struct RootWalk {
    private var descriptors: [Int32] = []
    private var names: [String] = []
    private var rootPath = ""

    var top: Int32 { descriptors[descriptors.count - 1] }
    /// Folders below the root.
    var depth: Int { descriptors.count - 1 }
    /// The canonical path of the current folder or file.
    var path: String {
        names.isEmpty ? rootPath : (rootPath == "/" ? "" : rootPath) + "/" + names.joined(separator: "/")
    }

    mutating func start(at root: String) -> Bool {
        let fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        descriptors = [fd]
        names = []
        rootPath = root
        return true
    }

    mutating func push(_ fd: Int32, name: String) {
        descriptors.append(fd)
        names.append(name)
    }

    mutating func pop() {
        close(descriptors.removeLast())
        names.removeLast()
    }

    mutating func closeAll() {
        for fd in descriptors { close(fd) }
        descriptors = []
        names = []
    }

    static func errorText() -> String { String(cString: strerror(errno)) }
}
