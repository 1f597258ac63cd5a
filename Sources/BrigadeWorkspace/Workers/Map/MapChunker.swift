/// Cuts sources into chunks of at most `maxTokens` (bytes / 4), along their structure: a chunk never
/// splits a paragraph, a fenced code block or a JSONL record unless that one block alone is too big
/// (then it is cut at line ends, and a line too long at character boundaries); a heading starts a
/// new block. Consecutive chunks share up to `overlapTokens` of whole blocks. Pure.
public struct MapChunker: Sendable, Hashable {
    public var maxTokens: Int
    public var overlapTokens: Int

    public init(maxTokens: Int = 1000, overlapTokens: Int = 0) {
        self.maxTokens = max(1, maxTokens)
        self.overlapTokens = max(0, min(overlapTokens, maxTokens / 2))
    }

    /// A run of lines of the source: byte range and line range.
    struct Block {
        var start: Int
        var end: Int
        var firstLine: Int
        var lastLine: Int
        var tokens: Int { (end - start + 3) / 4 }
    }

    /// The chunks of every source, numbered across all of them.
    public func chunks(of sources: [MapSource]) -> [MapChunk] {
        var chunks: [MapChunk] = []
        for source in sources {
            let bytes = Array(source.text.utf8)
            for group in pack(blocks(of: bytes, jsonLines: source.isJSONLines)) {
                let start = group.first!.start, end = group.last!.end
                chunks.append(MapChunk(
                    id: String(printf: "c%04ld", chunks.count + 1), source: source.name,
                    startLine: group.first!.firstLine, endLine: group.last!.lastLine, startByte: start, endByte: end,
                    text: String(decoding: bytes[start..<end], as: UTF8.self)))
            }
        }
        return chunks
    }

    /// Lines as (start, end without the newline, line number).
    static func lines(of bytes: [UInt8]) -> [(start: Int, end: Int, number: Int)] {
        var lines: [(Int, Int, Int)] = []
        var start = 0
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            lines.append((start, index, lines.count + 1))
            start = index + 1
        }
        if start < bytes.count { lines.append((start, bytes.count, lines.count + 1)) }
        return lines
    }

    func blocks(of bytes: [UInt8], jsonLines: Bool) -> [Block] {
        var blocks: [Block] = []
        var current: Block?
        var fence: ArraySlice<UInt8>?
        func close() {
            if let block = current { blocks.append(contentsOf: split(block, bytes: bytes)) }
            current = nil
        }
        for line in Self.lines(of: bytes) {
            let text = bytes[line.start..<line.end]
            let trimmed = text.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
            let blank = trimmed.allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }
            let extend = { (block: inout Block?) in
                if block == nil { block = Block(start: line.start, end: line.end, firstLine: line.number, lastLine: line.number) }
                block!.end = line.end
                block!.lastLine = line.number
            }
            if let open = fence {
                extend(&current)
                if trimmed.starts(with: open) { fence = nil; close() }
                continue
            }
            if jsonLines {
                if !blank { close(); extend(&current); close() }
                continue
            }
            if trimmed.starts(with: "```".utf8) || trimmed.starts(with: "~~~".utf8) {
                close()
                fence = trimmed.prefix(3)
                extend(&current)
                continue
            }
            if blank { close(); continue }
            if trimmed.first == UInt8(ascii: "#"), trimmed.dropFirst().drop(while: { $0 == UInt8(ascii: "#") }).first == UInt8(ascii: " ") { close() }
            extend(&current)
        }
        close()
        return blocks
    }

    /// A block over the limit, cut at line ends; a line over the limit, at character boundaries.
    func split(_ block: Block, bytes: [UInt8]) -> [Block] {
        guard block.tokens > maxTokens else { return [block] }
        let limit = maxTokens * 4
        var pieces: [Block] = []
        var piece: Block?
        var lineNumber = block.firstLine
        var start = block.start
        while start < block.end {
            let newline = bytes[start..<block.end].firstIndex(of: UInt8(ascii: "\n")) ?? block.end
            var lineEnd = newline
            var lineStart = start
            while lineEnd - lineStart > limit {
                if let open = piece { pieces.append(open); piece = nil }
                var cut = lineStart + limit
                while cut > lineStart, bytes[cut] & 0xC0 == 0x80 { cut -= 1 }
                pieces.append(Block(start: lineStart, end: cut, firstLine: lineNumber, lastLine: lineNumber))
                lineStart = cut
            }
            if lineStart < lineEnd || lineEnd == newline {
                if var open = piece, lineEnd - open.start <= limit {
                    open.end = lineEnd
                    open.lastLine = lineNumber
                    piece = open
                } else {
                    if let open = piece { pieces.append(open) }
                    piece = lineStart < lineEnd ? Block(start: lineStart, end: lineEnd, firstLine: lineNumber, lastLine: lineNumber) : nil
                }
            }
            lineEnd = newline
            start = newline + 1
            lineNumber += 1
        }
        if let open = piece { pieces.append(open) }
        return pieces
    }

    /// Blocks packed into chunks of at most `maxTokens`, each chunk after the first starting with the
    /// previous one's last blocks that fit in `overlapTokens` (never the whole previous chunk).
    func pack(_ blocks: [Block]) -> [[Block]] {
        var chunks: [[Block]] = []
        var current: [Block] = []
        var fresh = 0  // blocks of `current` not carried over from the previous chunk
        func tokens(_ group: [Block]) -> Int { group.isEmpty ? 0 : (group.last!.end - group.first!.start + 3) / 4 }
        for block in blocks {
            if !current.isEmpty, tokens(current + [block]) > maxTokens {
                if fresh > 0 {
                    chunks.append(current)
                    var carried: [Block] = []
                    for previous in current.reversed() {
                        let candidate = [previous] + carried
                        guard tokens(candidate) <= overlapTokens, candidate.count < current.count else { break }
                        carried = candidate
                    }
                    current = carried
                } else {
                    current = []
                }
                fresh = 0
                while !current.isEmpty, tokens(current + [block]) > maxTokens { current.removeFirst() }
            }
            current.append(block)
            fresh += 1
        }
        if fresh > 0 { chunks.append(current) }
        return chunks
    }
}
