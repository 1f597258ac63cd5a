import Brigade
import BrigadeSync
import FlyingFox
import FlyingSocks
import Foundation

/// A stand-in for an OpenTelemetry collector: a real HTTP server on 127.0.0.1 at a random port that
/// takes OTLP/HTTP JSON exports (`POST …/v1/traces`) and keeps them for assertions.
///
/// ``behaviour`` makes it accept (`200 {}`), answer with an error status, report rejected spans, or
/// hang until it is stopped — the collectors an exporter must survive.
///
/// ```swift
/// try await withFakeCollector { collector in
///     // point OTEL_EXPORTER_OTLP_ENDPOINT at collector.baseURL, run, then:
///     let spans = await collector.waitForSpans(count: 5)
/// }
/// ```
public final class FakeCollector: Sendable {
    /// How the collector answers.
    public enum Behaviour: Sendable, Equatable {
        /// `200` with `{}`.
        case accept
        /// This status with a short text body.
        case fail(status: Int)
        /// `200` with a `partialSuccess` saying this many spans were rejected.
        case rejectSome(count: Int)
        /// Never answers (until ``stop()``).
        case hang
    }

    /// One export as received.
    public struct Export: Sendable {
        public var path: String
        /// Header names in lower case.
        public var headers: [String: String]
        public var bodyText: String
        /// The body parsed, or `nil` when it is not JSON.
        public var body: Brigade.JSONValue?

        /// Every `Span` of the body (across its resource and scope spans).
        public var spans: [Brigade.JSONValue] {
            guard case .array(let resources)? = body?["resourceSpans"] else { return [] }
            return resources.flatMap { resource -> [Brigade.JSONValue] in
                guard case .array(let scopes)? = resource["scopeSpans"] else { return [] }
                return scopes.flatMap { scope -> [Brigade.JSONValue] in
                    guard case .array(let spans)? = scope["spans"] else { return [] }
                    return spans
                }
            }
        }
    }

    private struct State {
        var behaviour: Behaviour = .accept
        var exports: [Export] = []
        var requestCount = 0
        var runTask: Task<Void, Never>?
    }

    private let http: HTTPServer
    private let state = LockedState(State())
    private let gate = OneShotSignal()
    /// The port the collector listens on, at 127.0.0.1.
    public let port: UInt16

    /// `http://127.0.0.1:<port>`: the value of `OTEL_EXPORTER_OTLP_ENDPOINT` (traces go to `/v1/traces`).
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    private init(http: HTTPServer, port: UInt16) {
        self.http = http
        self.port = port
    }

    /// Starts a collector; stop it with ``stop()``. Prefer ``withFakeCollector(_:)``.
    public static func start() async throws -> FakeCollector {
        let (http, port, task) = try await LocalHTTPServer.start()
        let collector = FakeCollector(http: http, port: port)
        collector.state.withLock { $0.runTask = task }
        await http.appendRoute("*") { [weak collector] request in
            guard let collector else { throw FakeModelServerAbort.stopped }
            return try await collector.handle(request)
        }
        return collector
    }

    /// Releases hung requests, closes every connection and waits for the server task to end.
    public func stop() async {
        gate.fire()
        await http.stop(timeout: 0)
        let task = state.withLock { $0.runTask }
        task?.cancel()
        await task?.value
    }

    /// How the collector answers from now on.
    public var behaviour: Behaviour {
        get { state.withLock { $0.behaviour } }
        set { state.withLock { $0.behaviour = newValue } }
    }

    /// The exports received so far, in arrival order.
    public var exports: [Export] { state.withLock { $0.exports } }

    /// How many requests arrived (a hung one included).
    public var requestCount: Int { state.withLock { $0.requestCount } }

    /// Every span received so far, in arrival order.
    public var spans: [Brigade.JSONValue] { exports.flatMap(\.spans) }

    /// Suspends until at least `count` spans have arrived (or the task is cancelled), and returns them all.
    public func waitForSpans(count: Int) async -> [Brigade.JSONValue] {
        try? await state.wait(until: { $0.exports.reduce(0) { $0 + $1.spans.count } >= count })
        return spans
    }

    /// Suspends until at least `count` requests have arrived (or the task is cancelled).
    public func waitForRequests(count: Int) async {
        try? await state.wait(until: { $0.requestCount >= count })
    }

    private func handle(_ request: FlyingFox.HTTPRequest) async throws -> FlyingFox.HTTPResponse {
        let bodyText = String(decoding: try await request.bodyData, as: UTF8.self)
        var headers: [String: String] = [:]
        for (name, value) in request.headers { headers[name.rawValue.lowercased()] = value }
        let export = Export(path: request.path, headers: headers, bodyText: bodyText, body: try? Brigade.JSONValue(parsing: bodyText))
        let behaviour = state.withLock { state in
            state.requestCount += 1
            if state.behaviour != .hang { state.exports.append(export) }
            return state.behaviour
        }
        var responseHeaders = FlyingFox.HTTPHeaders()
        responseHeaders[HTTPHeader("Content-Type")] = "application/json"
        switch behaviour {
        case .accept:
            return FlyingFox.HTTPResponse(statusCode: HTTPStatusCode(200, phrase: "OK"), headers: responseHeaders, body: Data("{}".utf8))
        case .fail(let status):
            responseHeaders[HTTPHeader("Content-Type")] = "text/plain"
            return FlyingFox.HTTPResponse(statusCode: HTTPStatusCode(status, phrase: "Error"), headers: responseHeaders, body: Data("collector says no".utf8))
        case .rejectSome(let count):
            let body = #"{"partialSuccess":{"rejectedSpans":"\#(count)","errorMessage":"too old"}}"#
            return FlyingFox.HTTPResponse(statusCode: HTTPStatusCode(200, phrase: "OK"), headers: responseHeaders, body: Data(body.utf8))
        case .hang:
            await gate.wait()
            throw FakeModelServerAbort.stopped
        }
    }
}

/// Runs `body` with a started ``FakeCollector`` and stops it afterwards, also when `body` throws.
public func withFakeCollector<Result: Sendable>(_ body: (FakeCollector) async throws -> Result) async throws -> Result {
    let collector = try await FakeCollector.start()
    do {
        let result = try await body(collector)
        await collector.stop()
        return result
    } catch {
        await collector.stop()
        throw error
    }
}
