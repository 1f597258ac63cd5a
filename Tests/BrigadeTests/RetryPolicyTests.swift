import Testing
import Brigade
@testable import BrigadeCore
@testable import BrigadeProviders

@Suite("Retry policy and Retry-After", .timeLimit(.minutes(1)))
struct RetryPolicyTests {
    let policy = RetryPolicy(maxRetries: 3, initialBackoff: .milliseconds(500), maxBackoff: .seconds(4), multiplier: 2, maxServerDelay: .seconds(60))
    let now = ContinuousClock.now

    @Test func backoffCapGrowsExponentiallyUpToTheMaximum() {
        #expect(policy.backoffCap(beforeRetry: 1) == .milliseconds(500))
        #expect(policy.backoffCap(beforeRetry: 2) == .seconds(1))
        #expect(policy.backoffCap(beforeRetry: 3) == .seconds(2))
        #expect(policy.backoffCap(beforeRetry: 4) == .seconds(4))
        #expect(policy.backoffCap(beforeRetry: 5) == .seconds(4))
        #expect(policy.backoffCap(beforeRetry: 10_000) == .seconds(4))
    }

    @Test(arguments: [0.0, 0.25, 0.5, 0.999])
    func fullJitterScalesTheCapByTheRandomUnit(unit: Double) throws {
        for retry in 1...4 {
            let delay = try #require(policy.delay(beforeRetry: retry, serverDelay: nil, randomUnit: unit))
            #expect(delay.source == .backoff)
            let expected = (policy.backoffCap(beforeRetry: retry)).inSeconds * unit
            #expect(abs((delay.duration).inSeconds - expected) < 1e-9)
        }
    }

    @Test func serverDelayWinsOverBackoffAndIsCapped() {
        #expect(policy.delay(beforeRetry: 1, serverDelay: .seconds(7), randomUnit: 0.9) == RetryDelay(duration: .seconds(7), source: .server))
        #expect(policy.delay(beforeRetry: 3, serverDelay: .zero, randomUnit: 0.9) == RetryDelay(duration: .zero, source: .server))
        #expect(policy.delay(beforeRetry: 1, serverDelay: .seconds(61), randomUnit: 0.5) == nil)
    }

    @Test func retriesRetryableFailuresUntilMaxRetries() {
        let failure = AttemptFailure(ModelError(.serverError, "boom", status: 500), isRetryable: true)
        for attempt in 1...3 {
            guard case .retry = policy.decision(after: failure, attempt: attempt, now: now, deadline: nil, randomUnit: 0.5) else {
                Issue.record("attempt \(attempt) should be retried")
                return
            }
        }
        #expect(policy.decision(after: failure, attempt: 4, now: now, deadline: nil, randomUnit: 0.5) == .fail(failure.error))
        #expect(RetryPolicy.none.decision(after: failure, attempt: 1, now: now, deadline: nil, randomUnit: 0.5) == .fail(failure.error))
    }

    @Test func neverRetriesNonRetryableFailures() {
        let failure = AttemptFailure(ModelError(.rejected, "bad key", status: 401), isRetryable: false)
        #expect(policy.decision(after: failure, attempt: 1, now: now, deadline: nil, randomUnit: 0.5) == .fail(failure.error))
    }

    @Test func refusesAWaitThatWouldPassTheDeadline() throws {
        let failure = AttemptFailure(ModelError(.rateLimited, "slow down", status: 429), isRetryable: true, serverDelay: .seconds(5))
        let decision = policy.decision(after: failure, attempt: 1, now: now, deadline: now + .seconds(3), randomUnit: 0.5)
        guard case .fail(let error) = decision else {
            Issue.record("expected a failure, got \(decision)")
            return
        }
        #expect(error.code == .rateLimited)
        #expect(error.status == 429)
        #expect(error.message.contains("would pass the deadline"))
        #expect(policy.decision(after: failure, attempt: 1, now: now, deadline: now + .seconds(6), randomUnit: 0.5) == .retry(RetryDelay(duration: .seconds(5), source: .server)))
    }

    @Test func refusesAServerDelayBeyondTheMaximum() {
        let failure = AttemptFailure(ModelError(.rateLimited, "slow down", status: 429), isRetryable: true, serverDelay: .seconds(3600))
        guard case .fail(let error) = policy.decision(after: failure, attempt: 1, now: now, deadline: nil, randomUnit: 0.5) else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.message.contains("asked to wait longer"))
    }

    @Test func retryAfterMillisecondsWinsOverRetryAfter() {
        #expect(RetryAfter.delay(milliseconds: "250", retryAfter: "10", now: 0) == .milliseconds(250))
        #expect(RetryAfter.delay(milliseconds: " 1.5 ", retryAfter: nil, now: 0) == .milliseconds(2))
        #expect(RetryAfter.delay(milliseconds: "soon", retryAfter: "3", now: 0) == .seconds(3))
    }

    @Test func retryAfterSeconds() {
        #expect(RetryAfter.delay(milliseconds: nil, retryAfter: "120", now: 0) == .seconds(120))
        #expect(RetryAfter.delay(milliseconds: nil, retryAfter: "0.5", now: 0) == .milliseconds(500))
        #expect(RetryAfter.delay(milliseconds: nil, retryAfter: "0", now: 0) == .zero)
        #expect(RetryAfter.delay(milliseconds: nil, retryAfter: "-1", now: 0) == nil)
        #expect(RetryAfter.delay(milliseconds: nil, retryAfter: "", now: 0) == nil)
        #expect(RetryAfter.delay(milliseconds: nil, retryAfter: nil, now: 0) == nil)
        #expect(RetryAfter.delay(milliseconds: nil, retryAfter: "tomorrow", now: 0) == nil)
    }

    @Test func retryAfterHTTPDateInAllThreeFormats() {
        let date = 784_111_777  // Sun, 06 Nov 1994 08:49:37 GMT (RFC 9110's example)
        for text in ["Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"] {
            #expect(HTTPDate.secondsSince1970(parsing: text) == date, "\(text)")
            #expect(RetryAfter.delay(milliseconds: nil, retryAfter: text, now: Double(date - 30)) == .seconds(30), "\(text)")
        }
        #expect(RetryAfter.delay(milliseconds: nil, retryAfter: "Sun, 06 Nov 1994 08:49:37 GMT", now: Double(date + 100)) == .zero)
        #expect(HTTPDate.secondsSince1970(parsing: "Thu, 01 Jan 1970 00:00:00 GMT") == 0)
        #expect(HTTPDate.secondsSince1970(parsing: "Tue, 29 Feb 2028 23:59:59 GMT") == 1_835_481_599)
        #expect(HTTPDate.secondsSince1970(parsing: "Sun, 06 Foo 1994 08:49:37 GMT") == nil)
        #expect(HTTPDate.secondsSince1970(parsing: "Sun, 06 Nov 1994 25:49:37 GMT") == nil)
        #expect(HTTPDate.secondsSince1970(parsing: "Sun, 06 Nov 1994 08:49:37 PST") == nil)
    }

    @Test func errorBodiesYieldTheServersMessage() {
        func message(_ text: String) -> String? { ProviderError.message(fromBody: Array(text.utf8)) }
        #expect(message(#"{"error": {"message": "Invalid model", "type": "invalid_request_error"}}"#) == "Invalid model")
        #expect(message(#"{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}"#) == "Overloaded")
        #expect(message(#"{"error": "model 'x' not found"}"#) == "model 'x' not found")
        #expect(message(#"{"object": "error", "message": "vLLM says no"}"#) == "vLLM says no")
        #expect(message(#"{"detail": "Not Found"}"#) == "Not Found")
        #expect(message("Bad Gateway") == "Bad Gateway")
        #expect(message("  ") == nil)
    }

    @Test func statusesMapToCodesAndRetryability() {
        let cases: [(Int, ModelError.Code, Bool)] = [
            (400, .rejected, false), (401, .rejected, false), (404, .rejected, false), (408, .serverError, true),
            (409, .serverError, true), (429, .rateLimited, true), (500, .serverError, true), (503, .serverError, true),
            (529, .serverError, true), (302, .malformedResponse, false),
        ]
        for (status, code, retryable) in cases {
            let failure = ProviderError.failure(status: status, body: Array(#"{"error":{"message":"m"}}"#.utf8), provider: "P", serverDelay: nil, shouldRetry: nil)
            #expect(failure.error.code == code, "\(status)")
            #expect(failure.isRetryable == retryable, "\(status)")
            #expect(failure.error.status == status)
            #expect(failure.error.message.hasSuffix(": m"))
        }
        let overridden = ProviderError.failure(status: 500, body: [], provider: "P", serverDelay: nil, shouldRetry: false)
        #expect(!overridden.isRetryable)
    }

    @Test func errorEventsMapByType() {
        let overloaded = ProviderError.error(fromErrorObject: ["type": "error", "error": ["type": "overloaded_error", "message": "Overloaded"]], provider: "Anthropic")
        #expect(overloaded.code == .serverError)
        #expect(overloaded.status == 529)
        #expect(overloaded.message == "Anthropic stream error (overloaded_error): Overloaded")
        let limited = ProviderError.error(fromErrorObject: ["error": ["message": "slow", "type": "requests", "code": "rate_limit_exceeded"]], provider: "OpenAI")
        #expect(limited.code == .rateLimited)
        let invalid = ProviderError.error(fromErrorObject: ["error": ["type": "invalid_request_error", "message": "bad"]], provider: "Anthropic")
        #expect(invalid.code == .rejected)
        let plain = ProviderError.error(fromErrorObject: ["error": ["message": "oops"]], provider: "OpenAI")
        #expect(plain.code == .serverError)
    }

    @Test func redactsTheAPIKey() {
        let error = ModelError(.rejected, "Incorrect API key provided: sk-secret-123.", status: 401)
        #expect(error.redacting(apiKey: "sk-secret-123").message == "Incorrect API key provided: [redacted].")
        #expect(error.redacting(apiKey: nil) == error)
    }
}
