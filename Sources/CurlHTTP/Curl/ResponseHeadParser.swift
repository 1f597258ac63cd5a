/// Assembles the final response head from the header lines curl hands over one at a time.
///
/// curl passes every line it receives: the status line, each field, the empty line that ends a
/// head, the heads of interim `1xx` responses, and trailers after a chunked body. This state
/// machine keeps only the final head and ignores what comes after it.
///
/// It reads each line where curl holds it: a line costs the name and value strings of its field
/// and nothing else (no copy of the line, no copy of the fields read so far).
struct ResponseHeadParser {
    private enum State {
        case awaitingStatus
        case readingFields
        case complete
    }

    private var state = State.awaitingStatus
    /// The status of the head being read (``State/readingFields``).
    private var status = 0
    /// The fields of the head being read, in order.
    private var fields: [HTTPHeaders.Field] = []

    private static let space = UInt8(ascii: " ")
    private static let tab = UInt8(ascii: "\t")

    /// The status of the head being read, if a status line has been seen and the head is not complete.
    var pendingStatus: Int? {
        state == .readingFields ? status : nil
    }

    /// Whether the final head has been returned already.
    var isComplete: Bool {
        state == .complete
    }

    /// Consumes one header line (with or without its CRLF). Returns the head when `line` ends the
    /// final (non-`1xx`) response head, `nil` otherwise.
    mutating func consume(line raw: some Collection<UInt8>) -> HTTPResponseHead? {
        Array(raw).withUnsafeBytes { consume(bytes: $0) }
    }

    /// ``consume(line:)`` for a line in curl's buffer (the header callback's bytes).
    mutating func consume(bytes raw: UnsafeRawBufferPointer) -> HTTPResponseHead? {
        var end = raw.count
        while end > 0, raw[end - 1] == UInt8(ascii: "\n") || raw[end - 1] == UInt8(ascii: "\r") {
            end -= 1
        }
        let line = UnsafeRawBufferPointer(rebasing: raw[..<end])
        switch state {
        case .complete:
            return nil
        case .awaitingStatus:
            if let status = Self.status(ofStatusLine: line) {
                startHead(status: status)
            }
            return nil
        case .readingFields:
            if line.isEmpty {
                if (100..<200).contains(status) {
                    state = .awaitingStatus
                    return nil
                }
                state = .complete
                defer { fields = [] }
                return HTTPResponseHead(status: status, headers: HTTPHeaders(fields: fields))
            }
            if let newStatus = Self.status(ofStatusLine: line) {
                // A new status line without the empty line before it: start over with it.
                startHead(status: newStatus)
                return nil
            }
            if line[0] == Self.space || line[0] == Self.tab {
                // Obsolete line folding: the line continues the previous field's value.
                if !fields.isEmpty {
                    let continuation = Self.trimmed(line[...])
                    fields[fields.count - 1].value += " " + String(decoding: continuation, as: UTF8.self)
                }
            } else if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
                let name = String(decoding: UnsafeRawBufferPointer(rebasing: line[..<colon]), as: UTF8.self)
                let value = String(decoding: Self.trimmed(line[(colon + 1)...]), as: UTF8.self)
                fields.append(HTTPHeaders.Field(name: name, value: value))
            }
            return nil
        }
    }

    private mutating func startHead(status: Int) {
        state = .readingFields
        self.status = status
        fields.removeAll(keepingCapacity: true)
        if fields.capacity == 0 { fields.reserveCapacity(8) }
    }

    /// `HTTP/1.1 200 OK`, `HTTP/2 204` → the status code; anything else → `nil`.
    static func status(ofStatusLine line: [UInt8]) -> Int? {
        line.withUnsafeBytes { status(ofStatusLine: $0) }
    }

    private static func status(ofStatusLine line: UnsafeRawBufferPointer) -> Int? {
        guard line.count > 5, line[0] == UInt8(ascii: "H"), line[1] == UInt8(ascii: "T"), line[2] == UInt8(ascii: "T"),
            line[3] == UInt8(ascii: "P"), line[4] == UInt8(ascii: "/"),
            let space = line.firstIndex(of: Self.space), line.count - (space + 1) >= 3
        else { return nil }
        var status = 0
        for index in (space + 1)...(space + 3) {
            let digit = line[index] &- UInt8(ascii: "0")
            guard digit <= 9 else { return nil }
            status = status * 10 + Int(digit)
        }
        return status
    }

    private static func trimmed(_ bytes: Slice<UnsafeRawBufferPointer>) -> UnsafeRawBufferPointer {
        let isSpace = { (byte: UInt8) in byte == Self.space || byte == Self.tab }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }),
            let last = bytes.lastIndex(where: { !isSpace($0) })
        else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(rebasing: bytes[first...last])
    }
}
