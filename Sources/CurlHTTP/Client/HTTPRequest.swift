/// One HTTP request: method, URL, headers and an optional body, plus optional per-request limits.
public struct HTTPRequest: Sendable {
    /// The method, e.g. `"GET"` or `"POST"`; any RFC 9110 token is accepted.
    public var method: String
    /// An absolute `http://` or `https://` URL.
    public var url: String
    /// Header fields sent as given. `Expect: 100-continue` is suppressed for bodies unless set
    /// here; `Content-Type` is only sent when set here.
    public var headers: HTTPHeaders
    /// The body bytes, or `nil` for none. A `POST` without a body sends `Content-Length: 0`.
    public var body: [UInt8]?
    /// Timeouts for this request; `nil` uses the client's ``HTTPClient/Configuration/timeouts``.
    public var timeouts: HTTPClient.Configuration.Timeouts?
    /// An absolute deadline for the whole exchange (combined with `timeouts.total`: the earlier
    /// one wins). Past it the transfer fails with ``HTTPError/Code/deadlineExceeded``.
    public var deadline: ContinuousClock.Instant?
    /// When set, connections to `host:port` go to exactly these addresses, with no DNS lookup of
    /// `host` (curl's `CURLOPT_RESOLVE`): a caller that checked the addresses connects to the ones
    /// it checked, so a second lookup cannot answer differently (DNS rebinding).
    public var pinnedAddresses: PinnedAddresses?

    /// The addresses a host name stands for in one request.
    public struct PinnedAddresses: Sendable, Hashable {
        public var host: String
        public var port: Int
        /// Numeric IPv4 or IPv6 addresses (IPv6 without brackets).
        public var addresses: [String]

        public init(host: String, port: Int, addresses: [String]) {
            self.host = host
            self.port = port
            self.addresses = addresses
        }
    }

    /// Creates a request; nothing is validated until it is sent.
    /// - Parameters:
    ///   - method: defaults to `"GET"`.
    ///   - url: an absolute `http://` or `https://` URL.
    ///   - headers: header fields to send as given.
    ///   - body: the body bytes, or `nil` for none.
    ///   - timeouts: replaces the client's timeouts for this request when set.
    ///   - deadline: when the whole exchange must be over.
    public init(
        method: String = "GET",
        url: String,
        headers: HTTPHeaders = [:],
        body: [UInt8]? = nil,
        timeouts: HTTPClient.Configuration.Timeouts? = nil,
        deadline: ContinuousClock.Instant? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeouts = timeouts
        self.deadline = deadline
    }
}
