/// How requests are split between the static routes and the model (config `routing`, `--mode`).
public enum RoutingMode: String, Sendable, Hashable, CaseIterable {
    /// A matching route runs first; other requests go to the model.
    case hybrid
    /// The model only; the routes serve as fallback.
    case model
    /// The routes only; a request no route matches gets a list of what the routes can do.
    case `static`
}
