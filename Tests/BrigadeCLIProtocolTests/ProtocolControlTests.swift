import Brigade
import BrigadeTesting
import Foundation
import Testing

/// `brigade run --json` as a child process: approvals, cancellation, sessions.
@Suite("Protocol: approvals, cancel, sessions", .timeLimit(.minutes(1)))
struct ProtocolControlTests {
    @Test func approvalsGoOutAsEventsAndComeBackOnStdin() async throws {
        let fixture = try ProtocolFixture()
        var statuses: [String: JSONValue?] = [:]
        var requests: [JSONValue] = []
        var queuedBeforeRequest = false
        let exit = try await withBrigadeProtocol(config: fixture.config, in: fixture.folder.path) { conversation in
            for (id, decision) in [("a1", "approve"), ("a2", "deny"), ("a3", "always")] {
                try await conversation.send(["type": "run", "id": .string(id), "prompt": "launch now"])
                let request = try await conversation.read("approval_request", id: .string(id))
                requests.append(request)
                try await conversation.send(["type": "approval", "request_id": request["request_id"] ?? nil, "decision": .string(decision)])
                let finished = try await conversation.read("finished", id: .string(id))
                statuses[id] = finished["calls"]?[0]?["status"]
            }
            let first = conversation.events(of: "a1")
            let queued = first.firstIndex { $0["type"] == "tool_call_queued" }
            let asked = first.firstIndex { $0["type"] == "approval_request" }
            queuedBeforeRequest = queued != nil && asked != nil && queued! < asked!
            #expect(first[asked ?? 0]["call_id"] == first[queued ?? 0]["call_id"])

            // An answer to a request that is no longer waiting is an error.
            try await conversation.send(["type": "approval", "request_id": requests[1]["request_id"] ?? nil, "decision": "approve"])
            let error = try await conversation.read("error")
            #expect(error["code"] == "unknown_request_id")

            // "always" holds for later runs: no request at all.
            try await conversation.send(["type": "run", "id": "a4", "prompt": "launch again"])
            statuses["a4"] = try await conversation.read("finished", id: "a4")["calls"]?[0]?["status"]
            #expect(!conversation.events(of: "a4").contains { $0["type"] == "approval_request" })

            // A request still waiting at the end of input is denied, and the run finishes.
            try await conversation.send(["type": "run", "id": "a5", "prompt": "deploy it"])
            try await conversation.read("approval_request", id: "a5")
            try await conversation.finishInputAndDrain()
            statuses["a5"] = conversation.events(of: "a5").last { $0["type"] == "finished" }?["calls"]?[0]?["status"]
        }
        #expect(exit.status == .exited(0))
        #expect(exit.standardError.isEmpty, "stderr: \(exit.standardError)")
        #expect(queuedBeforeRequest)
        #expect(requests.map { $0["tool"] } == ["launch", "launch", "launch"])
        #expect(Set(requests.compactMap { $0["request_id"] }).count == 3)
        #expect(statuses == ["a1": "ok", "a2": "denied", "a3": "ok", "a4": "ok", "a5": "denied"])
    }

    @Test func cancelEndsARunningOrWaitingRun() async throws {
        let fixture = try ProtocolFixture()
        var running: JSONValue?, waiting: [JSONValue] = [], duplicate: JSONValue?, reused: JSONValue?
        let exit = try await withBrigadeProtocol(config: fixture.config, in: fixture.folder.path, arguments: ["--max-concurrent-runs", "1"]) { conversation in
            try await conversation.send(["type": "run", "id": "n1", "prompt": "take a nap"])
            try await conversation.read("tool_call_started", id: "n1")
            // n2 waits for the only slot; cancelling it ends it at once with its one event.
            try await conversation.send(["type": "run", "id": "n2", "prompt": "take a nap"])
            try await conversation.send(["type": "cancel", "id": "n2"])
            try await conversation.read("finished", id: "n2")
            waiting = conversation.events(of: "n2")

            try await conversation.send(["type": "run", "id": "n1", "prompt": "greet Di"])
            duplicate = try await conversation.read("error")
            try await conversation.send(["type": "cancel", "id": "n1"])
            running = try await conversation.read("finished", id: "n1")

            // The id is free again once its run finished.
            try await conversation.send(["type": "run", "id": "n1", "prompt": "greet Di"])
            reused = try await conversation.read("finished", id: "n1")
        }
        #expect(exit.status == .exited(0))
        #expect(exit.standardError.isEmpty, "stderr: \(exit.standardError)")
        #expect(waiting.compactMap { $0["type"]?.stringValue } == ["finished"])
        #expect(waiting.first?["stop_reason"] == "cancelled")
        #expect(duplicate?["code"] == "duplicate_id")
        #expect(running?["stop_reason"] == "cancelled")
        #expect(running?["calls"]?[0]?["status"] == "cancelled")
        #expect(reused?["stop_reason"] == "finished")
        #expect(reused?["answer"]?.stringValue?.contains("hello Di") == true)
    }

    /// Against a fake OpenAI-compatible server that answers with the user messages it was sent.
    @Test func runsOfASessionContinueOneConversationInOrder() async throws {
        let server = try await FakeModelServer.start()
        server.respond { request in
            let users = request.messages.filter { $0["role"] == "user" }.compactMap { $0["content"]?.stringValue }
            return .text("users: " + users.joined(separator: " | "))
        }
        let fixture = try ProtocolFixture(model: """
              provider: openai
              base_url: \(server.openAIBaseURL)
              model: fake
              api_key_env: null
            """)
        var answers: [String: String] = [:]
        var secondStartedAfterFirstFinished = false
        var staticEvents: [JSONValue] = []
        let exit = try await withBrigadeProtocol(config: fixture.config, in: fixture.folder.path) { conversation in
            let ready = try await conversation.next()
            #expect(ready?["model"] == "openai:fake")
            try await conversation.send(["type": "run", "id": "s1", "session": "chat", "prompt": "first"])
            try await conversation.send(["type": "run", "id": "s2", "session": "chat", "prompt": "second"])
            try await conversation.send(["type": "run", "id": "o", "prompt": "third"])
            for id in ["s1", "s2", "o"] {
                answers[id] = try await conversation.read("finished", id: .string(id))["answer"]?.stringValue
            }
            let firstEnd = conversation.received.firstIndex { $0["type"] == "finished" && $0["id"] == "s1" }
            let secondStart = conversation.received.firstIndex { $0["id"] == "s2" }
            secondStartedAfterFirstFinished = firstEnd != nil && secondStart != nil && firstEnd! < secondStart!

            // "mode": "static" keeps the model out: a request no route matches gets the router's list.
            let before = server.requestCount
            try await conversation.send(["type": "run", "id": "st", "prompt": "what is new", "mode": "static"])
            try await conversation.read("finished", id: "st")
            staticEvents = conversation.events(of: "st")
            #expect(server.requestCount == before)
        }
        await server.stop()
        #expect(exit.status == .exited(0))
        #expect(exit.standardError.isEmpty, "stderr: \(exit.standardError)")
        #expect(answers == ["s1": "users: first", "s2": "users: first | second", "o": "users: third"])
        #expect(secondStartedAfterFirstFinished)
        #expect(staticEvents.compactMap { $0["type"]?.stringValue } == ["text_delta", "finished"])
        #expect(staticEvents.last?["answer"]?.stringValue?.hasPrefix("No route matches this request.") == true)
    }
}
