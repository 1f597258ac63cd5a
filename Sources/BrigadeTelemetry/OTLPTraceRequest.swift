import BrigadeCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The body of one OTLP/HTTP JSON export: an `ExportTraceServiceRequest` with one `ResourceSpans`
/// and one `ScopeSpans` (scope `brigade`), encoded per the OTLP JSON mapping — lowerCamelCase keys,
/// trace and span ids as lowercase hex, times as decimal strings of Unix nanoseconds, enums as numbers.
enum OTLPTraceRequest {
    /// `SpanKind` (opentelemetry/proto/trace/v1/trace.proto).
    enum Kind: Int, Sendable {
        case `internal` = 1
        case server = 2
        case client = 3
    }

    /// `Status.StatusCode`: unset, ok, error.
    enum StatusCode: Int, Sendable {
        case unset = 0
        case ok = 1
        case error = 2
    }

    /// The request body for `spans` (each already a JSON `Span`, see ``span(traceID:spanID:parentSpanID:name:kind:start:end:attributes:status:statusMessage:)``).
    static func body(spans: [JSONValue], resource: [OTLPAttribute]) -> JSONValue {
        let scope: JSONValue = .object(["name": .string("brigade"), "version": .string(BrigadeVersion.semantic)])
        let scopeSpans: JSONValue = .object(["scope": scope, "spans": .array(spans)])
        let resourceSpans: JSONValue = .object([
            "resource": .object(["attributes": .array(resource.map(\.json))]),
            "scopeSpans": .array([scopeSpans]),
        ])
        return .object(["resourceSpans": .array([resourceSpans])])
    }

    /// One JSON `Span`. Ids are hex strings (32 digits for the trace, 16 for spans); a root span has no
    /// `parentSpanId`; `start`/`end` are seconds since 1970.
    static func span(
        traceID: String, spanID: String, parentSpanID: String?, name: String, kind: Kind,
        start: Double, end: Double, attributes: [OTLPAttribute], status: StatusCode, statusMessage: String? = nil
    ) -> JSONValue {
        var object: JSONObject = ["traceId": .string(traceID), "spanId": .string(spanID)]
        if let parentSpanID { object["parentSpanId"] = .string(parentSpanID) }
        object["name"] = .string(name)
        object["kind"] = .integer(kind.rawValue)
        object["startTimeUnixNano"] = .string(unixNanoseconds(start))
        object["endTimeUnixNano"] = .string(unixNanoseconds(max(start, end)))
        object["attributes"] = .array(attributes.map(\.json))
        var statusObject: JSONObject = ["code": .integer(status.rawValue)]
        if status == .error, let statusMessage, !statusMessage.isEmpty { statusObject["message"] = .string(statusMessage) }
        object["status"] = .object(statusObject)
        return .object(object)
    }

    /// Seconds since 1970 as a decimal string of nanoseconds (whole seconds and the fraction apart,
    /// so the seconds keep their precision).
    static func unixNanoseconds(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds > 0 else { return "0" }
        let whole = seconds.rounded(.down)
        let nanoseconds = UInt64(whole) * 1_000_000_000 + UInt64(((seconds - whole) * 1e9).rounded())
        return String(nanoseconds)
    }

    /// A 16-byte trace id from a stable key (the root run's id), as 32 lowercase hex digits.
    static func traceID(for key: String) -> String {
        hex(fnv1a64(key, seed: 0xcbf2_9ce4_8422_2325)) + hex(fnv1a64(key, seed: 0x8422_2325_cbf2_9ce4))
    }

    /// An 8-byte span id from a stable key (run id and span id), as 16 lowercase hex digits; never zero.
    static func spanID(for key: String) -> String {
        let value = fnv1a64(key, seed: 0x6c62_272e_07bb_0142)
        return hex(value == 0 ? 1 : value)
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// FNV-1a over the UTF-8 bytes, then a final avalanche (splitmix64's) so near keys differ everywhere.
    private static func fnv1a64(_ key: String, seed: UInt64) -> UInt64 {
        var hash = seed
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        hash = (hash ^ (hash >> 30)) &* 0xbf58_476d_1ce4_e5b9
        hash = (hash ^ (hash >> 27)) &* 0x94d0_49bb_1331_11eb
        return hash ^ (hash >> 31)
    }
}
