import BrigadeCore

/// The tools Brigade implements in Swift (`kind: builtin`). Each fixes its own parameter schema.
public enum BuiltinFunction: String, Sendable, CaseIterable {
    case readFile = "read_file"
    case listDirectory = "list_dir"
    case currentTime = "current_time"
    /// Map-reduce over files under the roots (docs/workers.md): a child of the calling run.
    case map

    /// The JSON Schema of the builtin's arguments; a declaration cannot change it.
    public func parameters(maxOutputBytes: Int) -> JSONValue {
        switch self {
        case .readFile:
            [
                "type": "object",
                "properties": [
                    "path": ["type": "string", "description": "File path, relative to the first allowed folder or absolute."],
                    "offset": ["type": "integer", "minimum": 0, "default": 0, "description": "Byte offset to start reading at."],
                    "max_bytes": [
                        "type": "integer", "minimum": 1, "maximum": .integer(maxOutputBytes), "default": .integer(maxOutputBytes),
                        "description": "Most bytes to return.",
                    ],
                ],
                "required": ["path"],
                "additionalProperties": false,
            ]
        case .listDirectory:
            [
                "type": "object",
                "properties": [
                    "path": ["type": "string", "default": ".", "description": "Directory path, relative to the first allowed folder or absolute."],
                    "recursive": ["type": "boolean", "default": false, "description": "List subdirectories too."],
                    "max_depth": [
                        "type": "integer", "minimum": 1, "maximum": 10, "default": 3,
                        "description": "Levels to descend when recursive (1 = this directory only).",
                    ],
                ],
                "additionalProperties": false,
            ]
        case .map:
            [
                "type": "object",
                "properties": [
                    "paths": [
                        "type": "array", "items": ["type": "string"], "minItems": 1,
                        "description": "Files or folders to map, relative to the first allowed folder (a folder: every text file below it).",
                    ],
                    "brief": [
                        "type": "string", "minLength": 1,
                        "description": "The goal, shared definitions, what to extract from each chunk and in which shape; given beside every chunk.",
                    ],
                    "map_prompt": ["type": "string", "description": "The map worker's instructions (default: a built-in one)."],
                    "reduce_prompt": ["type": "string", "description": "How to merge the partial results (default: merge, deduplicate, group, keep chunk ids)."],
                    "chunk_tokens": ["type": "integer", "minimum": 50, "maximum": 16000, "default": 1000, "description": "Chunk size in tokens (bytes / 4)."],
                    "overlap_tokens": ["type": "integer", "minimum": 0, "maximum": 4000, "default": 0, "description": "Tokens of the previous chunk repeated."],
                ],
                "required": ["paths", "brief"],
                "additionalProperties": false,
            ]
        case .currentTime:
            [
                "type": "object",
                "properties": [
                    "timezone": ["type": "string", "description": "IANA time zone name such as Europe/Paris; default: the local zone."]
                ],
                "additionalProperties": false,
            ]
        }
    }

    /// Used when a declaration's description is empty.
    public var defaultDescription: String {
        switch self {
        case .readFile: "Read a text file (or a byte range of it) from the allowed folders."
        case .listDirectory: "List the entries of a directory in the allowed folders, with types and sizes."
        case .currentTime: "The current date and time in ISO 8601, in a given IANA time zone or the local one."
        case .map:
            "Map-reduce long input: cut files or folders into chunks, run the brief on every chunk in parallel, "
                + "and merge the partial results into one report citing the chunks (with their file positions)."
        }
    }

    /// Builds the executor. `roots` matter for the file builtins only; `nil` means Brigade's working directory.
    /// - Throws: `ConfigError` when `roots` is `nil` and the working directory cannot be resolved.
    public func makeExecutor(roots: FileRoots?, maxOutputBytes: Int) throws(ConfigError) -> any ToolExecutor {
        if self == .currentTime { return CurrentTimeExecutor() }
        let resolved: FileRoots
        if let roots { resolved = roots } else { resolved = try FileRoots([]) }
        if self == .readFile { return ReadFileExecutor(roots: resolved, maxOutputBytes: maxOutputBytes) }
        if self == .map { return MapToolExecutor(roots: resolved, maxOutputBytes: maxOutputBytes) }
        return ListDirectoryExecutor(roots: resolved, maxOutputBytes: maxOutputBytes)
    }
}

extension ToolOutput {
    static func failure(_ error: ToolCallProblem) -> ToolOutput {
        ToolOutput(text: error.message, isError: true)
    }
}
