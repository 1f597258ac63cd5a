import Testing
import Brigade
@testable import BrigadeBatch

@Suite("Batch input", .timeLimit(.minutes(1)))
struct BatchInputTests {
    func parse(_ text: String) throws -> BatchInput { try BatchInput(parsing: Array(text.utf8)) }

    func malformed(_ entry: BatchInputEntry) -> BatchMalformedLine? {
        if case .malformed(let line) = entry { line } else { nil }
    }

    @Test func jsonAndPlainTextLinesWithBlankLinesSkipped() throws {
        let text = "\u{FEFF}{\"id\": \"a\", \"prompt\": \"first\", \"mode\": \"router\", \"metadata\": {\"k\": [1, 2]}}\r\n"
            + "\n   \n"
            + "what is two plus two?\r\n"
            + "{\"id\": 42, \"prompt\": \"answer\", \"budget\": {\"usd\": 0.5, \"input_tokens\": 1000, \"output_tokens\": 200, \"wall_seconds\": 30}, \"extra\": true}"
        let input = try parse(text)
        #expect(input.entries.count == 3)
        guard case .item(let first) = input.entries[0], case .item(let plain) = input.entries[1], case .item(let third) = input.entries[2] else {
            Issue.record("expected three items, got \(input.entries)")
            return
        }
        #expect(first.id.json == "a" && first.prompt == "first" && first.mode == "router" && first.line == 1)
        #expect(first.metadata == ["k": [1, 2]])
        #expect(plain.id == BatchItemID(4) && plain.id.json == 4 && plain.prompt == "what is two plus two?" && plain.line == 4)
        #expect(third.id.json == 42 && third.line == 5)
        #expect(third.budget == BatchBudget(usd: 0.5, inputTokens: 1000, outputTokens: 200, wallSeconds: 30))
    }

    @Test(arguments: [
        ("{\"id\": \"x\", \"prompt\": ", "invalid JSON"),
        ("[1, 2]", nil),  // not starting with "{": a plain-text prompt
        ("{\"prompt\": \"no id\"}", "missing \"id\""),
        ("{\"id\": 1.5, \"prompt\": \"p\"}", "\"id\" must be a non-empty string or an integer, not 1.5"),
        ("{\"id\": \"\", \"prompt\": \"p\"}", "\"id\" must be a non-empty string or an integer"),
        ("{\"id\": \"x\"}", "missing \"prompt\""),
        ("{\"id\": \"x\", \"prompt\": 3}", "\"prompt\" must be a non-empty string"),
        ("{\"id\": \"x\", \"prompt\": \"p\", \"mode\": 1}", "\"mode\" must be a non-empty string"),
        ("{\"id\": \"x\", \"prompt\": \"p\", \"budget\": {\"dollars\": 1}}", "unknown budget key \"dollars\""),
        ("{\"id\": \"x\", \"prompt\": \"p\", \"budget\": {\"usd\": -1}}", "budget \"usd\" must be a non-negative number"),
        ("{\"id\": \"x\", \"prompt\": \"p\", \"budget\": {\"input_tokens\": 2.5}}", "budget \"input_tokens\" must be an integer"),
        ("{\"id\": \"x\", \"prompt\": \"p\", \"budget\": 5}", "\"budget\" must be an object"),
    ] as [(String, String?)])
    func malformedLinesNameTheProblem(line: String, reason: String?) throws {
        let input = try parse("first line\n" + line + "\n")
        #expect(input.entries.count == 2)
        let entry = input.entries[1]
        #expect(entry.line == 2)
        if let reason {
            let bad = try #require(malformed(entry))
            #expect(bad.reason.contains(reason), "reason was: \(bad.reason)")
        } else {
            #expect(malformed(entry) == nil)
        }
    }

    @Test func malformedLineKeepsItsIdWhenItHasOneElseTheLineNumber() throws {
        let input = try parse("{\"id\": \"kept\"}\n{broken\n")
        #expect(input.entries.map(\.id) == [BatchItemID("kept"), BatchItemID(2)])
    }

    @Test func invalidUTF8IsMalformed() throws {
        let input = try BatchInput(parsing: Array("ok\n".utf8) + [0xFF, 0xFE, 0x0A])
        #expect(malformed(input.entries[1])?.reason == "the line is not valid UTF-8")
    }

    @Test func duplicateIDsAreRefusedWithTheirLines() throws {
        let text = "{\"id\": \"a\", \"prompt\": \"1\"}\n{\"id\": 7, \"prompt\": \"2\"}\n{\"id\": \"a\", \"prompt\": \"3\"}\n"
            + "{\"id\": \"7\", \"prompt\": \"4\"}\n{\"id\": \"b\", \"prompt\": \"5\"}\n{\"id\": \"a\", \"prompt\": \"6\"}\n"
        let error = try #require(throws: BatchError.self) { try parse(text) }
        #expect(error.code == .duplicateIDs)
        #expect(error.duplicates == [
            BatchDuplicateID(id: BatchItemID("a"), locations: ["line 1", "line 3", "line 6"]),
            BatchDuplicateID(id: BatchItemID(7), locations: ["line 2", "line 4"]),
        ])
        #expect(error.description.contains("id \"a\" (line 1, line 3, line 6)"))
    }

    @Test func plainTextLineNumberCollidingWithAnExplicitIDIsADuplicate() throws {
        let error = try #require(throws: BatchError.self) { try parse("plain prompt\n{\"id\": 1, \"prompt\": \"p\"}\n") }
        #expect(error.duplicates.map(\.id) == [BatchItemID(1)])
    }

    @Test func missingInputFileIsAnIOError() throws {
        let error = try #require(throws: BatchError.self) { try BatchInput(contentsOf: "/nonexistent/input.jsonl") }
        #expect(error.code == .io && error.message.contains("/nonexistent/input.jsonl"))
    }
}
