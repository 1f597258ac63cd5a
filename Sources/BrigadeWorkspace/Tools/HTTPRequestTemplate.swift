import BrigadeCore

/// The URL, header and body templates of an http tool, checked at load time and rendered per call.
///
/// - URL: a template that is exactly `{{name}}` takes the argument as the whole URL, which must then be an
///   absolute `http://` or `https://` URL. Otherwise the template must begin with a fixed `http://` or
///   `https://`, and each value is percent-encoded (everything but `A–Z a–z 0–9 - . _ ~`), so a value
///   cannot add path segments, a query or a fragment. A placeholder whose argument is absent renders empty.
/// - Headers: values get textual substitution; absent arguments render empty.
/// - Body: a string leaf that is exactly `{{name}}` becomes the argument's JSON value (an object member or
///   array element whose argument is absent is left out); other strings get textual substitution.
struct HTTPRequestTemplate: Sendable {
    let url: PlaceholderTemplate
    let headers: [(name: String, value: PlaceholderTemplate)]
    let body: JSONValue?

    init(_ config: HTTPToolConfig, spec: ToolSpec) throws(ConfigError) {
        let known = Set(spec.parameters["properties"]?.objectValue?.keys ?? [])
        let location = config.url.location ?? spec.location
        func parse(_ text: String, _ what: String) throws(ConfigError) -> PlaceholderTemplate {
            let template: PlaceholderTemplate
            do { template = try PlaceholderTemplate(parsing: text) } catch {
                throw ConfigError("\(what): \(error.message)", at: location)
            }
            for name in template.placeholderNames where !known.contains(name) {
                throw ConfigError("\(what): placeholder `{{\(name)}}` names no parameter of tool '\(spec.name)'", at: location)
            }
            return template
        }
        url = try parse(config.url.value, "url")
        if url.solePlaceholderName == nil {
            let sample = url.render { _ in "x" } ?? ""
            guard case .literal(let prefix) = url.segments.first, Self.schemeAndHost(prefix) != nil else {
                throw ConfigError(
                    "url must begin with a fixed http:// or https:// and host (a placeholder may only stand for the whole URL)",
                    at: location
                )
            }
            if let problem = Self.problem(withURL: sample) { throw ConfigError("url: \(problem)", at: location) }
        }
        var headers: [(String, PlaceholderTemplate)] = []
        for (name, value) in config.headers.sorted(by: { $0.key < $1.key }) {
            guard !name.isEmpty, name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ":") }) else {
                throw ConfigError("invalid header name \(String(reflecting: name))", at: spec.location)
            }
            headers.append((name, try parse(value, "header \(name)")))
        }
        self.headers = headers
        if let body = config.body {
            for text in Self.strings(in: body) { _ = try parse(text, "body") }
        }
        body = config.body
    }

    /// The URL for `arguments`, or a message for the model when a whole-URL argument is not acceptable.
    func renderURL(_ arguments: JSONValue) -> Result<String, ToolCallProblem> {
        if let name = url.solePlaceholderName {
            guard let value = arguments[name]?.templateText else {
                return .failure(ToolCallProblem("missing argument `\(name)` (the URL)"))
            }
            if let problem = Self.problem(withURL: value) { return .failure(ToolCallProblem("`\(name)`: \(problem)")) }
            return .success(value)
        }
        return .success(url.render { name in Self.percentEncoded(arguments[name]?.templateText ?? "") } ?? "")
    }

    func renderHeaders(_ arguments: JSONValue) -> [(name: String, value: String)] {
        headers.map { header in (header.name, header.value.render { arguments[$0]?.templateText ?? "" } ?? "") }
    }

    func renderBody(_ arguments: JSONValue) -> JSONValue? {
        body.flatMap { Self.render($0, arguments) }
    }

    private static func render(_ template: JSONValue, _ arguments: JSONValue) -> JSONValue? {
        switch template {
        case .string(let text):
            guard let parsed = try? PlaceholderTemplate(parsing: text) else { return template }
            if let name = parsed.solePlaceholderName {
                guard let value = arguments[name], !value.isNull else { return nil }
                return value
            }
            return .string(parsed.render { arguments[$0]?.templateText ?? "" } ?? text)
        case .array(let items):
            return .array(items.compactMap { render($0, arguments) })
        case .object(let object):
            var rendered = JSONObject()
            for (key, value) in object {
                if let value = render(value, arguments) { rendered[key] = value }
            }
            return .object(rendered)
        default:
            return template
        }
    }

    private static func strings(in value: JSONValue) -> [String] {
        switch value {
        case .string(let text): [text]
        case .array(let items): items.flatMap(strings(in:))
        case .object(let object): object.flatMap { strings(in: $0.value) }
        default: []
        }
    }

    /// `nil` when `text` is an absolute http(s) URL with a host and no spaces or control characters.
    static func problem(withURL text: String) -> String? {
        guard schemeAndHost(text) != nil else { return "must be an absolute http:// or https:// URL, got \(JSONValue.string(text).shortDescription(limit: 80))" }
        guard !text.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }) else {
            return "must not contain spaces or control characters (percent-encode them)"
        }
        return nil
    }

    /// The scheme and host of an `http://` or `https://` URL, or `nil`.
    static func schemeAndHost(_ text: String) -> (scheme: String, host: String)? {
        let lower = text.lowercased()
        let scheme = lower.hasPrefix("https://") ? "https" : lower.hasPrefix("http://") ? "http" : nil
        guard let scheme else { return nil }
        let rest = text.dropFirst(scheme.count + 3)
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let host = authority.split(separator: "@", omittingEmptySubsequences: false).last ?? ""
        let hostName = host.hasPrefix("[") ? host : host.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        guard !hostName.isEmpty else { return nil }
        return (scheme, String(hostName))
    }

    /// RFC 3986 percent-encoding of everything but the unreserved characters.
    static func percentEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                out += "%"
                out.unicodeScalars.append(hex[Int(byte >> 4)])
                out.unicodeScalars.append(hex[Int(byte & 0x0F)])
            }
        }
        return out
    }
}
