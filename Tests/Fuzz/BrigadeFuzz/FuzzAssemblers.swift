import Brigade

/// The most argument bytes a tool call may have in the assembler fuzz targets (small, to reach the cap).
let fuzzArgumentCap = 256

/// The OpenAI stream assembler: each input line is one `data:` payload. Whatever the payloads, the
/// assembler ends with a response or an error, and no call carries more argument bytes than the cap.
func fuzzOpenAIStream(_ bytes: [UInt8]) {
    var assembler = OpenAIStreamAssembler(maxToolArgumentBytes: fuzzArgumentCap)
    for line in fuzzLines(bytes) {
        do { _ = try assembler.consume(data: line) } catch { return }
    }
    checkArguments(try? assembler.response())
    checkArguments(assembler.cutResponse())
}

/// The Anthropic stream assembler: each input line is `event-name<TAB>data` (or only data).
func fuzzAnthropicStream(_ bytes: [UInt8]) {
    var assembler = AnthropicStreamAssembler(maxToolArgumentBytes: fuzzArgumentCap)
    for line in fuzzLines(bytes) {
        let parts = line.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
        let event = parts.count == 2 ? String(parts[0]) : nil
        do { _ = try assembler.consume(event: event, data: String(parts.last ?? "")) } catch { return }
    }
    checkArguments(try? assembler.response())
    checkArguments(assembler.cutResponse())
}

private func checkArguments(_ response: ModelResponse?) {
    for call in response?.toolCalls ?? [] {
        fuzzCheck(call.rawArguments.utf8.count <= fuzzArgumentCap, "a tool call's arguments passed the cap")
    }
}
