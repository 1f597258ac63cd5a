import BrigadeCore

/// `kind: agent` — a sub-agent: each call is a child run on the same runtime (the ``Agent`` of the
/// calling run), with its own system prompt, tool subset, model and limits, and a budget carved from
/// the calling run's. See docs/workers.md.
public struct AgentToolConfig: Sendable, Hashable {
    /// The system prompt's file, relative to the prompts folder (`researcher.md`).
    public var prompt: Located<String>
    /// The prompt file's text, read when the workspace loads (empty until then).
    public var promptText: String
    /// The tools the sub-agent may call, by name; empty (the default) offers none.
    public var tools: [String]
    /// A profile (or alias) of config.yaml's `models:`; `nil` uses the calling run's model.
    public var model: Located<String>?
    /// The child run's limits, lowered to what the caller's budget can give (never more than its slice).
    /// Caps left `nil` take all that is left of the caller's.
    public var limits: Budget.Limits
    /// The child's request: `{{name}}` placeholders filled from the call's arguments. `nil`: the
    /// `task` argument when the parameters are the default ones, else the arguments as JSON.
    public var input: Located<String>?
    /// How deeply sub-agents may nest, counting this one (a sub-agent calling a sub-agent is depth 2).
    public var maxDepth: Int
    /// Runs this many versions of each call in parallel (labelled `variant_1`…) and joins their
    /// answers with ``join`` (default 1: one run, no join).
    public var variants: Int
    /// How the variants' answers become one; `nil` with variants: the rules' defaults, no judge.
    public var join: JoinPolicy?

    /// The parameters of an agent tool that declares none: one required `task` string.
    public static let defaultParameters: JSONValue = [
        "type": "object",
        "properties": ["task": ["type": "string", "description": "What to do, with everything needed to do it."]],
        "required": ["task"],
    ]

    /// Four turns, 32 tool calls, no cap of its own on money, tokens or time (the caller's slice applies).
    public static let defaultLimits = Budget.Limits(maxTurns: 4, maxCallsPerRun: 32)

    public init(
        prompt: Located<String>,
        promptText: String = "",
        tools: [String] = [],
        model: Located<String>? = nil,
        limits: Budget.Limits = AgentToolConfig.defaultLimits,
        input: Located<String>? = nil,
        maxDepth: Int = 3,
        variants: Int = 1,
        join: JoinPolicy? = nil
    ) {
        self.prompt = prompt
        self.promptText = promptText
        self.tools = tools
        self.model = model
        self.limits = limits
        self.input = input
        self.maxDepth = maxDepth
        self.variants = variants
        self.join = join
    }
}
