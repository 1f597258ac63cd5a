/// One tool call after dispatch: its result as the model will read it, its status and its timing.
public struct DispatchedCall: Sendable, Hashable {
    /// The call as dispatched (its id made unique within the batch when needed).
    public var call: ToolCall
    public var status: ToolCallStatus
    /// The text handed back to the model (truncated, with a note, past the output cap).
    public var output: String
    public var queuedAt: ContinuousClock.Instant
    /// When the executor started; `nil` when it never ran.
    public var startedAt: ContinuousClock.Instant?
    public var finishedAt: ContinuousClock.Instant
    /// The cap that kept the call from running (status ``ToolCallStatus/notRun``), if one did.
    public var refusedBy: Budget.Limit?

    public init(
        call: ToolCall,
        status: ToolCallStatus,
        output: String,
        queuedAt: ContinuousClock.Instant,
        startedAt: ContinuousClock.Instant?,
        finishedAt: ContinuousClock.Instant,
        refusedBy: Budget.Limit? = nil
    ) {
        self.call = call
        self.status = status
        self.output = output
        self.queuedAt = queuedAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.refusedBy = refusedBy
    }

    /// How long the executor ran (zero when it never started).
    public var duration: Duration { startedAt.map { finishedAt - $0 } ?? .zero }

    /// The result message for the conversation; anything but ``ToolCallStatus/ok`` is an error.
    public var resultMessage: ToolResultMessage {
        ToolResultMessage(callID: call.id, toolName: call.name, content: output, isError: status != .ok)
    }

    public var info: ToolCallInfo { ToolCallInfo(call) }

    public var outcome: ToolCallOutcome {
        ToolCallOutcome(call: info, status: status, duration: duration, outputPreview: Preview.line(output))
    }
}

extension ToolCallInfo {
    /// The observable view of a call.
    public init(_ call: ToolCall) {
        self.init(id: call.id, toolName: call.name, argumentsPreview: Preview.line(call.rawArguments))
    }
}

/// Text helpers for results and previews.
package enum Preview {
    /// `text` on one line, cut to `limit` characters with an ellipsis.
    package static func line(_ text: String, limit: Int = 200) -> String {
        if let ascii = asciiLine(text, limit: limit) { return ascii }
        var flat = ""
        flat.reserveCapacity(min(text.utf8.count, limit + 1))
        var count = 0
        for character in text {
            if count == limit { return flat + "…" }
            flat.append(character.isNewline || character == "\t" ? " " : character)
            count += 1
        }
        return flat
    }

    /// ``line(_:limit:)`` of ASCII text without CR, where every byte is one character: the text
    /// itself when it is short and on one line (no copy), else a copy made byte by byte; `nil` for
    /// other text (a CR may pair with an LF into one character).
    private static func asciiLine(_ text: String, limit: Int) -> String? {
        guard limit >= 0 else { return nil }
        let result = text.utf8.withContiguousStorageIfAvailable { bytes -> String? in
            var flat = true
            for byte in bytes {
                if byte >= 0x80 || byte == 0x0D { return nil }
                if (0x09...0x0C).contains(byte) { flat = false }
            }
            if flat, bytes.count <= limit { return text }
            let kept = UnsafeBufferPointer(rebasing: bytes.prefix(max(0, limit)))
            let line = String(unsafeUninitializedCapacity: kept.count) { buffer in
                for (index, byte) in kept.enumerated() { buffer[index] = (0x09...0x0C).contains(byte) ? 0x20 : byte }
                return kept.count
            }
            return bytes.count > limit ? line + "…" : line
        }
        return result ?? nil
    }

    /// `text` cut to at most `maxBytes` UTF-8 bytes at a scalar boundary, with a note when cut.
    static func truncated(_ text: String, maxBytes: Int) -> String {
        let limit = max(0, maxBytes)
        guard text.utf8.count > limit else { return text }
        let bytes = Array(text.utf8)
        var cut = limit
        while cut > 0, bytes[cut] & 0b1100_0000 == 0b1000_0000 { cut -= 1 }
        let kept = String(decoding: bytes[..<cut], as: UTF8.self)
        return kept + "\n" + truncationNote(shown: cut, of: bytes.count)
    }

    /// "[output truncated: 200 of 588895 bytes shown]": the one truncation note, with the true size.
    package static func truncationNote(shown: Int, of total: Int) -> String {
        "[output truncated: \(shown) of \(total) bytes shown]"
    }
}
