/// A route's join template: renders the gathered results of a route's calls as the answer.
///
/// The core holds no template engine; BrigadeWorkspace's `JoinTemplate` (Mustache, from prompts/) is the
/// implementation the workspace loads. The context is the one docs/routing.md describes: `prompt`,
/// `route`, `captures`, `calls.LABEL.{ok, status, output, error, duration, tool}`, `missing` and `complete`.
public protocol RouteJoinTemplate: Sendable {
    /// The file the template was read from, for messages.
    var file: String { get }
    /// The answer: the template rendered with `context` (plain text, no HTML escaping).
    func render(_ context: [String: Any]) -> String
}
