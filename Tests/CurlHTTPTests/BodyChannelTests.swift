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

    @Test("Writes the reader has not taken yet reach it as one chunk, in order, up to half the capacity")
    func writesMergeUntilTaken() async throws {
        let channel = BodyChannel(capacity: 1000, requestResume: {}, requestCancel: {})
        func offer(_ byte: UInt8, _ count: Int) {
            _ = [UInt8](repeating: byte, count: count).withUnsafeBytes { channel.offer($0) }
        }
        for byte: UInt8 in 1...5 { offer(byte, 10) }
        #expect(try await channel.next().get() == (1...5).flatMap { [UInt8](repeating: $0, count: 10) })
        // A taken chunk is not added to; the next writes start a new one.
        offer(6, 10)
        offer(7, 10)
        // 20 + 490 would pass half the capacity (500): a chunk of its own.
        offer(8, 490)
        offer(9, 5)
        #expect(try await channel.next().get() == [UInt8](repeating: 6, count: 10) + [UInt8](repeating: 7, count: 10))
        #expect(try await channel.next().get() == [UInt8](repeating: 8, count: 490) + [UInt8](repeating: 9, count: 5))
        #expect(channel.bufferedBytesHighWater == 515)
        channel.finish(.success(()))
        #expect(try await channel.next().get() == nil)
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
