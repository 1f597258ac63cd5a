import BrigadeCore

/// Turns provider error responses (HTTP statuses, error bodies, error events inside a stream) into
/// ``ModelError``s, never letting the API key into a message.
enum ProviderError {
    /// Statuses worth sending the same request again for: request timeout, conflict, rate limit,
    /// and every server error (Anthropic's 529 "overloaded" included).
    static func isRetryable(status: Int) -> Bool {
        status == 408 || status == 409 || status == 429 || (500...599).contains(status)
    }

    /// The failure for a non-2xx response.
    ///
    /// - Parameters:
    ///   - status: the HTTP status.
    ///   - body: the response body (the provider's error JSON, usually).
    ///   - provider: the provider's name for the message, e.g. "OpenAI".
    ///   - serverDelay: the wait the server asked for (`Retry-After`), if any.
    ///   - shouldRetry: the `x-should-retry` header (`true`/`false`), which overrides the status rule.
    static func failure(status: Int, body: [UInt8], provider: String, serverDelay: Duration?, shouldRetry: Bool?) -> AttemptFailure {
        let detail = message(fromBody: body) ?? "no error message"
        let code: ModelError.Code
        let summary: String
        switch status {
        case 429:
            code = .rateLimited
            summary = "\(provider) rate limit"
        case 408, 409, 500...599:
            code = .serverError
            summary = status == 529 ? "\(provider) is overloaded" : "\(provider) server error"
        case 400...499:
            code = .rejected
            summary = "\(provider) rejected the request"
        default:
            code = .malformedResponse
            summary = "unexpected HTTP status from \(provider)"
        }
        let error = ModelError(code, "\(summary): \(detail)", status: status)
        return AttemptFailure(error, isRetryable: shouldRetry ?? isRetryable(status: status), serverDelay: serverDelay)
    }

    /// The error an `{"error": {...}}` object sent inside a stream (or as an event) stands for.
    ///
    /// Anthropic's error types carry their HTTP status (`overloaded_error` is 529); OpenAI-style
    /// objects may carry `code`/`type` strings or a numeric `code`.
    static func error(fromErrorObject object: JSONValue, provider: String) -> ModelError {
        let inner = object["error"] ?? object
        let type = inner["type"]?.stringValue ?? ""
        let codeString = inner["code"]?.stringValue ?? ""
        let message = inner["message"]?.stringValue ?? inner.stringValue ?? "no error message"
        var status: Int? = inner["code"]?.intValue ?? inner["status"]?.intValue
        if status == nil {
            switch type {
            case "invalid_request_error": status = 400
            case "authentication_error": status = 401
            case "permission_error": status = 403
            case "not_found_error": status = 404
            case "request_too_large": status = 413
            case "rate_limit_error": status = 429
            case "api_error": status = 500
            case "overloaded_error": status = 529
            default: break
            }
        }
        let label = [type, codeString].filter { !$0.isEmpty }.joined(separator: "/")
        let text = "\(provider) stream error\(label.isEmpty ? "" : " (\(label))"): \(message)"
        let code: ModelError.Code
        if status == 429 || type.contains("rate_limit") || codeString.contains("rate_limit") {
            code = .rateLimited
        } else if let status, (400...499).contains(status), status != 408, status != 409 {
            code = .rejected
        } else {
            code = .serverError
        }
        return ModelError(code, text, status: status)
    }

    /// The human-readable message in an error body: `error.message` (OpenAI, Anthropic, vLLM,
    /// llama.cpp), `error` as a string (Ollama), `message` or `detail` at the top level; else the
    /// body text itself, shortened. `nil` for an empty body.
    static func message(fromBody body: [UInt8]) -> String? {
        if let json = try? JSONValue(parsing: body) {
            let candidates: [JSONValue?] = [json["error"]?["message"], json["error"], json["message"], json["detail"]]
            for case let .string(text)? in candidates where !text.isEmpty { return shortened(text) }
            if case .object = json { return shortened(json.jsonString) }
        }
        let text = String(decoding: body, as: UTF8.self)
        return text.allSatisfy(\.isWhitespace) ? nil : shortened(text)
    }

    static func shortened(_ text: String, limit: Int = 500) -> String {
        text.quotedForError(limit: limit)
    }

    /// `text` with the API key, and any piece of it of 8 bytes or more, replaced (``SecretRedactor``),
    /// for messages that quote a server.
    static func redacting(_ text: String, apiKey: String?) -> String {
        guard let apiKey else { return text }
        return SecretRedactor(secrets: [apiKey]).redact(text)
    }
}

extension ModelError {
    /// The same error with the API key removed from its message.
    func redacting(apiKey: String?) -> ModelError {
        var copy = self
        copy.message = ProviderError.redacting(message, apiKey: apiKey)
        return copy
    }
}
