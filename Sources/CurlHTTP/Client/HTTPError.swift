/// Why a request failed: a ``Code`` to branch on and a message for people, which carries curl's
/// own error text where curl reported the failure.
public struct HTTPError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure. New codes may be added; compare with `==` or `switch` with a default.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Kind: String {
            case connectTimeout, idleTimeout, deadlineExceeded, cancelled, connectionFailed
            case tlsFailure, responseTooLarge, invalidRequest, transport, shutDown, curlUnavailable
        }

        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// No connection (including name resolution and the TLS handshake) within the connect timeout.
        public static let connectTimeout = Code(.connectTimeout)
        /// Connected, but no bytes moved in either direction for the idle timeout.
        public static let idleTimeout = Code(.idleTimeout)
        /// The request's deadline or total timeout passed.
        public static let deadlineExceeded = Code(.deadlineExceeded)
        /// The calling task was cancelled.
        public static let cancelled = Code(.cancelled)
        /// The client was shut down (``HTTPClient/shutdown()``, or its last reference went away)
        /// while the request was in flight, or before it was sent.
        public static let shutDown = Code(.shutDown)
        /// The host could not be resolved or refused the connection.
        public static let connectionFailed = Code(.connectionFailed)
        /// The TLS handshake or certificate verification failed.
        public static let tlsFailure = Code(.tlsFailure)
        /// The body exceeded the `maxBodyBytes` given to ``HTTPClient/send(_:maxBodyBytes:)``.
        public static let responseTooLarge = Code(.responseTooLarge)
        /// The request was malformed (URL, method, header names or values, timeouts) and was not sent.
        public static let invalidRequest = Code(.invalidRequest)
        /// Any other failure while talking to the server (connection reset, malformed response, …).
        public static let transport = Code(.transport)
        /// libcurl (libcurl.so.4) is not installed, or could not be loaded or initialised: no request
        /// can be sent. The message names the loader's reason and the package to install.
        public static let curlUnavailable = Code(.curlUnavailable)

        public var description: String { kind.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// What happened, for people; includes curl's error text when curl reported it.
    public var message: String
    /// curl's `CURLcode`, when the failure came from curl.
    public var curlCode: Int?

    /// Creates an error.
    /// - Parameters:
    ///   - code: the kind of failure.
    ///   - message: what happened, for people.
    ///   - curlCode: curl's `CURLcode`, when curl reported the failure.
    public init(_ code: Code, _ message: String, curlCode: Int? = nil) {
        self.code = code
        self.message = message
        self.curlCode = curlCode
    }

    public var description: String {
        if let curlCode {
            return "\(code): \(message) (curl error \(curlCode))"
        }
        return "\(code): \(message)"
    }
}
