import CurlHTTP
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

extension OTLPTraceSettings {
    /// What the environment asks for: export with these settings, or not.
    public struct Resolution: Sendable, Hashable {
        /// The settings to export with; `nil` when export is off.
        public var settings: OTLPTraceSettings?
        /// Problems to tell the user once (an unsupported protocol or exporter, a malformed header);
        /// empty when nothing is wrong, including when export is simply not configured.
        public var warnings: [String]
        /// Whether `timeout` came from `OTEL_EXPORTER_OTLP_(TRACES_)TIMEOUT` (a valid value), not the default.
        public var timeoutIsFromEnvironment = false
    }

    /// Reads the OpenTelemetry environment variables (docs/traces.md, "OpenTelemetry"):
    ///
    /// - `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (used as is) or `OTEL_EXPORTER_OTLP_ENDPOINT` (+ `/v1/traces`);
    ///   neither set → off, silently.
    /// - `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none` → off, silently; an exporter list
    ///   without `otlp` → off with a warning.
    /// - `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL` / `OTEL_EXPORTER_OTLP_PROTOCOL`: only `http/json` (the
    ///   default here) is spoken; `http/protobuf` and `grpc` → off with a warning.
    /// - `OTEL_EXPORTER_OTLP_HEADERS`, then `OTEL_EXPORTER_OTLP_TRACES_HEADERS` (same name: the latter
    ///   wins): `name=value,name2=value2`, values percent-decoded.
    /// - `OTEL_EXPORTER_OTLP_TRACES_TIMEOUT` / `OTEL_EXPORTER_OTLP_TIMEOUT`: milliseconds, default 10000.
    /// - `OTEL_SERVICE_NAME` (default `brigade`), `OTEL_RESOURCE_ATTRIBUTES` (`key=value,…`).
    /// - `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true` → argument and result previews.
    public static func fromEnvironment(_ environment: [String: String]) -> Resolution {
        func value(_ name: String) -> String? {
            guard let text = environment[name]?.trimmingWhitespace(), !text.isEmpty else { return nil }
            return text
        }
        if value("OTEL_SDK_DISABLED")?.lowercased() == "true" { return Resolution(settings: nil, warnings: []) }
        if let exporters = value("OTEL_TRACES_EXPORTER")?.lowercased() {
            let names = exporters.split(separator: ",").map { String($0).trimmingWhitespace() }
            if names == ["none"] { return Resolution(settings: nil, warnings: []) }
            if !names.contains("otlp") {
                return Resolution(settings: nil, warnings: [
                    "OTEL_TRACES_EXPORTER=\(exporters) is not supported: Brigade exports spans with otlp only; no spans are exported",
                ])
            }
        }
        let url: String
        if let traces = value("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") {
            url = traces
        } else if let base = value("OTEL_EXPORTER_OTLP_ENDPOINT") {
            url = base.hasSuffix("/") ? base + "v1/traces" : base + "/v1/traces"
        } else {
            return Resolution(settings: nil, warnings: [])
        }
        let protocolName = value("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") ?? value("OTEL_EXPORTER_OTLP_PROTOCOL") ?? "http/json"
        guard protocolName == "http/json" else {
            return Resolution(settings: nil, warnings: [
                "OTLP protocol \(protocolName) is not supported: Brigade exports OTLP/HTTP with JSON bodies; set OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/json (most collectors accept it on port 4318); no spans are exported",
            ])
        }
        guard url.lowercased().hasPrefix("http://") || url.lowercased().hasPrefix("https://") else {
            return Resolution(settings: nil, warnings: ["the OTLP endpoint \(url) is not an http:// or https:// URL; no spans are exported"])
        }
        var warnings: [String] = []
        var headers = HTTPHeaders()
        for variable in ["OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS"] {
            guard let list = value(variable) else { continue }
            let parsed = keyValueList(list)
            if parsed.malformed > 0 { warnings.append("\(variable): \(parsed.malformed) entr\(parsed.malformed == 1 ? "y is" : "ies are") not name=value and were ignored") }
            for pair in parsed.pairs {
                headers.replaceOrAdd(name: pair.key, value: pair.value)
            }
        }
        var timeout = Duration.seconds(10)
        var timeoutIsFromEnvironment = false
        if let text = value("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT") ?? value("OTEL_EXPORTER_OTLP_TIMEOUT") {
            if let milliseconds = Int(text), milliseconds > 0 {
                timeout = .milliseconds(milliseconds)
                timeoutIsFromEnvironment = true
            } else {
                warnings.append("the OTLP timeout \(text) is not a positive number of milliseconds; 10000 is used")
            }
        }
        let resourceList = value("OTEL_RESOURCE_ATTRIBUTES").map(keyValueList)
        if let resourceList, resourceList.malformed > 0 {
            warnings.append("OTEL_RESOURCE_ATTRIBUTES: \(resourceList.malformed) entr\(resourceList.malformed == 1 ? "y is" : "ies are") not key=value and were ignored")
        }
        let resource = (resourceList?.pairs ?? []).map { OTLPAttribute($0.key, $0.value) }
        let serviceName = value("OTEL_SERVICE_NAME") ?? resource.first { $0.key == "service.name" }?.value.stringValue ?? "brigade"
        let settings = OTLPTraceSettings(
            url: url, headers: headers, timeout: timeout, serviceName: serviceName, resource: resource,
            capturesContent: value("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT")?.lowercased() == "true")
        return Resolution(settings: settings, warnings: warnings, timeoutIsFromEnvironment: timeoutIsFromEnvironment)
    }

    /// `key=value,key2=value2` (the W3C Baggage-like list of the OpenTelemetry variables): entries trimmed,
    /// values percent-decoded, empty entries skipped, entries without `=` or with an empty key counted as malformed.
    static func keyValueList(_ text: String) -> (pairs: [(key: String, value: String)], malformed: Int) {
        var pairs: [(key: String, value: String)] = []
        var malformed = 0
        for entry in text.split(separator: ",", omittingEmptySubsequences: true) {
            let trimmed = String(entry).trimmingWhitespace()
            if trimmed.isEmpty { continue }
            guard let equals = trimmed.firstIndex(of: "=") else { malformed += 1; continue }
            let key = String(trimmed[..<equals]).trimmingWhitespace()
            let rawValue = String(trimmed[trimmed.index(after: equals)...]).trimmingWhitespace()
            guard !key.isEmpty, let decoded = percentDecoded(rawValue) else { malformed += 1; continue }
            pairs.append((key: key, value: decoded))
        }
        return (pairs, malformed)
    }

    /// `%XX` sequences decoded as UTF-8; `nil` when one is broken or the bytes are not UTF-8.
    static func percentDecoded(_ text: String) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else { bytes.append(byte); continue }
            guard let high = iterator.next().flatMap(hexDigit), let low = iterator.next().flatMap(hexDigit) else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
