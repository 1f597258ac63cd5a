/// Assembles the final response head from the header lines curl hands over one at a time.
///
/// curl passes every line it receives: the status line, each field, the empty line that ends a
/// head, the heads of interim `1xx` responses, and trailers after a chunked body. This state
/// machine keeps only the final head and ignores what comes after it.
struct ResponseHeadParser {
    private enum State {
        case awaitingStatus
        case readingFields(status: Int, fields: [(name: String, value: String)])
        case complete
    }

    private var state = State.awaitingStatus

    /// The status of the head being read, if a status line has been seen and the head is not complete.
    var pendingStatus: Int? {
        if case .readingFields(let status, _) = state { return status }
        return nil
    }

    /// Whether the final head has been returned already.
    var isComplete: Bool {
        if case .complete = state { return true }
        return false
    }

    /// Consumes one header line (with or without its CRLF). Returns the head when `line` ends the
    /// final (non-`1xx`) response head, `nil` otherwise.
    mutating func consume(line raw: some Collection<UInt8>) -> HTTPResponseHead? {
        var line = Array(raw)
        while let last = line.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") {
            line.removeLast()
        }
        switch state {
        case .complete:
            return nil
        case .awaitingStatus:
            if let status = Self.status(ofStatusLine: line) {
                state = .readingFields(status: status, fields: [])
            }
            return nil
        case .readingFields(let status, var fields):
            if line.isEmpty {
                if (100..<200).contains(status) {
                    state = .awaitingStatus
                    return nil
                }
                state = .complete
                return HTTPResponseHead(status: status, headers: HTTPHeaders(fields))
            }
            if let newStatus = Self.status(ofStatusLine: line) {
                // A new status line without the empty line before it: start over with it.
                state = .readingFields(status: newStatus, fields: [])
                return nil
            }
            if line.first == UInt8(ascii: " ") || line.first == UInt8(ascii: "\t") {
                // Obsolete line folding: the line continues the previous field's value.
                if !fields.isEmpty {
                    let continuation = Self.trimmed(line[...])
                    fields[fields.count - 1].value += " " + String(decoding: continuation, as: UTF8.self)
                }
            } else if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
                let name = String(decoding: line[..<colon], as: UTF8.self)
                let value = String(decoding: Self.trimmed(line[(colon + 1)...]), as: UTF8.self)
                fields.append((name: name, value: value))
            }
            state = .readingFields(status: status, fields: fields)
            return nil
        }
    }

    /// `HTTP/1.1 200 OK`, `HTTP/2 204` → the status code; anything else → `nil`.
    static func status(ofStatusLine line: [UInt8]) -> Int? {
        guard line.starts(with: Array("HTTP/".utf8)),
            let space = line.firstIndex(of: UInt8(ascii: " "))
        else { return nil }
        let digits = line[(space + 1)...].prefix(3)
        guard digits.count == 3, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return nil
        }
        return digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
    }

    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let isSpace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }),
            let last = bytes.lastIndex(where: { !isSpace($0) })
        else { return [] }
        return bytes[first...last]
    }
}
