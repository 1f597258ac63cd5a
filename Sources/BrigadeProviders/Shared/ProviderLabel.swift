/// How errors name the model server: by its host and the API it speaks, so a local llama.cpp server is
/// "127.0.0.1:8080 (OpenAI-compatible API)", not "OpenAI".
enum ProviderLabel {
    /// - Parameters:
    ///   - api: the API's owner, e.g. "OpenAI".
    ///   - officialHost: the owner's own host (e.g. `api.openai.com`): there the API is "OpenAI API".
    ///   - baseURL: the configured API root.
    static func describe(api: String, officialHost: String, baseURL: String) -> String {
        let host = Self.host(of: baseURL)
        guard !host.isEmpty else { return "\(api) API" }
        return host == officialHost ? "\(host) (\(api) API)" : "\(host) (\(api)-compatible API)"
    }

    /// `https://user@Host:8080/v1` → `host:8080`.
    static func host(of url: String) -> String {
        var rest = Substring(url)
        // The standard library's search, not Foundation's `range(of:)`: this runs once per model call.
        if let scheme = rest.firstRange(of: "://") { rest = rest[scheme.upperBound...] }
        rest = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        return rest.lowercased()
    }
}
