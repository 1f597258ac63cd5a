import BrigadeTesting
import CurlHTTP
import Testing

@Suite("Server-sent event parser", .timeLimit(.minutes(1)))
struct ServerSentEventParserTests {
    /// A stream touching every rule: BOM, comments, all three line ends, multi-line data, the
    /// space rule, id and retry rules, unknown fields, multibyte UTF-8, an unfinished last event.
    static let corpus = Array((
        "\u{FEFF}: comment line\r\n"
        + "data: first\r\n"
        + "\r\n"
        + "data: x\r\ndata: y\r\n\r\n"
        + "event: update\n"
        + "id: 42\n"
        + "data: line one\n"
        + "data:line two\n"
        + "data:  two spaces\n"
        + "\n"
        + "retry: 1500\r"
        + "data\r"
        + "\r"
        + "id: bad\u{0}id\n"
        + "data: 😀 héllo ✓\n"
        + "\n"
        + "event: no-data\n"
        + "\n"
        + "retry: 12x\n"
        + "retry:\n"
        + "unknown: field\n"
        + ":data: in a comment\n"
        + "data: after unknown\n"
        + "\n"
        + "id:\n"
        + "data: id reset\r\n"
        + "\r\n"
        + "data: unfinished at the end"
    ).utf8)

    static let expected = [
        ServerSentEvent(data: "first"),
        ServerSentEvent(data: "x\ny"),
        ServerSentEvent(event: "update", data: "line one\nline two\n two spaces", id: "42"),
        ServerSentEvent(data: "", id: "42", retry: 1500),
        ServerSentEvent(data: "😀 héllo ✓", id: "42"),
        ServerSentEvent(data: "after unknown", id: "42"),
        ServerSentEvent(data: "id reset"),
    ]

    static func parse(_ chunks: [ArraySlice<UInt8>]) throws -> [ServerSentEvent] {
        var parser = ServerSentEventParser()
        var events: [ServerSentEvent] = []
        for chunk in chunks { events += try parser.feed(chunk) }
        parser.finish()
        return events
    }

    static func parse(_ text: String) throws -> [ServerSentEvent] {
        try parse([Array(text.utf8)[...]])
    }

    @Test("The corpus in one piece")
    func wholeCorpus() throws {
        var parser = ServerSentEventParser()
        #expect(try parser.feed(Self.corpus) == Self.expected)
        #expect(parser.reconnectionTime == 1500)
        #expect(parser.lastEventID == "")
    }

    /// Seconds of CPU in a debug build: off the cooperative pool, which the other suites share.
    @Test("The corpus split at every position into two chunks, and into three")
    func everySplit() async throws {
        try await offThePool {
            let bytes = Self.corpus[...]
            for first in 0...bytes.count {
                let chunks = [bytes[..<first], bytes[first...]]
                #expect(try Self.parse(chunks) == Self.expected, "split at \(first)")
            }
            // Three chunks: every first cut, with second cuts at every 7th position after it.
            for first in 0...bytes.count {
                for second in stride(from: first, through: bytes.count, by: 7) {
                    let chunks = [bytes[..<first], bytes[first..<second], bytes[second...]]
                    let events = try Self.parse(chunks)
                    if events != Self.expected {
                        Issue.record("cuts at \(first) and \(second): \(events)")
                        return
                    }
                }
            }
        }
    }

    @Test("The corpus byte by byte, and through a non-contiguous collection")
    func byteByByte() throws {
        #expect(try Self.parse(Self.corpus.map { [$0][...] }) == Self.expected)
        var parser = ServerSentEventParser()
        let lazyChunk = Self.corpus.lazy.map { $0 }
        #expect(try parser.feed(lazyChunk) == Self.expected)
    }

    @Test("CR, LF and CRLF each end a line", arguments: ["\n", "\r", "\r\n"])
    func lineEnds(_ end: String) throws {
        let text = "event: e" + end + "data: a" + end + "data: b" + end + end + "data: c" + end + end
        #expect(try Self.parse(text) == [ServerSentEvent(event: "e", data: "a\nb"), ServerSentEvent(data: "c")])
    }

    @Test("A CR ending one chunk and a LF starting the next are one line end")
    func crlfAcrossChunks() throws {
        var parser = ServerSentEventParser()
        #expect(try parser.feed(Array("data: a\r".utf8)).isEmpty)
        #expect(try parser.feed(Array("\ndata: b\r".utf8)).isEmpty)
        #expect(try parser.feed(Array("\n\r".utf8)) == [ServerSentEvent(data: "a\nb")])
        // A CR at a chunk end followed by anything but LF: the next byte starts a new line.
        #expect(try parser.feed(Array("data: c\r".utf8)).isEmpty)
        #expect(try parser.feed(Array("\r".utf8)) == [ServerSentEvent(data: "c")])
        #expect(try parser.feed(Array("\n".utf8)).isEmpty)  // an empty line with no data: nothing
    }

    @Test("Only one leading byte order mark is ignored, even split across chunks")
    func byteOrderMark() throws {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let rest = Array("data: x\n\n".utf8)
        #expect(try Self.parse([bom[..<1], bom[1..<2], bom[2...], rest[...]]) == [ServerSentEvent(data: "x")])
        // A second BOM is part of the field name, which is then unknown.
        #expect(try Self.parse([(bom + bom + rest)[...]]).isEmpty)
        // A BOM later in the stream is not special either.
        #expect(try Self.parse([(Array("data: y\n\n".utf8) + bom + rest)[...]]) == [ServerSentEvent(data: "y")])
    }

    @Test("Comments are ignored; only one space after the colon is removed")
    func commentsAndSpaces() throws {
        #expect(try Self.parse(":\n: hello\n:data: no\ndata:x\ndata:  y\ndata: \n\n") == [ServerSentEvent(data: "x\n y\n")])
        #expect(try Self.parse("data\ndata\n\n") == [ServerSentEvent(data: "\n")])
        #expect(try Self.parse("event: only\n\n").isEmpty)
    }

    @Test("Event types reset after each event; ids persist until changed")
    func eventTypeAndIDScope() throws {
        let events = try Self.parse("event: a\nid: 1\ndata: x\n\ndata: y\n\nid: 2\n\ndata: z\n\nid\ndata: w\n\n")
        #expect(events == [
            ServerSentEvent(event: "a", data: "x", id: "1"),
            ServerSentEvent(data: "y", id: "1"),
            ServerSentEvent(data: "z", id: "2"),
            ServerSentEvent(data: "w"),
        ])
    }

    @Test("A repeated event type or id is kept; an empty event type means message; a large event leaves no trace")
    func repeatedFieldsAndLargeEvents() throws {
        let big = String(repeating: "b", count: 100_000)
        let text = "event: delta\nid: 7\ndata: one\n\nevent: delta\nid: 7\ndata: two\n\n"
            + "event:\ndata: three\n\nevent: stop\ndata: \(big)\n\nevent: delta\nid: 8\ndata: four\n\n"
        #expect(try Self.parse(text) == [
            ServerSentEvent(event: "delta", data: "one", id: "7"),
            ServerSentEvent(event: "delta", data: "two", id: "7"),
            ServerSentEvent(data: "three", id: "7"),
            ServerSentEvent(event: "stop", data: big, id: "7"),
            ServerSentEvent(event: "delta", data: "four", id: "8"),
        ])
    }

    @Test("An id containing NUL is ignored")
    func idWithNul() throws {
        #expect(try Self.parse("id: ok\n\nid: a\u{0}b\ndata: x\n\n") == [ServerSentEvent(data: "x", id: "ok")])
    }

    @Test(
        "retry takes ASCII digits only",
        arguments: [
            ("retry: 10", 10), ("retry:0", 0), ("retry: -1", nil), ("retry: 1.5", nil), ("retry:  10", nil),
            ("retry: 10 ", nil), ("retry: ", nil), ("retry", nil), ("retry: ١٢", nil),
            ("retry: 99999999999999999999999", nil),
        ] as [(String, Int?)]
    )
    func retryRules(line: String, value: Int?) throws {
        var parser = ServerSentEventParser()
        let events = try parser.feed(Array((line + "\ndata: x\n\n").utf8))
        #expect(events == [ServerSentEvent(data: "x", retry: value)])
        #expect(parser.reconnectionTime == value)
    }

    @Test("UTF-8 split inside a multibyte sequence decodes whole; invalid bytes become U+FFFD")
    func utf8() throws {
        let bytes = Array("data: 😀é✓\n\n".utf8)
        for cut in 0...bytes.count {
            #expect(try Self.parse([bytes[..<cut], bytes[cut...]]) == [ServerSentEvent(data: "😀é✓")], "cut at \(cut)")
        }
        #expect(try Self.parse([(Array("data: a".utf8) + [0xFF, 0xC3] + Array("\n\n".utf8))[...]]) == [ServerSentEvent(data: "a\u{FFFD}\u{FFFD}")])
    }

    @Test("finish discards an unfinished event and readies the parser for a new stream")
    func finish() throws {
        var parser = ServerSentEventParser()
        #expect(try parser.feed(Array("id: 5\ndata: done\n\ndata: partial\n".utf8)) == [ServerSentEvent(data: "done", id: "5")])
        parser.finish()
        #expect(parser.lastEventID == "5")
        #expect(try parser.feed(Array("\u{FEFF}data: next\n\n".utf8)) == [ServerSentEvent(data: "next", id: "5")])
    }

    @Test("serverSentEvents() parses any sequence of byte chunks")
    func sequence() async throws {
        let (stream, continuation) = AsyncStream.makeStream(of: [UInt8].self)
        for byte in Self.corpus { continuation.yield([byte]) }
        continuation.finish()
        var events: [ServerSentEvent] = []
        for try await event in stream.serverSentEvents() { events.append(event) }
        #expect(events == Self.expected)
    }

    @Test("a line longer than maxLineBytes fails, whole or split, and names the cap")
    func lineCap() throws {
        let limits = ServerSentEventParser.Limits(maxLineBytes: 64, maxEventBytes: 1024)
        var parser = ServerSentEventParser(limits: limits)
        #expect(try parser.feed(Array(("data: " + String(repeating: "a", count: 58) + "\n\n").utf8)).count == 1)
        for chunkSize in [1, 7, 65, 4096] {
            var split = ServerSentEventParser(limits: limits)
            let endless = Array(("data: " + String(repeating: "x", count: 4096)).utf8)
            let error = #expect(throws: HTTPError.self) {
                var offset = 0
                while offset < endless.count {
                    _ = try split.feed(endless[offset..<min(offset + chunkSize, endless.count)])
                    offset += chunkSize
                }
            }
            #expect(error?.code == .responseTooLarge)
            #expect(error?.message.contains("64-byte cap (maxLineBytes)") == true, "\(String(describing: error))")
        }
    }

    @Test("an event whose data lines pass maxEventBytes fails; the count restarts with each event")
    func eventCap() throws {
        var parser = ServerSentEventParser(limits: .init(maxLineBytes: 64, maxEventBytes: 100))
        let line = "data: " + String(repeating: "y", count: 39) + "\n"  // 40 bytes of data with its newline
        #expect(try parser.feed(Array((line + line + "\n" + line + line + "\n").utf8)).count == 2)
        let error = #expect(throws: HTTPError.self) {
            for _ in 0..<10 { _ = try parser.feed(Array(line.utf8)) }
        }
        #expect(error?.message.contains("100-byte cap (maxEventBytes)") == true)
    }

    @Test("serverSentEvents(limits:) throws when a line passes the cap")
    func sequenceCap() async throws {
        let (stream, continuation) = AsyncStream.makeStream(of: [UInt8].self)
        continuation.yield(Array("data: ok\n\ndata: ".utf8))
        for _ in 0..<100 { continuation.yield(Array(repeating: UInt8(ascii: "z"), count: 100)) }
        continuation.finish()
        var events: [ServerSentEvent] = []
        await #expect(throws: HTTPError.self) {
            for try await event in stream.serverSentEvents(limits: .init(maxLineBytes: 1000)) { events.append(event) }
        }
        #expect(events == [ServerSentEvent(data: "ok")])
    }

    /// `feed(_:into:)` with one batch reused for every chunk, as the model transport reads a stream.
    static func parseIntoBatch(_ chunks: [ArraySlice<UInt8>]) throws -> [ServerSentEvent] {
        var parser = ServerSentEventParser()
        var batch = ServerSentEventBatch()
        var events: [ServerSentEvent] = []
        for chunk in chunks {
            try parser.feed(chunk, into: &batch)
            for event in batch {
                #expect(event.dataText == String(decoding: event.data, as: UTF8.self))
                events.append(event.serverSentEvent)
            }
        }
        parser.finish()
        return events
    }

    @Test("A reused batch holds the events of its last feed only, the same as feed(_:) returns")
    func batchAtEverySplit() async throws {
        try await offThePool {
            let bytes = Self.corpus[...]
            #expect(try Self.parseIntoBatch([bytes]) == Self.expected)
            #expect(try Self.parseIntoBatch(bytes.map { [$0][...] }) == Self.expected)
            for first in 0...bytes.count {
                for second in stride(from: first, through: bytes.count, by: 5) {
                    let chunks = [bytes[..<first], bytes[first..<second], bytes[second...]]
                    let events = try Self.parseIntoBatch(chunks)
                    if events != Self.expected {
                        Issue.record("cuts at \(first) and \(second): \(events)")
                        return
                    }
                }
            }
        }
    }

    @Test("A batch's data is the bytes received; dataText decodes them as feed(_:) does")
    func batchKeepsRawBytes() throws {
        var parser = ServerSentEventParser()
        var batch = ServerSentEventBatch()
        let stream: [UInt8] = Array("event: e\nid: 7\nretry: 30\ndata: a".utf8) + [0xFF, 0xE2, 0x82] + Array("\ndata: b\n\ndata: \n\n".utf8)
        try parser.feed(stream, into: &batch)
        #expect(batch.count == 2)
        #expect(Array(batch[0].data) == Array("a".utf8) + [0xFF, 0xE2, 0x82] + Array("\nb".utf8))
        #expect(batch[0].event == "e" && batch[0].id == "7" && batch[0].retry == 30)
        #expect(batch[0].serverSentEvent == ServerSentEvent(event: "e", data: "a\u{FFFD}\u{FFFD}\nb", id: "7", retry: 30))
        #expect(batch[1].data.isEmpty && batch[1].event == "message" && batch[1].id == "7" && batch[1].retry == nil)
        var again = ServerSentEventParser()
        #expect(try again.feed(stream) == batch.map(\.serverSentEvent))
        try parser.feed(Array("data: next\n".utf8), into: &batch)
        #expect(batch.isEmpty)
        try parser.feed(Array("\n".utf8), into: &batch)
        #expect(batch.map(\.dataText) == ["next"])
    }

    @Test("A batch fed past a cap is left empty, and the parser starts over")
    func batchAfterCap() throws {
        var parser = ServerSentEventParser(limits: .init(maxLineBytes: 64, maxEventBytes: 1024))
        var batch = ServerSentEventBatch()
        try parser.feed(Array("data: one\n\n".utf8), into: &batch)
        #expect(batch.count == 1)
        let error = #expect(throws: HTTPError.self) {
            try parser.feed(Array(("data: two\n\ndata: " + String(repeating: "x", count: 100) + "\n\n").utf8), into: &batch)
        }
        #expect(error?.code == .responseTooLarge)
        #expect(batch.isEmpty)
        try parser.feed(Array("data: three\n\n".utf8), into: &batch)
        #expect(batch.map(\.dataText) == ["three"])
    }
}
