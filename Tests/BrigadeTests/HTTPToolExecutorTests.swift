import Brigade
import BrigadeSync
import CurlHTTP
import FlyingFox
import FlyingSocks
import Foundation
import Testing

// FlyingFox has types of the same names.
fileprivate typealias JSONValue = Brigade.JSONValue
fileprivate typealias HTTPClient = CurlHTTP.HTTPClient

/// A FlyingFox server on 127.0.0.1 at a random port, steered by the request path:
/// `/echo…` answers JSON describing the request, `/status/N` answers status N, `/html`, `/big`, `/png`,
/// `/flaky` (503 twice, then 200), `/hang` (announces itself on `arrivals`, then never answers).
final class ToolTestServer: Sendable {
    let server: HTTPServer
    let flakyCalls = LockedState(0)
    let arrivals: AsyncStream<String>
    private let arrived: AsyncStream<String>.Continuation

    init() throws {
        (arrivals, arrived) = AsyncStream.makeStream(of: String.self)
        let flakyCalls = self.flakyCalls
        let arrived = self.arrived
        server = HTTPServer(
            address: try sockaddr_in.inet(ip4: "127.0.0.1", port: 0), timeout: 60, logger: .disabled,
            handler: ClosureHTTPHandler { request in try await Self.respond(to: request, flakyCalls: flakyCalls, arrived: arrived) })
    }

    static func respond(to request: FlyingFox.HTTPRequest, flakyCalls: LockedState<Int>, arrived: AsyncStream<String>.Continuation) async throws -> FlyingFox.HTTPResponse {
        let path = request.path
        func text(_ status: Int, _ body: String, type: String = "text/plain; charset=utf-8") -> FlyingFox.HTTPResponse {
            FlyingFox.HTTPResponse(statusCode: HTTPStatusCode(status, phrase: "Test"), headers: [.contentType: type], body: Data(body.utf8))
        }
        if path.hasPrefix("/echo") {
            var headers: [String: JSONValue] = [:]
            for (name, value) in request.headers { headers[name.rawValue.lowercased()] = .string(value) }
            let body = String(decoding: try await request.bodyData, as: UTF8.self)
            let echo: JSONValue = [
                "method": .string(request.method.rawValue), "target": .string(request.target.rawValue),
                "headers": .object(JSONObject(headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })), "body": .string(body),
            ]
            return text(200, echo.jsonString, type: "application/json")
        }
        if path.hasPrefix("/status/"), let code = Int(path.dropFirst("/status/".count)) {
            return text(code, "boom \(code)")
        }
        switch path {
        case "/html":
            return text(200, "<html><head><title>Hi &amp; bye</title><style>p{}</style></head><body><h1>Head</h1><p>One&nbsp;two</p><script>x()</script><ul><li>a</li><li>b</li></ul></body></html>", type: "text/html")
        case "/html-controls":
            return text(200, "<p>a&#x1b;]0;pwned&#7;b&#27;[2J&#X9B;c&#10;d</p>", type: "text/html")
        case "/big": return text(200, String(repeating: "a", count: 200_000))
        case "/png": return FlyingFox.HTTPResponse(statusCode: .ok, headers: [.contentType: "image/png"], body: Data([0x89, 0x50, 0x4E, 0x47, 0, 1]))
        case "/flaky":
            let count = flakyCalls.withLock { $0 += 1; return $0 }
            return count <= 2 ? text(503, "try later") : text(200, "finally")
        case "/hang":
            arrived.yield(path)
            try await Task.sleep(for: .seconds(600))
            return text(200, "late")
        default:
            return text(404, "no route")
        }
    }

    /// Runs the server for the duration of `body`, which gets the base URL.
    func run<R: Sendable>(_ body: @Sendable (String) async throws -> R) async throws -> R {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.server.run() }
            defer { group.cancelAll() }
            // No wall-clock limit of its own worth the name: binding 127.0.0.1:0 does not hang, and at the
            // suite's start (~1,000 tests queued on two pool threads) a 5 s wait timed out on servers that
            // were listening already; the suite's time limit catches a real hang.
            try await server.waitUntilListening(timeout: 60)
            guard case .ip4(_, let port) = await server.listeningAddress else { throw CancellationError() }
            let result = try await body("http://127.0.0.1:\(port)")
            await server.stop()
            return result
        }
    }
}

fileprivate func httpTool(
    _ url: String, method: String = "GET", headers: [String: String] = [:], body: JSONValue? = nil, accept: [Int] = [],
    parameters: JSONValue = ["type": "object", "properties": ["q": ["type": "string"], "id": ["type": "integer"], "url": ["type": "string"], "tags": ["type": "array"]]],
    maxResponseBytes: Int = 1 << 20, maxOutputBytes: Int? = nil, allowHosts: [String]? = nil, allowPrivateNetworks: Bool = false,
    client: HTTPClient
) throws -> HTTPToolExecutor {
    var config = HTTPToolConfig(method: method, url: Located(url, at: SourceLocation(file: "http.yaml", line: 4, column: 8)), headers: headers, body: body,
                                maxResponseBytes: maxResponseBytes, acceptStatus: accept)
    config.allowHosts = allowHosts
    config.allowPrivateNetworks = allowPrivateNetworks
    return try HTTPToolExecutor(config, spec: commandSpec(parameters: parameters, maxOutputBytes: maxOutputBytes), client: client)
}

@Suite("HTTP tool executor", .timeLimit(.minutes(1)))
struct HTTPToolExecutorTests {
    fileprivate let client = HTTPClient()

    fileprivate func echo(_ output: ToolOutput) throws -> JSONValue {
        #expect(!output.isError, "\(output.text)")
        return try JSONValue(parsing: output.text)
    }

    @Test func placeholdersArePercentEncodedAndCannotAddSegments() async throws {
        let server = try ToolTestServer()
        try await server.run { base in
            let tool = try httpTool(base + "/echo/items/{{q}}?id={{id}}&x={{q}}", client: client)
            let response = try echo(try await tool.call(["q": "a/b?c=d&e#f ü", "id": 7], context: context))
            #expect(response["target"] == "/echo/items/a%2Fb%3Fc%3Dd%26e%23f%20%C3%BC?id=7&x=a%2Fb%3Fc%3Dd%26e%23f%20%C3%BC")
            #expect(response["method"] == "GET")
        }
    }

    @Test func aWholeURLPlaceholderIsTakenAsIsButMustBeHTTP() async throws {
        let server = try ToolTestServer()
        try await server.run { base in
            let tool = try httpTool("{{url}}", allowPrivateNetworks: true, client: client)
            let response = try echo(try await tool.call(["url": .string(base + "/echo/x?y=%20z")], context: context))
            #expect(response["target"] == "/echo/x?y=%20z")
            for bad in ["file:///etc/passwd", "ftp://host/x", "javascript:alert(1)", "http://", "http://host/a b", "/relative"] {
                let output = try await tool.call(["url": .string(bad)], context: context)
                #expect(output.isError, "\(bad)")
                #expect(output.text.hasPrefix("`url`: must"), "\(output.text)")
            }
            #expect(try await tool.call([:], context: context) == ToolOutput(text: "missing argument `url` (the URL)", isError: true))
        }
    }

    @Test func headersAndJSONBodyTemplates() async throws {
        let server = try ToolTestServer()
        try await server.run { base in
            let tool = try httpTool(
                base + "/echo", method: "POST", headers: ["X-Query": "q={{q}}", "Authorization": "Bearer fixed"],
                body: ["query": "{{q}}", "id": "{{id}}", "tags": "{{tags}}", "label": "item {{id}}", "nested": ["list": ["{{id}}", "{{q}}"]]],
                client: client)
            let response = try echo(try await tool.call(["q": "hi \"there\"", "id": 5, "tags": ["a", 1]], context: context))
            #expect(response["method"] == "POST")
            #expect(response["headers"]?["x-query"] == "q=hi \"there\"")
            #expect(response["headers"]?["authorization"] == "Bearer fixed")
            #expect(response["headers"]?["content-type"] == "application/json")
            let body = try JSONValue(parsing: response["body"]?.stringValue ?? "")
            #expect(body == ["query": "hi \"there\"", "id": 5, "tags": ["a", 1], "label": "item 5", "nested": ["list": [5, "hi \"there\""]]])

            let sparse = try echo(try await tool.call(["id": 1], context: context))
            #expect(try JSONValue(parsing: sparse["body"]?.stringValue ?? "") == ["id": 1, "label": "item 1", "nested": ["list": [1]]])
        }
    }

    @Test func headerInjectionIsRefused() async throws {
        let server = try ToolTestServer()
        try await server.run { base in
            let tool = try httpTool(base + "/echo", headers: ["X-Query": "{{q}}"], client: client)
            let output = try await tool.call(["q": "x\r\nX-Evil: 1"], context: context)
            #expect(output.isError)
            #expect(output.text.contains("CR, LF or NUL"))
        }
    }

    @Test func statusHandling() async throws {
        let server = try ToolTestServer()
        try await server.run { base in
            let tool = try httpTool(base + "/status/{{id}}", accept: [404], client: client)
            #expect(try await tool.call(["id": 500], context: context) == ToolOutput(text: "HTTP 500 Internal Server Error\nboom 500", isError: true))
            #expect(try await tool.call(["id": 404], context: context) == ToolOutput(text: "HTTP 404 Not Found\nboom 404"))
            #expect(try await tool.call(["id": 201], context: context) == ToolOutput(text: "boom 201"))
            #expect(try await tool.call(["id": 299], context: context) == ToolOutput(text: "boom 299"))
        }
    }

    @Test func responsesAreCappedAndMarked() async throws {
        let server = try ToolTestServer()
        try await server.run { base in
            let tool = try httpTool(base + "/big", maxResponseBytes: 1000, client: client)
            #expect(try await tool.call([:], context: context).text == String(repeating: "a", count: 1000) + "\n[response truncated at 1000 bytes]")
            let byOutputCap = try httpTool(base + "/big", maxOutputBytes: 500, client: client)
            #expect(try await byOutputCap.call([:], context: context).text.hasSuffix("\n[response truncated at 500 bytes]"))
        }
    }

    @Test func htmlIsReducedToTextAndBinaryIsDescribed() async throws {
        let server = try ToolTestServer()
        try await server.run { base in
            let html = try await httpTool(base + "/html", client: client).call([:], context: context)
            #expect(html.text == "Title: Hi & bye\n\nHead\n\nOne two\n\n- a\n- b")
            let png = try await httpTool(base + "/png", client: client).call([:], context: context)
            #expect(png == ToolOutput(text: "binary response (image/png, 6 bytes); not shown"))
        }
    }

    /// Issue 18: numeric entities of control characters must not become real ones (`&#x1b;` an ESC).
    @Test func htmlEntitiesOfControlCharactersDoNotBecomeControlCharacters() async throws {
        let server = try ToolTestServer()
        try await server.run { base in
            let html = try await httpTool(base + "/html-controls", client: client).call([:], context: context)
            #expect(html.text == "a\u{FFFD}]0;pwned\u{FFFD}b\u{FFFD}[2J\u{FFFD}c\nd", "\(html.text.debugDescription)")
        }
    }

    @Test func connectionFailureIsAnErrorResult() async throws {
        // Nothing listens on port 1.
        let tool = try httpTool("http://127.0.0.1:1/x", client: client)
        let output = try await tool.call([:], context: context)
        #expect(output.isError)
        #expect(output.text.hasPrefix("request failed: connectionFailed"))
    }

    @Test func retriesRecoverFromTransientFailures() async throws {
        let server = try ToolTestServer()
        try await server.run { base in
            let flaky = try httpTool(base + "/flaky", client: client)
            let once = RetryingExecutor(flaky, retries: 1, backoff: .zero)
            #expect(try await once.call([:], context: context) == ToolOutput(text: "HTTP 503 Service Unavailable\ntry later\n[failed after 2 attempts]", isError: true))
            let patient = RetryingExecutor(flaky, retries: 3, backoff: .zero)
            #expect(try await patient.call([:], context: context) == ToolOutput(text: "finally"))
            #expect(server.flakyCalls.withLock { $0 } == 3)
        }
    }

    @Test func cancellationAbortsTheTransfer() async throws {
        let server = try ToolTestServer()
        try await server.run { base in
            let tool = RetryingExecutor(try httpTool(base + "/hang", client: client), retries: 3, backoff: .zero)
            let outcome = await withTaskGroup(of: (any Error)?.self) { group in
                group.addTask {
                    do { _ = try await tool.call([:], context: context); return nil } catch { return error }
                }
                var arrivals = server.arrivals.makeAsyncIterator()
                _ = await arrivals.next()
                group.cancelAll()
                return await group.next() ?? nil
            }
            #expect(outcome is CancellationError)
        }
    }

    @Test func loadTimeChecks() throws {
        func failure(_ url: String, headers: [String: String] = [:], body: JSONValue? = nil, method: String = "GET") -> String? {
            do {
                _ = try httpTool(url, method: method, headers: headers, body: body, client: client)
                return nil
            } catch { return (error as? ConfigError)?.message ?? "\(error)" }
        }
        #expect(failure("https://api.example.com/v1/{{q}}?n={{id}}") == nil)
        #expect(failure("{{url}}") == nil)
        #expect(failure("{{url}}/x") == "url must begin with a fixed http:// or https:// and host (a placeholder may only stand for the whole URL)")
        #expect(failure("https://{{q}}.example.com/") == "url must begin with a fixed http:// or https:// and host (a placeholder may only stand for the whole URL)")
        #expect(failure("ftp://example.com/{{q}}") == "url must begin with a fixed http:// or https:// and host (a placeholder may only stand for the whole URL)")
        #expect(failure("https://example.com/{{nope}}") == "url: placeholder `{{nope}}` names no parameter of tool 't'")
        #expect(failure("https://example.com/{{q") == "url: unclosed placeholder `{{q`")
        #expect(failure("https://example.com/a b") == "url: must not contain spaces or control characters (percent-encode them)")
        #expect(failure("https://example.com/", headers: ["X": "{{nope}}"]) == "header X: placeholder `{{nope}}` names no parameter of tool 't'")
        #expect(failure("https://example.com/", headers: ["Bad Name": "x"]) == "invalid header name \"Bad Name\"")
        #expect(failure("https://example.com/", body: ["a": ["{{nope}}"]]) == "body: placeholder `{{nope}}` names no parameter of tool 't'")
        #expect(failure("https://example.com/", method: "GE T") == "invalid HTTP method 'GE T'")
        #expect(throws: ConfigError("url: placeholder `{{nope}}` names no parameter of tool 't'", at: SourceLocation(file: "http.yaml", line: 4, column: 8))) {
            try httpTool("https://example.com/{{nope}}", client: client)
        }
    }
}

/// Issue 18, SSRF: a tool whose whole URL comes from the model refuses this machine and private
/// networks in every spelling, unless its config allows them; it connects to the address it checked.
@Suite("HTTP tool address policy", .timeLimit(.minutes(1)))
struct HTTPAddressPolicyTests {
    fileprivate let client = HTTPClient()

    @Test func aModelChosenHostMayNotBeLoopbackPrivateOrLinkLocal() async throws {
        let server = try ToolTestServer()
        try await server.run { base in
            let port = base.split(separator: ":").last!
            let tool = try httpTool("{{url}}", client: client)
            let refused = [
                "\(base)/echo", "http://2130706433:\(port)/echo", "http://0x7f000001:\(port)/echo", "http://0177.0.0.1:\(port)/echo",
                "http://[::1]:\(port)/echo", "http://[::ffff:127.0.0.1]:\(port)/echo", "http://localhost:\(port)/echo",
                "http://169.254.169.254/latest/meta-data/", "http://10.1.2.3/", "http://192.168.0.1/", "http://172.16.0.1/",
                "http://[fe80::1]/", "http://[fd00:ec2::254]/", "http://0.0.0.0:\(port)/echo", "http://100.64.0.1/",
            ]
            for url in refused {
                let output = try await tool.call(["url": .string(url)], context: context)
                #expect(output.isError, "\(url): \(output.text)")
                #expect(output.text.hasPrefix("`url`: ") && output.text.contains("may not reach"), "\(url): \(output.text)")
            }
            let credentials = try await tool.call(["url": "http://user:pass@example.com/"], context: context)
            #expect(credentials == ToolOutput(text: "`url`: credentials in the URL (user:password@) are not allowed", isError: true))
        }
    }

    @Test func allowPrivateNetworksAndAllowHostsLetItThrough() async throws {
        let server = try ToolTestServer()
        try await server.run { base in
            let open = try httpTool("{{url}}", allowPrivateNetworks: true, client: client)
            #expect(try await open.call(["url": .string(base + "/echo")], context: context).isError == false)
            let pinned = try httpTool("{{url}}", allowHosts: ["127.0.0.1"], client: client)
            #expect(try await pinned.call(["url": .string(base + "/echo")], context: context).isError == false)
            let elsewhere = try httpTool("{{url}}", allowHosts: ["*.example.com"], client: client)
            let output = try await elsewhere.call(["url": .string(base + "/echo")], context: context)
            #expect(output.isError && output.text.contains("not one this tool may reach (allow_hosts: *.example.com)"), "\(output.text)")
            // A fixed host is the user's choice: no address check.
            #expect(try await httpTool(base + "/echo", client: client).call([:], context: context).isError == false)
        }
    }

    /// The request connects to the pinned (checked) address without a DNS lookup of its own.
    @Test func theCheckedAddressIsTheOneConnectedTo() async throws {
        let server = try ToolTestServer()
        try await server.run { base in
            let port = Int(base.split(separator: ":").last!)!
            var request = CurlHTTP.HTTPRequest(url: "http://brigade-pinned.invalid:\(port)/echo")
            request.pinnedAddresses = .init(host: "brigade-pinned.invalid", port: port, addresses: ["127.0.0.1"])
            let response = try await client.send(request)
            #expect(response.status == 200)
            #expect(String(decoding: response.body, as: UTF8.self).contains("\"target\":\"/echo\""))
        }
    }

    /// A `${…}` value in a header or in the body goes to the host the model names: both need pinned hosts.
    @Test(arguments: [
        ("headers: {Authorization: \"Bearer ${API_KEY}\"}", "a header with a `${…}` value"),
        ("method: POST\n  body: {query: \"{{url}}\", auth: {token: \"${API_KEY}\"}, limit: 3}", "a body value with `${…}`"),
    ])
    func aSecretNeedsPinnedHostsWhenTheModelChoosesTheURL(secretLines: String, message: String) throws {
        let yaml = """
            name: fetch
            description: Fetches.
            kind: http
            parameters: {type: object, properties: {url: {type: string}}}
            http:
              url: "{{url}}"
              \(secretLines)

            """
        let error = configError { _ = try RegistryLoader.parse(yaml, file: "/t/fetch.yaml", environment: ["API_KEY": "k"]) }
        #expect(error?.message.contains(message) == true, "\(String(describing: error))")
        #expect(error?.message.contains("pin the hosts with `allow_hosts`") == true, "\(String(describing: error))")
        #expect(error?.location?.line == yaml.split(separator: "\n").firstIndex { $0.contains("${API_KEY}") }.map { $0 + 1 })
        let pinned = try RegistryLoader.parse(yaml + "  allow_hosts: [api.example.com]\n", file: "/t/fetch.yaml", environment: ["API_KEY": "k"])
        #expect(pinned.count == 1)
        let fixed = yaml.replacingOccurrences(of: "${API_KEY}", with: "fixed")
        #expect(try RegistryLoader.parse(fixed, file: "/t/fetch.yaml", environment: [:]).count == 1)
    }
}

@Suite("HTTP tool secret redaction", .timeLimit(.minutes(1)))
struct HTTPToolSecretRedactionTests {
    fileprivate let client = HTTPClient()

    @Test func aServerEchoingTheHeaderSecretGetsItRedactedFromTheResult() async throws {
        let server = try ToolTestServer()
        try await server.run { base in
            let yaml = """
                name: echo
                description: Echoes.
                kind: http
                parameters: {type: object, properties: {}}
                http:
                  url: "\(base)/echo"
                  headers: {Authorization: "Bearer ${ECHO_TOKEN}", X-Plain: "fixed $${NOT_A_SECRET}"}
                """
            let token = "tok-0123456789-abcdefghij"
            let declarations = try RegistryLoader.parse(yaml, file: "/tmp/echo.yaml", environment: ["ECHO_TOKEN": token, "NOT_A_SECRET": "visible-value-123"])
            guard case .http(let config) = try #require(declarations.first).kind else { Issue.record("not http"); return }
            #expect(config.secrets == [token])
            let tool = try HTTPToolExecutor(config, spec: commandSpec(parameters: ["type": "object"], maxOutputBytes: nil), client: client)
            let output = try await tool.call([:], context: context)
            #expect(!output.isError, "\(output.text)")
            #expect(output.text.contains("Bearer [redacted]"), "\(output.text)")
            #expect(!output.text.contains("0123456789"))
            #expect(output.text.contains("fixed ${NOT_A_SECRET}"))
        }
    }
}
