/// How much of a request a route's vocabulary must cover before the route takes it, per mode.
///
/// `hybrid` applies when a model can answer whatever the route does not take, so it is strict: the
/// request has to be the route's job. `static` applies when there is no model (static mode, or the
/// model failed and the router is the fallback): a miss there means no answer at all, so it is loose.
/// Set per route in YAML: `match: {threshold: {hybrid: 0.8, static: 0.5}}`.
public struct RouteThresholds: Sendable, Hashable {
    public static let defaultHybrid = 0.8
    public static let defaultStatic = 0.4

    /// Minimum score for a precise match (a model is available).
    public var hybrid: Double
    /// Minimum score for a loose match (no model to fall back to).
    public var `static`: Double

    public init(hybrid: Double = Self.defaultHybrid, static: Double = Self.defaultStatic) {
        self.hybrid = hybrid
        self.static = `static`
    }

    /// The threshold for `mode`: `static` is loose, `hybrid` and `model` are precise.
    public func threshold(for mode: RoutingMode) -> Double {
        mode == .static ? `static` : hybrid
    }
}
