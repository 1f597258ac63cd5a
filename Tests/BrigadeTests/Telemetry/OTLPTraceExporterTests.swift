import Brigade
@testable import BrigadeCore
@testable import BrigadeTelemetry
import BrigadeTesting
import CurlHTTP
import Synchronization
import Testing

@Suite("OTLP exporter against a collector stand-in", .timeLimit(.minutes(1)))
struct OTLPTraceExporterTests {
    final class Failures: Sendable {
        private let messages = Mutex<[String]>([])
        func append(_ message: String) { messages.withLock { $0.append(message) } }
        var all: [String] { messages.withLock { $0 } }
    }

    func span(_ index: Int) -> JSONValue {
        OTLPTraceRequest.span(
            traceID: OTLPTraceRequest.traceID(for: "run_t"), spanID: OTLPTraceRequest.spanID(for: "s\(index)"), parentSpanID: nil,
            name: "span \(index)", kind: .internal, start: 1_765_000_000, end: 1_765_000_001, attributes: [], status: .unset)
    }

    func exporter(_ url: String, failures: Failures, headers: HTTPHeaders = [:], capacity: Int = 4096, maxBatch: Int = 512) -> OTLPTraceExporter {
        OTLPTraceExporter(
            settings: OTLPTraceSettings(url: url, headers: headers, timeout: .seconds(20), serviceName: "exporter-test"),
            capacity: capacity, maxBatch: maxBatch, onFailure: failures.append)
    }

    @Test func spansArePostedAsJSONWithTheConfiguredHeadersInBatches() async throws {
        try await withFakeCollector { collector in
            let failures = Failures()
            let exporter = exporter(collector.baseURL + "/v1/traces", failures: failures, headers: ["Authorization": "Bearer otel-token"], maxBatch: 2)
            exporter.enqueue((0..<5).map(span))
            #expect(await exporter.flush(timeout: .seconds(30)))
            let exports = collector.exports
            #expect(exports.count == 3)  // 2 + 2 + 1
            #expect(exports.allSatisfy { $0.path == "/v1/traces" })
            #expect(exports.allSatisfy { $0.headers["authorization"] == "Bearer otel-token" })
            #expect(exports.allSatisfy { $0.headers["content-type"] == "application/json" })
            #expect(collector.spans == (0..<5).map(span))
            // `first`, not `[0]`: when the flush timed out there may be no export, and a failed
            // expectation must not crash the test process (it would end every suite after this one).
            let resource = exports.first?.body?["resourceSpans"]?.arrayValue?.first?["resource"]?["attributes"]?.arrayValue ?? []
            #expect(resource.first == OTLPAttribute("service.name", "exporter-test").json)
            #expect(failures.all.isEmpty)
            await exporter.shutdown(timeout: .seconds(5))
        }
    }

    @Test func aCollectorAnsweringWithAnErrorGetsItsSpansDroppedWithOneReport() async throws {
        try await withFakeCollector { collector in
            collector.behaviour = .fail(status: 503)
            let failures = Failures()
            let exporter = exporter(collector.baseURL + "/v1/traces", failures: failures, maxBatch: 1)
            exporter.enqueue([span(0), span(1)])
            #expect(await exporter.flush(timeout: .seconds(30)))
            exporter.enqueue([span(2)])
            #expect(await exporter.flush(timeout: .seconds(30)))
            #expect(collector.requestCount == 3)
            #expect(failures.all.count == 1)
            #expect(failures.all.first?.contains("HTTP 503") == true)
            #expect(failures.all.first?.contains(collector.baseURL) == true)
        }
    }

    @Test func rejectedSpansInAPartialSuccessAreReported() async throws {
        try await withFakeCollector { collector in
            collector.behaviour = .rejectSome(count: 2)
            let failures = Failures()
            let exporter = exporter(collector.baseURL + "/v1/traces", failures: failures)
            exporter.enqueue([span(0), span(1)])
            #expect(await exporter.flush(timeout: .seconds(30)))
            #expect(failures.all.count == 1 && failures.all.first?.contains("rejected 2 spans: too old") == true, "\(failures.all)")
        }
    }

    @Test func anUnreachableCollectorIsReportedOnceAndNothingWaitsForIt() async throws {
        let refused = try RefusedPort()
        let failures = Failures()
        let exporter = exporter(refused.url + "/v1/traces", failures: failures, maxBatch: 1)
        exporter.enqueue([span(0), span(1), span(2)])
        #expect(await exporter.flush(timeout: .seconds(30)))
        #expect(failures.all.count == 1)
        #expect(failures.all.first?.contains("connectionFailed") == true)
        await exporter.shutdown(timeout: .seconds(5))
        #expect(failures.all.count == 1)
    }

    @Test func aHangingCollectorIsAbandonedAtShutdownWithOneReport() async throws {
        try await withFakeCollector { collector in
            collector.behaviour = .hang
            let failures = Failures()
            let exporter = exporter(collector.baseURL + "/v1/traces", failures: failures)
            exporter.enqueue([span(0), span(1)])
            await collector.waitForRequests(count: 1)
            #expect(await exporter.flush(timeout: .milliseconds(50)) == false)
            await exporter.shutdown(timeout: .milliseconds(200))
            #expect(failures.all.count == 1)
            #expect(failures.all.first?.contains("did not answer within 0.2 s (2 spans dropped)") == true)
            exporter.enqueue([span(3)])  // after shutdown: refused, already reported
            #expect(failures.all.count == 1)
        }
    }

    @Test func aFullQueueDropsSpansInsteadOfWaiting() async throws {
        try await withFakeCollector { collector in
            collector.behaviour = .hang
            let failures = Failures()
            let exporter = exporter(collector.baseURL + "/v1/traces", failures: failures, capacity: 2, maxBatch: 1)
            exporter.enqueue([span(0)])
            await collector.waitForRequests(count: 1)  // span 0 in flight, the queue empty again
            exporter.enqueue([span(1), span(2), span(3)])
            #expect(failures.all.count == 1 && failures.all.first?.contains("queue is full (1 spans dropped") == true, "\(failures.all)")
            await exporter.shutdown(timeout: .milliseconds(100))
            #expect(failures.all.count == 1)
        }
    }
}
