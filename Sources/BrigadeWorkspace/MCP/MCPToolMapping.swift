import BrigadeCore

/// Turns a server's `tools/list` entries into Brigade tools: the prefix, the include/exclude filters,
/// and the checks every tool gets (a valid name, an `inputSchema` that is a usable object schema).
/// A tool that fails a check is skipped with a warning naming it; the others are offered.
enum MCPToolMapping {
    static func tools(_ listed: [JSONValue], server: MCPServer) -> (tools: [Tool], warnings: [String]) {
        let config = server.config
        var tools: [Tool] = []
        var warnings: [String] = []
        var seen = Set<String>()
        for entry in listed {
            guard let remoteName = entry["name"]?.stringValue else {
                warnings.append("a tool without a `name` was skipped")
                continue
            }
            guard config.offers(remoteName) else { continue }
            let name = config.toolPrefix + remoteName
            guard ToolDecoder.isValidName(name) else {
                warnings.append("tool `\(remoteName)` skipped: `\(name)` is not a valid tool name (1 to 64 letters, digits, `_` or `-`)")
                continue
            }
            guard seen.insert(name).inserted else {
                warnings.append("tool `\(remoteName)` skipped: listed twice")
                continue
            }
            let schema = entry["inputSchema"] ?? .null
            if let problem = schemaProblem(schema) {
                warnings.append("tool `\(remoteName)` skipped: invalid inputSchema: \(problem)")
                continue
            }
            let description = entry["description"]?.stringValue ?? entry["title"]?.stringValue ?? remoteName
            let spec = ToolSpec(
                name: name,
                description: description.isEmpty ? remoteName : description,
                parameters: schema,
                policy: config.policy,
                location: config.location
            )
            tools.append(Tool(spec: spec, executor: MCPToolExecutor(server: server, remoteName: remoteName)))
        }
        return (tools, warnings)
    }

    /// Why `schema` cannot be a tool's parameters, or `nil` when it can.
    static func schemaProblem(_ schema: JSONValue) -> String? {
        guard case .object = schema else { return "must be a JSON object, got \(schema.typeName)" }
        guard schema["type"]?.stringValue == "object" else { return "must have `type: object`" }
        return JSONSchemaValidator.validateSchema(schema).first
    }
}

/// Maps a `tools/call` result to what the model reads: text content as written, a note for images,
/// audio and binary resources, `structuredContent` as JSON when there is no content, and `isError`.
enum MCPToolResult {
    static func output(_ result: JSONValue) -> ToolOutput {
        var parts: [String] = []
        for item in result["content"]?.arrayValue ?? [] {
            parts.append(describe(item))
        }
        if parts.isEmpty, let structured = result["structuredContent"], !structured.isNull {
            parts.append(structured.jsonString)
        }
        let text = parts.isEmpty ? "(no content)" : parts.joined(separator: "\n")
        return ToolOutput(text: text, isError: result["isError"]?.boolValue == true)
    }

    static func describe(_ item: JSONValue) -> String {
        let type = item["type"]?.stringValue ?? "?"
        switch type {
        case "text":
            return item["text"]?.stringValue ?? ""
        case "image", "audio":
            let mime = item["mimeType"]?.stringValue ?? "unknown type"
            let size = (item["data"]?.stringValue?.utf8.count ?? 0) * 3 / 4
            return "[\(type) (\(mime), about \(size) bytes): not shown]"
        case "resource":
            let resource = item["resource"]
            let uri = resource?["uri"]?.stringValue ?? "?"
            if let text = resource?["text"]?.stringValue { return "[resource \(uri)]\n" + text }
            let mime = resource?["mimeType"]?.stringValue ?? "unknown type"
            return "[resource \(uri) (\(mime)): binary, not shown]"
        case "resource_link":
            let uri = item["uri"]?.stringValue ?? "?"
            let name = item["name"]?.stringValue.map { " (\($0))" } ?? ""
            return "[resource link: \(uri)\(name)]"
        default:
            return "[content of type `\(type)`: not shown]"
        }
    }
}
