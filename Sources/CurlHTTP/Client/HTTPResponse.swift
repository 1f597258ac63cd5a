/// The status line and header fields of a response, available before its body.
public struct HTTPResponseHead: Sendable, Hashable {
    /// The status code, e.g. 200.
    public var status: Int
    /// The header fields of the final response (interim `1xx` responses are skipped).
    public var headers: HTTPHeaders

    /// Creates a head.
    public init(status: Int, headers: HTTPHeaders) {
        self.status = status
        self.headers = headers
    }
}

/// A complete, buffered response.
public struct HTTPResponse: Sendable, Hashable {
    /// The status code, e.g. 200.
    public var status: Int
    /// The header fields of the final response.
    public var headers: HTTPHeaders
    /// The body bytes (after content decoding, if ``HTTPClient/Configuration/acceptsCompressedResponses`` is on).
    public var body: [UInt8]

    /// Creates a response.
    public init(status: Int, headers: HTTPHeaders, body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The status and headers.
    public var head: HTTPResponseHead { HTTPResponseHead(status: status, headers: headers) }

    /// The body decoded as UTF-8 (invalid sequences become U+FFFD).
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}
