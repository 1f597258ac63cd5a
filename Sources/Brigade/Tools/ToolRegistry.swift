/// The tools an agent may call, by unique name, in declaration order.
public struct ToolRegistry: Sendable {
    /// The tools in registration order.
    public private(set) var tools: [Tool] = []
    private var indexByName: [String: Int] = [:]

    /// An empty registry.
    public init() {}

    /// A registry of `tools`, in order.
    /// - Throws: `ConfigError` when two tools share a name.
    public init(_ tools: [Tool]) throws(ConfigError) {
        for tool in tools { try register(tool) }
    }

    /// Adds a tool; a second tool with the same name is an error naming both places.
    public mutating func register(_ tool: Tool) throws(ConfigError) {
        if let existing = indexByName[tool.name] {
            var message = "duplicate tool name '\(tool.name)'"
            if let first = tools[existing].spec.location { message += " (first declared at \(first))" }
            throw ConfigError(message, at: tool.spec.location)
        }
        indexByName[tool.name] = tools.count
        tools.append(tool)
    }

    /// The tool called `name`, if any.
    public func tool(named name: String) -> Tool? {
        indexByName[name].map { tools[$0] }
    }

    /// The tools' names, in order.
    public var names: [String] { tools.map(\.name) }
    /// What the model sees of each tool, in order.
    public var specs: [ToolSpec] { tools.map(\.spec) }
}
