#if canImport(Glibc)
import Glibc
#endif

/// A temporary folder with a `config.yaml` and `tools/`, and the environment to run `brigade` in it.
final class ChatTestWorkspace {
    let root: String

    /// - Parameter config: the text of `config.yaml`.
    init(config: String = "routing: hybrid\n") throws {
        var template = Array("/tmp/brigade-chat-test-XXXXXX".utf8CString)
        guard let path = mkdtemp(&template) else { throw HarnessError("mkdtemp failed") }
        root = String(cString: path)
        try make("tools")
        try make("home")
        try make("state")
        try write("config.yaml", config)
    }

    deinit {
        removeTree(root)
    }

    /// Writes a file under the workspace (parents must exist).
    func write(_ relativePath: String, _ text: String, executable: Bool = false) throws {
        let path = root + "/" + relativePath
        // O_CLOEXEC: tests spawn processes in parallel, and a child that inherited this descriptor would
        // make running the script fail with ETXTBSY.
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, executable ? 0o755 : 0o644)
        guard descriptor >= 0 else { throw HarnessError("cannot write \(path)") }
        defer { close(descriptor) }
        let bytes = Array(text.utf8)
        guard bytes.withUnsafeBytes({ Glibc.write(descriptor, $0.baseAddress, $0.count) }) == bytes.count else {
            throw HarnessError("short write to \(path)")
        }
    }

    func make(_ relativePath: String) throws {
        guard mkdir(root + "/" + relativePath, 0o755) == 0 else { throw HarnessError("cannot create \(relativePath)") }
    }

    func read(_ relativePath: String) -> String? {
        let descriptor = open(root + "/" + relativePath, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = Glibc.read(descriptor, &chunk, chunk.count)
            guard count > 0 else { break }
            result += chunk[0..<count]
        }
        return String(decoding: result, as: UTF8.self)
    }

    /// A small environment: no inherited variables, so the user's config and history stay out.
    func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var environment = [
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": root + "/home",
            "XDG_STATE_HOME": root + "/state",
            "XDG_CONFIG_HOME": root + "/home/.config",
            "TERM": "xterm-256color",
            "LANG": "C.UTF-8",
        ]
        environment.merge(extra) { $1 }
        return environment
    }

    /// Starts `brigade chat` on a pseudo-terminal in this workspace.
    func startChat(arguments: [String] = [], environment extra: [String: String] = [:], columns: Int = 100, rows: Int = 30) throws -> PseudoTerminalProcess {
        try PseudoTerminalProcess(
            executable: BrigadeBinary.path, arguments: ["chat", "--config", root + "/config.yaml"] + arguments,
            environment: environment(extra), currentDirectory: root, columns: columns, rows: rows
        )
    }

    private func removeTree(_ path: String) {
        guard let directory = opendir(path) else {
            unlink(path)
            return
        }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            let child = path + "/" + name
            var info = stat()
            if lstat(child, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { removeTree(child) } else { unlink(child) }
        }
        closedir(directory)
        rmdir(path)
    }
}

/// Where the built `brigade` executable is: next to the test bundle, else `.build/debug/brigade`
/// under the package root (found from this file's path).
enum BrigadeBinary {
    static let path: String = {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if count > 0 {
            let executable = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            var folder = executable[..<(executable.lastIndex(of: "/") ?? executable.endIndex)]
            // The test runner may live inside `Foo.xctest/` (or be the bundle itself).
            while folder.hasSuffix(".xctest") || folder.contains(".xctest/") {
                folder = folder[..<(folder.lastIndex(of: "/") ?? folder.startIndex)]
            }
            let candidate = folder + "/brigade"
            if access(String(candidate), X_OK) == 0 { return String(candidate) }
        }
        let file = #filePath
        let packageRoot = file.firstRange(of: "/Tests/").map { String(file[..<$0.lowerBound]) } ?? "."
        return packageRoot + "/.build/debug/brigade"
    }()
}
