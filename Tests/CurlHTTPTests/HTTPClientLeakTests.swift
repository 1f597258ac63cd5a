import CurlHTTP
import Testing

@Suite("HTTPClient resource accounting", .timeLimit(.minutes(1)))
struct HTTPClientLeakTests {
    @Test("After every kind of ending, no transfer is active and every transfer object is freed")
    func everyEndingFreesItsTransfer() async throws {
        let server = try FlyingFoxServer()
        let idleClosed = Promise<Void>(), cancelSent = Promise<Void>(), cancelClosed = Promise<Void>()
        let idler = try HTTPClientTimeoutTests.stallingServer(closed: idleClosed)
        let staller = try HTTPClientCancellationTests.partialBodyServer(sentPart: cancelSent, closed: cancelClosed)
        let (refusedSocket, refusedPort) = try RawServer.refusingPort()
        defer { closeSocket(refusedSocket) }
        let client = HTTPClient()
        let shortIdle = HTTPClient.Configuration.Timeouts(connect: .seconds(20), idle: .milliseconds(300))
        try await server.run { base in
            #expect(try await client.send(HTTPRequest(url: base + "/status?code=404")).status == 404)
            #expect(await httpError { try await client.send(HTTPRequest(url: base + "/bytes?bytes=1000"), maxBodyBytes: 10) }?.code == .responseTooLarge)
            #expect(await httpError { try await client.send(HTTPRequest(url: "http://127.0.0.1:\(refusedPort)/")) }?.code == .connectionFailed)
            #expect(await httpError { try await client.send(HTTPRequest(url: "ftp://x/")) }?.code == .invalidRequest)
            #expect(await httpError { try await client.send(HTTPRequest(url: idler.url + "/", timeouts: shortIdle)) }?.code == .idleTimeout)
            _ = try await client.withStream(HTTPRequest(url: base + "/bytes?bytes=1000")) { head, _ in head.status }
            let task = Task { try await client.send(HTTPRequest(url: staller.url + "/"), maxBodyBytes: nil) }
            await cancelSent.value
            task.cancel()
            #expect(await httpError { try await task.value }?.code == .cancelled)
        }
        #expect(client.activeTransferCount == 0)
        await client.shutdown()
        #expect(client.liveTransferObjectCount == 0)
        await idleClosed.value
        await cancelClosed.value
        await idler.stop()
        await staller.stop()
    }
}
