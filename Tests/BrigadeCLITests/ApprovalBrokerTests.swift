import Brigade
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import BrigadeCLI

/// The protocol's approval broker keeps an entry only while a request is being asked: a long
/// `brigade run --json` session with thousands of runs must not grow.
@Suite("Protocol approval broker", .timeLimit(.minutes(1)))
struct ApprovalBrokerTests {
    let request = ApprovalRequest(
        call: ToolCall(id: "c1", name: "launch", rawArguments: "{}"),
        spec: ToolSpec(name: "launch", description: "launches", policy: ToolPolicy(confirm: true)), arguments: [:])

    /// A broker writing to a fresh pipe, and a task asking it about one call of run `r1`.
    func askOnce() throws -> (ApprovalBroker, EventPipe, RunTracker, Task<ApprovalDecision, Never>) {
        let pipe = try EventPipe()
        let broker = ApprovalBroker(output: ProtocolOutput(output: pipe.output))
        let tracker = RunTracker(id: "r1")
        tracker.markQueuedWritten("c1")
        let asking = Task { [request] in await broker.ask(request, run: tracker) }
        return (broker, pipe, tracker, asking)
    }

    /// A client answers and cancels the run at once (the cancellation reaches the asking task while it
    /// is still leaving its wait): the answer holds and nothing of the request is left.
    @Test func answeredThenCancelledRequestsLeaveNothingBehind() async throws {
        let pipe = try EventPipe()
        defer { pipe.close() }
        var events = pipe.events.makeAsyncIterator()
        let broker = ApprovalBroker(output: ProtocolOutput(output: pipe.output))
        for round in 0..<50 {
            let tracker = RunTracker(id: .string("r\(round)"))
            tracker.markQueuedWritten("c1")
            let asking = Task { [request] in await broker.ask(request, run: tracker) }
            let event = try #require(await events.next())
            let requestID = try #require(event["request_id"]?.stringValue)
            #expect(broker.answer(requestID, with: .approve))
            asking.cancel()
            #expect(await asking.value == .approve)
        }
        #expect(broker.requestsInFlight == 0)
    }

    /// Cancelled while waiting: denied, and a later answer finds nothing.
    @Test func aCancelledRequestIsDeniedAndForgotten() async throws {
        let (broker, pipe, _, asking) = try askOnce()
        defer { pipe.close() }
        var events = pipe.events.makeAsyncIterator()
        let requestID = try #require(await events.next()?["request_id"]?.stringValue)
        #expect(broker.requestsInFlight == 1)
        asking.cancel()
        #expect(await asking.value == .deny)
        #expect(!broker.answer(requestID, with: .approve))
        #expect(broker.requestsInFlight == 0)
    }

    /// End of input denies what waits and everything asked later.
    @Test func endOfInputDeniesWaitingAndLaterRequests() async throws {
        let (broker, pipe, tracker, asking) = try askOnce()
        defer { pipe.close() }
        var events = pipe.events.makeAsyncIterator()
        _ = try #require(await events.next())
        broker.close()
        #expect(await asking.value == .deny)
        #expect(await broker.ask(request, run: tracker) == .deny)
        #expect(broker.requestsInFlight == 0)
    }
}

/// A pipe the broker writes its events to, read line by line on a thread of its own (so that the
/// blocking reads never hold a thread of the cooperative pool). Both ends are close-on-exec, so no
/// child another test spawns keeps the write end open; ``close()`` it at the end of the test (a
/// `defer` also keeps the pipe alive until then — its descriptor must not be closed while the broker
/// still writes to it).
final class EventPipe: Sendable {
    let output: Terminal.Output
    /// The events written, in order (iterate it once).
    let events: AsyncStream<JSONValue>
    private let writeEnd: Int32

    init() throws {
        var descriptors: [Int32] = [0, 0]
        // (pipe2 with O_CLOEXEC is not exported to Swift; the window before fcntl is a few instructions.)
        guard pipe(&descriptors) == 0 else { throw POSIXError(.EMFILE) }
        for descriptor in descriptors { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        let (readEnd, writeEnd) = (descriptors[0], descriptors[1])
        self.writeEnd = writeEnd
        output = Terminal.Output(descriptor: writeEnd)
        let (events, continuation) = AsyncStream.makeStream(of: JSONValue.self)
        self.events = events
        Thread {
            var pending: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = read(readEnd, &chunk, chunk.count)
                guard count > 0 else { break }
                pending += chunk[0..<count]
                while let end = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    if let event = try? JSONValue(parsing: String(decoding: pending[..<end], as: UTF8.self)) { continuation.yield(event) }
                    pending.removeSubrange(...end)
                }
            }
            Glibc.close(readEnd)
            continuation.finish()
        }.start()
    }

    /// Closes the write end: the reader then sees the end of the pipe and stops.
    func close() { Glibc.close(writeEnd) }
}
