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

    @Test("A client starts its loop thread with its first request, not before")
    func loopStartsWithTheFirstRequest() async throws {
        let client = HTTPClient()
        #expect(!client.loopWasStarted)
        #expect(client.activeTransferCount == 0)
        #expect(!client.loopWasStarted)
        let server = try FlyingFoxServer()
        let status = try await server.run { base in
            try await client.send(HTTPRequest(url: base + "/status?code=404")).status
        }
        #expect(status == 404)
        #expect(client.loopWasStarted)
        await client.shutdown()
        #expect(client.loopHasEnded)
    }

    @Test("A client shut down before any request never starts its loop and fails requests as shut down")
    func shutdownBeforeTheFirstRequest() async throws {
        let client = HTTPClient()
        await client.shutdown()
        #expect(client.loopHasEnded)
        let late = await httpError { try await client.send(HTTPRequest(url: "http://127.0.0.1:9/")) }
        #expect(late?.code == .shutDown)
        #expect(late?.message == "the HTTP client is shut down")
        let streamed = await httpError {
            try await client.withStream(HTTPRequest(url: "http://127.0.0.1:9/")) { head, _ in head.status }
        }
        #expect(streamed?.code == .shutDown)
        client.syncShutdown()
        #expect(!client.loopWasStarted)

        let synchronous = HTTPClient()
        synchronous.syncShutdown()
        #expect(synchronous.loopHasEnded)
        #expect(!synchronous.loopWasStarted)
    }
}
