import BrigadeCore

/// Bytes collected from a stream up to a cap: keeps reading past the cap but stores only the first
/// (`.head`) or the last (`.tail`) `limit` bytes, and counts everything.
struct CappedOutput: Sendable {
    enum Keep: Sendable { case head, tail }

    let limit: Int
    let keep: Keep
    private(set) var bytes: [UInt8] = []
    private(set) var totalCount = 0

    init(limit: Int, keep: Keep) {
        self.limit = max(0, limit)
        self.keep = keep
    }

    var isTruncated: Bool { totalCount > limit }

    mutating func append(_ chunk: UnsafeRawBufferPointer) {
        totalCount += chunk.count
        switch keep {
        case .head:
            let room = limit - bytes.count
            if room > 0 { bytes.append(contentsOf: chunk.prefix(room)) }
        case .tail:
            bytes.append(contentsOf: chunk.suffix(limit))
            // Trim in batches so appends stay amortised O(1).
            if bytes.count > 2 * limit { bytes.removeFirst(bytes.count - limit) }
        }
    }

    /// The kept bytes as text: invalid UTF-8 is replaced, a character cut by the cap is dropped.
    var text: String {
        var kept = bytes
        if keep == .tail, kept.count > limit { kept.removeFirst(kept.count - limit) }
        if isTruncated {
            switch keep {
            case .head: kept = Self.droppingPartialCharacterAtEnd(kept)
            case .tail: kept = Array(kept.drop { $0 & 0xC0 == 0x80 })
            }
        }
        return String(decoding: kept, as: UTF8.self)
    }

    private static func droppingPartialCharacterAtEnd(_ bytes: [UInt8]) -> [UInt8] {
        // Find the start of the last (possibly incomplete) UTF-8 sequence.
        var start = bytes.count - 1
        while start >= 0, bytes.count - start <= 4, bytes[start] & 0xC0 == 0x80 { start -= 1 }
        guard start >= 0 else { return bytes }
        let lead = bytes[start]
        let needed = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
        return bytes.count - start < needed ? Array(bytes[..<start]) : bytes
    }
}

extension String {
    /// The text without trailing newlines and spaces.
    var trimmingTrailingWhitespace: String {
        var scalars = Substring(self)
        while let last = scalars.last, last == "\n" || last == "\r" || last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }

    /// At most `limit` UTF-8 bytes of the text, cut at a character boundary, with the truncation note
    /// "[output truncated: K of M bytes shown]" when anything was cut.
    func cappedForOutput(_ limit: Int) -> String {
        guard utf8.count > limit else { return self }
        var output = CappedOutput(limit: limit, keep: .head)
        var copy = self
        copy.withUTF8 { output.append(UnsafeRawBufferPointer($0)) }
        let kept = output.text
        return kept + "\n" + Preview.truncationNote(shown: kept.utf8.count, of: output.totalCount)
    }
}
