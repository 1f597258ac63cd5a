import CurlHTTP
import Foundation

extension Workspace {
    /// Completes the `kind: agent` declarations: each prompt's text, read from the prompts folders
    /// (the most specific layer that has the file), and a client for each model profile they name.
    /// - Throws: `ConfigError` at the `prompt:` or `model:` value when the file or profile does not exist.
    static func resolveSubAgents(
        _ declarations: [ToolDeclaration],
        promptFolders: [String],
        config: BrigadeConfig,
        environment: [String: String],
        httpClient: HTTPClient
    ) throws(ConfigError) -> ([ToolDeclaration], [String: SubAgentModel]) {
        var resolved: [ToolDeclaration] = []
        var models: [String: SubAgentModel] = [:]
        for var declaration in declarations {
            guard case .agent(var agent) = declaration.kind else {
                resolved.append(declaration)
                continue
            }
            let candidates = promptFolders.reversed().map { $0 + "/" + agent.prompt.value }
            guard let path = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
                throw ConfigError(
                    "tool `\(declaration.spec.name)`: no prompt file `\(agent.prompt.value)` in \(promptFolders.joined(separator: ", "))",
                    at: agent.prompt.location ?? declaration.spec.location)
            }
            guard let data = FileManager.default.contents(atPath: path) else { throw ConfigError("cannot read \(path)", file: path) }
            agent.promptText = String(decoding: data, as: UTF8.self)
            if let name = agent.model, models[name.value] == nil {
                let profile: BrigadeConfig.ModelProfile
                do {
                    profile = try BrigadeConfig.profile(named: name.value, in: config.models, at: nil)
                } catch {
                    throw ConfigError("tool `\(declaration.spec.name)`: \(error.message)", at: name.location ?? declaration.spec.location)
                }
                let (client, reason) = makeModel(profile.settings, environment: environment, httpClient: httpClient)
                models[name.value] = client.map { .client($0) } ?? .unavailable("model profile `\(name.value)`: \(reason ?? "unavailable")")
            }
            declaration.kind = .agent(agent)
            resolved.append(declaration)
        }
        return (resolved, models)
    }
}
