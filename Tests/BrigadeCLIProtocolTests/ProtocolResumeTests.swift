import Brigade
import BrigadeTesting
import Foundation
import Testing

/// The `resume` request: a run paused in one `brigade run --json` process is decided and continued
/// from another, through the protocol alone.
@Suite("Protocol: resume", .timeLimit(.minutes(1)))
struct ProtocolResumeTests {
    static func model(_ server: FakeModelServer) -> String {
        "  provider: openai\n  base_url: \(server.openAIBaseURL)\n  model: fake\n  api_key_env: null"
    }

    @Test func aPausedRunIsDecidedCallByCallAndResumedInAnotherProcess() async throws {
        try await withFakeModelServer { server in
            server.enqueue(.toolCalls([FakeToolCall(name: "launch", id: "call_launch"), FakeToolCall(name: "deploy", id: "call_deploy")]))
            server.enqueue(.toolCalls([FakeToolCall(name: "launch", id: "call_again")]))
            server.enqueue(.text("Launched twice, not deployed."))
            let fixture = try ProtocolFixture(model: Self.model(server))
            var runID: JSONValue?
            let first = try await withBrigadeProtocol(config: fixture.config, in: fixture.folder.path) { conversation in
                try await conversation.send(["type": "run", "id": "p1", "prompt": "please launch", "mode": "model", "approval": "defer"])
                let finished = try await conversation.read("finished", id: "p1")
                #expect(finished["stop_reason"] == "awaiting_approval")
                runID = finished["run_id"]
            }
            #expect(first.status.isSuccess)
            let id = try #require(runID)
            #expect(server.requestCount == 1)

            let second = try await withBrigadeProtocol(config: fixture.config, in: fixture.folder.path) { conversation in
                // An unknown run, and resuming before every call is decided, are refused; nothing runs.
                try await conversation.send(["type": "resume", "id": "x", "run_id": "run_nope"])
                #expect(try await conversation.read("error", id: "x")["code"] == "unknown_run")
                try await conversation.send(["type": "resume", "id": "early", "run_id": id])
                let early = try await conversation.read("error", id: "early")
                #expect(early["code"] == "not_resumable")
                #expect(early["message"]?.stringValue?.contains("call_launch") == true)

                // One call approved: the other still waits, the run stays paused.
                try await conversation.send(["type": "resume", "id": "r1", "run_id": id, "decision": "approve", "call_id": "call_launch"])
                let decided = try await conversation.read("decided", id: "r1")
                #expect(decided["run_id"] == id && decided["remaining"] == ["call_deploy"])
                // The same call again: already decided.
                try await conversation.send(["type": "resume", "id": "r2", "run_id": id, "decision": "deny", "call_id": "call_launch"])
                #expect(try await conversation.read("error", id: "r2")["code"] == "not_resumable")

                // The rest denied: the run continues under the request's id and keeps its run_id. Its
                // next call needs approval and, with the default `approval: ask`, the client is asked.
                try await conversation.send(["type": "resume", "id": "r3", "run_id": id, "decision": "deny"])
                #expect(try await conversation.read("decided", id: "r3")["remaining"] == [])
                let request = try await conversation.read("approval_request", id: "r3")
                #expect(request["call_id"] == "call_again" && request["run_id"] == id)
                try await conversation.send(["type": "approval", "request_id": request["request_id"] ?? "", "decision": "approve"])
                let finished = try await conversation.read("finished", id: "r3")
                #expect(finished["stop_reason"] == "finished" && finished["run_id"] == id)
                #expect(finished["answer"] == "Launched twice, not deployed.")
                #expect(conversation.events(of: "r3").allSatisfy { $0["run_id"] == nil || $0["run_id"] == id })

                // A finished run cannot be resumed.
                try await conversation.send(["type": "resume", "id": "r4", "run_id": id])
                #expect(try await conversation.read("error", id: "r4")["code"] == "not_resumable")
            }
            #expect(second.status.isSuccess, "\(second.standardError)")
            // The resumed turn got the approved call's result and the denial; the call that ran before
            // the pause was not run again.
            #expect(server.requestCount == 3)
            let resumedTurn = try #require(server.requests.dropFirst().first?.trailingToolResults)
            #expect(resumedTurn.first?.content.contains("launched") == true && resumedTurn.count == 2)
            #expect(resumedTurn.last?.content.contains("denied") == true)
        }
    }

    @Test func resumeWithoutAStoreAndMalformedResumesAreErrors() async throws {
        let fixture = try ProtocolFixture()
        let exit = try await withBrigadeProtocol(config: fixture.config, in: fixture.folder.path, arguments: ["--no-store"]) { conversation in
            try await conversation.send(["type": "resume", "id": "a", "run_id": "run_x"])
            #expect(try await conversation.read("error", id: "a")["code"] == "no_store")
            try await conversation.send(raw: #"{"type": "resume", "id": "b"}"#)
            #expect(try await conversation.read("error", id: "b")["code"] == "invalid_request")
            try await conversation.send(raw: #"{"type": "resume", "id": "c", "run_id": "run_x", "call_id": "k"}"#)
            #expect(try await conversation.read("error", id: "c")["code"] == "invalid_request")
            try await conversation.send(raw: #"{"type": "resume", "id": "d", "run_id": "run_x", "decision": "always"}"#)
            #expect(try await conversation.read("error", id: "d")["code"] == "invalid_request")
        }
        #expect(exit.status.isSuccess)
    }
}
