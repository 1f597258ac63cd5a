/// The tools an agent may call, by unique name, in declaration order: the tools registered one by one
/// and those of the registry's ``ToolSource``s (MCP servers), which are known only once a source has
/// started and may change while it runs.
public struct ToolRegistry: Sendable {
    /// The tools registered one by one, in registration order.
    public private(set) var declared: [Tool] = []
    /// Sources of tools discovered at run time, in the order added.
    public private(set) var sources: [any ToolSource] = []
    private var indexByName: [String: Int] = [:]
    /// `declared.map(\.spec)`, kept as tools are registered: every model call sends the specs, and
    /// copying them out of the tools each time cost more than the rest of the request's setup.
    private var declaredSpecs: [ToolSpec] = []

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
            if let first = declared[existing].spec.location { message += " (first declared at \(first))" }
            throw ConfigError(message, at: tool.spec.location)
        }
        indexByName[tool.name] = declared.count
        declared.append(tool)
        declaredSpecs.append(tool.spec)
    }

    /// Adds a source of tools. Its tools join the registry when it has listed them; one whose name is
    /// already taken (by a declared tool or an earlier source) is left out (use a `tool_prefix`).
    public mutating func add(_ source: any ToolSource) {
        sources.append(source)
    }

    /// Every tool known now: the declared ones, then each source's current tools.
    public var tools: [Tool] {
        guard !sources.isEmpty else { return declared }
        var all = declared
        var taken = Set(indexByName.keys)
        for source in sources {
            for tool in source.currentTools where taken.insert(tool.name).inserted { all.append(tool) }
        }
        return all
    }

    /// The tool called `name`, if any.
    public func tool(named name: String) -> Tool? {
        if let index = indexByName[name] { return declared[index] }
        return tools.first { $0.name == name }
    }

    /// The tools' names, in order.
    public var names: [String] { tools.map(\.name) }
    /// What the model sees of each tool, in order.
    public var specs: [ToolSpec] { sources.isEmpty ? declaredSpecs : tools.map(\.spec) }

    /// The name of the source (MCP server) of each tool a source offers now.
    public var serverNamesByTool: [String: String] {
        var names: [String: String] = [:]
        for source in sources {
            for tool in source.currentTools where names[tool.name] == nil && indexByName[tool.name] == nil { names[tool.name] = source.sourceName }
        }
        return names
    }

    /// Whether some source has not listed its tools yet (so a name unknown now may still be one).
    public var hasUnlistedSources: Bool { sources.contains { !$0.hasListedTools } }

    /// Starts every source that has not started yet (an MCP server on first use), all at once, and
    /// waits until each has listed its tools or failed. Failures are not thrown: the source reports
    /// them in its ``ToolSource/status`` and offers no tools meanwhile.
    public func prepareSources() async {
        guard !sources.isEmpty else { return }
        await withTaskGroup(of: Void.self) { group in
            for source in sources { group.addTask { await source.prepare() } }
        }
    }

    /// Stops every source (ends every MCP server process). Waits until they are gone.
    public func shutdownSources() async {
        await withTaskGroup(of: Void.self) { group in
            for source in sources { group.addTask { await source.shutdown() } }
        }
    }
}

/// Tools found at run time rather than declared: an MCP server's. Sources must be cheap to hold
/// before they start (nothing is spawned until ``prepare()`` or a call).
public protocol ToolSource: Sendable {
    /// Names the source in messages and `brigade tools list` (an MCP server's name).
    var sourceName: String { get }
    /// The tools offered now; empty before the first listing and while the source is down.
    var currentTools: [Tool] { get }
    /// The first listing is done (successfully or not).
    var hasListedTools: Bool { get }
    /// What state the source is in, for `brigade tools check` ("3 tools", "failed: …"), and the
    /// warnings of its last listing (tools skipped for an invalid schema or a taken name).
    var status: ToolSourceStatus { get }
    /// Starts the source if it is not running and waits for its tool list; never throws.
    func prepare() async
    /// Ends the source and waits until it is gone.
    func shutdown() async
}

/// What ``ToolSource/status`` reports.
public struct ToolSourceStatus: Sendable, Hashable {
    /// `not started`, `running`, `failed`, `stopped`.
    public var state: String
    /// Why the source failed, when it did.
    public var failure: String?
    /// Tools left out, each with the reason.
    public var warnings: [String]

    public init(state: String, failure: String? = nil, warnings: [String] = []) {
        self.state = state
        self.failure = failure
        self.warnings = warnings
    }
}
