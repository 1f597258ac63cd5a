import BrigadeCore

/// One MCP server of config.yaml's `mcp_servers:` section: how to start it and the policy its tools get.
///
/// ```yaml
/// mcp_servers:
///   files:
///     command: npx
///     args: ["-y", "@modelcontextprotocol/server-filesystem", "."]
///     env_allowlist: [NODE_PATH]
///     tool_prefix: fs_
///     include: [read_file, list_directory]
///     timeout: 20s
///     max_concurrency: 4
/// ```
///
/// A Streamable HTTP server has a `url` (and `headers`) instead of a `command`:
///
/// ```yaml
/// mcp_servers:
///   search:
///     url: https://mcp.example.com/mcp
///     headers: { Authorization: "Bearer ${SEARCH_TOKEN}" }
/// ```
///
/// See docs/mcp.md.
public struct MCPServerConfig: Sendable, Hashable {
    /// The key under `mcp_servers:`; names the server in messages and `brigade tools list`.
    public var name: String
    /// The program: a path, or a name looked up in `PATH`. Empty for a Streamable HTTP server.
    public var command: String
    /// The MCP endpoint of a Streamable HTTP server (`http://` or `https://`); `nil` for a stdio server.
    public var url: String?
    /// Header fields sent with every request to ``url`` (values may use `${ENV}`, e.g. for a token).
    public var headers: [String: String] = [:]
    /// The values of the variables ``headers`` name (for a stdio server: those ``env`` and ``args``
    /// name): they go only to ``url``'s origin (or the server's process) and are removed from the
    /// server's results, errors and log lines (`SecretRedactor`) and from the run store.
    public var secrets: [String] = []
    /// Its arguments (values may use `${ENV}`).
    public var args: [String]
    /// Names of environment variables passed through (besides `PATH`, `HOME`, `LANG`, `LC_ALL`, `TZ`).
    public var envAllowlist: [String]
    /// Fixed environment entries (values may use `${ENV}`, e.g. for secrets).
    public var env: [String: String]
    /// Working directory (relative to the configuration file's folder); `nil` keeps Brigade's.
    public var cwd: String?
    /// Prepended to each tool's name as the model sees it (`fs_` + `read_file`).
    public var toolPrefix: String
    /// Only these tools (their names on the server) are offered; `nil` offers all.
    public var include: [String]?
    /// These tools are never offered.
    public var exclude: [String]
    /// Per-call timeout of the server's tools; `nil` takes `limits.tool_timeout`.
    public var timeout: Duration?
    /// Longest wait for the server to start and answer `initialize` and `tools/list`. Default 30 s.
    public var startupTimeout: Duration
    /// Calls to this server (all its tools together) running at once; `nil`: only the global cap.
    public var maxConcurrency: Int?
    /// Every tool of the server needs approval.
    public var confirm: Bool
    /// Cost of one call, counted by the budget.
    public var costUSD: Double
    /// Output cap of the server's tools; `nil` takes `limits.max_tool_output_bytes`.
    public var maxOutputBytes: Int?
    /// Start the server when the runtime is made instead of at first use.
    public var eager: Bool
    /// Where the server was declared, for messages.
    public var location: SourceLocation?

    public init(
        name: String,
        command: String,
        args: [String] = [],
        envAllowlist: [String] = [],
        env: [String: String] = [:],
        cwd: String? = nil,
        toolPrefix: String = "",
        include: [String]? = nil,
        exclude: [String] = [],
        timeout: Duration? = nil,
        startupTimeout: Duration = .seconds(30),
        maxConcurrency: Int? = nil,
        confirm: Bool = false,
        costUSD: Double = 0,
        maxOutputBytes: Int? = nil,
        eager: Bool = false,
        location: SourceLocation? = nil
    ) {
        self.name = name
        self.command = command
        self.args = args
        self.envAllowlist = envAllowlist
        self.env = env
        self.cwd = cwd
        self.toolPrefix = toolPrefix
        self.include = include
        self.exclude = exclude
        self.timeout = timeout
        self.startupTimeout = startupTimeout
        self.maxConcurrency = maxConcurrency
        self.confirm = confirm
        self.costUSD = costUSD
        self.maxOutputBytes = maxOutputBytes
        self.eager = eager
        self.location = location
    }

    /// A Streamable HTTP server at `url`; the other settings take their defaults.
    public static func http(name: String, url: String, headers: [String: String] = [:], secrets: [String] = []) -> MCPServerConfig {
        var config = MCPServerConfig(name: name, command: "")
        config.url = url
        config.headers = headers
        config.secrets = secrets
        return config
    }

    /// Whether the server is reached over Streamable HTTP (it has a ``url``) rather than stdio.
    public var isHTTP: Bool { url != nil }

    /// The policy every tool of this server gets.
    public var policy: ToolPolicy {
        ToolPolicy(
            timeout: timeout, maxConcurrency: maxConcurrency, confirm: confirm, costUSD: costUSD,
            maxOutputBytes: maxOutputBytes, concurrencyGroup: maxConcurrency == nil ? nil : "mcp:" + name)
    }

    /// Whether the server's tool `remoteName` is offered.
    public func offers(_ remoteName: String) -> Bool {
        (include?.contains(remoteName) ?? true) && !exclude.contains(remoteName)
    }
}
