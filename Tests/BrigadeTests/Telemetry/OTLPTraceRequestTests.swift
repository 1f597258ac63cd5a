import Brigade
@testable import BrigadeTelemetry
import Testing

@Suite("OTLP JSON encoding")
struct OTLPTraceRequestTests {
    @Test func attributesCarryTheirTypeAndIntegersAreDecimalStrings() {
        #expect(OTLPAttribute("a", "text").json.jsonString == #"{"key":"a","value":{"stringValue":"text"}}"#)
        #expect(OTLPAttribute("n", 9_007_199_254_740_993).json.jsonString == #"{"key":"n","value":{"intValue":"9007199254740993"}}"#)
        #expect(OTLPAttribute("d", 0.25).json.jsonString == #"{"key":"d","value":{"doubleValue":0.25}}"#)
        #expect(OTLPAttribute("b", true).json.jsonString == #"{"key":"b","value":{"boolValue":true}}"#)
    }

    @Test func aSpanHasHexIdsNanosecondStringsAndNumericEnums() {
        let trace = OTLPTraceRequest.traceID(for: "run_1")
        let span = OTLPTraceRequest.spanID(for: "run_1/call/1/a")
        let parent = OTLPTraceRequest.spanID(for: "run_1/turn/1")
        let json = OTLPTraceRequest.span(
            traceID: trace, spanID: span, parentSpanID: parent, name: "execute_tool echo", kind: .internal,
            start: 1_765_000_000.25, end: 1_765_000_001.5, attributes: [OTLPAttribute("gen_ai.tool.name", "echo")],
            status: .error, statusMessage: "timed out")
        #expect(trace.count == 32 && span.count == 16 && parent.count == 16)
        #expect(trace.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        #expect(json["traceId"] == .string(trace) && json["spanId"] == .string(span) && json["parentSpanId"] == .string(parent))
        #expect(json["startTimeUnixNano"] == .string("1765000000250000000"))
        #expect(json["endTimeUnixNano"] == .string("1765000001500000000"))
        #expect(json["kind"] == .integer(1))
        #expect(json["status"] == .object(["code": .integer(2), "message": .string("timed out")]))
        let root = OTLPTraceRequest.span(traceID: trace, spanID: parent, parentSpanID: nil, name: "run", kind: .client, start: 1, end: 2, attributes: [], status: .unset)
        #expect(root["parentSpanId"] == nil && root["kind"] == .integer(3) && root["status"] == .object(["code": .integer(0)]))
    }

    @Test func idsAreStableAndDistinct() {
        #expect(OTLPTraceRequest.traceID(for: "run_a") == OTLPTraceRequest.traceID(for: "run_a"))
        #expect(OTLPTraceRequest.traceID(for: "run_a") != OTLPTraceRequest.traceID(for: "run_b"))
        let ids = Set((0..<10_000).map { OTLPTraceRequest.spanID(for: "run_a/call/1/call_\($0)") })
        #expect(ids.count == 10_000)
    }

    @Test func theBodyIsOneResourceWithOneScope() {
        let span = OTLPTraceRequest.span(traceID: "t", spanID: "s", parentSpanID: nil, name: "run", kind: .internal, start: 1, end: 2, attributes: [], status: .unset)
        let body = OTLPTraceRequest.body(spans: [span], resource: [OTLPAttribute("service.name", "brigade")])
        let resourceSpans = body["resourceSpans"]?.arrayValue
        #expect(resourceSpans?.count == 1)
        #expect(resourceSpans?[0]["resource"]?["attributes"] == .array([OTLPAttribute("service.name", "brigade").json]))
        let scope = resourceSpans?[0]["scopeSpans"]?.arrayValue?[0]
        #expect(scope?["scope"]?["name"] == .string("brigade"))
        #expect(scope?["spans"] == .array([span]))
    }
}
