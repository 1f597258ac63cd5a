import CurlHTTP
import Dispatch
import Testing

@Suite("HTTPClient lifetime", .timeLimit(.minutes(1)))
struct HTTPClientLifetimeTests {
    @Test("Dropping a client that was not shut down returns while its loop thread is held; the thread then ends on its own")
    func deinitDoesNotWaitForTheLoopThread() async throws {
        let server = try FlyingFoxServer()
        // Holds the loop thread just before it ends, until the test opens it. A deinit that
        // joined the thread would never return, and the task below would never finish.
        let gate = DispatchSemaphore(value: 0)
        let ended = try await server.run { base in
            try await Task { () async throws -> Promise<Void> in
                // The task owns the only reference: the client's deinit runs as the task ends.
                let client = HTTPClient(loopWillExit: { gate.wait() })
                #expect(try await client.send(HTTPRequest(url: base + "/status?code=404")).status == 404)
                #expect(!client.loopHasEnded)
                return client.loopEnded
            }.value
        }
        #expect(!ended.isFulfilled)
        gate.signal()
        await ended.value
    }

    @Test("shutdown() of a client whose loop thread is held suspends without holding a thread, and returns once the thread ends")
    func shutdownSuspendsUntilTheThreadEnds() async throws {
        let gate = DispatchSemaphore(value: 0)
        let client = HTTPClient(loopWillExit: { gate.wait() })
        let shutdown = Task { await client.shutdown() }
        // A second shutdown while the first waits: it too returns only after the thread ended.
        let second = Task { await client.shutdown() }
        #expect(!client.loopHasEnded)
        gate.signal()
        await shutdown.value
        #expect(client.loopHasEnded)
        await second.value
        #expect(client.loopHasEnded)
    }

    @Test("The shared client is one instance, works, and ignores shutdown")
    func sharedClientIgnoresShutdown() async throws {
        #expect(HTTPClient.shared === HTTPClient.shared)
        await HTTPClient.shared.shutdown()
        HTTPClient.shared.syncShutdown()
        #expect(!HTTPClient.shared.loopHasEnded)
        let server = try FlyingFoxServer()
        let status = try await server.run { base in
            try await HTTPClient.shared.send(HTTPRequest(url: base + "/status?code=404")).status
        }
        #expect(status == 404)
    }
}
