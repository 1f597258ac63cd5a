import Testing
import Brigade
@testable import BrigadeWorkspace

@Suite("Map chunker", .timeLimit(.minutes(1)))
struct MapChunkerTests {
    @Test func chunksFollowHeadingsParagraphsAndCodeBlocks() throws {
        let text = """
            # Title
            First paragraph line one.
            line two.

            ```swift
            let a = 1

            let b = 2
            ```

            ## Section
            Last paragraph.
            """
        let chunks = MapChunker(maxTokens: 12).chunks(of: [MapSource(name: "doc.md", text: text)])
        try #require(chunks.map(\.id) == ["c0001", "c0002", "c0003"])
        #expect(chunks[0].text == "# Title\nFirst paragraph line one.\nline two.")
        #expect(chunks[1].text == "```swift\nlet a = 1\n\nlet b = 2\n```")  // the blank line inside the fence stays
        #expect((chunks[1].startLine, chunks[1].endLine) == (5, 9))
        #expect(chunks[2].position == "doc.md:11-12")  // the heading starts its block
        // Every chunk's text is exactly the source's bytes at its offsets.
        let bytes = Array(text.utf8)
        #expect(chunks.allSatisfy { String(decoding: bytes[$0.startByte..<$0.endByte], as: UTF8.self) == $0.text })
    }

    @Test func jsonLinesAreOneRecordPerBlockAndOverlapRepeatsWholeBlocks() {
        let records = (1...6).map { #"{"n": \#($0), "note": "record"}"# }.joined(separator: "\n")
        let source = MapSource(name: "data.jsonl", text: records)
        #expect(source.isJSONLines)
        let chunks = MapChunker(maxTokens: 20, overlapTokens: 8).chunks(of: [source])
        #expect(chunks.count > 1)
        #expect(chunks.allSatisfy { $0.estimatedTokens <= 20 })
        // Consecutive chunks share one whole record.
        for (previous, next) in zip(chunks, chunks.dropFirst()) {
            #expect(next.startLine == previous.endLine)
        }
    }

    @Test func aBlockLargerThanAChunkIsCutAtLinesThenCharacters() {
        let long = String(repeating: "é", count: 100)  // 200 bytes on one line
        let chunks = MapChunker(maxTokens: 10).chunks(of: [MapSource(name: "x.txt", text: "short\n" + long)])
        #expect(chunks.allSatisfy { $0.text.utf8.count <= 40 })
        #expect(chunks.map(\.text).joined().replacingOccurrences(of: "short", with: "") == long)
    }
}
