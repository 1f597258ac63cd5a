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

/// What one configuration layer overrides of an earlier one: a tool or route of the same name.
public struct LayerOverride: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable { case tool, route }
    public var kind: Kind
    public var name: String
    /// Where the definition in use was written.
    public var winner: SourceLocation?
    /// Where the replaced one was written.
    public var replaced: SourceLocation?

    /// "tool `git_recent_commits`: /repo/.brigade/tools/git.yaml:1 replaces /home/u/.config/brigade/tools/git.yaml:1".
    public var description: String {
        "\(kind.rawValue) `\(name)`: \(winner.map { "\($0.file):\($0.line)" } ?? "?") replaces \(replaced.map { "\($0.file):\($0.line)" } ?? "?")"
    }
}

extension Workspace {
    /// The tools, routes and system prompt of every layer. A name defined in two layers is taken from
    /// the later (more specific) one, whole, and reported; within one layer a name twice is an error.
    static func loadLayers(
        _ config: BrigadeConfig,
        environment: [String: String],
        httpClient: HTTPClient
    ) throws(ConfigError) -> (ToolRegistry, RouteSet, systemPrompt: String, overrides: [LayerOverride], secrets: [String]) {
        // With no layer at all, the defaults: tools/, routes/ and prompts/ of the working directory.
        let folders = config.layers.isEmpty ? [config.paths] : config.layers.map(\.paths)
        var overrides: [LayerOverride] = []

        var declarations: [ToolDeclaration] = []
        var indexByName: [String: Int] = [:]  // a scan per tool would make loading quadratic in the tool count
        for paths in folders where paths.tools.location != nil || FileManager.default.fileExists(atPath: paths.tools.value) {
            for declaration in try RegistryLoader.load(directory: paths.tools.value, environment: environment) {
                if let index = indexByName[declaration.spec.name] {
                    overrides.append(LayerOverride(kind: .tool, name: declaration.spec.name, winner: declaration.spec.location, replaced: declarations[index].spec.location))
                    declarations[index] = declaration
                } else {
                    indexByName[declaration.spec.name] = declarations.count
                    declarations.append(declaration)
                }
            }
        }
        let (completed, subAgentModels) = try resolveSubAgents(
            declarations, promptFolders: folders.map(\.prompts.value), config: config, environment: environment, httpClient: httpClient)
        let registry = try ToolFactory.makeRegistry(completed, httpClient: httpClient, subAgentModels: subAgentModels)
        let specs = Dictionary(registry.specs.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })

        var routes: [Route] = []
        for paths in folders {
            for route in try RouteLoader.load(
                directory: paths.routes.value, tools: specs, promptsDirectory: paths.prompts.value, mcpServers: config.mcpServers
            ).routes {
                if let index = routes.firstIndex(where: { $0.name == route.name }) {
                    overrides.append(LayerOverride(kind: .route, name: route.name, winner: route.location, replaced: routes[index].location))
                    routes[index] = route
                } else {
                    routes.append(route)
                }
            }
        }

        var systemPrompt = defaultSystemPrompt
        for paths in folders {
            let path = paths.prompts.value + "/system.md"
            guard FileManager.default.fileExists(atPath: path) else { continue }
            guard let data = FileManager.default.contents(atPath: path) else { throw ConfigError("cannot read \(path)", file: path) }
            systemPrompt = String(decoding: data, as: UTF8.self)
        }
        let secrets = declarations.flatMap { declaration -> [String] in
            switch declaration.kind {
            case .http(let http): http.secrets
            case .command(let command): command.secrets
            default: []
            }
        }
        return (registry, RouteSet(routes), systemPrompt, overrides, secrets)
    }
}
