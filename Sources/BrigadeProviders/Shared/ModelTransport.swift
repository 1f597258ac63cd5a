import BrigadeCore
import BrigadeSync
import CurlHTTP
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// What turns a response into a ``ModelResponse``: a stream decoder for `text/event-stream`
/// bodies and a decoder for whole JSON bodies.
protocol ModelResponseDecoding: Sendable {
    associatedtype StreamState: ModelStreamDecoding
    func makeStreamDecoder(maxToolArgumentBytes: Int) -> StreamState
    func decode(body: [UInt8]) throws(ModelError) -> ModelResponse
}

/// A stream assembler as the transport drives it.
protocol ModelStreamDecoding {
    mutating func consume(event: ServerSentEventBatch.Event) throws(ModelError) -> String?
    func response() throws(ModelError) -> ModelResponse
    /// The stream's final event arrived (`[DONE]`, `message_stop`): nothing after it is read.
    var isFinished: Bool { get }
    /// UTF-8 bytes of text, tool names and arguments so far.
    var outputBytes: Int { get }
    /// The answer so far, ending as if at `max_tokens`, for a stream cut past the output allowance.
    func cutResponse() -> ModelResponse
}

/// A stream event whose payload did not parse: a chunk cut or garbled on the way.
private struct UnparseableEvent: Error {
    var error: ModelError
}

/// Sends one model request over HTTP with retries, deadline, idle timeout and cancellation, and
/// decodes the answer, streamed or not. Shared by both providers.
///
/// Against a server that will not stop: every response is held to ``ModelResponseLimits``; a
/// stream is cut once its estimated output passes ``ModelResponseLimits/outputTokenAllowance(maxOutputTokens:)``;
/// and the idle timeout also ends a stream that sends only keep-alives (comment lines, `ping`
/// events) for that long, since curl's own idle timer counts any byte as activity.
struct ModelTransport: Sendable {
    var http: HTTPClient
    /// "OpenAI" or "Anthropic", for messages.
    var provider: String
    var apiKey: String?
    var retryPolicy: RetryPolicy
    var idleTimeout: Duration
    var limits: ModelResponseLimits
    var onRetry: (@Sendable (ModelRetryEvent) -> Void)?
    /// The endpoint's limiter, shared by every run of the process; `nil` sends at once.
    var rateLimiter: RateLimiter?

    /// The most bytes accepted for an error body.
    static let maxErrorBodyBytes = 64 * 1024

    /// Sends `request` until it succeeds, fails for good, runs out of retries, or would pass `deadline`.
    ///
    /// Text deltas reach `onTextDelta` as they arrive (a non-streamed answer's text as one delta
    /// at the end). A stream that fails after delivering text
    /// is never retried (the caller has shown that text); one that fails before is.
    func perform<Decoder: ModelResponseDecoding>(
        _ request: HTTPRequest,
        streaming: Bool,
        maxOutputTokens: Int,
        deadline: ContinuousClock.Instant?,
        decoder: Decoder,
        onTextDelta: @escaping @Sendable (String) -> Void
    ) async throws(ModelError) -> ModelResponse {
        var request = request
        request.deadline = deadline
        request.timeouts = HTTPClient.Configuration.Timeouts(idle: idleTimeout)
        var attempt = 0
        while true {
            attempt += 1
            if Task.isCancelled { throw ModelError(.cancelled, "the \(provider) request was cancelled") }
            if let deadline, ContinuousClock.now >= deadline {
                throw ModelError(.deadlineExceeded, "the deadline passed before the \(provider) request could be sent")
            }
            if let rateLimiter {
                try await rateLimiter.acquire(estimatedInputTokens: (request.body?.count ?? 0) / 4, deadline: deadline) { wait in
                    RateLimitObserver.current?.observe(wait)
                }
            }
            let failure: AttemptFailure
            let began = LockedState(false)
            let onHead: @Sendable (HTTPResponseHead) -> Void = { [rateLimiter] head in
                began.withLock { $0 = true }
                rateLimiter?.responseBegan(head)
            }
            do {
                let response = try await attemptOnce(
                    request, streaming: streaming, maxOutputTokens: maxOutputTokens, decoder: decoder, onHead: onHead, onTextDelta: onTextDelta)
                rateLimiter?.finish(outputTokens: response.usage?.outputTokens ?? 0, began: began.value)
                return response
            } catch {
                rateLimiter?.finish(outputTokens: 0, began: began.value)
                failure = error
            }
            let decision = retryPolicy.decision(
                after: failure, attempt: attempt, now: .now, deadline: deadline, randomUnit: Double.random(in: 0..<1)
            )
            switch decision {
            case .fail(let error):
                throw error.redacting(apiKey: apiKey)
            case .retry(let delay):
                let event = ModelRetryEvent(
                    failedAttempt: attempt, error: failure.error.redacting(apiKey: apiKey), delay: delay, maxRetries: retryPolicy.maxRetries)
                onRetry?(event)
                ModelRetryObserver.current?.observe(event)
                do {
                    try await Task.sleep(for: delay.duration)
                } catch {
                    throw ModelError(.cancelled, "the \(provider) request was cancelled while waiting to retry")
                }
            }
        }
    }

    private func attemptOnce<Decoder: ModelResponseDecoding>(
        _ request: HTTPRequest,
        streaming: Bool,
        maxOutputTokens: Int,
        decoder: Decoder,
        onHead: @escaping @Sendable (HTTPResponseHead) -> Void,
        onTextDelta: @escaping @Sendable (String) -> Void
    ) async throws(AttemptFailure) -> ModelResponse {
        if !streaming {
            let response: HTTPResponse
            do {
                response = try await http.send(request, maxBodyBytes: limits.maxResponseBytes)
            } catch {
                throw transportFailure(error, deliveredText: false)
            }
            onHead(response.head)
            guard (200...299).contains(response.status) else { throw statusFailure(response.head, body: response.body) }
            return try decoded(body: response.body, decoder: decoder, onTextDelta: onTextDelta)
        }

        var deliveredText = false
        do {
            return try await http.withStream(request) { head, body -> ModelResponse in
                onHead(head)
                guard (200...299).contains(head.status) else {
                    let bytes = (try? await body.collect(upTo: Self.maxErrorBodyBytes)) ?? []
                    throw statusFailure(head, body: bytes)
                }
                // Byte-wise, case-blind: this runs once per model call.
                let contentType = head.headers["content-type"] ?? ""
                if contentType.rangeIgnoringASCIICase(of: "text/html") != nil {
                    // A proxy's or load balancer's error page with status 200: a glitch, worth a retry.
                    let bytes = (try? await body.collect(upTo: Self.maxErrorBodyBytes)) ?? []
                    throw AttemptFailure(ModelError(.malformedResponse, Self.htmlMessage(bytes, provider: provider)), isRetryable: true)
                }
                if contentType.rangeIgnoringASCIICase(of: "application/json") != nil {
                    // A server that ignored `stream: true` (or sent an error object with 200).
                    let bytes: [UInt8]
                    do throws(HTTPError) { bytes = try await body.collect(upTo: limits.maxResponseBytes) } catch { throw transportFailure(error, deliveredText: false) }
                    return try decoded(body: bytes, decoder: decoder, onTextDelta: onTextDelta)
                }
                var state = decoder.makeStreamDecoder(maxToolArgumentBytes: limits.maxToolArgumentBytes)
                var parser = ServerSentEventParser(limits: limits.eventStreamLimits)
                let outputAllowance = ModelResponseLimits.outputTokenAllowance(maxOutputTokens: maxOutputTokens)
                var receivedBytes = 0
                var lastEventTime = ContinuousClock.now
                // One batch for the whole stream: its buffers are reused from chunk to chunk.
                var events = ServerSentEventBatch()
                do {
                    reading: for try await chunk in body {
                        receivedBytes += chunk.count
                        guard receivedBytes <= limits.maxResponseBytes else {
                            throw HTTPError(.responseTooLarge, "the stream passed the \(limits.maxResponseBytes)-byte cap (maxResponseBytes)")
                        }
                        try parser.feed(chunk, into: &events)
                        let now = ContinuousClock.now
                        if events.contains(where: { $0.event != "ping" }) {
                            lastEventTime = now
                        } else if now - lastEventTime >= idleTimeout {
                            throw ModelError(.unreachable, "\(provider) sent only keep-alives for \(idleTimeout.waitText) (idle timeout)")
                        }
                        for event in events {
                            if let delta = try Self.consume(event, into: &state) {
                                deliveredText = true
                                onTextDelta(delta)
                            }
                            if state.isFinished { break reading }
                            if (state.outputBytes + 3) / 4 > outputAllowance { return state.cutResponse() }
                        }
                    }
                } catch let failure as UnparseableEvent {
                    // A chunk cut or garbled on the way: transient, like a cut stream.
                    throw streamFailure(failure.error, deliveredText: deliveredText, retryMalformed: true)
                } catch let error as ModelError {
                    // An error event is worth retrying when transient; a cap or a broken protocol is not.
                    throw streamFailure(error, deliveredText: deliveredText, retryMalformed: false)
                } catch let error as HTTPError {
                    throw transportFailure(error, deliveredText: deliveredText)
                } catch {
                    throw AttemptFailure(ModelError(.malformedResponse, "\(provider) stream failed: \(error)"), isRetryable: false)
                }
                if receivedBytes == 0 {
                    throw AttemptFailure(ModelError(.malformedResponse, "\(provider) answered with an empty body"), isRetryable: true)
                }
                do throws(ModelError) {
                    return try state.response()
                } catch {
                    // The stream ended early without a transport error: like a cut, worth a retry.
                    throw streamFailure(error, deliveredText: deliveredText, retryMalformed: true)
                }
            }
        } catch let failure as AttemptFailure {
            throw failure
        } catch let error as HTTPError {
            throw transportFailure(error, deliveredText: deliveredText)
        } catch {
            throw AttemptFailure(ModelError(.unreachable, "\(provider) request failed: \(error)"), isRetryable: false)
        }
    }

    /// A whole JSON response; its text reaches `onTextDelta` as one delta.
    private func decoded<Decoder: ModelResponseDecoding>(
        body: [UInt8],
        decoder: Decoder,
        onTextDelta: @Sendable (String) -> Void
    ) throws(AttemptFailure) -> ModelResponse {
        if body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            throw AttemptFailure(ModelError(.malformedResponse, "\(provider) answered with an empty body"), isRetryable: true)
        }
        if body.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) == UInt8(ascii: "<") {
            throw AttemptFailure(ModelError(.malformedResponse, Self.htmlMessage(body, provider: provider)), isRetryable: true)
        }
        let response: ModelResponse
        do {
            response = try decoder.decode(body: body)
        } catch {
            // A body that is not JSON at all was cut or garbled on the way: worth a retry.
            let unparseable = error.code == .malformedResponse && (try? JSONValue(parsing: body)) == nil
            throw streamFailure(error, deliveredText: false, retryMalformed: unparseable)
        }
        if !response.text.isEmpty { onTextDelta(response.text) }
        return response
    }

    /// Feeds one event; an event whose payload is not JSON fails as ``UnparseableEvent`` (transient),
    /// every other failure as the decoder's ``ModelError``.
    private static func consume<State: ModelStreamDecoding>(_ event: ServerSentEventBatch.Event, into state: inout State) throws -> String? {
        do throws(ModelError) {
            return try state.consume(event: event)
        } catch {
            let payload = ProviderParsing.trim(event.dataText)
            if error.code == .malformedResponse, payload != "[DONE]", (try? JSONValue(parsing: String(payload))) == nil {
                throw UnparseableEvent(error: error)
            }
            throw error
        }
    }

    /// "… answered with an HTML page instead of a model response: <title>".
    static func htmlMessage(_ body: [UInt8], provider: String) -> String {
        let text = String(decoding: body.prefix(4096), as: UTF8.self)
        var title = ""
        if let start = text.rangeIgnoringASCIICase(of: "<title>"), let end = text.rangeIgnoringASCIICase(of: "</title>", from: start.upperBound) {
            title = ": " + ProviderParsing.quote(String(ProviderParsing.trim(text[start.upperBound..<end.lowerBound])))
        }
        return "\(provider) answered with an HTML page instead of a model response\(title)"
    }

    /// A non-2xx response.
    private func statusFailure(_ head: HTTPResponseHead, body: [UInt8]) -> AttemptFailure {
        let serverDelay = RetryAfter.delay(
            milliseconds: head.headers["retry-after-ms"],
            retryAfter: head.headers["retry-after"],
            now: Date().timeIntervalSince1970
        )
        let shouldRetry: Bool? = switch head.headers["x-should-retry"]?.lowercased() {
        case "true": true
        case "false": false
        default: nil
        }
        return ProviderError.failure(status: head.status, body: body, provider: provider, serverDelay: serverDelay, shouldRetry: shouldRetry)
    }

    /// A provider error inside the stream, or a stream that did not make sense: retried only
    /// before any text was delivered, and only when the error itself is transient (a server or
    /// rate-limit error, or — with `retryMalformed` — a stream that ended early).
    private func streamFailure(_ error: ModelError, deliveredText: Bool, retryMalformed: Bool) -> AttemptFailure {
        var error = error
        let transient = error.code == .serverError || error.code == .rateLimited || (retryMalformed && error.code == .malformedResponse)
        if deliveredText { error.message += " (after part of the answer was streamed; not retried)" }
        return AttemptFailure(error, isRetryable: transient && !deliveredText)
    }

    /// A failure of the HTTP exchange itself.
    private func transportFailure(_ error: HTTPError, deliveredText: Bool) -> AttemptFailure {
        let failure: AttemptFailure
        switch error.code {
        case .cancelled:
            return AttemptFailure(ModelError(.cancelled, "the \(provider) request was cancelled"), isRetryable: false)
        case .shutDown:
            return AttemptFailure(ModelError(.cancelled, "the \(provider) request ended: \(error.message)"), isRetryable: false)
        case .deadlineExceeded:
            return AttemptFailure(ModelError(.deadlineExceeded, "the deadline passed while waiting for \(provider)"), isRetryable: false)
        case .invalidRequest:
            return AttemptFailure(ModelError(.rejected, "invalid \(provider) request: \(error.message)"), isRetryable: false)
        case .tlsFailure:
            return AttemptFailure(ModelError(.unreachable, "TLS failure talking to \(provider): \(error.message)"), isRetryable: false)
        case .curlUnavailable:
            return AttemptFailure(ModelError(.unreachable, "cannot send to \(provider): \(error.message)"), isRetryable: false)
        case .responseTooLarge:
            return AttemptFailure(ModelError(.malformedResponse, "the \(provider) response was too large: \(error.message)"), isRetryable: false)
        case .idleTimeout:
            failure = AttemptFailure(ModelError(.unreachable, "\(provider) sent nothing for \(idleTimeout.waitText) (idle timeout)"), isRetryable: true)
        case .connectionFailed, .connectTimeout:
            failure = AttemptFailure(ModelError(.unreachable, "cannot reach \(provider): \(error.message)"), isRetryable: true)
        default:
            // Connection reset or closed early: mid-stream, the answer is cut short.
            failure = AttemptFailure(ModelError(.malformedResponse, "the \(provider) response was cut off: \(error.message)"), isRetryable: true)
        }
        if deliveredText {
            var error = failure.error
            error.message += " (after part of the answer was streamed; not retried)"
            return AttemptFailure(error, isRetryable: false)
        }
        return failure
    }
}
