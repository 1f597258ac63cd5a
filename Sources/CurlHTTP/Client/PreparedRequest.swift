import CCurl
import Synchronization

/// A request checked and resolved against the client's configuration, ready for the loop thread.
struct PreparedRequest: Sendable {
    enum Method: Sendable, Equatable {
        case get
        case head
        /// Any other method, with a body (possibly empty) or none.
        case custom(String, body: [UInt8]?)
    }

    var url: String
    var method: Method
    /// `Name: value` lines for `CURLOPT_HTTPHEADER`, including the suppressions curl needs.
    var headerLines: [String]
    var connectTimeout: Duration
    var idleTimeout: Duration?
    /// The earlier of the request's deadline and now + the total timeout.
    var deadline: ContinuousClock.Instant?
    /// A `host:port:address,…` entry for `CURLOPT_RESOLVE`, or `nil`.
    var resolveEntry: String?

    /// Validates `request` and resolves its limits.
    /// - Throws: ``HTTPError/Code/invalidRequest`` naming what is wrong,
    ///   ``HTTPError/Code/deadlineExceeded`` if the deadline has passed, or
    ///   ``HTTPError/Code/curlUnavailable`` without libcurl; nothing is sent then.
    /// - Parameter validatedURLs: URLs that passed ``validateURL(_:)`` already (the client's); a
    ///   URL found there is not parsed again, and one that passes is added.
    /// - Parameter preparedHeaders: the client's last header lines (``headerLines(for:sendsBody:configuration:)``);
    ///   a request with the same headers takes those lines, which also lets the loop reuse their `curl_slist`.
    init(
        _ request: HTTPRequest,
        configuration: HTTPClient.Configuration,
        now: ContinuousClock.Instant,
        validatedURLs: ValidatedURLs? = nil,
        preparedHeaders: PreparedHeaders? = nil
    ) throws(HTTPError) {
        // The first request loads libcurl (every later one only checks that it did).
        if let reason = CurlGlobal.unavailableReason { throw HTTPError(.curlUnavailable, reason) }
        guard Self.isToken(request.method) else {
            throw HTTPError(.invalidRequest, "invalid HTTP method \(String(reflecting: request.method))")
        }
        if validatedURLs?.contains(request.url) != true {
            try Self.validateURL(request.url)
            validatedURLs?.insert(request.url)
        }
        url = request.url
        if let pinned = request.pinnedAddresses {
            let safe = { (text: String) in !text.isEmpty && !text.utf8.contains { $0 <= 0x20 || $0 == UInt8(ascii: ",") || $0 == 0x7F } }
            guard safe(pinned.host), !pinned.host.contains(":"), (1...65535).contains(pinned.port),
                !pinned.addresses.isEmpty, pinned.addresses.allSatisfy(safe)
            else {
                throw HTTPError(.invalidRequest, "invalid pinned addresses for \(String(reflecting: pinned.host))")
            }
            let addresses = pinned.addresses.map { $0.contains(":") ? "[\($0)]" : $0 }
            resolveEntry = "\(pinned.host):\(pinned.port):" + addresses.joined(separator: ",")
        } else {
            resolveEntry = nil
        }

        let timeouts = request.timeouts ?? configuration.timeouts
        guard timeouts.connect > .zero else {
            throw HTTPError(.invalidRequest, "the connect timeout must be positive, got \(timeouts.connect)")
        }
        if let idle = timeouts.idle, idle <= .zero {
            throw HTTPError(.invalidRequest, "the idle timeout must be positive, got \(idle)")
        }
        if let total = timeouts.total, total <= .zero {
            throw HTTPError(.invalidRequest, "the total timeout must be positive, got \(total)")
        }
        connectTimeout = timeouts.connect
        idleTimeout = timeouts.idle
        let totalDeadline = timeouts.total.map { now.advanced(by: $0) }
        switch (request.deadline, totalDeadline) {
        case let (request?, total?): deadline = min(request, total)
        case let (request, total): deadline = request ?? total
        }
        if let deadline, deadline <= now {
            throw HTTPError(.deadlineExceeded, "the request's deadline passed before it was sent")
        }

        let upper = request.method.uppercased()
        let sendsBody = request.body != nil || upper == "POST" || upper == "PUT" || upper == "PATCH"
        switch (request.method, sendsBody) {
        case ("GET", false): method = .get
        case ("HEAD", false): method = .head
        default: method = .custom(request.method, body: sendsBody ? (request.body ?? []) : nil)
        }
        if let preparedHeaders {
            headerLines = try preparedHeaders.lines(for: request.headers, sendsBody: sendsBody) { () throws(HTTPError) in
                try Self.headerLines(for: request.headers, sendsBody: sendsBody, configuration: configuration)
            }
        } else {
            headerLines = try Self.headerLines(for: request.headers, sendsBody: sendsBody, configuration: configuration)
        }
    }

    /// The `Name: value` lines for `CURLOPT_HTTPHEADER`: `headers` checked (names are tokens, values
    /// have no CR, LF or NUL), then the suppressions curl needs and the configured user agent.
    static func headerLines(
        for headers: HTTPHeaders, sendsBody: Bool, configuration: HTTPClient.Configuration
    ) throws(HTTPError) -> [String] {
        var lines: [String] = []
        lines.reserveCapacity(headers.count + 3)
        for field in headers.fields {
            guard Self.isToken(field.name) else {
                throw HTTPError(.invalidRequest, "invalid header name \(String(reflecting: field.name))")
            }
            guard !field.value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }) else {
                throw HTTPError(.invalidRequest, "the value of header \(field.name) contains CR, LF or NUL")
            }
            // curl drops `Name:` with an empty value (that is how it removes its own headers);
            // `Name;` sends the header empty.
            lines.append(field.value.isEmpty ? "\(field.name);" : "\(field.name): \(field.value)")
        }

        if sendsBody {
            // No `Expect: 100-continue` round trip, and no made-up form Content-Type.
            if !headers.contains("Expect") { lines.append("Expect:") }
            if !headers.contains("Content-Type") { lines.append("Content-Type:") }
        }
        if !headers.contains("User-Agent") {
            guard !configuration.userAgent.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }) else {
                throw HTTPError(.invalidRequest, "the configured user agent contains CR, LF or NUL")
            }
            lines.append("User-Agent: \(configuration.userAgent)")
        }
        return lines
    }

    /// RFC 9110 `token`: one or more of ALPHA, DIGIT and ``!#$%&'*+-.^_`|~``.
    static func isToken(_ string: String) -> Bool {
        !string.isEmpty && string.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"):
                return true
            case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
                UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
                UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
                return true
            default:
                return false
            }
        }
    }

    /// Parses with curl's own URL parser; accepts absolute `http` and `https` URLs with a host.
    static func validateURL(_ url: String) throws(HTTPError) {
        // C strings end at NUL, so check control characters before curl sees the URL.
        guard !url.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else {
            throw HTTPError(.invalidRequest, "the URL \(String(reflecting: url)) contains control characters")
        }
        guard let handle = curl_url() else {
            throw HTTPError(.transport, "out of memory parsing the URL")
        }
        defer { curl_url_cleanup(handle) }
        let code = curl_url_set(handle, CURLUPART_URL, url, 0)
        guard code == CURLUE_OK else {
            let reason = curl_url_strerror(code).map { String(cString: $0) } ?? "error \(code.rawValue)"
            throw HTTPError(.invalidRequest, "invalid URL \(String(reflecting: url)): \(reason)")
        }
        let scheme = part(CURLUPART_SCHEME, of: handle)?.lowercased()
        guard scheme == "http" || scheme == "https" else {
            throw HTTPError(.invalidRequest, "unsupported URL scheme in \(String(reflecting: url)); use http or https")
        }
        guard let host = part(CURLUPART_HOST, of: handle), !host.isEmpty else {
            throw HTTPError(.invalidRequest, "the URL \(String(reflecting: url)) has no host")
        }
    }

    private static func part(_ which: CURLUPart, of handle: OpaquePointer) -> String? {
        var value: UnsafeMutablePointer<CChar>?
        guard curl_url_get(handle, which, &value, 0) == CURLUE_OK, let value else { return nil }
        defer { curl_free(value) }
        return String(cString: value)
    }
}

/// The URLs a client validated lately (``PreparedRequest/validateURL(_:)``, which parses with curl),
/// so that requests to an endpoint used before skip the parse: a batch sends thousands of requests
/// to one URL. Validation depends on the URL string alone, so a URL that passed once passes again.
final class ValidatedURLs: Sendable {
    /// The most URLs kept; the oldest goes first.
    static let limit = 8
    private let recent = Mutex<[String]>([])

    func contains(_ url: String) -> Bool {
        recent.withLock { $0.contains(url) }
    }

    func insert(_ url: String) {
        recent.withLock { recent in
            guard !recent.contains(url) else { return }
            if recent.count == Self.limit { recent.removeFirst() }
            recent.append(url)
        }
    }
}

/// A client's most recent request headers and the lines made from them
/// (``PreparedRequest/headerLines(for:sendsBody:configuration:)``, which depend on nothing else of
/// the request; the client's configuration does not change): a batch sends thousands of requests with
/// the same headers, and each then takes the same lines — no string building, no checks again, and
/// the loop thread sees the very same array and reuses its `curl_slist` (``HeaderListCache``).
final class PreparedHeaders: Sendable {
    private struct Entry {
        var headers: HTTPHeaders
        var sendsBody: Bool
        var lines: [String]
    }

    private let last = Mutex<Entry?>(nil)

    /// The lines for `headers`: the remembered ones when the headers are equal, else `make()`'s,
    /// which are remembered (a failure is not).
    func lines(
        for headers: HTTPHeaders, sendsBody: Bool, make: () throws(HTTPError) -> [String]
    ) throws(HTTPError) -> [String] {
        let remembered: [String]? = last.withLock { last in
            guard let last, last.sendsBody == sendsBody, Self.sameBytes(last.headers, headers) else { return nil }
            return last.lines
        }
        if let remembered { return remembered }
        let lines = try make()
        last.withLock { $0 = Entry(headers: headers, sendsBody: sendsBody, lines: lines) }
        return lines
    }

    /// Whether both have the same fields with byte-for-byte the same names and values (`String`'s
    /// `==` would also match canonically equivalent but different bytes, which curl would send as they are).
    static func sameBytes(_ lhs: HTTPHeaders, _ rhs: HTTPHeaders) -> Bool {
        guard lhs.fields.count == rhs.fields.count else { return false }
        for (left, right) in zip(lhs.fields, rhs.fields) {
            guard sameBytes(left.name, right.name), sameBytes(left.value, right.value) else { return false }
        }
        return true
    }

    private static func sameBytes(_ lhs: String, _ rhs: String) -> Bool {
        guard lhs.utf8.count == rhs.utf8.count else { return false }
        // `withUTF8` needs a mutable string; for a native one that is no copy.
        var left = lhs, right = rhs
        return left.withUTF8 { left in
            right.withUTF8 { right in
                for index in 0..<left.count where left[index] != right[index] { return false }
                return true
            }
        }
    }
}
