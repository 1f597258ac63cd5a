import BrigadeCore

/// A tool as declared in `tools/*.yaml`: what the model sees, the policy, and how to run it.
///
/// The registry loader fills these from YAML (checking types and keys); each executor checks the
/// parts only it understands (argv templates, URL templates) when it is built from the declaration,
/// throwing `ConfigError` with the location of the offending value.
public struct ToolDeclaration: Sendable, Hashable {
    public var spec: ToolSpec
    public var kind: ToolKind
    /// The folder holding the declaring file. Paths naming files of the registry (a script as the
    /// program of an argv) resolve against it; paths naming where to work (`cwd`, builtin `roots`)
    /// resolve against Brigade's working directory.
    public var baseDirectory: String

    public init(spec: ToolSpec, kind: ToolKind, baseDirectory: String) {
        self.spec = spec
        self.kind = kind
        self.baseDirectory = baseDirectory
    }
}

public enum ToolKind: Sendable, Hashable {
    case command(CommandToolConfig)
    case http(HTTPToolConfig)
    case builtin(BuiltinToolConfig)
    /// A sub-agent: a child run with its own prompt, tools, model and limits.
    case agent(AgentToolConfig)
}

/// `kind: command` — a program run without a shell.
public struct CommandToolConfig: Sendable, Hashable {
    /// The argv template, one entry per argv element. `{{name}}` placeholders are replaced by argument
    /// values; a value always stays inside its own argv element and is never seen by a shell.
    /// The first element is the program: a path (relative to the declaring folder when it contains `/`)
    /// or a name looked up in `PATH`.
    public var argv: [Located<String>]
    /// Pass the arguments as JSON on standard input.
    public var stdinArguments: Bool
    /// Working directory, relative to Brigade's working directory; `nil` keeps Brigade's.
    public var cwd: Located<String>?
    /// Names of environment variables passed through from Brigade's environment (all others are dropped,
    /// except `PATH`, `HOME`, `LANG`, `LC_ALL`, `TZ`, which are always passed).
    public var envAllowlist: [String]
    /// Fixed environment entries (values may use `${ENV}` interpolation, done at load time).
    public var env: [String: String]
    /// The values of the environment variables `env` names (`TOKEN: "${MY_TOKEN}"`): redacted, with
    /// any piece of them of 8 bytes or more, from everything the run store keeps.
    public var secrets: [String] = []
    /// Exit codes that count as success (default `[0]`).
    public var successExitCodes: [Int32]
    /// Append standard error to the result (always appended on failure).
    public var includeStderr: Bool
    /// Parameters whose values may start with `-` in an argv element that begins with their
    /// placeholder. Any other such value is refused (the program would take it as an option),
    /// unless a `--` element comes before the placeholder.
    public var allowLeadingDash: [String]

    public init(
        argv: [Located<String>],
        stdinArguments: Bool = false,
        cwd: Located<String>? = nil,
        envAllowlist: [String] = [],
        env: [String: String] = [:],
        successExitCodes: [Int32] = [0],
        includeStderr: Bool = false,
        allowLeadingDash: [String] = []
    ) {
        self.argv = argv
        self.stdinArguments = stdinArguments
        self.cwd = cwd
        self.envAllowlist = envAllowlist
        self.env = env
        self.successExitCodes = successExitCodes
        self.includeStderr = includeStderr
        self.allowLeadingDash = allowLeadingDash
    }
}

/// `kind: http` — one request through Brigade's HTTP client.
public struct HTTPToolConfig: Sendable, Hashable {
    public var method: String
    /// URL template; `{{name}}` placeholders are percent-encoded.
    public var url: Located<String>
    /// Header values (secrets come from `${ENV}`, interpolated at load time).
    public var headers: [String: String]
    /// The values of the environment variables the headers name (`${API_KEY}`): removed, and any
    /// piece of them of 8 bytes or more, from the tool's results (`SecretRedactor`).
    public var secrets: [String] = []
    /// JSON body template: string leaves that are exactly `{{name}}` become the argument's JSON value;
    /// other strings get textual substitution. `nil` sends no body.
    public var body: JSONValue?
    /// Responses larger than this are cut off and marked (default 1 MiB).
    public var maxResponseBytes: Int
    /// Non-2xx statuses make an error result unless listed here.
    public var acceptStatus: [Int]
    /// The only hosts a whole-URL `{{url}}` template may name (`*.example.com` for subdomains);
    /// `nil` allows any public host. Listed hosts are trusted (no address check).
    public var allowHosts: [String]?
    /// Lets a whole-URL template reach loopback, private and link-local addresses (default `false`).
    public var allowPrivateNetworks: Bool = false

    public init(
        method: String = "GET",
        url: Located<String>,
        headers: [String: String] = [:],
        body: JSONValue? = nil,
        maxResponseBytes: Int = 1 << 20,
        acceptStatus: [Int] = []
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.maxResponseBytes = maxResponseBytes
        self.acceptStatus = acceptStatus
    }
}

/// `kind: builtin` — implemented in Swift.
public struct BuiltinToolConfig: Sendable, Hashable {
    /// `read_file`, `list_dir`, `current_time` or `map`.
    public var builtin: Located<String>
    /// For `read_file`, `list_dir` and `map`: the folders the tool may reach (relative to the declaring folder);
    /// nothing outside them, through `..` or symlinks, is readable. Relative roots resolve against
    /// Brigade's working directory; the default is that directory alone.
    public var roots: [String]

    public init(builtin: Located<String>, roots: [String] = []) {
        self.builtin = builtin
        self.roots = roots
    }
}
