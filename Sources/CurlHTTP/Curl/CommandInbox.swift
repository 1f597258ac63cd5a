import CCurl
import Synchronization

/// The loop's queue of commands and the eventfd that wakes it: any thread sends, the loop thread
/// takes everything queued at once.
///
/// Lock-free, so a task sending a request never waits for the loop thread or another sender: a
/// command is a node pushed with compare-and-swap onto an atomic list, which ``takeAll()`` swaps
/// out whole and returns oldest first. A sender writes the eventfd only when the loop is asleep
/// (or about to be) in `epoll_wait` — the loop sets ``isLoopWaiting`` before it checks the list a
/// last time and sleeps; the first sender to find the flag set clears it and writes. A loop that is
/// awake takes the command on its next pass without a wake-up.
///
/// The eventfd is closed by `deinit`, once neither the loop thread nor a sender holds the inbox,
/// so no sender can write to it after it is closed (or to a descriptor reusing its number).
final class CommandInbox: Sendable {
    private final class Node {
        let command: CurlLoop.Command
        /// The address of the node pushed before this one (0: none); set before the node is
        /// published, never after.
        var older: UInt = 0

        init(_ command: CurlLoop.Command) {
            self.command = command
        }
    }

    /// The address of the newest node (a retained `Node`), 0 when empty, ``closedMarker`` once
    /// closed.
    private let newest = Atomic<UInt>(0)
    /// Never dereferenced: no node lives at address 1.
    private static let closedMarker: UInt = 1
    /// Set once `.shutdown` is sent: later commands are refused at once.
    private let isShutDown = Atomic<Bool>(false)
    /// Set by the loop thread right before it sleeps; cleared by the sender that wakes it.
    private let isLoopWaiting = Atomic<Bool>(false)
    /// The loop's eventfd; `nil` for a loop that never started (the inbox is then closed).
    let wakeFD: Int32?

    init(wakeFD: Int32?) {
        self.wakeFD = wakeFD
        if wakeFD == nil {
            isShutDown.store(true, ordering: .sequentiallyConsistent)
            _ = close()
        }
    }

    deinit {
        _ = close()
        if let wakeFD { brigade_events_close_wake(wakeFD) }
    }

    // MARK: Senders (any thread)

    /// Queues `command` and wakes the loop if it sleeps. `false` once `.shutdown` was sent or the
    /// loop has stopped.
    func send(_ command: CurlLoop.Command) -> Bool {
        if case .shutdown = command {
            guard !isShutDown.exchange(true, ordering: .sequentiallyConsistent) else { return false }
        } else if isShutDown.load(ordering: .relaxed) {
            return false
        }
        guard push(command) else { return false }
        // Sequentially consistent with the loop's flag store and list load in `prepareToWait`:
        // either the loop sees this command before it sleeps, or this sees the flag and wakes it.
        if isLoopWaiting.load(ordering: .sequentiallyConsistent),
            isLoopWaiting.exchange(false, ordering: .sequentiallyConsistent),
            let wakeFD
        {
            brigade_events_wake(wakeFD)
        }
        return true
    }

    private func push(_ command: CurlLoop.Command) -> Bool {
        let node = Node(command)
        let pointer = Unmanaged.passRetained(node).toOpaque()
        let address = UInt(bitPattern: pointer)
        var current = newest.load(ordering: .relaxed)
        while current != Self.closedMarker {
            node.older = current
            let (exchanged, found) = newest.compareExchange(
                expected: current,
                desired: address,
                ordering: .sequentiallyConsistent
            )
            if exchanged { return true }
            current = found
        }
        Unmanaged<Node>.fromOpaque(pointer).release()
        return false
    }

    // MARK: The loop thread

    /// Every queued command, oldest first; the inbox is then empty.
    func takeAll() -> [CurlLoop.Command] {
        commands(from: newest.exchange(0, ordering: .sequentiallyConsistent))
    }

    /// Every queued command, oldest first; every later send fails.
    func close() -> [CurlLoop.Command] {
        commands(from: newest.exchange(Self.closedMarker, ordering: .sequentiallyConsistent))
    }

    /// Marks the loop as about to sleep. Returns `false` (and leaves it awake) when a command came
    /// in since ``takeAll()``: the loop should then only poll, not sleep.
    func prepareToWait() -> Bool {
        isLoopWaiting.store(true, ordering: .sequentiallyConsistent)
        guard newest.load(ordering: .sequentiallyConsistent) == 0 else {
            isLoopWaiting.store(false, ordering: .sequentiallyConsistent)
            return false
        }
        return true
    }

    /// Marks the loop as awake again, after `epoll_wait` returned.
    func endWait() {
        isLoopWaiting.store(false, ordering: .sequentiallyConsistent)
    }

    private func commands(from address: UInt) -> [CurlLoop.Command] {
        guard address != Self.closedMarker else { return [] }
        var commands: [CurlLoop.Command] = []
        var next = address
        while let pointer = UnsafeMutableRawPointer(bitPattern: next) {
            let node = Unmanaged<Node>.fromOpaque(pointer).takeRetainedValue()
            commands.append(node.command)
            next = node.older
        }
        commands.reverse()
        return commands
    }
}
