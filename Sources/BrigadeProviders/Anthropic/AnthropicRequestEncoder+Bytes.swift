import BrigadeCore

extension AnthropicRequestEncoder {
    /// The body as sent: byte for byte `body(for:configuration:).jsonBytes`, written without the
    /// whole tree — the tools from each spec's cached description and schema
    /// (``ToolSpec/parametersJSON``), the system prompt through `systemText` — and with the
    /// conversation (small, and reshaped by the merging and caching rules) through its tree.
    /// - Parameter systemText: where the system prompt's JSON is kept between requests; `nil`
    ///   encodes it each time.
    static func bodyBytes(
        for request: ModelRequest, configuration: AnthropicClient.Configuration, systemText: EncodedJSONCache<String>? = nil
    ) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        appendASCII(#"{"model":"#, to: &out)
        JSONValue.appendJSONString(configuration.model, to: &out)
        appendASCII(#","max_tokens":"#, to: &out)
        JSONValue.integer(request.maxOutputTokens).appendJSON(to: &out)
        let caching = configuration.promptCaching
        if let system = system(of: request) {
            appendASCII(caching.system ? #","system":[{"type":"text","text":"# : #","system":"#, to: &out)
            if let systemText { systemText.append(system, to: &out) } else { JSONValue.appendJSONString(system, to: &out) }
            if caching.system {
                appendASCII(#","cache_control":"#, to: &out)
                PromptCaching.breakpoint.appendJSON(to: &out)
                appendASCII("}]", to: &out)
            }
        }
        let toolCount = request.tools.count + (request.outputSchema == nil ? 0 : 1)
        var conversation = messages(for: request.messages, toolBlocks: toolCount > 0)
        if caching.conversation { markLastBlock(of: &conversation) }
        appendASCII(#","messages":"#, to: &out)
        JSONValue.array(conversation).appendJSON(to: &out)
        if toolCount > 0 {
            appendASCII(#","tools":["#, to: &out)
            for index in 0..<toolCount {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                // Each tool object without its closing brace, so that a breakpoint can follow.
                if index < request.tools.count {
                    appendOpen(tool: request.tools[index], to: &out)
                } else if let schema = request.outputSchema {
                    out.append(contentsOf: answerTool(for: schema).jsonBytes.dropLast())
                }
                if caching.tools, index == toolCount - 1 {
                    appendASCII(#","cache_control":"#, to: &out)
                    PromptCaching.breakpoint.appendJSON(to: &out)
                }
                out.append(UInt8(ascii: "}"))
            }
            out.append(UInt8(ascii: "]"))
            if let choice = toolChoice(for: request, configuration: configuration) {
                appendASCII(#","tool_choice":"#, to: &out)
                choice.appendJSON(to: &out)
            }
        }
        if let temperature = request.temperature {
            appendASCII(#","temperature":"#, to: &out)
            JSONValue.number(temperature).appendJSON(to: &out)
        }
        appendASCII(configuration.streaming ? #","stream":true}"# : #","stream":false}"#, to: &out)
        return out
    }

    /// The system messages' texts that are not empty, joined by blank lines; `nil` when none.
    static func system(of request: ModelRequest) -> String? {
        let texts = request.messages.compactMap { message -> String? in
            if case .system(let text) = message, !text.isEmpty { text } else { nil }
        }
        return texts.isEmpty ? nil : texts.joined(separator: "\n\n")
    }

    /// `{"name":…,"description":…,"input_schema":…` (no closing brace) from the spec's cached JSON:
    /// ``tool(for:)`` encoded.
    private static func appendOpen(tool spec: ToolSpec, to out: inout [UInt8]) {
        appendASCII(#"{"name":"#, to: &out)
        JSONValue.appendJSONString(spec.name, to: &out)
        appendASCII(#","description":"#, to: &out)
        out.append(contentsOf: spec.descriptionJSON)
        appendASCII(#","input_schema":"#, to: &out)
        out.append(contentsOf: spec.parametersJSON)
    }

    private static func appendASCII(_ text: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }
}
