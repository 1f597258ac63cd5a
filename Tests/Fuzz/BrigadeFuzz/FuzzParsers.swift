import Brigade
import CurlHTTP

/// The SSE parser: the input fed whole and fed in two pieces (split where its first byte says) gives
/// the same events, and no line or event passes the (small) caps.
func fuzzServerSentEvents(_ bytes: [UInt8]) {
    let limits = ServerSentEventParser.Limits(maxLineBytes: 512, maxEventBytes: 2048)
    var whole = ServerSentEventParser(limits: limits)
    let wholeEvents = try? whole.feed(bytes)
    let cut = bytes.isEmpty ? 0 : Int(bytes[0]) % (bytes.count + 1)
    var pieces = ServerSentEventParser(limits: limits)
    let piecewiseEvents = try? pieces.feed(bytes[..<cut]) + pieces.feed(bytes[cut...])
    fuzzCheck(wholeEvents == piecewiseEvents, "SSE events depend on where the stream is split (at \(cut))")
    for event in wholeEvents ?? [] {
        fuzzCheck(event.data.utf8.count <= limits.maxEventBytes, "SSE event past its cap")
    }
    whole.finish()
}

/// The YAML loader and the configuration decoder on top of it: any text is loaded or refused.
func fuzzConfigYAML(_ bytes: [UInt8]) {
    let text = String(decoding: bytes, as: UTF8.self)
    let limits = YAMLLoader.Limits(maxNodes: 5_000, maxDepth: 64, maxFileBytes: 1 << 20)
    _ = try? YAMLLoader.parse(text, file: "fuzz.yaml", limits: limits)
    _ = try? BrigadeConfig.parse(text, file: "fuzz.yaml", environment: ["FUZZ_KEY": "secret-value"])
}

/// The JSON parser: any bytes are parsed or refused, and what parses survives a round trip through
/// its serialization (compact and pretty) unchanged — numbers by value: `1E+2` is written `100` and
/// read back as an integer, as documented.
func fuzzJSON(_ bytes: [UInt8]) {
    guard let value = try? JSONValue(parsing: bytes) else { return }
    let again = try? JSONValue(parsing: value.jsonString)
    fuzzCheck(again.map { sameJSON($0, value) } == true, "JSON round trip changed the value: \(value.jsonString)")
    let pretty = try? JSONValue(parsing: value.prettyJSONString)
    fuzzCheck(pretty.map { sameJSON($0, value) } == true, "pretty JSON round trip changed the value: \(value.jsonString)")
}

/// JSON equality with numbers compared by value (`3` equals `3.0`).
func sameJSON(_ left: JSONValue, _ right: JSONValue) -> Bool {
    switch (left, right) {
    case (.integer(let a), .number(let b)), (.number(let b), .integer(let a)): return Double(a) == b
    case (.array(let a), .array(let b)): return a.count == b.count && zip(a, b).allSatisfy { sameJSON($0, $1) }
    case (.object(let a), .object(let b)):
        return a.keys == b.keys && a.keys.allSatisfy { key in a[key].flatMap { x in b[key].map { sameJSON(x, $0) } } == true }
    default: return left == right
    }
}

/// The JSON-schema argument validator: the input's first line is a schema, the rest a value.
/// Checking the schema and validating any value against it (usable schema or not) never crashes,
/// and a value the validator accepts stays valid with the schema's defaults applied when they are valid.
func fuzzSchemaValidation(_ bytes: [UInt8]) {
    let newline = bytes.firstIndex(of: 0x0A) ?? bytes.endIndex
    guard let schema = try? JSONValue(parsing: bytes[..<newline]) else { return }
    let problems = JSONSchemaValidator.validateSchema(schema)
    let rest = newline < bytes.endIndex ? bytes[(newline + 1)...] : []
    let value = (try? JSONValue(parsing: rest)) ?? .null
    let violations = JSONSchemaValidator.validate(value, against: schema)
    _ = JSONSchemaValidator.applyingDefaults(to: value, from: schema)
    _ = violations.map(\.description)
    _ = problems
}

/// The batch input reader: any bytes are read, malformed lines kept as malformed entries.
func fuzzBatchInput(_ bytes: [UInt8]) {
    guard let input = try? BatchInput(parsing: bytes) else { return }
    _ = input.entries(in: nil)
}
