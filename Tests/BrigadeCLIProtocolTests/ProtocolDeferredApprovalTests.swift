import Brigade
import BrigadeTesting
import Foundation
import Subprocess
import Testing

/// `"approval": "defer"` in the NDJSON protocol: the run pauses instead of asking, and `brigade
/// approve` in another process continues it.
@Suite("Protocol: deferred approval", .timeLimit(.minutes(1)))
struct ProtocolDeferredApprovalTests {
    @Test func aDeferredRunPausesAndIsApprovedFromAnotherProcess() async throws {
        try await withFakeModelServer { server in
            server.enqueue(.toolCalls([FakeToolCall(name: "launch", id: "call_launch")]))
            server.enqueue(.text("Launched."))
            let fixture = try ProtocolFixture(model: "  provider: openai\n  base_url: \(server.openAIBaseURL)\n  model: fake\n  api_key_env: null")
            var runID: String?
            var asked = true
            _ = try await withBrigadeProtocol(config: fixture.config, in: fixture.folder.path) { conversation in
                try await conversation.send(["type": "run", "id": "d1", "prompt": "please launch", "mode": "model", "approval": "defer"])
                let finished = try await conversation.read("finished", id: "d1")
                #expect(finished["stop_reason"] == "awaiting_approval")
                #expect(finished["calls"]?[0]?["status"] == "awaiting_approval")
                runID = finished["run_id"]?.stringValue
                asked = conversation.events(of: "d1").contains { $0["type"] == "approval_request" }
                try await conversation.finishInputAndDrain()
            }
            #expect(!asked)
            let id = try #require(runID)
            let approve = try await Subprocess.run(
                .path(.init(BuiltProduct.brigade)), arguments: ["approve", "--config", fixture.config, id],
                environment: .hermetic(["XDG_STATE_HOME": fixture.folder.path + "/.state", "NO_COLOR": "1"]),
                workingDirectory: .init(fixture.folder.path), output: .string(limit: 65536), error: .string(limit: 65536))
            #expect(approve.terminationStatus.isSuccess, "\(approve.standardError)")
            #expect(approve.standardOutput.contains("Launched."))
            #expect(server.requests.last?.bodyText.contains("launched") == true)
        }
    }

    /// An `approval` answer of `"defer"` pauses the run instead of running the call (the broker once
    /// turned every answer but `deny` into `approve`).
    @Test func aDeferAnswerPausesTheRunWithoutRunningTheCall() async throws {
        try await withFakeModelServer { server in
            server.enqueue(.toolCalls([FakeToolCall(name: "launch", id: "call_launch")]))
            server.enqueue(.text("Launched."))
            let fixture = try ProtocolFixture(model: "  provider: openai\n  base_url: \(server.openAIBaseURL)\n  model: fake\n  api_key_env: null")
            var finished: JSONValue?
            _ = try await withBrigadeProtocol(config: fixture.config, in: fixture.folder.path) { conversation in
                try await conversation.send(["type": "run", "id": "d2", "prompt": "please launch", "mode": "model"])
                let request = try await conversation.read("approval_request", id: "d2")
                try await conversation.send(["type": "approval", "request_id": request["request_id"] ?? nil, "decision": "defer"])
                finished = try await conversation.read("finished", id: "d2")
                try await conversation.finishInputAndDrain()
            }
            #expect(finished?["stop_reason"] == "awaiting_approval")
            #expect(finished?["calls"]?[0]?["status"] == "awaiting_approval")
            #expect(server.requestCount == 1)
        }
    }
}
