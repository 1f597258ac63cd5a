/// Reads how long a server asks the client to wait before retrying.
enum RetryAfter {
    /// The requested wait: `retry-after-ms` (milliseconds, OpenAI and Anthropic send it) wins over
    /// `Retry-After` (delta-seconds or an HTTP date, RFC 9110 §10.2.3). `nil` when neither header
    /// is present or parses.
    ///
    /// - Parameters:
    ///   - milliseconds: the `retry-after-ms` header value.
    ///   - retryAfter: the `Retry-After` header value.
    ///   - now: the current time in seconds since 1970, to turn an HTTP date into a wait.
    static func delay(milliseconds: String?, retryAfter: String?, now: Double) -> Duration? {
        if let milliseconds, let value = Double(ProviderParsing.trim(milliseconds)), value.isFinite, value >= 0 {
            return .milliseconds(Int64(value.rounded(.up)))
        }
        guard let retryAfter = retryAfter.map({ String(ProviderParsing.trim($0)) }), !retryAfter.isEmpty else { return nil }
        if let seconds = Double(retryAfter) {
            guard seconds.isFinite, seconds >= 0 else { return nil }
            return .milliseconds(Int64((seconds * 1000).rounded(.up)))
        }
        guard let date = HTTPDate.secondsSince1970(parsing: retryAfter) else { return nil }
        return .milliseconds(Int64((max(0, Double(date) - now) * 1000).rounded(.up)))
    }
}

/// The three HTTP date formats (RFC 9110 §5.6.7): IMF-fixdate, the obsolete RFC 850 form and asctime.
enum HTTPDate {
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// Seconds since 1970-01-01T00:00:00Z, or `nil` when `text` is not an HTTP date.
    static func secondsSince1970(parsing text: String) -> Int? {
        var rest = Substring(text)
        let isAsctime: Bool
        if let comma = rest.firstIndex(of: ",") {
            rest = rest[rest.index(after: comma)...]
            isAsctime = false
        } else {
            isAsctime = true
        }
        var tokens = rest.split(whereSeparator: { $0 == " " || $0 == "-" }).map(String.init)
        let day: Int?, month: Int?, year: Int?, time: String
        if isAsctime {
            // "Sun Nov  6 08:49:37 1994"
            guard tokens.count == 5 else { return nil }
            tokens.removeFirst()
            month = months.firstIndex(of: tokens[0].lowercased()).map { $0 + 1 }
            day = Int(tokens[1])
            time = tokens[2]
            year = Int(tokens[3])
        } else {
            // "06 Nov 1994 08:49:37 GMT" or "06-Nov-94 08:49:37 GMT"
            guard tokens.count == 5, tokens[4].uppercased() == "GMT" || tokens[4].uppercased() == "UTC" else { return nil }
            day = Int(tokens[0])
            month = months.firstIndex(of: tokens[1].lowercased()).map { $0 + 1 }
            year = Int(tokens[2]).map { tokens[2].count == 2 ? ($0 < 70 ? 2000 + $0 : 1900 + $0) : $0 }
            time = tokens[3]
        }
        let clock = time.split(separator: ":").compactMap { Int($0) }
        guard let day, let month, let year, clock.count == 3, (1...31).contains(day),
              (0...23).contains(clock[0]), (0...59).contains(clock[1]), (0...60).contains(clock[2])
        else { return nil }
        return daysSince1970(year: year, month: month, day: day) * 86_400 + clock[0] * 3600 + clock[1] * 60 + clock[2]
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    static func daysSince1970(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
