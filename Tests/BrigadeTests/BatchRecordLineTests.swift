import Testing
import Brigade
import BrigadeCore

/// A results line is written field by field (``BatchRecord/jsonLine``); it must be byte for byte the
/// encoding of the record's `JSONValue` tree (``BatchRecord/json``).
@Suite("Batch record lines (written directly)", .timeLimit(.minutes(1)))
struct BatchRecordLineTests {
    static let oddTexts: [String] = [
        "", "plain", "Says \"hi\" \\ back\nline two\ttab \u{01}\u{1F} end", "\u{2028}\u{2029} é 🚀 \u{7F} 名前",
        "\r\n\u{0}", String(repeating: "long é ", count: 300), "\u{E2}\u{80}", "a\u{0301}",
    ]

    static var records: [BatchRecord] {
        var records: [BatchRecord] = []
        let ids = [BatchItemID("a1"), BatchItemID(7), BatchItemID("quote\"id\\\u{2028}"), BatchItemID(-12), BatchItemID(Int.max)]
        let numbers: [Double] = [0, 0.000_001, 1.5, 1e20, 123_456_789.123, -3, .nan, .infinity, 1e15, 999_999_999_999_999]
        let timingSets: [[String: Duration]] = [
            [:],
            ["model": .milliseconds(50), "tools": .zero],
            ["latency": .seconds(3), "model": .nanoseconds(1)],
            ["z\"odd\\name\n": .seconds(1), "é": .microseconds(1_500), "a": .seconds(-2)],
        ]
        let metadata: [JSONValue?] = [nil, .null, ["k": "v", "n": [1, 2.5, true, .null], "\u{2028}": ["": [:]]], "text", 3]
        for (index, text) in oddTexts.enumerated() {
            let n = numbers[index % numbers.count]
            records.append(BatchRecord(
                id: ids[index % ids.count], status: BatchItemStatus.allCases[index % 3], line: index % 2 == 0 ? index : nil,
                mode: index % 3 == 0 ? nil : text, answer: index % 4 == 1 ? nil : text, stopReason: text,
                usage: TokenUsage(inputTokens: index * 1_000, outputTokens: -index), costUSD: n, calls: index,
                latency: .nanoseconds(Int64(index) * 1_234_567), timings: timingSets[index % timingSets.count],
                error: index % 2 == 1 ? text : nil, metadata: metadata[index % metadata.count]
            ))
        }
        for n in numbers {
            records.append(BatchRecord(id: BatchItemID("n"), status: .ok, stopReason: "finished", costUSD: n, latency: .seconds(n.isFinite && abs(n) < 1e9 ? n : 0)))
        }
        for timings in timingSets {
            records.append(BatchRecord(id: BatchItemID(1), status: .failed, stopReason: "error", latency: .milliseconds(5), timings: timings))
        }
        return records
    }

    @Test func theLineIsTheTreeEncodingByteForByte() throws {
        for record in Self.records {
            let tree = record.json.jsonString + "\n"
            #expect(Array(record.jsonLine.utf8) == Array(tree.utf8), "\(record.jsonLine)!=\n\(tree)")
        }
    }

    @Test func theLineReadsBackAsTheRecord() throws {
        for record in Self.records where record.costUSD.isFinite {
            let read = try BatchRecord(parsing: Array(record.jsonLine.utf8.dropLast()))
            #expect(read.id == record.id)
            #expect(read.answer == record.answer)
            #expect(read.error == record.error)
            #expect(read.stopReason == record.stopReason)
            #expect((read.metadata ?? .null) == (record.metadata ?? .null))
        }
    }

    @Test func aRunnerTimingNamedLatencyTakesLatencysPlace() throws {
        let record = BatchRecord(id: BatchItemID(1), status: .ok, stopReason: "finished", latency: .seconds(1), timings: ["latency": .seconds(2), "b": .seconds(3)])
        #expect(record.jsonLine.contains(#""timings":{"latency_ms":2000,"b_ms":3000}"#))
    }
}
