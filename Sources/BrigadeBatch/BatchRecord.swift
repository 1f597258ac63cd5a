import BrigadeCore

/// The final state of an item in the results file.
public enum BatchItemStatus: String, Sendable, Hashable, CaseIterable {
    /// The runner succeeded.
    case ok
    /// The runner reported an error, or the input line was malformed.
    case failed
    /// Not run: the global budget was exhausted (`stop_reason` `budget`) or an earlier item failed
    /// under fail-fast (`stop_reason` `fail_fast`). A resume runs skipped items again.
    case skipped
}

/// One line of the results file: everything known about one finished item.
///
/// Written as one JSON object per line, keys in this order:
/// `id`, `status`, `line`, `mode`, `answer`, `stop_reason`, `usage` (`input_tokens`, `output_tokens`),
/// `cost_usd`, `calls`, `timings` (`latency_ms` and the runner's `<phase>_ms`), `error`, `metadata`.
public struct BatchRecord: Sendable, Hashable {
    public var id: BatchItemID
    public var status: BatchItemStatus
    /// The input line the item came from.
    public var line: Int?
    public var mode: String?
    public var answer: String?
    public var stopReason: String
    public var usage: TokenUsage
    public var costUSD: Double
    public var calls: Int
    /// From admission to completion, as the engine measured it; zero for items that did not run.
    public var latency: Duration
    /// The runner's own phase timings.
    public var timings: [String: Duration]
    public var error: String?
    public var metadata: JSONValue?

    public init(
        id: BatchItemID, status: BatchItemStatus, line: Int? = nil, mode: String? = nil, answer: String? = nil,
        stopReason: String, usage: TokenUsage = TokenUsage(), costUSD: Double = 0, calls: Int = 0,
        latency: Duration = .zero, timings: [String: Duration] = [:], error: String? = nil, metadata: JSONValue? = nil
    ) {
        self.id = id
        self.status = status
        self.line = line
        self.mode = mode
        self.answer = answer
        self.stopReason = stopReason
        self.usage = usage
        self.costUSD = costUSD
        self.calls = calls
        self.latency = latency
        self.timings = timings
        self.error = error
        self.metadata = metadata
    }

    /// The record of an item that ran.
    init(item: BatchItem, outcome: BatchItemOutcome, latency: Duration) {
        self.init(
            id: item.id, status: outcome.succeeded ? .ok : .failed, line: item.line, mode: item.mode,
            answer: outcome.answer, stopReason: outcome.stopReason, usage: outcome.usage, costUSD: outcome.costUSD,
            calls: outcome.calls, latency: latency, timings: outcome.timings, error: outcome.error, metadata: item.metadata
        )
    }

    /// The record of a malformed input line.
    init(malformed: BatchMalformedLine) {
        self.init(
            id: malformed.id, status: .failed, line: malformed.line, stopReason: "invalid_input",
            error: "line \(malformed.line): \(malformed.reason)"
        )
    }

    /// The record of an item that was not run.
    init(skipped item: BatchItem, reason: String) {
        self.init(id: item.id, status: .skipped, line: item.line, mode: item.mode, stopReason: reason, metadata: item.metadata)
    }

    /// The record as a JSON object.
    public var json: JSONValue {
        var timingsObject: JSONObject = ["latency_ms": .number(Self.milliseconds(latency))]
        for name in timings.keys.sorted() {
            if let duration = timings[name] { timingsObject[name + "_ms"] = .number(Self.milliseconds(duration)) }
        }
        let object: JSONObject = [
            "id": id.json,
            "status": .string(status.rawValue),
            "line": line.map { .integer($0) } ?? .null,
            "mode": mode.map { .string($0) } ?? .null,
            "answer": answer.map { .string($0) } ?? .null,
            "stop_reason": .string(stopReason),
            "usage": ["input_tokens": .integer(usage.inputTokens), "output_tokens": .integer(usage.outputTokens)],
            "cost_usd": .number(costUSD),
            "calls": .integer(calls),
            "timings": .object(timingsObject),
            "error": error.map { .string($0) } ?? .null,
            "metadata": metadata ?? .null,
        ]
        return .object(object)
    }

    /// The record as one line of JSON, with its newline: `json.jsonString + "\n"`.
    public var jsonLine: String {
        var out: [UInt8] = []
        appendJSONLine(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Reads a record from a results line.
    ///
    /// - Throws: ``BatchError/Code/corruptResults`` naming what is missing or wrong (no path or line yet).
    public init(parsing line: some Collection<UInt8>) throws(BatchError) {
        let value: JSONValue
        do { value = try JSONValue(parsing: line) } catch {
            throw BatchError(.corruptResults, "invalid JSON: \(error.message) at column \(error.column)")
        }
        try self.init(json: value)
    }

    /// Reads a record from its JSON object.
    ///
    /// - Throws: ``BatchError/Code/corruptResults`` when `id` or `status` is missing or wrong.
    public init(json value: JSONValue) throws(BatchError) {
        guard let object = value.objectValue else { throw BatchError(.corruptResults, "not a JSON object") }
        guard let rawID = object["id"], let id = BatchItemID(json: rawID) else {
            throw BatchError(.corruptResults, "no usable \"id\"")
        }
        guard let rawStatus = object["status"]?.stringValue, let status = BatchItemStatus(rawValue: rawStatus) else {
            throw BatchError(.corruptResults, "no \"status\" of ok, failed or skipped")
        }
        var timings: [String: Duration] = [:]
        var latency = Duration.zero
        for (key, milliseconds) in object["timings"]?.objectValue ?? [:] {
            guard let ms = milliseconds.doubleValue, key.hasSuffix("_ms") else { continue }
            if key == "latency_ms" { latency = .milliseconds(ms) } else { timings[String(key.dropLast(3))] = .milliseconds(ms) }
        }
        self.init(
            id: id, status: status, line: object["line"]?.intValue, mode: object["mode"]?.stringValue,
            answer: object["answer"]?.stringValue, stopReason: object["stop_reason"]?.stringValue ?? "",
            usage: TokenUsage(
                inputTokens: object["usage"]?["input_tokens"]?.intValue ?? 0,
                outputTokens: object["usage"]?["output_tokens"]?.intValue ?? 0
            ),
            costUSD: object["cost_usd"]?.doubleValue ?? 0, calls: object["calls"]?.intValue ?? 0,
            latency: latency, timings: timings, error: object["error"]?.stringValue,
            metadata: object["metadata"].flatMap { $0.isNull ? nil : $0 }
        )
    }

    static func milliseconds(_ duration: Duration) -> Double {
        (duration.inSeconds * 1_000_000).rounded() / 1000
    }
}
