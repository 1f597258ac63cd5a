@testable import Brigade
import Testing

@Suite("OTLP export queue")
struct OTLPExportQueueTests {
    func spans(_ range: Range<Int>) -> [JSONValue] { range.map { .integer($0) } }

    @Test func batchesTakeTheOldestSpansOneBatchInFlightAtATime() {
        var queue = OTLPExportQueue(capacity: 10, maxBatch: 3)
        var step = queue.nextStep()
        #expect(step == nil && queue.isIdle)
        let dropped = queue.enqueue(spans(0..<5))
        #expect(dropped == 0)
        step = queue.nextStep()
        #expect(step == .send(spans(0..<3)))
        step = queue.nextStep()
        #expect(step == nil)  // one batch in flight
        #expect(!queue.isIdle)
        queue.batchFinished()
        step = queue.nextStep()
        #expect(step == .send(spans(3..<5)))
        queue.batchFinished()
        step = queue.nextStep()
        #expect(step == nil && queue.isIdle)
    }

    @Test func spansPastTheCapacityAreDroppedAndCounted() {
        var queue = OTLPExportQueue(capacity: 4, maxBatch: 10)
        var dropped = queue.enqueue(spans(0..<3))
        #expect(dropped == 0)
        dropped = queue.enqueue(spans(3..<6))
        #expect(dropped == 2 && queue.dropped == 2)
        let step = queue.nextStep()
        #expect(step == .send(spans(0..<4)))
        // While a batch is in flight the room is the capacity again.
        dropped = queue.enqueue(spans(6..<10))
        #expect(dropped == 0 && queue.pending.count == 4)
    }

    @Test func aClosedQueueDrainsThenStopsAndRefusesMore() {
        var queue = OTLPExportQueue(capacity: 4, maxBatch: 10)
        _ = queue.enqueue(spans(0..<2))
        queue.close()
        let dropped = queue.enqueue(spans(2..<3))
        #expect(dropped == 1)
        var step = queue.nextStep()
        #expect(step == .send(spans(0..<2)))
        step = queue.nextStep()
        #expect(step == nil)
        queue.batchFinished()
        step = queue.nextStep()
        #expect(step == .stop && queue.isIdle)
    }

    @Test func onlyTheFirstFailureIsReported() {
        var queue = OTLPExportQueue(capacity: 1, maxBatch: 1)
        let claims = (0..<3).map { _ in queue.claimFailureReport() }
        #expect(claims == [true, false, false])
    }
}
