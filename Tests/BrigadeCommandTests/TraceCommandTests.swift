import Brigade
import BrigadeTesting
import Foundation
import Testing

/// `brigade trace` through the binary: the newest run by default, `--json`, the terminal width,
/// no colour off a terminal, and clear errors for a missing run.
@Suite("brigade trace", .timeLimit(.minutes(3)))
struct TraceCommandTests {
    @Test func theNewestRunIsTracedAsJSONAndAsATimelineThatFitsTheWidth() async throws {
        try await withFakeModelServer { server in
            server.enqueue(.text("first answer"), .text("second answer"))
            let folder = try TemporaryFolder()
            try folder.writeFakeModelConfig(server)
            let empty = try await Brigade.run(["trace"], in: folder.path)
            #expect(empty.status == 2 && empty.standardError.contains("no run recorded yet"), "\(empty.standardError)")
            for prompt in ["first", "second"] {
                let ask = try await Brigade.run(["ask", prompt], in: folder.path, environment: ["FAKE_KEY": "k"])
                #expect(ask.status == 0, "\(ask.standardError)")
            }
            let log = try ndjsonLines(try await Brigade.run(["log", "--json"], in: folder.path).standardOutput)
            let newest = try #require(log.first?["id"]?.stringValue)

            let json = try await Brigade.run(["trace", "--json"], in: folder.path)
            #expect(json.status == 0, "\(json.standardError)")
            let trace = try JSONValue(parsing: json.standardOutput)
            #expect(trace["run_id"]?.stringValue == newest && trace["live"]?.boolValue == false)
            let kinds = trace["spans"]?.arrayValue?.compactMap { $0["kind"]?.stringValue }
            #expect(kinds == ["run", "turn", "model_call"])
            let model = try #require(trace["spans"]?.arrayValue?.last)
            #expect(model["name"]?.stringValue == "model openai:fake" && model["critical"]?.boolValue == true)
            #expect((model["end_s"]?.doubleValue ?? -1) >= (model["start_s"]?.doubleValue ?? 0))

            let older = try #require(log.last?["id"]?.stringValue)
            let text = try await Brigade.run(["trace", older], in: folder.path, environment: ["COLUMNS": "72"])
            #expect(text.status == 0, "\(text.standardError)")
            let lines = text.standardOutput.split(separator: "\n")
            #expect(lines.first?.hasPrefix("run \(older)") == true)
            #expect(lines.contains { $0.contains("model openai:fake") && $0.contains("█") })
            #expect(lines.allSatisfy { $0.count <= 72 }, "\(text.standardOutput)")
            #expect(!text.standardOutput.contains("\u{1B}"))
        }
    }

    @Test func anUnknownRunIsAUsageError() async throws {
        let folder = try TemporaryFolder()
        try folder.write("config.yaml", "routing: model\n")
        let unknown = try await Brigade.run(["trace", "run_nope"], in: folder.path)
        #expect(unknown.status == 2)
        #expect(unknown.standardError.contains("no run `run_nope`"), "\(unknown.standardError)")
        let off = try await Brigade.run(["trace", "--no-store"], in: folder.path)
        #expect(off.status == 2 && off.standardError.contains("run store is off"), "\(off.standardError)")
    }
}
