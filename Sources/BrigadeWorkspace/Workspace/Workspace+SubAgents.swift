import BrigadeCore
import CurlHTTP
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

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
            agent.promptText = try promptText(agent.prompt, folders: promptFolders, tool: declaration.spec)
            if let judge = agent.join?.judge { agent.join?.judgeText = try promptText(judge, folders: promptFolders, tool: declaration.spec) }
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

    /// The text of prompt file `name` from the most specific folder that has it.
    private static func promptText(_ name: Located<String>, folders: [String], tool: ToolSpec) throws(ConfigError) -> String {
        let candidates = folders.reversed().map { $0 + "/" + name.value }
        guard let path = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw ConfigError(
                "tool `\(tool.name)`: no prompt file `\(name.value)` in \(folders.joined(separator: ", "))", at: name.location ?? tool.location)
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw ConfigError("cannot read \(path)", file: path) }
        return String(decoding: data, as: UTF8.self)
    }
}
