import Synchronization
import Brigade
import BrigadeTesting
import Logging

extension Logger {
    /// A logger that drops everything.
    static let quiet = Logger(label: "brigade.tests") { _ in SwiftLogNoOpLogHandler() }
}

/// Tools for runtime tests.
enum TestTools {
    /// Returns its `text` argument (or `ok`).
    static func echo(_ name: String = "echo", policy: ToolPolicy = ToolPolicy()) -> Tool {
        Tool(name: name, description: "Echoes its text.", parameters: ["type": "object", "properties": ["text": ["type": "string"]]], policy: policy) { arguments, _ in
            ToolOutput(text: arguments["text"]?.stringValue ?? "ok")
        }
    }

    /// Waits until cancelled (e.g. by a timeout); opens `started` when it starts and `cancelled` when cancelled.
    static func block(_ name: String = "block", policy: ToolPolicy = ToolPolicy(), started: Latch? = nil, cancelled: Latch? = nil) -> Tool {
        Tool(name: name, description: "Never finishes.", policy: policy) { _, _ in
            started?.open()
            do {
                try await Latch().wait()
            } catch {
                cancelled?.open()
                throw error
            }
            return ToolOutput(text: "unreachable")
        }
    }

    /// Enters the probe and waits until `level` calls are inside at once, then returns `ok`.
    static func probe(_ name: String, _ probe: ConcurrencyProbe, waitFor level: Int, policy: ToolPolicy = ToolPolicy()) -> Tool {
        Tool(name: name, description: "Concurrency probe.", policy: policy) { _, _ in
            probe.enter()
            defer { probe.leave() }
            try await probe.waitUntilActive(atLeast: level)
            return ToolOutput(text: "ok")
        }
    }
}

func call(_ name: String, _ arguments: String = "{}", id: String) -> ToolCall {
    ToolCall(id: id, name: name, rawArguments: arguments)
}

func registry(_ tools: Tool...) throws -> ToolRegistry {
    try ToolRegistry(tools)
}

/// An agent over a scripted model and in-process tools.
func makeAgent(
    _ model: (any ModelClient)?,
    tools: [Tool] = [],
    limits: Budget.Limits = Budget.Limits(),
    pricing: ModelPricing = ModelPricing(),
    systemPrompt: String = "Be brief.",
    maxOutputTokens: Int = 1000,
    dispatch: Dispatcher.Configuration = Dispatcher.Configuration(),
    fallback: (any FallbackAnswering)? = nil,
    clock: any RuntimeClock = .system
) throws -> Agent {
    Agent(
        registry: try ToolRegistry(tools),
        configuration: Agent.Configuration(
            model: model,
            pricing: pricing,
            limits: limits,
            systemPrompt: systemPrompt,
            maxOutputTokens: maxOutputTokens,
            dispatch: dispatch,
            fallback: fallback,
            clock: clock
        ),
        logger: .quiet
    )
}

/// A fallback that records what it was asked and answers with `answer` (or declines with `nil`).
final class RecordingFallback: FallbackAnswering {
    private let requests = Mutex<[FallbackRequest]>([])
    let answer: String?

    init(answer: String?) { self.answer = answer }

    var reasons: [FallbackReason] { requests.withLock { $0.map(\.reason) } }
    var gatheredCounts: [Int] { requests.withLock { $0.map(\.gathered.count) } }

    func fallbackAnswer(for request: FallbackRequest) async -> String? {
        requests.withLock { $0.append(request) }
        return answer
    }
}

extension ChatMessage {
    var toolCallIDs: [String] {
        if case .assistant(_, let calls) = self { calls.map(\.id) } else { [] }
    }
    var resultIDs: [String] {
        if case .toolResults(let results) = self { results.map(\.callID) } else { [] }
    }
    var results: [ToolResultMessage] {
        if case .toolResults(let results) = self { results } else { [] }
    }
}
