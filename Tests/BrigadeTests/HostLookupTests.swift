import Foundation
import Synchronization
import Testing

@testable import BrigadeWorkspace

/// A lookup that blocks its thread until the test opens the gate, as `getaddrinfo` does while a name
/// server does not answer.
private final class Gate: Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private let entered = Atomic<Int>(0)

    var entries: Int { entered.load(ordering: .relaxed) }

    @Sendable func hang(_ host: String) -> [IPAddress] {
        entered.wrappingAdd(1, ordering: .relaxed)
        semaphore.wait()
        semaphore.signal()
        return []
    }

    func open() { semaphore.signal() }
}

/// Waits (polling) until `condition` holds, at most 10 s.
private func eventually(_ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now.advanced(by: .seconds(10))
    while !condition(), ContinuousClock.now < deadline {
        try await Task.sleep(for: .milliseconds(10))
    }
}

/// Issue 17: the address policy's lookups run on threads of their own, with a time limit, so that
/// hung DNS lookups cannot hold the shared pools' threads.
@Suite("Host lookups of the address policy", .timeLimit(.minutes(1)))
struct HostLookupTests {
    @Test func aHungLookupTimesOutAndItsThreadEndsWhenTheLookupReturns() async throws {
        let lookups = HostLookup(maxThreads: 8)
        let gate = Gate()
        let outcome = await lookups.resolve("hangs.example", within: .milliseconds(100), lookUp: gate.hang)
        #expect(outcome == .timedOut)
        #expect(gate.entries == 1)
        #expect(lookups.runningThreads == 1)
        // The real resolver meanwhile: a numeric host resolves to itself.
        let numeric = await lookups.resolve("127.0.0.1", within: .seconds(10))
        #expect(numeric == .addresses([IPAddress(bytes: [127, 0, 0, 1], text: "127.0.0.1")]))
        gate.open()
        try await eventually { lookups.runningThreads == 0 }
        #expect(lookups.runningThreads == 0)
    }

    /// Hung lookups beyond the limit fail at once; the shared dispatch pool stays free meanwhile.
    @Test func lookupsBeyondTheThreadLimitFailAtOnce() async throws {
        let lookups = HostLookup(maxThreads: 4)
        let gate = Gate()
        await withTaskGroup(of: HostLookup.Outcome.self) { group in
            for index in 0..<4 {
                group.addTask { await lookups.resolve("hang\(index).example", within: .milliseconds(200), lookUp: gate.hang) }
            }
            for await outcome in group { #expect(outcome == .timedOut) }
        }
        #expect(lookups.runningThreads == 4)
        #expect(await lookups.resolve("127.0.0.1", within: .seconds(10)) == .busy)
        // No dispatch worker is held: work on the global queue runs.
        let ran = await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: true) }
        }
        #expect(ran)
        gate.open()
        try await eventually { lookups.runningThreads == 0 }
        #expect(await lookups.resolve("127.0.0.1", within: .seconds(10)) == .addresses([IPAddress(bytes: [127, 0, 0, 1], text: "127.0.0.1")]))
    }

    @Test func cancellingTheCallerStopsTheWait() async throws {
        let lookups = HostLookup(maxThreads: 4)
        let gate = Gate()
        let waiting = Task { await lookups.resolve("hangs.example", within: .seconds(60), lookUp: gate.hang) }
        try await eventually { gate.entries == 1 }
        waiting.cancel()
        #expect(await waiting.value == .timedOut)
        gate.open()
        try await eventually { lookups.runningThreads == 0 }
        #expect(lookups.runningThreads == 0)
    }

    /// A model-chosen host whose lookup does not finish in time is refused, naming the limit.
    @Test func thePolicyRefusesAHostThatDoesNotResolveInTime() async throws {
        let gate = Gate()
        defer { gate.open() }
        var policy = HTTPAddressPolicy(allowHosts: nil, allowPrivateNetworks: false)
        policy.lookupLimit = .milliseconds(100)
        policy.lookUp = gate.hang
        let result = await policy.check("http://slow-dns.example/page", name: "url")
        guard case .failure(let problem) = result else {
            Issue.record("expected a refusal, got \(result)")
            return
        }
        #expect(problem.message.hasPrefix("`url`: the host slow-dns.example did not resolve within"), "\(problem.message)")
    }
}
