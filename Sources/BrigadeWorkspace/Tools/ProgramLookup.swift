/// Finds bare program names (`echo`) in `PATH`, remembering each answer: one registry load asks once
/// per distinct name instead of once per tool (each ask is a `stat` per `PATH` folder).
///
/// Made for one load and used from one thread; `PATH` is read when it is made.
final class ProgramLookup {
    private let searchPath: String
    private var found: [String: String?] = [:]

    init() {
        searchPath = FilePaths.environmentValue("PATH") ?? "/usr/local/bin:/usr/bin:/bin"
    }

    /// The absolute path of the first executable file `name` in `PATH`, or `nil`.
    func executable(named name: String) -> String? {
        if let known = found[name] { return known }
        let path = FilePaths.lookUpExecutable(name, searchPath: searchPath)
        found[name] = path
        return path
    }
}
