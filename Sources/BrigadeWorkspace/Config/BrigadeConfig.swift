import BrigadeCore
import BrigadeProviders

/// The settings in `config.yaml`, as plain values with their defaults.
///
/// Loaded by `BrigadeConfig.load(path:environment:)`; found by `BrigadeConfig.locate(...)`; with no
/// file at all, `BrigadeConfig.defaults(baseDirectory:)` (no model: the static router only).
/// See docs/configuration.md for every key.
public struct BrigadeConfig: Sendable, Hashable {
    /// The language model in use: `model:`, the profile it names, the first of `models:`, or the
    /// profile chosen with ``selectingModel(_:)`` (`-m`); `nil` when none is configured (router only).
    public var model: ModelSettings?
    /// The named model profiles of `models:`, in the order written.
    public var models: [ModelProfile] = []
    /// The layers this configuration was merged from, most general first (empty for the defaults).
    public var layers: [ConfigLayer] = []
    /// Where each configured value was written, by dotted key path (`limits.max_turns`); keys absent
    /// here have their built-in default.
    public var locations: [String: SourceLocation] = [:]
    public var limits: Limits
    public var budget: BudgetLimits
    public var routing: Routing
    /// The MCP servers of `mcp_servers:`, whose tools join the registry (docs/mcp.md).
    public var mcpServers: [MCPServerConfig] = []
    /// Absolute folders for tools, prompts and routes.
    public var paths: Paths
    /// `store:` — the run store (docs/store.md).
    public var store = StoreSettings()
    /// The file this configuration was read from (absolute); `nil` for the defaults.
    public var file: String?
    /// The folder relative paths were resolved against: the config file's folder, or the working
    /// directory for the defaults.
    public var baseDirectory: String

    public init(
        model: ModelSettings? = nil,
        limits: Limits = Limits(),
        budget: BudgetLimits = BudgetLimits(),
        routing: Routing = .hybrid,
        paths: Paths,
        file: String? = nil,
        baseDirectory: String
    ) {
        self.model = model
        self.limits = limits
        self.budget = budget
        self.routing = routing
        self.paths = paths
        self.file = file
        self.baseDirectory = baseDirectory
    }

    /// The configuration used when no file is found: no model, default limits, no budget, and
    /// `tools`, `prompts`, `routes` folders under `baseDirectory`.
    public static func defaults(baseDirectory: String) -> BrigadeConfig {
        BrigadeConfig(paths: Paths(baseDirectory: baseDirectory), baseDirectory: baseDirectory)
    }

    /// `routing:` — how requests are served.
    public enum Routing: String, Sendable, Hashable, CaseIterable {
        /// Routes first; the model for anything no route matches, and routes as fallback when the model fails.
        case hybrid
        /// Always the model.
        case model
        /// Routes only; no model is called.
        case `static`
    }

    /// `model.provider:`.
    public enum Provider: String, Sendable, Hashable, CaseIterable {
        case openai
        case anthropic

        public var defaultBaseURL: String {
            switch self {
            case .openai: "https://api.openai.com/v1"
            case .anthropic: "https://api.anthropic.com"
            }
        }

        public var defaultAPIKeyEnvironmentVariable: String {
            switch self {
            case .openai: "OPENAI_API_KEY"
            case .anthropic: "ANTHROPIC_API_KEY"
            }
        }
    }

    /// `model:` — which model to call and how.
    public struct ModelSettings: Sendable, Hashable {
        public var provider: Provider
        /// The API's base URL: Chat Completions are at `<base>/chat/completions` (OpenAI and compatible
        /// servers), Messages at `<base>/v1/messages` (Anthropic).
        public var baseURL: String
        /// The model name sent to the API.
        public var model: String
        /// The environment variable holding the API key; `nil` sends no key (local servers).
        /// The initialiser's `nil` means the provider's default; assign `nil` afterwards for no key.
        public var apiKeyEnvironmentVariable: String?
        /// Prices per million tokens: `price:`, else `PriceTable`; `nil` when neither knows the model
        /// (a USD budget is then a configuration error).
        public var price: ModelPricing?
        /// Where ``price`` came from; `nil` when there is none.
        public var priceSource: PriceSource?
        /// The profile name when the settings come from `models:`.
        public var profile: String?
        /// The key path the settings were written at: `model` or `models.NAME`.
        public var keyPath: String = "model"
        public var maxOutputTokens: Int
        /// `nil` leaves the provider's default.
        public var temperature: Double?
        public var requestTimeout: Duration
        /// Retries of a failed request (429, 5xx, network) before giving up.
        public var maxRetries: Int
        /// `fallback:` — the profiles to fall back to, in order, when this model is unavailable
        /// (see ``BrigadeConfig/modelChain(for:)``); empty for none.
        public var fallback: [String] = []
        /// Where `fallback:` was written, for errors.
        public var fallbackLocation: SourceLocation?
        /// `requests_per_minute`, `input_tokens_per_minute`, `output_tokens_per_minute`,
        /// `max_concurrent_requests`: the endpoint's shared ``RateLimiter``.
        public var rateLimits = RateLimits()
        /// `tool_choice`: `auto`, `required`, `none` or a tool's name (``ToolChoice``).
        public var toolChoice = ToolChoice.auto
        /// `prompt_caching`: Anthropic cache breakpoints (on by default; OpenAI caches by itself).
        public var promptCaching = PromptCaching()

        public init(
            provider: Provider = .openai,
            model: String,
            baseURL: String? = nil,
            apiKeyEnvironmentVariable: String? = nil,
            price: ModelPricing? = nil,
            maxOutputTokens: Int = 4096,
            temperature: Double? = nil,
            requestTimeout: Duration = .seconds(120),
            maxRetries: Int = 4
        ) {
            self.provider = provider
            self.model = model
            self.baseURL = baseURL ?? provider.defaultBaseURL
            self.apiKeyEnvironmentVariable = apiKeyEnvironmentVariable ?? provider.defaultAPIKeyEnvironmentVariable
            self.price = price
            self.priceSource = price == nil ? nil : .configured(nil)
            self.maxOutputTokens = maxOutputTokens
            self.temperature = temperature
            self.requestTimeout = requestTimeout
            self.maxRetries = maxRetries
        }
    }

    /// `limits:` — caps on turns, calls and tool output. The defaults are ``Budget/Limits/default``
    /// and ``Dispatcher/Configuration/default``, the same as for agents built in code.
    public struct Limits: Sendable, Hashable {
        /// Model turns per request.
        public var maxTurns: Int
        /// Tool calls running at once, across the whole run.
        public var maxParallelCalls: Int
        /// Tool calls one model turn may request; beyond it the extra calls get an error result.
        public var maxCallsPerTurn: Int
        public var maxCallsPerRun: Int
        /// Default per-call timeout (a tool's `policy.timeout` overrides it).
        public var toolTimeout: Duration
        /// Default cap on one tool result (a tool's `policy.max_output_bytes` overrides it).
        public var maxToolOutputBytes: Int
        /// The bound of a chat or protocol session's conversation, in estimated tokens: the oldest
        /// turns are dropped past it (``AgentSession``).
        public var sessionHistoryTokens: Int

        public init(
            maxTurns: Int = Budget.Limits.default.maxTurns ?? 8,
            maxParallelCalls: Int = Dispatcher.Configuration.default.maxParallelCalls,
            maxCallsPerTurn: Int = Budget.Limits.default.maxCallsPerTurn ?? 32,
            maxCallsPerRun: Int = Budget.Limits.default.maxCallsPerRun ?? 128,
            toolTimeout: Duration = Dispatcher.Configuration.default.defaultTimeout,
            maxToolOutputBytes: Int = Dispatcher.Configuration.default.defaultMaxOutputBytes,
            sessionHistoryTokens: Int = AgentSession.defaultMaxHistoryTokens
        ) {
            self.maxTurns = maxTurns
            self.maxParallelCalls = maxParallelCalls
            self.maxCallsPerTurn = maxCallsPerTurn
            self.maxCallsPerRun = maxCallsPerRun
            self.toolTimeout = toolTimeout
            self.maxToolOutputBytes = maxToolOutputBytes
            self.sessionHistoryTokens = sessionHistoryTokens
        }
    }

    /// `budget:` — spending limits per request; `nil` means unlimited.
    public struct BudgetLimits: Sendable, Hashable {
        public var usd: Double?
        public var inputTokens: Int?
        public var outputTokens: Int?
        /// Wall-clock time (`wall_seconds`).
        public var wallClock: Duration?
        /// Fraction of each limit kept back for the final answer, in [0, 1).
        public var synthesisReserve: Double
        /// Caps over all the prompts of one session (a chat, a protocol `session`): `session_usd`,
        /// `session_input_tokens`, `session_output_tokens`. Each run's budget is carved from them.
        public var sessionUSD: Double?
        public var sessionInputTokens: Int?
        public var sessionOutputTokens: Int?

        public init(
            usd: Double? = nil,
            inputTokens: Int? = nil,
            outputTokens: Int? = nil,
            wallClock: Duration? = nil,
            synthesisReserve: Double = Budget.Limits.default.synthesisReserve,
            sessionUSD: Double? = nil,
            sessionInputTokens: Int? = nil,
            sessionOutputTokens: Int? = nil
        ) {
            self.sessionUSD = sessionUSD
            self.sessionInputTokens = sessionInputTokens
            self.sessionOutputTokens = sessionOutputTokens
            self.usd = usd
            self.inputTokens = inputTokens
            self.outputTokens = outputTokens
            self.wallClock = wallClock
            self.synthesisReserve = synthesisReserve
        }
    }

    /// `paths:` — absolute folders. `location` is where the path was written, `nil` for a default
    /// (so a caller may treat a missing default folder as empty, and a missing configured one as an error).
    public struct Paths: Sendable, Hashable {
        public var tools: Located<String>
        public var prompts: Located<String>
        public var routes: Located<String>

        public init(tools: Located<String>, prompts: Located<String>, routes: Located<String>) {
            self.tools = tools
            self.prompts = prompts
            self.routes = routes
        }

        /// `tools`, `prompts` and `routes` under `baseDirectory`.
        public init(baseDirectory: String) {
            self.init(
                tools: Located(ConfigPath.resolve("tools", against: baseDirectory)),
                prompts: Located(ConfigPath.resolve("prompts", against: baseDirectory)),
                routes: Located(ConfigPath.resolve("routes", against: baseDirectory))
            )
        }
    }
}

extension BrigadeConfig {
    /// Where a model's price came from.
    public enum PriceSource: Sendable, Hashable, CustomStringConvertible {
        /// `price:` in configuration, at this place (`nil` when set in code).
        case configured(SourceLocation?)
        /// `PriceTable`, checked on this date.
        case table(date: String)

        public var description: String {
            switch self {
            case .configured(let location?): "price: at \(location.file):\(location.line)"
            case .configured(nil): "price: set in code"
            case .table(let date): "Brigade's price table of \(date)"
            }
        }
    }

    /// One entry of `models:`: a name, its aliases for `-m`, and the model settings.
    public struct ModelProfile: Sendable, Hashable {
        public var name: String
        public var aliases: [String]
        public var settings: ModelSettings

        public init(name: String, aliases: [String] = [], settings: ModelSettings) {
            self.name = name
            self.aliases = aliases
            self.settings = settings
        }
    }
}
