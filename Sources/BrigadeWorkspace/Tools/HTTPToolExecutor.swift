import BrigadeCore
import CurlHTTP

/// Runs a `kind: http` tool: one request through Brigade's `HTTPClient`.
///
/// The response body is read up to the smaller of `max_response_bytes` and the tool's output cap, then the
/// transfer is stopped and the text marked "[response truncated at N bytes]". A 2xx status (or one listed
/// in `accept_status`) gives an ok result with the body (`text/html` is reduced to its text); any other
/// status gives an error result "HTTP 404 Not Found" with the head of the body. Binary bodies are
/// described, not shown. A URL that is one whole `{{url}}` placeholder is held to the SSRF policy of
/// ``HTTPAddressPolicy`` (no loopback, private or link-local addresses unless allowed). Cancelling the calling task aborts the transfer and throws `CancellationError`.
/// See docs/tools-runtime.md for the template rules.
package struct HTTPToolExecutor: ToolExecutor {
    public let method: String
    public let client: HTTPClient
    public let readLimit: Int
    let template: HTTPRequestTemplate
    let acceptStatus: Set<Int>
    let parameters: JSONValue
    let addressPolicy: HTTPAddressPolicy
    let redactor: SecretRedactor

    /// - Throws: `ConfigError` for an invalid method, a URL template that does not fix the scheme and host
    ///   (or is not one whole-URL placeholder), unknown or malformed placeholders, or bad header names.
    public init(_ config: HTTPToolConfig, spec: ToolSpec, client: HTTPClient) throws(ConfigError) {
        let method = config.method.uppercased()
        guard !method.isEmpty, method.unicodeScalars.allSatisfy(\.isASCIILetter) else {
            throw ConfigError("invalid HTTP method '\(config.method)'", at: spec.location)
        }
        guard config.maxResponseBytes > 0 else {
            throw ConfigError("`max_response_bytes` must be at least 1", at: spec.location)
        }
        self.method = method
        self.client = client
        self.template = try HTTPRequestTemplate(config, spec: spec)
        self.acceptStatus = Set(config.acceptStatus)
        self.parameters = spec.parameters
        self.addressPolicy = HTTPAddressPolicy(allowHosts: config.allowHosts, allowPrivateNetworks: config.allowPrivateNetworks)
        self.redactor = SecretRedactor(secrets: config.secrets)
        self.readLimit = min(config.maxResponseBytes, spec.policy.maxOutputBytes ?? CommandToolExecutor.defaultMaxOutputBytes)
    }

    /// The result, with the header secrets (and any long piece of them) a server echoed removed.
    public func call(_ arguments: JSONValue, context: ToolContext) async throws -> ToolOutput {
        var output = try await unredactedCall(arguments)
        if !redactor.isEmpty { output.text = redactor.redact(output.text) }
        return output
    }

    func unredactedCall(_ arguments: JSONValue) async throws -> ToolOutput {
        try Task.checkCancellation()
        let arguments = JSONSchemaValidator.applyingDefaults(to: arguments, from: parameters)
        let url: String
        switch template.renderURL(arguments) {
        case .success(let rendered): url = rendered
        case .failure(let problem): return ToolOutput(text: problem.message, isError: true)
        }
        var pinned: HTTPRequest.PinnedAddresses?
        if let name = template.url.solePlaceholderName {
            switch await addressPolicy.check(url, name: name) {
            case .success(let addresses): pinned = addresses
            case .failure(let problem): return ToolOutput(text: problem.message, isError: true)
            }
        }
        var headers = HTTPHeaders(template.renderHeaders(arguments))
        var body: [UInt8]?
        if let json = template.renderBody(arguments) {
            body = Array(json.jsonString.utf8)
            if !headers.contains("Content-Type") { headers.add(name: "Content-Type", value: "application/json") }
        }
        var request = HTTPRequest(method: method, url: url, headers: headers, body: body)
        request.pinnedAddresses = pinned
        let limit = readLimit
        let received: (HTTPResponseHead, CappedOutput)
        do {
            received = try await client.withStream(request) { head, stream in
                var collected = CappedOutput(limit: limit, keep: .head)
                for try await chunk in stream {
                    chunk.withUnsafeBytes { collected.append($0) }
                    if collected.isTruncated { break }
                }
                return (head, collected)
            }
        } catch {
            if Task.isCancelled { throw CancellationError() }
            return ToolOutput(text: "request failed: \(error)", isError: true)
        }
        if Task.isCancelled { throw CancellationError() }
        return output(head: received.0, body: received.1)
    }

    func output(head: HTTPResponseHead, body: CappedOutput) -> ToolOutput {
        let status = "HTTP \(head.status)\(HTTPStatusText.reason(head.status).map { " " + $0 } ?? "")"
        let contentType = head.headers["Content-Type"] ?? ""
        let truncation = body.isTruncated ? "\n[response truncated at \(readLimit) bytes]" : ""
        var text: String
        if ResponseText.isBinary(body.bytes, contentType: contentType) {
            let size = body.isTruncated ? "more than \(readLimit)" : "\(body.totalCount)"
            text = "binary response (\(contentType.isEmpty ? "no content type" : contentType), \(size) bytes); not shown"
        } else if ResponseText.isHTML(contentType) {
            text = HTMLText.plainText(body.text)
            text += truncation
        } else {
            text = body.text.trimmingTrailingWhitespace
            text += truncation
        }
        if text.isEmpty { text = "(empty body)" }
        // The read stopped at the cap and said so: the dispatcher must not cut the note off.
        if (200..<300).contains(head.status) { return ToolOutput(text: text, isCapped: body.isTruncated) }
        if acceptStatus.contains(head.status) { return ToolOutput(text: status + "\n" + text, isCapped: body.isTruncated) }
        return ToolOutput(text: status + "\n" + text.cappedForOutput(2048), isError: true)
    }
}
