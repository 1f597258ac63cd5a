import FlyingSocks

/// A streamed response body that plays a turn's events with its latency and fault.
struct FakeEventBody: AsyncBufferedSequence, Sendable {
    typealias Element = UInt8

    enum Step: Sendable {
        case send([UInt8])
        case pause(Duration)
        case stall
        case abort
        /// Sends these bytes again and again, pausing between repeats, until the client goes away.
        case repeatForever([UInt8], pause: Duration)
    }

    let steps: [Step]
    let gate: FakeModelServerGate

    init(rendering: FakeRendering, turn: FakeTurn, gate: FakeModelServerGate) {
        self.gate = gate
        self.steps = Self.steps(rendering: rendering, turn: turn)
    }

    init(steps: [Step], gate: FakeModelServerGate) {
        self.gate = gate
        self.steps = steps
    }

    /// The events in order, with pauses between them and the fault at its position.
    static func steps(rendering: FakeRendering, turn: FakeTurn) -> [Step] {
        let events = rendering.events
        let pause = turn.latency.betweenEvents
        switch turn.fault {
        case .repeatEventForever(let marker)?:
            let position = events.firstIndex { $0.contains(marker) } ?? events.count - 1
            let unit = events[position]  // repeated to about 1 KiB a write, so the flood costs the server little
            let repeated = String(repeating: unit, count: Swift.max(1, 1024 / Swift.max(1, unit.utf8.count)))
            return events[..<position].map { Step.send(Array($0.utf8)) } + [.repeatForever(Array(repeated.utf8), pause: pause)]
        case .endlessLine?:
            return [.send(Array("data: ".utf8)), .repeatForever(Array(repeating: UInt8(ascii: "x"), count: 16 * 1024), pause: pause)]
        case .endlessEvent?:
            return [.repeatForever(Array(("data: " + String(repeating: "y", count: 1000) + "\n").utf8), pause: pause)]
        case .keepAlivesForever?:
            return [.repeatForever(Array(String(repeating: ": keep-alive\n", count: 64).utf8), pause: pause)]
        default:
            break
        }
        var steps: [Step] = []
        for position in 0...events.count {
            switch turn.fault {
            case .stall(let after)? where position == Swift.min(Swift.max(0, after), events.count):
                return steps + [.stall, .abort]
            case .cutStream(let after)? where position == Swift.min(Swift.max(0, after), events.count - 1):
                let victim = Array(events[position].utf8)
                return steps + [.send(Array(victim.prefix(Swift.max(1, victim.count / 2)))), .abort]
            case .errorEvent(let after, let type, let message)? where position == Swift.min(Swift.max(0, after), events.count):
                return steps + [.send(Array(rendering.errorEvent(type, message).utf8))]
            case .malformedChunk(let after)? where position == Swift.min(Swift.max(0, after), events.count):
                steps.append(.send(Array("data: {\"choices\": [{\"delta\": {\"content\": \"unterminated\n\n".utf8)))
            default:
                break
            }
            guard position < events.count else { break }
            if position > 0, turn.latency.betweenEvents > .zero { steps.append(.pause(turn.latency.betweenEvents)) }
            steps.append(.send(Array(events[position].utf8)))
        }
        if turn.latency.beforeEnd > .zero { steps.append(.pause(turn.latency.beforeEnd)) }
        return steps
    }

    func makeAsyncIterator() -> Iterator { Iterator(steps: steps, gate: gate) }

    struct Iterator: AsyncBufferedIteratorProtocol {
        let steps: [Step]
        let gate: FakeModelServerGate
        var position = 0
        var pending: [UInt8] = []

        mutating func next() async throws -> UInt8? {
            if pending.isEmpty {
                guard let buffer = try await nextBuffer(suggested: 4096) else { return nil }
                pending = buffer
            }
            return pending.removeFirst()
        }

        mutating func nextBuffer(suggested count: Int) async throws -> [UInt8]? {
            if !pending.isEmpty {
                defer { pending = [] }
                return pending
            }
            while position < steps.count {
                let step = steps[position]
                position += 1
                switch step {
                case .send(let bytes):
                    if !bytes.isEmpty { return bytes }
                case .pause(let duration):
                    try await Task.sleep(for: duration)
                case .stall:
                    await gate.wait()
                case .abort:
                    throw FakeModelServerAbort.streamCut
                case .repeatForever(let bytes, let pause):
                    position -= 1
                    if pause > .zero { try await Task.sleep(for: pause) }
                    try Task.checkCancellation()
                    return bytes
                }
            }
            return nil
        }
    }
}
