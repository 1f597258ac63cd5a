import BrigadeCore

/// Reads tool declarations from `tools/*.yaml` (and `*.yml`).
///
/// Each file holds one tool mapping, or a mapping with the single key `tools:` whose value is a list of
/// tool mappings. Files load in sorted name order (hidden files skipped); tool names are unique across
/// all files. The loader checks structure, types, names and that `parameters` is a plausible JSON
/// Schema; executors check what only they understand (argv and URL templates). The format is in
/// docs/tools.md.
public enum RegistryLoader {
    /// Loads every declaration in a folder.
    /// - Parameters:
    ///   - directory: the tools folder (relative paths resolve against the working directory).
    ///   - environment: variables for `${NAME}` interpolation in `cwd`, `env`, `url`, `headers`,
    ///     `body` and `roots`.
    /// - Returns: the declarations, in file order and then in order within each file.
    /// - Throws: `ConfigError` when the folder is missing or unreadable, a file is unreadable or invalid,
    ///   or two tools share a name (the message names both places).
    public static func load(directory: String, environment: [String: String]) throws(ConfigError) -> [ToolDeclaration] {
        let folder = ConfigPath.resolve(directory, against: ConfigFileSystem.currentDirectory())
        switch ConfigFileSystem.kind(of: folder) {
        case .directory: break
        case .missing: throw ConfigError("tools directory \(folder) does not exist")
        case .file, .other: throw ConfigError("tools directory \(folder) is not a directory")
        }
        // A folder named like a file is skipped; anything else that cannot be read (a dangling
        // symlink, no permission) is an error naming the file.
        let names = try ConfigFileSystem.nonDirectoryEntries(of: folder)
            .filter { !$0.hasPrefix(".") && ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) }
            .sorted()
        var loaded: [ToolDeclaration] = []
        var seen: [String: SourceLocation?] = [:]
        for name in names {
            let path = folder + "/" + name
            let root = try YAMLLoader.load(file: path)
            for declaration in try declarations(in: root, file: path, environment: environment) {
                try checkUnique(declaration, seen: &seen)
                loaded.append(declaration)
            }
        }
        return loaded
    }

    /// Parses the declarations of one file from YAML text.
    /// - Parameters:
    ///   - text: the YAML source.
    ///   - file: the absolute path it stands for (messages name it; its folder is the declarations'
    ///     `baseDirectory`).
    ///   - environment: variables for `${NAME}` interpolation.
    /// - Throws: `ConfigError` at file:line:col.
    public static func parse(_ text: String, file: String, environment: [String: String]) throws(ConfigError) -> [ToolDeclaration] {
        let declarations = try declarations(in: YAMLLoader.parse(text, file: file), file: file, environment: environment)
        var seen: [String: SourceLocation?] = [:]
        for declaration in declarations { try checkUnique(declaration, seen: &seen) }
        return declarations
    }

    /// The declarations in one parsed file (`nil` for an empty file gives none).
    public static func declarations(in root: YAMLNode?, file: String, environment: [String: String]) throws(ConfigError) -> [ToolDeclaration] {
        guard let root else { return [] }
        let base = ConfigPath.directory(of: file)
        let node = ConfigNode(root)
        guard root.pairs != nil else {
            throw node.error("a tool file holds one tool mapping, or `tools:` with a list of tool mappings; found a \(root.typeName)")
        }
        if root["tools"] != nil {
            let map = try node.mapping(allowedKeys: ["tools"])
            let list = try map.required("tools")
            var result: [ToolDeclaration] = []
            for item in try list.sequence() {
                result.append(try ToolDecoder(environment: environment, baseDirectory: base).declaration(item))
            }
            return result
        }
        return [try ToolDecoder(environment: environment, baseDirectory: base).declaration(node)]
    }

    private static func checkUnique(_ declaration: ToolDeclaration, seen: inout [String: SourceLocation?]) throws(ConfigError) {
        let name = declaration.spec.name
        if let first = seen[name] {
            var message = "duplicate tool name `\(name)`"
            if let first { message += " (first declared at \(first))" }
            throw ConfigError(message, at: declaration.spec.location)
        }
        seen[name] = declaration.spec.location
    }
}
