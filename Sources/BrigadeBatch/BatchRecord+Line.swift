import BrigadeCore

extension BatchRecord {
    /// Appends the record's results line, newline included, to `out`: byte for byte ``jsonLine``,
    /// written field by field instead of through a `JSONValue` tree and a `String` (a batch writes
    /// one per item).
    func appendJSONLine(to out: inout [UInt8]) {
        Self.append(#"{"id":"#, to: &out)
        id.json.appendJSON(to: &out)
        Self.append(#","status":"#, to: &out)
        JSONValue.appendJSONString(status.rawValue, to: &out)
        Self.append(#","line":"#, to: &out)
        if let line { out.append(contentsOf: String(line).utf8) } else { Self.append("null", to: &out) }
        Self.append(#","mode":"#, to: &out)
        Self.append(optional: mode, to: &out)
        Self.append(#","answer":"#, to: &out)
        Self.append(optional: answer, to: &out)
        Self.append(#","stop_reason":"#, to: &out)
        JSONValue.appendJSONString(stopReason, to: &out)
        Self.append(#","usage":{"input_tokens":"#, to: &out)
        out.append(contentsOf: String(usage.inputTokens).utf8)
        Self.append(#","output_tokens":"#, to: &out)
        out.append(contentsOf: String(usage.outputTokens).utf8)
        Self.append(#"},"cost_usd":"#, to: &out)
        JSONValue.number(costUSD).appendJSON(to: &out)
        Self.append(#","calls":"#, to: &out)
        out.append(contentsOf: String(calls).utf8)
        // A runner timing named `latency` takes `latency_ms`'s place, as assigning it in the tree does.
        Self.append(#","timings":{"latency_ms":"#, to: &out)
        JSONValue.number(Self.milliseconds(timings["latency"] ?? latency)).appendJSON(to: &out)
        for name in timings.keys.sorted() where name != "latency" {
            guard let duration = timings[name] else { continue }
            out.append(UInt8(ascii: ","))
            JSONValue.appendJSONString(name + "_ms", to: &out)
            out.append(UInt8(ascii: ":"))
            JSONValue.number(Self.milliseconds(duration)).appendJSON(to: &out)
        }
        Self.append(#"},"error":"#, to: &out)
        Self.append(optional: error, to: &out)
        Self.append(#","metadata":"#, to: &out)
        if let metadata { metadata.appendJSON(to: &out) } else { Self.append("null", to: &out) }
        Self.append("}\n", to: &out)
    }

    private static func append(optional text: String?, to out: inout [UInt8]) {
        if let text { JSONValue.appendJSONString(text, to: &out) } else { append("null", to: &out) }
    }

    private static func append(_ text: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }
}
