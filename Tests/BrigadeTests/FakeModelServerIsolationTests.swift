import Brigade
import BrigadeTesting
import CurlHTTP
import Testing

@Suite("Fake model server isolation", .timeLimit(.minutes(2)))
struct FakeModelServerIsolationTests {
    @Test func manyServersAtOnceNeverAnswerEachOthersRequests() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for serverNumber in 0..<24 {
                group.addTask {
                    for round in 0..<4 {
                        try await withFakeModelServer { server in
                            server.respond { _ in .text("server \(serverNumber) round \(round) port \(server.port)") }
                            let client = OpenAIChatClient(configuration: .init(baseURL: server.openAIBaseURL, apiKey: "k", model: "m", retryPolicy: .none), httpClient: ProviderTestHTTP.client)
                            for _ in 0..<5 {
                                let answer = try await client.complete(ModelRequest(messages: [.user("x")]), deadline: nil) { _ in }
                                #expect(answer.text == "server \(serverNumber) round \(round) port \(server.port)")
                            }
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}
