import Brigade
import BrigadeTesting
import CurlHTTP
import Testing

@Suite("Fake model server", .timeLimit(.minutes(1)))
struct FakeModelServerTests {
    @Test func answersGenericallyThroughARespondClosureUnderConcurrency() async throws {
        try await withFakeModelServer(recordsRequests: false) { server in
            server.respond { request in .text("echo: \(request.lastUserText ?? "?")", usage: TokenUsage(inputTokens: 3, outputTokens: 2)) }
            let openAI = OpenAIChatClient(configuration: .init(baseURL: server.openAIBaseURL, apiKey: "k", model: "m"), httpClient: ProviderTestHTTP.client)
            let anthropic = AnthropicClient(configuration: .init(baseURL: server.anthropicBaseURL, apiKey: "k", model: "m"), httpClient: ProviderTestHTTP.client)
            let count = 200
            let start = ContinuousClock.now
            let answers = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for item in 0..<count {
                    group.addTask {
                        let client: any ModelClient = item.isMultiple(of: 2) ? openAI : anthropic
                        let response = try await client.complete(ModelRequest(messages: [.user("item \(item)")]), deadline: nil) { _ in }
                        return (item, response.text)
                    }
                }
                var answers: [Int: String] = [:]
                for try await (item, text) in group { answers[item] = text }
                return answers
            }
            let elapsed = ContinuousClock.now - start
            print("fake model server: \(count) streamed calls (2 APIs) in \(elapsed)")
            #expect(answers.count == count)
            #expect((0..<count).allSatisfy { answers[$0] == "echo: item \($0)" })
            #expect(server.requestCount == count)
            #expect(server.requests.isEmpty)
        }
    }

    @Test func theQueueComesBeforeTheClosureAndAnEmptyScriptIsAClearError() async throws {
        try await withFakeModelServer { server in
            let client = OpenAIChatClient(configuration: .init(baseURL: server.openAIBaseURL, apiKey: "k", model: "m", retryPolicy: .none), httpClient: ProviderTestHTTP.client)
            let error = await expectProviderFailure(.serverError) {
                try await client.complete(ModelRequest(messages: [.user("x")]), deadline: nil) { _ in }
            }
            #expect(error?.message.contains("no scripted turn left for request 1") == true)

            server.enqueue(.text("queued"))
            server.respond { _ in .text("closure") }
            #expect(server.pendingTurnCount == 1)
            let queued = try await client.complete(ModelRequest(messages: [.user("x")]), deadline: nil) { _ in }
            let generic = try await client.complete(ModelRequest(messages: [.user("x")]), deadline: nil) { _ in }
            #expect(queued.text == "queued")
            #expect(generic.text == "closure")
            #expect(server.requests.count == 3)
            #expect(server.requests.allSatisfy { $0.api == .openAIChat && $0.model == "m" })
        }
    }

    @Test func splitsArgumentsIntoFragmentsAndInterleavesCallsByIndex() async throws {
        try await withFakeModelServer { server in
            server.enqueue(.toolCalls([FakeToolCall(name: "a", json: ["x": "123456789"]), FakeToolCall(name: "b", json: ["y": "abcdefghi"])]))
            var request = HTTPRequest(method: "POST", url: server.openAIBaseURL + "/chat/completions", headers: ["Content-Type": "application/json"])
            request.body = Array(#"{"model": "m", "stream": true, "messages": []}"#.utf8)
            let indexLists = try await ProviderTestHTTP.client.withStream(request) { head, body in
                #expect(head.status == 200)
                #expect(head.headers["content-type"] == "text/event-stream")
                var lists: [[Int]] = []
                for try await event in body.serverSentEvents() where event.data != "[DONE]" {
                    let chunk = try JSONValue(parsing: event.data)
                    let calls = chunk["choices"]?.arrayValue?.first?["delta"]?["tool_calls"]?.arrayValue ?? []
                    if !calls.isEmpty { lists.append(calls.compactMap { $0["index"]?.intValue }) }
                }
                return lists
            }
            let order = indexLists.flatMap { $0 }
            #expect(Array(order.prefix(2)) == [0, 1])  // both heads first
            #expect(order.filter { $0 == 0 }.count > 3)
            #expect(order != order.sorted())  // interleaved, not call after call
            #expect(indexLists.contains { $0.count == 2 })  // some chunks carry two calls
        }
    }

    @Test func unknownPathsAre404() async throws {
        try await withFakeModelServer { server in
            let response = try await ProviderTestHTTP.client.send(HTTPRequest(method: "POST", url: server.baseURL + "/v1/embeddings", body: Array("{}".utf8)))
            #expect(response.status == 404)
            #expect(response.bodyText.contains("no API at /v1/embeddings"))
        }
    }

    @Test func stoppingTheServerReleasesAHungRequest() async throws {
        let server = try await FakeModelServer.start()
        server.enqueue(.fault(.hang))
        let client = AnthropicClient(configuration: .init(baseURL: server.anthropicBaseURL, apiKey: "k", model: "m", retryPolicy: .none), httpClient: ProviderTestHTTP.client)
        let outcome = await withTaskGroup(of: ModelError?.self) { group in
            group.addTask {
                do throws(ModelError) {
                    _ = try await client.complete(ModelRequest(messages: [.user("x")]), deadline: nil) { _ in }
                    return nil
                } catch {
                    return error
                }
            }
            await server.waitForRequests(count: 1)
            await server.stop()
            return await group.next() ?? nil
        }
        #expect(outcome != nil)
        await server.stop()  // stopping twice is fine
    }

    @Test func latencyAndExtraFieldsStillAnswer() async throws {
        try await withFakeModelServer { server in
            let turn = FakeTurn(text: "slow but sure", latency: FakeLatency(beforeHead: .milliseconds(20), betweenEvents: .milliseconds(2)), quirks: FakeQuirks(extraFields: true))
            server.enqueue(turn, turn)
            let openAI = OpenAIChatClient(configuration: .init(baseURL: server.openAIBaseURL, apiKey: "k", model: "m"), httpClient: ProviderTestHTTP.client)
            let anthropic = AnthropicClient(configuration: .init(baseURL: server.anthropicBaseURL, apiKey: "k", model: "m"), httpClient: ProviderTestHTTP.client)
            let first = try await openAI.complete(ModelRequest(messages: [.user("x")]), deadline: nil) { _ in }
            let second = try await anthropic.complete(ModelRequest(messages: [.user("x")]), deadline: nil) { _ in }
            #expect(first.text == "slow but sure")
            #expect(second.text == "slow but sure")
        }
    }
}

@Suite("Fake model server scripts", .timeLimit(.minutes(1)))
struct FakeModelServerScriptTests {
    @Test func readsTurnsFaultsAndEcho() throws {
        let script = try FakeModelScript(json: """
        {"turns": [
          {"text": "hi", "tool_calls": [{"name": "w", "arguments": {"city": "Paris"}}, {"name": "raw", "arguments": "{bad", "id": "c9"}],
           "usage": {"input_tokens": 3, "output_tokens": 4}, "finish_reason": "length", "latency_ms": {"before_head": 5, "between_events": 1}},
          {"fault": {"status": 429, "message": "slow", "headers": {"Retry-After": "2"}}},
          {"fault": {"hang": true}}, {"fault": {"stall_after_events": 2}}, {"fault": {"cut_after_events": 3}},
          {"fault": {"malformed_after_events": 1}}, {"fault": {"error_event_after": 0, "type": "overloaded_error", "message": "Overloaded"}}
        ], "echo": true}
        """)
        #expect(script.echo)
        #expect(script.turns.count == 7)
        #expect(script.turns[0].toolCalls == [FakeToolCall(name: "w", arguments: #"{"city":"Paris"}"#), FakeToolCall(name: "raw", arguments: "{bad", id: "c9")])
        #expect(script.turns[0].usage == TokenUsage(inputTokens: 3, outputTokens: 4))
        #expect(script.turns[0].finishReason == "length")
        #expect(script.turns[0].latency == FakeLatency(beforeHead: .milliseconds(5), betweenEvents: .milliseconds(1)))
        #expect(script.turns[1].fault == .status(429, message: "slow", headers: ["Retry-After": "2"]))
        #expect(script.turns[2...].map(\.fault) == [.hang, .stall(afterEvents: 2), .cutStream(afterEvents: 3), .malformedChunk(afterEvents: 1), .errorEvent(afterEvents: 0, type: "overloaded_error", message: "Overloaded")])
    }

    @Test func namesTheWrongField() {
        #expect(throws: FakeModelScriptError("turns[1].fault is not a known fault (status, hang, stall_after_events, cut_after_events, malformed_after_events, error_event_after)")) {
            try FakeModelScript(json: #"{"turns": [{"text": "ok"}, {"fault": {"nope": 1}}]}"#)
        }
        #expect(throws: FakeModelScriptError("turns[0].tool_calls[0] needs a \"name\"")) {
            try FakeModelScript(json: #"{"turns": [{"tool_calls": [{"arguments": {}}]}]}"#)
        }
        #expect(throws: FakeModelScriptError.self) { try FakeModelScript(json: "[") }
        #expect(throws: FakeModelScriptError("fan_out needs a \"tool\"")) { try FakeModelScript(json: #"{"fan_out": {"calls": 2}}"#) }
        #expect(throws: FakeModelScriptError("fan_out.calls must be 1 to 1000, not 0")) {
            try FakeModelScript(json: #"{"fan_out": {"tool": "w", "calls": 0}}"#)
        }
    }

    @Test func fanOutAnswersEveryConversationStatelessly() async throws {
        let script = try FakeModelScript(json: #"{"fan_out": {"tool": "wait", "calls": 3, "arguments": {"ms": 5}, "answer": "All done."}}"#)
        #expect(script.fanOut == FakeFanOut(tool: "wait", calls: 3, arguments: #"{"ms":5}"#, answer: "All done."))
        try await withFakeModelServer { server in
            script.load(into: server)
            let client = AnthropicClient(
                configuration: .init(baseURL: server.anthropicBaseURL, apiKey: "k", model: "m", streaming: true, retryPolicy: ProviderTestHTTP.fastRetries),
                httpClient: ProviderTestHTTP.client
            )
            let tools = [ToolSpec(name: "wait", description: "Waits")]
            for _ in 0..<2 {
                let first = try await client.complete(ModelRequest(messages: [.user("Go")], tools: tools), deadline: nil) { _ in }
                #expect(first.toolCalls.map(\.name) == ["wait", "wait", "wait"])
                #expect(Set(first.toolCalls.map(\.id)).count == 3)
                let results = first.toolCalls.map { ToolResultMessage(callID: $0.id, toolName: $0.name, content: "ok", isError: false) }
                let second = try await client.complete(
                    ModelRequest(messages: [.user("Go"), .assistant(text: first.text, toolCalls: first.toolCalls), .toolResults(results)], tools: tools),
                    deadline: nil
                ) { _ in }
                #expect(second.text == "All done.")
            }
        }
    }
}
