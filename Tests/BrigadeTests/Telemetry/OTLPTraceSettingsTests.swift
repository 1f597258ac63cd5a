import Brigade
@testable import BrigadeCore
@testable import BrigadeTelemetry
import Testing

@Suite("OTLP settings from the environment")
struct OTLPTraceSettingsTests {
    func resolve(_ environment: [String: String]) -> OTLPTraceSettings.Resolution {
        OTLPTraceSettings.fromEnvironment(environment)
    }

    @Test func exportIsOffWithoutAnEndpointAndSaysNothing() {
        #expect(resolve([:]) == OTLPTraceSettings.Resolution(settings: nil, warnings: []))
        #expect(resolve(["OTEL_SERVICE_NAME": "x", "OTEL_EXPORTER_OTLP_ENDPOINT": "  "]).settings == nil)
    }

    @Test func theBaseEndpointGetsTheTracesPathAndTheTracesEndpointIsUsedAsIs() {
        #expect(resolve(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"]).settings?.url == "http://collector:4318/v1/traces")
        #expect(resolve(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318/"]).settings?.url == "http://collector:4318/v1/traces")
        #expect(resolve(["OTEL_EXPORTER_OTLP_ENDPOINT": "https://otel.example/otlp"]).settings?.url == "https://otel.example/otlp/v1/traces")
        let both = resolve([
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://base:4318", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://traces:9999/custom",
        ])
        #expect(both.settings?.url == "http://traces:9999/custom")
    }

    /// Only a valid timeout from the environment counts as set (the CLI's exit wait follows it).
    @Test func aTimeoutCountsAsSetOnlyWhenTheEnvironmentGivesAValidOne() {
        let endpoint = ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"]
        #expect(resolve(endpoint).timeoutIsFromEnvironment == false)
        #expect(resolve(endpoint.merging(["OTEL_EXPORTER_OTLP_TIMEOUT": " "]) { $1 }).timeoutIsFromEnvironment == false)
        #expect(resolve(endpoint.merging(["OTEL_EXPORTER_OTLP_TIMEOUT": "soon"]) { $1 }).timeoutIsFromEnvironment == false)
        let set = resolve(endpoint.merging(["OTEL_EXPORTER_OTLP_TRACES_TIMEOUT": "3000"]) { $1 })
        #expect(set.timeoutIsFromEnvironment && set.settings?.timeout == .seconds(3))
    }

    @Test func disabledSDKAndTheNoneExporterTurnExportOffSilently() {
        let endpoint = ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"]
        #expect(resolve(endpoint.merging(["OTEL_SDK_DISABLED": "TRUE"]) { $1 }) == .init(settings: nil, warnings: []))
        #expect(resolve(endpoint.merging(["OTEL_TRACES_EXPORTER": "none"]) { $1 }) == .init(settings: nil, warnings: []))
        #expect(resolve(endpoint.merging(["OTEL_SDK_DISABLED": "false"]) { $1 }).settings != nil)
        #expect(resolve(endpoint.merging(["OTEL_TRACES_EXPORTER": "otlp"]) { $1 }).settings != nil)
        let zipkin = resolve(endpoint.merging(["OTEL_TRACES_EXPORTER": "zipkin"]) { $1 })
        #expect(zipkin.settings == nil)
        #expect(zipkin.warnings.count == 1 && zipkin.warnings[0].contains("zipkin"))
    }

    @Test func onlyHTTPJSONIsSpokenOtherProtocolsGetOneWarningAndNoExport() {
        let endpoint = ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"]
        #expect(resolve(endpoint.merging(["OTEL_EXPORTER_OTLP_PROTOCOL": "http/json"]) { $1 }).settings != nil)
        for refused in ["http/protobuf", "grpc"] {
            let general = resolve(endpoint.merging(["OTEL_EXPORTER_OTLP_PROTOCOL": refused]) { $1 })
            #expect(general.settings == nil)
            #expect(general.warnings.count == 1 && general.warnings[0].contains(refused) && general.warnings[0].contains("http/json"))
        }
        // The traces variable wins over the general one, both ways.
        let tracesJSON = resolve(endpoint.merging(["OTEL_EXPORTER_OTLP_PROTOCOL": "grpc", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/json"]) { $1 })
        #expect(tracesJSON.settings != nil && tracesJSON.warnings.isEmpty)
        let tracesProtobuf = resolve(endpoint.merging(["OTEL_EXPORTER_OTLP_PROTOCOL": "http/json", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/protobuf"]) { $1 })
        #expect(tracesProtobuf.settings == nil && tracesProtobuf.warnings.count == 1)
    }

    @Test func headersArePercentDecodedAndTheTracesVariableOverridesTheGeneralOne() throws {
        let settings = try #require(resolve([
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318",
            "OTEL_EXPORTER_OTLP_HEADERS": "Authorization=Basic%20dXNlcjpwYXNz, x-team = core ,x-shared=general",
            "OTEL_EXPORTER_OTLP_TRACES_HEADERS": "X-Shared=traces",
        ]).settings)
        #expect(settings.headers["authorization"] == "Basic dXNlcjpwYXNz")
        #expect(settings.headers["x-team"] == "core")
        #expect(settings.headers.values(for: "x-shared") == ["traces"])
    }

    @Test func malformedHeaderEntriesAreSkippedWithAWarning() throws {
        let resolution = resolve([
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318",
            "OTEL_EXPORTER_OTLP_HEADERS": "good=1,novalue,=empty-key,bad=%zz",
        ])
        let settings = try #require(resolution.settings)
        #expect(settings.headers.fields.map(\.name) == ["good"])
        #expect(resolution.warnings == ["OTEL_EXPORTER_OTLP_HEADERS: 3 entries are not name=value and were ignored"])
    }

    @Test func serviceNameAndResourceAttributes() throws {
        let plain = try #require(resolve(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"]).settings)
        #expect(plain.resource.first == OTLPAttribute("service.name", "brigade"))
        #expect(plain.resource.contains(OTLPAttribute("service.version", BrigadeVersion.semantic)))

        let fromResource = try #require(resolve([
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318",
            "OTEL_RESOURCE_ATTRIBUTES": "service.name=from-resource,deployment.environment=prod%2Feu",
        ]).settings)
        #expect(fromResource.resource.first == OTLPAttribute("service.name", "from-resource"))
        #expect(fromResource.resource.contains(OTLPAttribute("deployment.environment", "prod/eu")))
        #expect(fromResource.resource.filter { $0.key == "service.name" }.count == 1)

        let named = try #require(resolve([
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_SERVICE_NAME": "checkout-agent",
            "OTEL_RESOURCE_ATTRIBUTES": "service.name=ignored",
        ]).settings)
        #expect(named.resource.first == OTLPAttribute("service.name", "checkout-agent"))
        #expect(named.resource.filter { $0.key == "service.name" }.count == 1)
    }

    @Test func timeoutAndContentCapture() throws {
        let settings = try #require(resolve([
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_EXPORTER_OTLP_TIMEOUT": "2500",
            "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "true",
        ]).settings)
        #expect(settings.timeout == .milliseconds(2500))
        #expect(settings.capturesContent)
        let defaults = try #require(resolve(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"]).settings)
        #expect(defaults.timeout == .seconds(10) && !defaults.capturesContent)
        let bad = resolve(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT": "soon"])
        #expect(bad.settings?.timeout == .seconds(10) && bad.warnings.count == 1)
    }

    @Test func anEndpointThatIsNotHTTPIsRefused() {
        let resolution = resolve(["OTEL_EXPORTER_OTLP_ENDPOINT": "collector:4317"])
        #expect(resolution.settings == nil && resolution.warnings.count == 1)
    }

    @Test func messagesShowTheURLWithoutItsCredentials() {
        #expect(OTLPTraceSettings(url: "https://user:tok3n@otel.example:4318/v1/traces").displayURL == "https://otel.example:4318/v1/traces")
        #expect(OTLPTraceSettings(url: "http://collector:4318/v1/traces?a=b@c").displayURL == "http://collector:4318/v1/traces?a=b@c")
        #expect(OTLPTraceSettings(url: "http://collector:4318").displayURL == "http://collector:4318")
    }
}
