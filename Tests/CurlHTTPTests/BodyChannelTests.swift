import BrigadeSync
@testable import CurlHTTP
import Testing

@Suite("Body channel", .timeLimit(.minutes(1)))
struct BodyChannelTests {
    final class Requests: Sendable {
        let resumes = LockedState(0)
        let cancels = LockedState(0)
    }

    static func offer(_ channel: BodyChannel, _ count: Int) -> OfferResult {
        let bytes = [UInt8](repeating: 7, count: count)
        return bytes.withUnsafeBytes { channel.offer($0) }
    }

    @Test("Pauses once full, asks to resume once at half capacity, then delivers in order")
    func pauseAndResume() async throws {
        let requests = Requests()
        let channel = BodyChannel(
            capacity: 100,
            requestResume: { requests.resumes.withLock { $0 += 1 } },
            requestCancel: { requests.cancels.withLock { $0 += 1 } }
        )
        #expect(Self.offer(channel, 60) == .accepted)
        #expect(Self.offer(channel, 60) == .accepted)  // over capacity by one chunk
        #expect(Self.offer(channel, 10) == .pause)
        #expect(Self.offer(channel, 10) == .pause)
        #expect(channel.pauseCount == 1)
        #expect(channel.bufferedBytesHighWater == 120)
        #expect(try await channel.next().get()?.count == 60)  // 60 left: above half
        #expect(requests.resumes.withLock { $0 } == 0)
        #expect(try await channel.next().get()?.count == 60)  // 0 left: resume requested
        #expect(requests.resumes.withLock { $0 } == 1)
        channel.clearPause()
        #expect(Self.offer(channel, 10) == .accepted)
        channel.finish(.success(()))
        #expect(try await channel.next().get()?.count == 10)
        #expect(try await channel.next().get() == nil)
        #expect(try await channel.next().get() == nil)
        #expect(requests.cancels.withLock { $0 } == 0)
    }

    @Test("A failure is reported after the buffered chunks, once")
    func failureAfterChunks() async throws {
        let channel = BodyChannel(capacity: 100, requestResume: {}, requestCancel: {})
        _ = Self.offer(channel, 5)
        channel.finish(.failure(HTTPError(.idleTimeout, "quiet")))
        #expect((try? await channel.next().get())??.count == 5)
        if case .failure(let error) = await channel.next() {
            #expect(error.code == .idleTimeout)
        } else {
            Issue.record("expected the failure")
        }
        #expect(try await channel.next().get() == nil)
    }

    @Test("A waiting reader gets the next chunk directly; cancelling it returns cancelled and asks to cancel")
    func waitingReader() async throws {
        let requests = Requests()
        let channel = BodyChannel(capacity: 100, requestResume: {}, requestCancel: { requests.cancels.withLock { $0 += 1 } })
        async let chunk = channel.next()
        // The reader may or may not be waiting yet; either way it gets these bytes.
        _ = Self.offer(channel, 3)
        #expect(try await chunk.get()?.count == 3)

        let reader = Task { await channel.next() }
        reader.cancel()
        if case .failure(let error) = await reader.value {
            #expect(error.code == .cancelled)
        } else {
            Issue.record("expected cancelled")
        }
        #expect(requests.cancels.withLock { $0 } == 1)
    }
}
