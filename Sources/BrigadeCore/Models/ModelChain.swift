import Synchronization

/// An ordered list of models — a fallback chain: the first is asked, and when it is unavailable
/// (it cannot be reached, it is rate-limited or failing past its retries, or the prompt is too long
/// for its context) the next one takes over.
///
/// A run of an ``Agent`` whose model is a chain stays on the model that last answered for the rest
/// of the run, and reports each switch as ``AgentEvent/modelSwitched(_:)``; the next run starts at
/// the first model again. Each model's calls are charged at its own ``Entry/pricing``. Called
/// directly, ``complete(_:deadline:onTextDelta:)`` always starts at the first model.
///
/// ```swift
/// let chain = try ModelChain([
///     .init(name: "fast", client: OpenAIChatClient(apiKey: key, model: "gpt-4.1-nano"), pricing: fastPrice),
///     .init(name: "claude", client: AnthropicClient(apiKey: anthropicKey, model: "claude-haiku-4-5"), pricing: claudePrice),
/// ])
/// ```
public struct ModelChain: ModelClient {
    /// One model of the chain.
    public struct Entry: Sendable {
        /// The name events and summaries use, e.g. the profile name.
        public var name: String
        public var client: any ModelClient
        /// This model's prices; `nil` charges the run's ``Agent/Configuration/pricing``.
        public var pricing: ModelPricing?

        public init(name: String, client: any ModelClient, pricing: ModelPricing? = nil) {
            self.name = name
            self.client = client
            self.pricing = pricing
        }
    }

    public let entries: [Entry]

    /// - Throws: ``InvalidRunOptions`` for an empty list or a name used twice.
    public init(_ entries: [Entry]) throws(InvalidRunOptions) {
        guard !entries.isEmpty else { throw InvalidRunOptions("a model chain needs at least one model") }
        var seen: Set<String> = []
        for entry in entries where !seen.insert(entry.name).inserted {
            throw InvalidRunOptions("the model chain names `\(entry.name)` twice")
        }
        self.entries = entries
    }

    /// `true` when every model of the chain enforces ``ModelRequest/outputSchema``.
    public var supportsOutputSchema: Bool { entries.allSatisfy(\.client.supportsOutputSchema) }

    /// Each rate at its highest among the entries (an entry without pricing counts as `default`):
    /// what a run's budget admits calls with, since any of the models may answer.
    public func highestPricing(default fallback: ModelPricing) -> ModelPricing {
        let prices = entries.map { $0.pricing ?? fallback }
        func highest(_ rate: (ModelPricing) -> Double?) -> Double? { prices.compactMap(rate).max() }
        return ModelPricing(
            inputPerMillion: highest(\.inputPerMillion) ?? 0,
            outputPerMillion: highest(\.outputPerMillion) ?? 0,
            cachedInputPerMillion: prices.contains { $0.cachedInputPerMillion == nil } ? nil : highest(\.cachedInputPerMillion),
            cacheWritePerMillion: prices.contains { $0.cacheWritePerMillion == nil } ? nil : highest(\.cacheWritePerMillion)
        )
    }

    /// The entries' names joined by arrows: `fast → big → claude`.
    public var displayName: String { entries.map(\.name).joined(separator: " → ") }

    public func complete(
        _ request: ModelRequest,
        deadline: ContinuousClock.Instant?,
        onTextDelta: @escaping @Sendable (String) -> Void
    ) async throws(ModelError) -> ModelResponse {
        try await complete(request, startingAt: 0, deadline: deadline, onSwitch: { _ in }, onTextDelta: onTextDelta).response
    }

    /// Asks the models from `start` on until one answers.
    ///
    /// - Returns: the answer and the position of the model that gave it.
    /// - Throws: the last model's error, or the error of a model that failed in a way another model
    ///   would not fix (a rejected request, a deadline, cancellation), or that failed after part of
    ///   its answer was streamed.
    public func complete(
        _ request: ModelRequest,
        startingAt start: Int,
        deadline: ContinuousClock.Instant?,
        onSwitch: (ModelSwitch) -> Void,
        onTextDelta: @escaping @Sendable (String) -> Void
    ) async throws(ModelError) -> (response: ModelResponse, position: Int) {
        var position = min(max(start, 0), entries.count - 1)
        while true {
            let streamed = TextDeliveryFlag()
            do throws(ModelError) {
                let response = try await entries[position].client.complete(request, deadline: deadline) { delta in
                    streamed.set()
                    onTextDelta(delta)
                }
                return (response, position)
            } catch {
                guard position + 1 < entries.count, !streamed.isSet, Self.switchesModel(after: error) else { throw error }
                onSwitch(ModelSwitch(from: entries[position].name, to: entries[position + 1].name, reason: error))
                position += 1
            }
        }
    }

    /// Whether another model could succeed where this one failed: connection failures, rate limits
    /// and server errors past the client's retries, and a prompt too long for the model's context.
    public static func switchesModel(after error: ModelError) -> Bool {
        switch error.code {
        case .unreachable, .rateLimited, .serverError: true
        case .rejected: error.isContextLengthError
        default: false
        }
    }
}

/// One switch down a ``ModelChain``: from which model to which, and the failure that caused it.
public struct ModelSwitch: Sendable, Hashable {
    public var from: String
    public var to: String
    public var reason: ModelError

    public init(from: String, to: String, reason: ModelError) {
        self.from = from
        self.to = to
        self.reason = reason
    }

    /// `model fast unavailable (…), switching to big`.
    public var progressLine: String { "model \(from) unavailable (\(reason)), switching to \(to)" }
}

extension ModelError {
    /// The request was rejected because the prompt does not fit the model's context window
    /// (OpenAI `context_length_exceeded`, Anthropic "prompt is too long", vLLM and llama.cpp wordings).
    public var isContextLengthError: Bool {
        let text = message.lowercased()
        return ["context_length_exceeded", "context length", "context window", "prompt is too long", "maximum context", "exceeds the context", "exceed_context_size"]
            .contains { text.contains($0) }
    }
}


/// Set once the first text delta of an attempt was delivered.
private final class TextDeliveryFlag: Sendable {
    private let state = Mutex(false)
    func set() { state.withLock { $0 = true } }
    var isSet: Bool { state.withLock { $0 } }
}
