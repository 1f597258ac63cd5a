import CurlHTTP

/// Caps on what one model response may make Brigade read and hold, so that a broken or hostile
/// model server cannot grow memory without bound or stream forever.
///
/// Every cap fails the call with a `.malformedResponse` ``ModelError`` whose message names the
/// cap, except the output-token allowance: a stream that runs past it is cut and ends as if the
/// server had stopped at `max_tokens` (finish reason ``ModelFinishReason/length``, tool calls
/// dropped, the tokens read counted). The defaults are far above what any real answer needs.
public struct ModelResponseLimits: Sendable, Hashable {
    /// The longest event-stream line. Default 4 MiB.
    public var maxLineBytes: Int
    /// The most `data:` bytes of one event-stream event. Default 16 MiB.
    public var maxEventBytes: Int
    /// The most argument bytes of one tool call, all its fragments together. Default 4 MiB.
    public var maxToolArgumentBytes: Int
    /// The most bytes of one response, streamed or whole, keep-alive comments included. Default 64 MiB.
    public var maxResponseBytes: Int

    /// - Parameters:
    ///   - maxLineBytes: default 4 MiB.
    ///   - maxEventBytes: default 16 MiB.
    ///   - maxToolArgumentBytes: default 4 MiB.
    ///   - maxResponseBytes: default 64 MiB.
    public init(
        maxLineBytes: Int = 4 * 1024 * 1024,
        maxEventBytes: Int = 16 * 1024 * 1024,
        maxToolArgumentBytes: Int = 4 * 1024 * 1024,
        maxResponseBytes: Int = 64 * 1024 * 1024
    ) {
        self.maxLineBytes = maxLineBytes
        self.maxEventBytes = maxEventBytes
        self.maxToolArgumentBytes = maxToolArgumentBytes
        self.maxResponseBytes = maxResponseBytes
    }

    /// The estimated output tokens (UTF-8 bytes of text, tool names and arguments, four to a
    /// token) past which a stream is cut: twice the request's `max_tokens` plus 256. The margin
    /// covers text whose tokens are longer than four bytes (code, runs of spaces); a server that
    /// honours `max_tokens` never reaches it.
    public static func outputTokenAllowance(maxOutputTokens: Int) -> Int {
        max(0, maxOutputTokens).multipliedReportingOverflow(by: 2).partialValue + 256
    }

    var eventStreamLimits: ServerSentEventParser.Limits {
        ServerSentEventParser.Limits(maxLineBytes: maxLineBytes, maxEventBytes: maxEventBytes)
    }
}
