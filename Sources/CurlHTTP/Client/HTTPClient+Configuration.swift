extension HTTPClient {
    /// Settings for a client; every request inherits them.
    public struct Configuration: Sendable {
        /// The three independent time limits on a request.
        public struct Timeouts: Sendable, Hashable {
            /// Time to establish a connection: name resolution, TCP connect and TLS handshake.
            /// Exceeding it fails with ``HTTPError/Code/connectTimeout``.
            public var connect: Duration
            /// Longest time without any bytes moving once connected, `nil` for no limit. Time
            /// while the transfer is paused because the consumer is behind does not count.
            /// Exceeding it fails with ``HTTPError/Code/idleTimeout``.
            public var idle: Duration?
            /// Longest time for the whole exchange, `nil` for no limit. Exceeding it fails with
            /// ``HTTPError/Code/deadlineExceeded``.
            public var total: Duration?

            /// - Parameters:
            ///   - connect: defaults to 10 seconds.
            ///   - idle: defaults to 120 seconds (model streams can think quietly for a while).
            ///   - total: defaults to no limit.
            public init(connect: Duration = .seconds(10), idle: Duration? = .seconds(120), total: Duration? = nil) {
                self.connect = connect
                self.idle = idle
                self.total = total
            }
        }

        /// Default time limits; ``HTTPRequest/timeouts`` overrides them per request.
        public var timeouts: Timeouts
        /// Most connections open to one host at once (`0` for no limit); further requests wait.
        public var maxConnectionsPerHost: Int
        /// Most idle connections kept for reuse across all hosts.
        public var maxCachedConnections: Int
        /// Sent as `User-Agent` unless the request sets one.
        public var userAgent: String
        /// Verify the server's certificate and host name. Turn off only for tests.
        public var verifyTLS: Bool
        /// Send `Accept-Encoding` for every encoding curl supports and decode responses.
        public var acceptsCompressedResponses: Bool
        /// Bytes a streaming response may buffer ahead of its consumer before the transfer is
        /// paused. One network read (at most 16 KiB for HTTP/1.1) may land past it.
        public var streamBufferCapacity: Int

        /// Creates a configuration; every parameter has the default documented on its property.
        /// `maxConnectionsPerHost` defaults to 32, `maxCachedConnections` to 64, `userAgent` to
        /// `"brigade"`, `streamBufferCapacity` to 256 KiB.
        public init(
            timeouts: Timeouts = Timeouts(),
            maxConnectionsPerHost: Int = 32,
            maxCachedConnections: Int = 64,
            userAgent: String = "brigade",
            verifyTLS: Bool = true,
            acceptsCompressedResponses: Bool = false,
            streamBufferCapacity: Int = 256 * 1024
        ) {
            self.timeouts = timeouts
            self.maxConnectionsPerHost = maxConnectionsPerHost
            self.maxCachedConnections = maxCachedConnections
            self.userAgent = userAgent
            self.verifyTLS = verifyTLS
            self.acceptsCompressedResponses = acceptsCompressedResponses
            self.streamBufferCapacity = streamBufferCapacity
        }
    }
}
