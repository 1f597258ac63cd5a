import CurlHTTP
import Testing

@Suite("Promise", .timeLimit(.minutes(1)))
struct PromiseTests {
    @Test("Waiters before and after fulfil all get the first value; a second fulfil changes nothing")
    func everyWaiterGetsTheFirstValue() async {
        let promise = Promise<Int>()
        let early = (0..<50).map { _ in Task { await promise.value } }
        // Each early waiter is stored (or, if it came late, reads the value directly).
        #expect(!promise.isFulfilled)
        promise.fulfill(7)
        promise.fulfill(8)
        #expect(promise.isFulfilled)
        for waiter in early { #expect(await waiter.value == 7) }
        let late = (0..<50).map { _ in Task { await promise.value } }
        for waiter in late { #expect(await waiter.value == 7) }
        #expect(await promise.value == 7)
    }
}
