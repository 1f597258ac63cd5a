import Brigade
import Foundation
import Testing

/// `brigade run --json` as a child process: runs, errors, limits and the end of input.
@Suite("Protocol: runs and errors", .timeLimit(.minutes(1)))
struct ProtocolRunTests {
    /// The schemas use only keywords Brigade's validator enforces, so checking lines against them means something.
    @Test func theSchemasAreUsable() {
        #expect(JSONSchemaValidator.validateSchema(ProtocolSchemas.events) == [])
        #expect(JSONSchemaValidator.validateSchema(ProtocolSchemas.requests) == [])
        #expect(ProtocolSchemas.events["oneOf"]?.arrayValue?.count == 19)
        #expect(ProtocolSchemas.requests["oneOf"]?.arrayValue?.count == 4)
    }

    @Test func aRunStreamsItsEventsAndEndOfInputEndsTheProcess() async throws {
        let fixture = try ProtocolFixture()
        var ready: JSONValue?
        var events: [JSONValue] = []
        let exit = try await withBrigadeProtocol(config: fixture.config, in: fixture.folder.path) { conversation in
            ready = try await conversation.next()
            try await conversation.send(["v": 1, "type": "run", "id": "r1", "prompt": "greet Ana"])
            try await conversation.read("finished", id: "r1")
            events = conversation.events(of: "r1")
        }
        #expect(exit.status == .exited(0))
        #expect(exit.standardError.isEmpty, "stderr: \(exit.standardError)")
        #expect(ready?["type"] == "ready")
        #expect(ready?["routing"] == "static")
        #expect(ready?["tools"]?.arrayValue?.count == 6)

        let types = events.compactMap { $0["type"]?.stringValue }
        #expect(types == ["route_matched", "tool_call_queued", "tool_call_started", "tool_call_finished", "budget_update", "text_delta", "finished"])
        #expect(events.first?["captures"]?["name"] == "Ana")
        #expect(events[3]["status"] == "ok")
        #expect(events[3]["call_id"] == events[1]["call_id"])
        let finished = try #require(events.last)
        #expect(finished["stop_reason"] == "finished")
        #expect(finished["answer"]?.stringValue?.contains("hello Ana") == true)
    }

    @Test func badLinesGiveErrorEventsAndTheProcessGoesOn() async throws {
        let fixture = try ProtocolFixture()
        var errors: [JSONValue] = []
        var finished: JSONValue?
        let exit = try await withBrigadeProtocol(config: fixture.config, in: fixture.folder.path) { conversation in
            for line in [
                "not json",
                "[1, 2]",
                #"{"prompt": "no type"}"#,
                #"{"type": "dance", "id": "d"}"#,
                #"{"type": "run", "id": "p"}"#,
                #"{"v": 2, "type": "run", "id": "v", "prompt": "greet Vi"}"#,
                #"{"type": "run", "id": "m", "prompt": "greet Mo", "mode": "fast"}"#,
                #"{"type": "run", "id": "l", "prompt": "greet Lu", "limits": {"dollars": 1}}"#,
                "   ",
                #"{"type": "cancel", "id": "ghost"}"#,
                #"{"type": "approval", "request_id": "nope", "decision": "approve"}"#,
                #"{"type": "approval", "request_id": "x", "decision": "maybe"}"#,
                String(repeating: "x", count: (1 << 20) + 10),
                #"{"type": "run", "id": 7, "prompt": "greet Bo"}"#,
            ] {
                try await conversation.send(raw: line)
            }
            finished = try await conversation.read("finished", id: 7)
            errors = conversation.errors
        }
        #expect(exit.status == .exited(0))
        #expect(exit.standardError.isEmpty, "stderr: \(exit.standardError)")
        #expect(errors.compactMap { $0["code"]?.stringValue } == [
            "invalid_json", "invalid_request", "invalid_request", "unknown_type", "invalid_request", "unsupported_version",
            "invalid_request", "invalid_request", "unknown_id", "unknown_request_id", "invalid_request", "line_too_long",
        ])
        #expect(errors.compactMap { $0["line"]?.intValue } == [1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13])
        #expect(errors.map { $0["id"] } == [nil, nil, nil, "d", "p", "v", "m", "l", "ghost", nil, nil, nil])
        #expect(errors[4]["message"]?.stringValue?.contains("prompt") == true)
        #expect(errors[7]["message"]?.stringValue?.contains("dollars") == true)
        #expect(finished?["answer"]?.stringValue?.contains("hello Bo") == true)
    }

    @Test func theLimitsOfARequestApplyToItsRunOnly() async throws {
        let fixture = try ProtocolFixture()
        var capped: [JSONValue] = [], free: [JSONValue] = []
        let exit = try await withBrigadeProtocol(config: fixture.config, in: fixture.folder.path) { conversation in
            try await conversation.send(["type": "run", "id": "capped", "prompt": "greet Cy", "limits": ["max_calls": 0, "usd": 1.5, "wall_seconds": 30]])
            try await conversation.read("finished", id: "capped")
            try await conversation.send(["type": "run", "id": "free", "prompt": "greet Cy"])
            try await conversation.read("finished", id: "free")
            capped = conversation.events(of: "capped")
            free = conversation.events(of: "free")
        }
        #expect(exit.status == .exited(0))
        let cappedCall = capped.first { $0["type"] == "tool_call_finished" }
        #expect(cappedCall?["status"] == "not_run")
        #expect(capped.contains { $0["type"] == "budget_update" && $0["left"]?["usd"] == 1.5 })
        #expect(free.first { $0["type"] == "tool_call_finished" }?["status"] == "ok")
    }

    /// The holding run can only finish once the releasing run has run: both must be in flight at once.
    @Test func runsGoOnConcurrently() async throws {
        let fixture = try ProtocolFixture()
        var hold: JSONValue?
        let exit = try await withBrigadeProtocol(config: fixture.config, in: fixture.folder.path) { conversation in
            try await conversation.send(["type": "run", "id": "h", "prompt": "hold on"])
            try await conversation.read("tool_call_started", id: "h")
            try await conversation.send(["type": "run", "id": "r", "prompt": "release it"])
            hold = try await conversation.read("finished", id: "h")
            try await conversation.read("finished", id: "r")
        }
        #expect(exit.status == .exited(0))
        #expect(hold?["calls"]?[0]?["status"] == "ok")
        #expect(hold?["answer"]?.stringValue?.contains("go") == true)
    }
}

extension JSONValue {
    /// Element lookup on arrays; `nil` for other values and out-of-range indices.
    subscript(index: Int) -> JSONValue? {
        guard case .array(let items) = self, items.indices.contains(index) else { return nil }
        return items[index]
    }
}
