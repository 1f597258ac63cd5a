import Brigade
@testable import BrigadeCore
@testable import BrigadeTelemetry
import Testing

@Suite("OTLP export queue")
struct OTLPExportQueueTests {
    func spans(_ range: Range<Int>) -> [JSONValue] { range.map { .integer($0) } }

    @Test func batchesTakeTheOldestSpansOneBatchInFlightAtATime() {
        var queue = OTLPExportQueue<String>(capacity: 10, maxBatch: 3)
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
        var queue = OTLPExportQueue<String>(capacity: 4, maxBatch: 10)
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
        var queue = OTLPExportQueue<String>(capacity: 4, maxBatch: 10)
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
        var queue = OTLPExportQueue<String>(capacity: 1, maxBatch: 1)
        let claims = (0..<3).map { _ in queue.claimFailureReport() }
        #expect(claims == [true, false, false])
    }

    @Test func finishedRunsAreBuiltOneAtATimeBeforeSpansAreSent() {
        var queue = OTLPExportQueue<String>(capacity: 10, maxBatch: 10, runCapacity: 2)
        _ = queue.enqueue(spans(0..<1))
        let accepted = [queue.enqueue(run: "a"), queue.enqueue(run: "b"), queue.enqueue(run: "c")]
        #expect(accepted == [true, true, false] && queue.droppedRuns == 1)
        var step = queue.nextStep()
        #expect(step == .build("a"))
        step = queue.nextStep()
        #expect(step == nil && !queue.isIdle)  // one build at a time, nothing sent meanwhile
        _ = queue.enqueue(spans(1..<3))
        queue.runBuilt()
        step = queue.nextStep()
        #expect(step == .build("b"))
        queue.close()
        let dropped = queue.enqueue(spans(3..<4))  // the spans of a run accepted before the close
        #expect(dropped == 0)
        queue.runBuilt()
        step = queue.nextStep()
        #expect(step == .send(spans(0..<4)))
        #expect(queue.leftOver.spans == 4 && queue.leftOver.runs == 0)
        queue.batchFinished()
        step = queue.nextStep()
        #expect(step == .stop && queue.isIdle)
        let late = queue.enqueue(run: "d")
        #expect(!late)
    }
}
