import BrigadeSync
import Foundation
import Testing

@testable import CurlHTTP

#if canImport(Glibc)
import Glibc
#endif

/// The loop's lock-free command queue: nothing lost, each sender's commands in order, a sleeping
/// loop always woken, nothing accepted after shutdown.
@Suite("Command inbox", .timeLimit(.minutes(1)))
struct CommandInboxTests {
    /// A pipe standing in for the loop's eventfd: the inbox writes 8 bytes to wake, the taker
    /// polls the read end. The inbox closes the write end when it goes.
    static func wakePipe() throws -> (read: Int32, write: Int32) {
        var ends: [Int32] = [-1, -1]
        try #require(pipe(&ends) == 0)
        return (ends[0], ends[1])
    }

    static func id(of command: CurlLoop.Command) -> UInt64? {
        if case .cancel(let id) = command { return id }
        return nil
    }

    @Test("Commands from 8 threads all arrive, each thread's in order, and a sleeping taker is always woken")
    func concurrentSendersAndASleepingTaker() async throws {
        let wake = try Self.wakePipe()
        defer { close(wake.read) }
        let inbox = CommandInbox(wakeFD: wake.write)
        let senders = 8, perSender = 5_000
        let refused = LockedState(0)
        for sender in 0..<senders {
            Thread.detachNewThread {
                for sequence in 0..<perSender where !inbox.send(.cancel(UInt64(sender << 32 | sequence))) {
                    refused.withLock { $0 += 1 }
                }
            }
        }
        // The taker sleeps in poll(2) on the wake pipe with no timeout whenever the inbox looks
        // empty, as the loop does in epoll_wait: a lost wake-up hangs here until the time limit.
        let received = await withCheckedContinuation { (continuation: CheckedContinuation<[UInt64], Never>) in
            Thread.detachNewThread {
                var ids: [UInt64] = []
                while ids.count < senders * perSender {
                    ids += inbox.takeAll().compactMap(Self.id(of:))
                    guard ids.count < senders * perSender, inbox.prepareToWait() else { continue }
                    var pollFD = pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0)
                    _ = poll(&pollFD, 1, -1)
                    var value: UInt64 = 0
                    _ = read(wake.read, &value, 8)
                    inbox.endWait()
                }
                continuation.resume(returning: ids)
            }
        }
        #expect(received.count == senders * perSender)
        #expect(refused.value == 0)
        var next = [Int](repeating: 0, count: senders)
        for id in received {
            let sender = Int(id >> 32), sequence = Int(id & 0xFFFF_FFFF)
            #expect(sequence == next[sender], "sender \(sender) out of order")
            next[sender] = sequence + 1
        }
        #expect(next == [Int](repeating: perSender, count: senders))
    }

    @Test("After .shutdown no command is accepted; close hands back what was queued, oldest first")
    func shutdownAndClose() throws {
        let wake = try Self.wakePipe()
        defer { close(wake.read) }
        let inbox = CommandInbox(wakeFD: wake.write)
        #expect(inbox.send(.cancel(1)))
        #expect(inbox.send(.resume(2)))
        #expect(inbox.send(.shutdown))
        #expect(!inbox.send(.cancel(3)))
        #expect(!inbox.send(.shutdown))
        let queued = inbox.close()
        #expect(queued.count == 3)
        #expect(queued.first.flatMap(Self.id(of:)) == 1)
        if case .shutdown = queued.last {} else { Issue.record("the last command is not .shutdown") }
        #expect(inbox.close().isEmpty)
        #expect(inbox.takeAll().isEmpty)
        let closedFirst = CommandInbox(wakeFD: nil)
        #expect(!closedFirst.send(.cancel(4)))
    }
}
