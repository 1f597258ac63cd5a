import Dispatch
import Synchronization

/// Cancels tasks whose deadline on the system clock has passed: one dispatch timer, set to the
/// earliest deadline, for every ``withTimeLimit(_:clock:operation:)`` of the process.
///
/// A time limit used to race its operation against a second child task sleeping until the deadline:
/// a task, a dispatch timer and a wake-up at cancellation for every tool call and model call. Here a
/// limit costs one ``Entry`` in a heap.
///
/// An entry whose task ended holds no task, but stays in the heap until its deadline comes or the heap
/// is compacted: once as many entries ended since the last compaction as half the heap holds, the
/// next ``schedule(_:)`` drops every ended entry (amortised O(1) per entry; the common path only
/// reads a counter). Without it, 30-second time limits on thousands of short calls (1,000 per
/// fan-out turn) would keep every one of them for 30 seconds.
final class DeadlineScheduler: Sendable {
    static let shared = DeadlineScheduler()

    /// Below this many entries the heap is never compacted (ended entries drop out at their deadline).
    static let compactionThreshold = 64

    /// One task's deadline. The task is cancelled at most once, and never after ``end()``.
    final class Entry: Sendable {
        let deadline: ContinuousClock.Instant
        private let state: Mutex<(task: TaskReference?, fired: Bool)>
        private let scheduler: DeadlineScheduler

        fileprivate init(deadline: ContinuousClock.Instant, task: TaskReference?, scheduler: DeadlineScheduler) {
            self.deadline = deadline
            self.scheduler = scheduler
            state = Mutex((task, false))
        }

        /// Whether the entry no longer holds a task (it ended or fired): compaction drops it.
        fileprivate var isDone: Bool { state.withLock { $0.task == nil } }

        /// Cancels the task unless it has ended. Under the entry's lock, so the task is alive. A task
        /// already cancelled (by whoever waits for it) is left to that cancellation: the deadline does
        /// not count as passed first.
        fileprivate func fire() {
            state.withLock { state in
                guard let task = state.task else { return }
                state.task = nil
                guard !task.isCancelled else { return }
                state.fired = true
                task.cancel()
            }
        }

        /// The task no longer runs under this deadline. Must be called by the task before it ends.
        /// - Returns: whether the deadline passed (and cancelled the task) first, before any other
        ///   cancellation of the task.
        func end() -> Bool {
            let fired = state.withLock { state in
                state.task = nil
                return state.fired
            }
            scheduler.endedSinceCompaction.add(1, ordering: .relaxed)
            return fired
        }
    }

    /// The running task, to cancel from the timer. Only used while the task is alive: its entry
    /// forgets it (under the entry's lock) before the task ends.
    fileprivate struct TaskReference: @unchecked Sendable {
        let task: UnsafeCurrentTask
        var isCancelled: Bool { task.isCancelled }
        func cancel() { task.cancel() }
    }

    private struct State {
        /// A binary min-heap by deadline.
        var heap: [Entry] = []
        /// The deadline the timer is set for, if it is set.
        var armedFor: ContinuousClock.Instant?
    }

    private let state = Mutex(State())
    /// ``Entry/end()`` calls since the last compaction (also of entries no longer in the heap: the
    /// count only decides when to compact; the compaction looks at each entry).
    private let endedSinceCompaction = Atomic<Int>(0)
    /// Set under `state`'s lock only (dispatch timers are thread-safe anyway).
    nonisolated(unsafe) private let timer: any DispatchSourceTimer

    /// The process has one, ``shared``; a test makes its own to count its entries.
    package init() {
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "brigade.deadlines"))
        self.timer = timer
        timer.setEventHandler { [unowned self] in self.fireDue() }
        timer.activate()
    }

    /// Puts the calling task under `deadline`: it is cancelled when the deadline passes (at once when
    /// it has passed already). The task must call ``Entry/end()`` before it ends.
    func schedule(_ deadline: ContinuousClock.Instant) -> Entry {
        let task = withUnsafeCurrentTask { $0.map(TaskReference.init(task:)) }
        let entry = Entry(deadline: deadline, task: task, scheduler: self)
        if deadline <= .now {
            entry.fire()
            return entry
        }
        state.withLock { state in
            let ended = endedSinceCompaction.load(ordering: .relaxed)
            if state.heap.count >= Self.compactionThreshold, ended >= state.heap.count / 2 {
                endedSinceCompaction.subtract(ended, ordering: .relaxed)
                Self.removeDone(from: &state.heap)
            }
            Self.push(entry, onto: &state.heap)
            if state.armedFor.map({ deadline < $0 }) ?? true { arm(&state, for: deadline) }
        }
        return entry
    }

    /// The entries in the heap, ended ones included (for tests).
    package var heapCount: Int { state.withLock { $0.heap.count } }

    /// The timer's handler: cancels the tasks whose deadline passed and sets the timer for the next.
    private func fireDue() {
        let due: [Entry] = state.withLock { state in
            let now = ContinuousClock.now
            var due: [Entry] = []
            while let first = state.heap.first, first.deadline <= now {
                due.append(Self.popFirst(&state.heap))
            }
            state.armedFor = nil
            if let next = state.heap.first { arm(&state, for: next.deadline) }
            return due
        }
        for entry in due { entry.fire() }
    }

    private func arm(_ state: inout State, for deadline: ContinuousClock.Instant) {
        state.armedFor = deadline
        // A far deadline is waited for a day at a time (the timer then finds nothing due and re-arms).
        let wait = min(max(.zero, deadline - .now), .seconds(86_400))
        let (seconds, attoseconds) = wait.components
        let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
        // The ContinuousClock is not DispatchTime's clock: the deadline goes over as a wait from now.
        timer.schedule(deadline: .now() + .nanoseconds(nanoseconds), leeway: .microseconds(100))
    }

    private static func push(_ entry: Entry, onto heap: inout [Entry]) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].deadline < heap[parent].deadline else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private static func popFirst(_ heap: inout [Entry]) -> Entry {
        heap.swapAt(0, heap.count - 1)
        let first = heap.removeLast()
        siftDown(0, in: &heap)
        return first
    }

    /// Drops the entries whose task ended (or fired) and restores the heap order (O(n)). Takes each
    /// entry's lock under the scheduler's: no code path takes them the other way round.
    private static func removeDone(from heap: inout [Entry]) {
        heap.removeAll { $0.isDone }
        for index in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(index, in: &heap) }
    }

    private static func siftDown(_ start: Int, in heap: inout [Entry]) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count, heap[left].deadline < heap[smallest].deadline { smallest = left }
            if right < heap.count, heap[right].deadline < heap[smallest].deadline { smallest = right }
            if smallest == parent { break }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
