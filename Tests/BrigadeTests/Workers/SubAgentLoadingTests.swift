import Brigade
import Testing

/// `kind: agent` declarations loaded from a workspace: the prompt read from prompts/, checks with places.
@Suite("Sub-agent declarations", .timeLimit(.minutes(1)))
struct SubAgentLoadingTests {
    func workspace(tool: String, prompt: String? = "You research.") throws -> (ConfigTempDirectory, Result<Workspace, ConfigError>) {
        let directory = try ConfigTempDirectory()
        try directory.write("config.yaml", "routing: model\nmodels:\n  cheap: {provider: openai, base_url: \"http://127.0.0.1:9/v1\", model: small}\n")
        try directory.write("tools/researcher.yaml", tool)
        _ = try directory.makeDirectory("routes")
        if let prompt { try directory.write("prompts/researcher.md", prompt) } else { _ = try directory.makeDirectory("prompts") }
        let environment = ["HOME": directory.path + "/home", "XDG_CONFIG_HOME": directory.path + "/xdg"]
        let result = Result { () throws(ConfigError) in try Workspace.load(configPath: directory.path + "/config.yaml", environment: environment, currentDirectory: directory.path) }
        return (directory, result)
    }

    @Test func aSubAgentToolGetsItsPromptTheDefaultParametersAndNoGlobalSlot() throws {
        let (_, loaded) = try workspace(tool: """
            name: researcher
            description: Looks things up.
            kind: agent
            agent:
              prompt: researcher.md
              model: cheap
              limits: {max_turns: 2, usd: 0.01, output_tokens: 500}
            """)
        let workspace = try loaded.get()
        let tool = try #require(workspace.registry.tool(named: "researcher"))
        #expect(tool.spec.parameters == AgentToolConfig.defaultParameters)
        #expect(tool.spec.policy.holdsParallelSlot == false)
        #expect(tool.spec.policy.timeout == .seconds(300))
    }

    @Test func aMissingPromptFileIsAnErrorAtThePromptValue() throws {
        let (_, loaded) = try workspace(tool: """
            name: researcher
            description: Looks things up.
            kind: agent
            agent: {prompt: missing.md}
            """)
        #expect(throws: ConfigError.self) { try loaded.get() }
        guard case .failure(let error) = loaded else { return }
        #expect(error.message.contains("no prompt file `missing.md`"))
        #expect(error.location?.line == 4)
    }

    @Test func anUnknownModelProfileSaysWhichOnesExist() throws {
        let (_, loaded) = try workspace(tool: """
            name: researcher
            description: Looks things up.
            kind: agent
            agent: {prompt: researcher.md, model: cheep}
            """)
        guard case .failure(let error) = loaded else { Issue.record("loaded"); return }
        #expect(error.message.contains("unknown model profile `cheep` (did you mean `cheap`?)"))
    }

    @Test func aPromptOutsideThePromptsFolderIsRefused() throws {
        let (_, loaded) = try workspace(tool: """
            name: researcher
            description: Looks things up.
            kind: agent
            agent: {prompt: ../secrets.md}
            """)
        guard case .failure(let error) = loaded else { Issue.record("loaded"); return }
        #expect(error.message.contains("must name a file in the prompts folder"))
    }
}
