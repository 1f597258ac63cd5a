import BrigadeCore
import CurlHTTP

/// Where and how spans are exported over OTLP/HTTP with JSON bodies (docs/traces.md, "OpenTelemetry").
///
/// Read from the standard OpenTelemetry environment variables with ``fromEnvironment(_:)``; export is
/// off when no endpoint is set.
public struct OTLPTraceSettings: Sendable, Hashable {
    /// The full URL the spans are POSTed to (`…/v1/traces`).
    public var url: String
    /// Header fields sent with every export (`OTEL_EXPORTER_OTLP_HEADERS`, `…_TRACES_HEADERS`), in order.
    public var headers: HTTPHeaders
    /// The longest one export may take (`OTEL_EXPORTER_OTLP_TIMEOUT`, default 10 s); past it its spans are dropped.
    public var timeout: Duration
    /// The resource's attributes: `service.name` and `OTEL_RESOURCE_ATTRIBUTES`, plus Brigade's version.
    public var resource: [OTLPAttribute]
    /// Whether tool arguments and results (capped previews) are exported
    /// (`OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true`). Off by default.
    public var capturesContent: Bool

    /// - Parameters:
    ///   - url: the full traces URL.
    ///   - headers: header fields sent with every export.
    ///   - timeout: the longest one export may take; default 10 seconds.
    ///   - serviceName: `service.name` of the resource; default `brigade`.
    ///   - resource: further resource attributes.
    ///   - capturesContent: export argument and result previews; default off.
    public init(
        url: String,
        headers: HTTPHeaders = [:],
        timeout: Duration = .seconds(10),
        serviceName: String = "brigade",
        resource: [OTLPAttribute] = [],
        capturesContent: Bool = false
    ) {
        self.url = url
        self.headers = headers
        self.timeout = timeout
        self.resource = Self.resource(serviceName: serviceName, extra: resource)
        self.capturesContent = capturesContent
    }

    /// ``url`` without a `user:password@` part, for messages.
    public var displayURL: String {
        guard let scheme = url.firstRange(of: "://") else { return url }
        let rest = url[scheme.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return url }
        return String(url[..<scheme.upperBound]) + String(rest[rest.index(after: at)...])
    }

    /// `service.name` first, then the given attributes (a `service.name` among them is replaced), then
    /// `service.version` and the `telemetry.sdk.*` attributes unless given.
    static func resource(serviceName: String, extra: [OTLPAttribute]) -> [OTLPAttribute] {
        var attributes = [OTLPAttribute("service.name", serviceName)] + extra.filter { $0.key != "service.name" }
        for fallback in [
            OTLPAttribute("service.version", BrigadeVersion.semantic),
            OTLPAttribute("telemetry.sdk.name", "brigade"),
            OTLPAttribute("telemetry.sdk.language", "swift"),
            OTLPAttribute("telemetry.sdk.version", BrigadeVersion.semantic),
        ] where !attributes.contains(where: { $0.key == fallback.key }) {
            attributes.append(fallback)
        }
        return attributes
    }
}
