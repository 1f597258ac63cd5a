import Brigade
import Foundation
import Subprocess
import Testing
import BrigadeTesting

/// Drives `brigade run --json` as a child process: writes request lines to its stdin, reads its
/// stdout line by line, and checks every line against docs/protocol.schema.json as it arrives.
struct ProtocolConversation<Lines: AsyncIteratorProtocol> where Lines.Element == String {
    var lines: Lines
    let writer: StandardInputWriter
    /// Every event received so far, in order.
    private(set) var received: [JSONValue] = []
    /// Indices of `received` that a `read` returned.
    var claimed: Set<Int> = []

    /// Writes one request (validated against docs/protocol-requests.schema.json first).
    mutating func send(_ request: JSONValue) async throws {
        let violations = JSONSchemaValidator.validate(request, against: ProtocolSchemas.requests)
        #expect(violations.isEmpty, "request \(request.jsonString) does not match the request schema: \(violations)")
        try await send(raw: request.jsonString)
    }

    /// Writes `text` and a line break, as is.
    mutating func send(raw text: String) async throws {
        _ = try await writer.write(text + "\n")
    }

    /// The next event; `nil` at end of output. Records an issue for a line that is not JSON or does
    /// not match the event schema.
    mutating func next() async throws -> JSONValue? {
        guard let line = try await lines.next() else { return nil }
        let event: JSONValue
        do {
            event = try JSONValue(parsing: line)
        } catch {
            Issue.record("stdout line is not JSON (\(error)): \(line)")
            return try await next()
        }
        let violations = JSONSchemaValidator.validate(event, against: ProtocolSchemas.events)
        #expect(violations.isEmpty, "event does not match docs/protocol.schema.json: \(violations)\n\(line)")
        received.append(event)
        return event
    }

    /// The first event matching `predicate` that no earlier `read` returned: one already received
    /// (events of concurrent runs arrive in any order), or else the next one to arrive.
    /// - Throws: `ProtocolEnded` when the output ends first.
    @discardableResult
    mutating func read(until predicate: (JSONValue) -> Bool) async throws -> JSONValue {
        if let index = received.indices.first(where: { !claimed.contains($0) && predicate(received[$0]) }) {
            claimed.insert(index)
            return received[index]
        }
        while let event = try await next() {
            if predicate(event) {
                claimed.insert(received.count - 1)
                return event
            }
        }
        throw ProtocolEnded(received: received)
    }

    /// Reads until the event of `type` for run `id` (or, without an id, any event of that type).
    @discardableResult
    mutating func read(_ type: String, id: JSONValue? = nil) async throws -> JSONValue {
        try await read { $0["type"]?.stringValue == type && (id == nil || $0["id"] == id) }
    }

    /// Closes stdin and reads everything up to the end of output.
    mutating func finishInputAndDrain() async throws {
        try await writer.finish()
        while try await next() != nil {}
    }

    /// The events of run `id`, in order.
    func events(of id: JSONValue) -> [JSONValue] {
        received.filter { $0["id"] == id && $0["type"]?.stringValue != "error" }
    }

    /// The error events, in order.
    var errors: [JSONValue] { received.filter { $0["type"]?.stringValue == "error" } }
}

struct ProtocolEnded: Error, CustomStringConvertible {
    var received: [JSONValue]
    var description: String { "the output ended; received:\n" + received.map(\.jsonString).joined(separator: "\n") }
}

/// How the child process ended.
struct ProtocolExit {
    var status: TerminationStatus
    var standardError: String
}

/// Runs `brigade run --json --config <config> <arguments>` in `directory` and hands the conversation to `body`.
func withBrigadeProtocol(
    config: String,
    in directory: String,
    arguments: [String] = [],
    environment: [String: String] = [:],
    _ body: (inout ProtocolConversation<SubprocessOutputSequence.StringSequence<UTF8>.AsyncIterator>) async throws -> Void
) async throws -> ProtocolExit {
    // The run store goes to the test's folder, never to the developer's.
    var updates: [String: String?] = ["NO_COLOR": "1", "XDG_STATE_HOME": directory + "/.state"]
    for (key, value) in environment { updates[key] = value }
    let result = try await Subprocess.run(
        .path(.init(BuiltProduct.brigade)),
        arguments: Arguments(["run", "--json", "--config", config] + arguments),
        environment: .hermetic(updates),
        workingDirectory: .init(directory),
        input: .inputWriter,
        output: .sequence,
        error: .string(limit: 64 * 1024)
    ) { execution in
        // NDJSON lines end with "\n" only; a raw U+0085 inside a JSON string is not a line break.
        let lines = execution.standardOutput.strings(separatedBy: .unicodeScalarSequence(["\n"]), bufferingPolicy: .maxLineLength(16 << 20))
        var conversation = ProtocolConversation(lines: lines.makeAsyncIterator(), writer: execution.standardInputWriter)
        try await body(&conversation)
        try await conversation.finishInputAndDrain()
    }
    return ProtocolExit(status: result.terminationStatus, standardError: result.standardError)
}

/// The protocol's JSON Schemas, read from docs/.
enum ProtocolSchemas {
    /// Tests/BrigadeCLIProtocolTests/ProtocolHarness.swift → the repository root.
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static let events = load("docs/protocol.schema.json")
    static let requests = load("docs/protocol-requests.schema.json")

    static func load(_ relativePath: String) -> JSONValue {
        let path = repositoryRoot + "/" + relativePath
        guard let data = FileManager.default.contents(atPath: path), let schema = try? JSONValue(parsing: String(decoding: data, as: UTF8.self)) else {
            Issue.record("cannot read the schema \(path)")
            return false  // the schema that rejects everything
        }
        return schema
    }
}
