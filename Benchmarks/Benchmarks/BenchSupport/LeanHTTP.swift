import BrigadeTesting

/// One HTTP/1.1 request as the lean model server reads it: request line, headers, and a body of
/// `Content-Length` bytes.
struct LeanHTTPRequest {
    var method: String
    /// The request target without its query.
    var path: String
    var version: String
    /// Header values by lowercased name; a repeated name keeps its last value (as FlyingFox does).
    var headers: [String: String]
    var body: [UInt8]

    /// What `bytes` hold at their start.
    enum Parse {
        /// Not a whole request yet.
        case incomplete
        /// A request and how many bytes it took.
        case request(LeanHTTPRequest, length: Int)
        /// Not a request this server reads (malformed, or a chunked body): the connection closes.
        case invalid(String)
    }

    /// Reads the request at the start of `bytes`.
    static func parse(_ bytes: ArraySlice<UInt8>) -> Parse {
        bytes.withUnsafeBufferPointer { buffer in
            guard let headEnd = endOfHead(buffer) else { return .incomplete }
            var lines = LineIterator(buffer: buffer, end: headEnd)
            guard let requestLine = lines.next() else { return .invalid("no request line") }
            let words = String(decoding: requestLine, as: UTF8.self).split(separator: " ", maxSplits: 2)
            guard words.count == 3 else { return .invalid("no request line") }
            var headers: [String: String] = [:]
            while let line = lines.next() {
                guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex else { continue }
                let name = String(decoding: UnsafeBufferPointer(rebasing: line[..<colon]), as: UTF8.self).lowercased()
                let value = String(decoding: UnsafeBufferPointer(rebasing: line[(colon + 1)...]), as: UTF8.self)
                headers[String(Substring(name).trimmingSpaces)] = String(Substring(value).trimmingSpaces)
            }
            if headers["transfer-encoding"] != nil { return .invalid("a chunked request body (this server reads Content-Length bodies only)") }
            guard let length = Int(headers["content-length"] ?? "0"), length >= 0 else { return .invalid("a bad Content-Length") }
            let bodyStart = headEnd + 4
            guard buffer.count - bodyStart >= length else { return .incomplete }
            let target = words[1]
            let request = LeanHTTPRequest(
                method: String(words[0]), path: String(target.prefix { $0 != "?" }), version: String(words[2]),
                headers: headers, body: Array(buffer[bodyStart..<bodyStart + length]))
            return .request(request, length: bodyStart + length)
        }
    }

    /// Whether the connection stays open after the answer (RFC 9112 §9.3, as FlyingFox decides it).
    var keepsAlive: Bool {
        let tokens = (headers["connection"] ?? "").split(separator: ",").map { $0.trimmingSpaces.lowercased() }
        return version == "HTTP/1.1" ? !tokens.contains("close") : tokens.contains("keep-alive")
    }

    /// The offset of the `\r\n\r\n` that ends the head.
    private static func endOfHead(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4) where bytes[index] == 13 {
            if bytes[index + 1] == 10, bytes[index + 2] == 13, bytes[index + 3] == 10 { return index }
        }
        return nil
    }

    /// The CRLF-separated lines of the head, `buffer[..<end]`.
    private struct LineIterator {
        let buffer: UnsafeBufferPointer<UInt8>
        let end: Int
        var position = 0

        mutating func next() -> Slice<UnsafeBufferPointer<UInt8>>? {
            guard position < end else { return nil }
            let start = position
            var stop = start
            while stop < end, !(buffer[stop] == 13 && stop + 1 < end && buffer[stop + 1] == 10) { stop += 1 }
            position = stop + 2
            return buffer[start..<stop]
        }
    }
}

/// Frames a ``FakeAnswer`` the way FlyingFox's server does, write by write: the head (status line,
/// headers sorted by name, blank line) in one write; a JSON body in writes of up to 4,096 bytes
/// with a `Content-Length`; events one chunk per write (`%02X` length, CRLF, event, CRLF); then the
/// last chunk, `0\r\n\r\n`, in a write of its own.
enum LeanHTTPResponse {
    /// - Parameter connection: the request's `Connection` value when the connection stays open
    ///   (FlyingFox echoes it).
    static func writes(_ answer: FakeAnswer, connection: String?) -> [[UInt8]] {
        var headers: [(name: String, value: String)] = []
        func index(_ name: String) -> Int? { headers.firstIndex { $0.name.lowercased() == name.lowercased() } }
        func set(_ name: String, _ value: String) {
            if let index = index(name) { headers[index].value = value } else { headers.append((name, value)) }
        }
        for header in answer.headers { set(header.name, header.value) }
        var body: [[UInt8]]
        switch answer.body {
        case .json(let text):
            let bytes = Array(text.utf8)
            if index("Content-Length") == nil { set("Content-Length", String(bytes.count)) }
            body = stride(from: 0, to: bytes.count, by: 4096).map { Array(bytes[$0..<min($0 + 4096, bytes.count)]) }
        case .events(let events):
            if let index = index("Transfer-Encoding") { headers[index].value += ", chunked" } else { set("Transfer-Encoding", "chunked") }
            body = events.filter { !$0.isEmpty }.map { event in
                let bytes = Array(event.utf8)
                return Array((hex(bytes.count) + "\r\n").utf8) + bytes + [13, 10]
            }
            body.append(Array("0\r\n\r\n".utf8))
        }
        if let connection, index("Connection") == nil { set("Connection", connection) }
        var head = "HTTP/1.1 \(answer.status) \(answer.reasonPhrase)\r\n"
        for header in headers.sorted(by: { $0.name < $1.name }) { head += "\(header.name): \(header.value)\r\n" }
        head += "\r\n"
        return [Array(head.utf8)] + body
    }

    /// `%02X`: upper-case hexadecimal, at least two digits.
    static func hex(_ value: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return digits.count < 2 ? "0" + digits : digits
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return self[first...last]
    }
}
