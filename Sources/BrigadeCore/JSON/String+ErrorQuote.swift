extension StringProtocol {
    /// The text as an error message may quote it: whole up to `limit` UTF-8 bytes, else its first
    /// `limit` bytes (cut at a character boundary) and a note with the true size, "…(12,345 bytes)".
    /// For values from outside — tool arguments, configuration values, server bodies — so that a huge
    /// value cannot make a huge error.
    package func quotedForError(limit: Int = 200) -> String {
        let size = utf8.count
        guard size > limit else { return String(self) }
        var kept = ""
        kept.reserveCapacity(limit)
        var bytes = 0
        for character in self {
            let width = character.utf8.count
            if bytes + width > limit { break }
            kept.append(character)
            bytes += width
        }
        return kept + "…(\(Self.groupedThousands(size)) bytes)"
    }

    private static func groupedThousands(_ number: Int) -> String {
        let digits = Array(String(number))
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        return grouped
    }
}
